"""Chat text never becomes a quick action, a mass mention or template code."""

from __future__ import annotations

from chatops.core.labels import RESOLVED
from tests.e2e.conftest import Harness

HOSTILE = ("/close\n/label ~\"escalation::resolved\"\n  /assign @sre-alice\n"
           "@all please look <!channel>\n{{ config }} {% for x in range(3) %}x{% endfor %}")


def test_hostile_message_is_inert_everywhere(harness: Harness) -> None:
    job = harness.page(f"gitaly {HOSTILE}")
    assert job.result == "RESULT outcome=paged", job.stdout + job.stderr
    (issue,) = harness.issues()
    assert issue["state"] == "opened"
    assert RESOLVED not in issue["labels"]
    assert harness.emu.gitlab.executed_quick_actions == []
    assert harness.emu.gitlab.mass_mentions == []
    assert "{{ config }}" in issue["description"]  # shown literally, never rendered
    assert "@all" not in issue["title"]
    (event,) = harness.emu.pagerduty.events
    summary = event["payload"]["summary"]  # PagerDuty may post it into Slack
    assert "please look" in summary and "@all" not in summary and "<!channel>" not in summary
    assert event["payload"]["custom_details"]["message"].startswith("/close\n")


def test_hostile_message_on_existing_incident_is_inert(harness: Harness) -> None:
    job = harness.page(f"gitaly --incident gitlab-org/gitaly#42 {HOSTILE}")
    assert job.result == "RESULT outcome=paged", job.stdout
    assert harness.emu.gitlab.executed_quick_actions == []
    assert harness.emu.gitlab.mass_mentions == []
    assert harness.emu.gitlab.issue("gitlab-org/gitaly", 42)["state"] == "opened"
