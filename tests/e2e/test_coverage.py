"""Coverage on the paging path, queued requests and drills (issue #4)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chatops.core.labels import ACKNOWLEDGED, CANCELLED, QUEUED, RESOLVED, TRIGGERED
from tests.e2e.conftest import TIERS, Harness

DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
MESSAGE = "praefect is failing over on file-01"


def not_today() -> list[str]:
    """Coverage every day but today and tomorrow (UTC): outside now, even across midnight."""
    today = datetime.now(UTC).weekday()
    return [day for n, day in enumerate(DAYS) if n not in (today, (today + 1) % 7)]


def test_out_of_hours_with_someone_on_call_pages_and_says_so(harness: Harness) -> None:
    harness.write_config(gitaly=not_today())
    job = harness.page(f"gitaly {MESSAGE}")
    assert job.result == "RESULT outcome=paged"
    assert "outside Gitaly coverage hours" in job.reply
    assert len(harness.emu.pagerduty.events) == 1


def test_without_a_pagerduty_token_coverage_decides_alone(harness: Harness) -> None:
    harness.write_config(gitaly=not_today())
    job = harness.page(f"gitaly {MESSAGE}", PAGERDUTY_API_TOKEN=None)
    assert job.result == "RESULT outcome=not-covered"
    assert job.reply.startswith("NOT PAGED: it is outside Gitaly coverage hours")
    assert "on-call list could not be checked" in job.reply
    assert "coverage starts next:" in job.reply and ", in " in job.reply
    assert harness.emu.pagerduty.events == [] and harness.issues() == []
    harness.write_config()
    inside = harness.page(f"gitaly {MESSAGE}", PAGERDUTY_API_TOKEN=None)
    assert inside.result == "RESULT outcome=paged"
    assert "Who is on call could not be checked" in inside.reply


@pytest.mark.parametrize("tier", TIERS)
def test_queued_request_is_delivered_by_sync_when_coverage_starts(harness: Harness) -> None:
    harness.write_config(gitaly=not_today())
    job = harness.page(f"gitaly --when-covered {MESSAGE}")
    assert job.result == "RESULT outcome=queued", job.stdout
    assert job.reply.startswith("QUEUED: it is outside Gitaly coverage hours")
    assert harness.emu.pagerduty.events == []
    (issue,) = harness.issues()
    assert QUEUED in issue["labels"]
    assert harness.run("sync").result.startswith("RESULT outcome=ok")
    assert harness.emu.pagerduty.events == []  # still outside coverage: nothing sent
    harness.write_config()  # coverage has started
    synced = harness.run("sync")
    assert "delivered=1" in synced.result, synced.stdout
    (event,) = harness.emu.pagerduty.events
    assert issue["web_url"] in [link["href"] for link in event["links"]]
    # The queued marker keeps who asked, so the delivered page carries the report's facts.
    details = event["payload"]["custom_details"]
    assert (details["requested_by"], details["drill"], details["team"]) == (
        "sre-alice", False, "gitaly")
    (issue,) = harness.issues()
    assert TRIGGERED in issue["labels"]
    assert QUEUED not in issue["labels"]
    assert any(n["body"].startswith("**Paged Gitaly** at") for n in harness.notes(issue["iid"]))
    again = harness.run("sync")
    assert "delivered=0" in again.result and len(harness.emu.pagerduty.events) == 1


@pytest.mark.parametrize("tier", TIERS)
def test_queued_request_can_be_cancelled(harness: Harness) -> None:
    harness.write_config(gitaly=not_today())
    harness.page(f"gitaly --when-covered {MESSAGE}")
    (issue,) = harness.issues()
    job = harness.run("escalation", chat_input=f"cancel {issue['iid']} handled it ourselves")
    assert job.reply.startswith("CANCELLED: the queued page"), job.stdout
    harness.write_config()
    assert "delivered=0" in harness.run("sync").result
    assert harness.emu.pagerduty.events == []
    (issue,) = harness.issues()
    assert CANCELLED in issue["labels"]


def test_drill_is_marked_everywhere_and_followed_to_acknowledgement(harness: Harness) -> None:
    job = harness.run("drill", "gitaly", CI_PIPELINE_SOURCE=None)
    assert job.returncode == 0, job.stdout + job.stderr
    assert job.stdout.startswith("DRILL started:") or "DRILL started:" in job.stdout
    assert "never count in the pilot's response metrics" in job.stdout
    assert "PAGED" not in job.stdout and "FAILED" not in job.stdout
    (event,) = harness.emu.pagerduty.events
    assert event["payload"]["summary"].startswith("[DRILL] ")
    assert event["payload"]["severity"] == "info"
    (issue,) = harness.issues()
    assert "drill" in issue["labels"] and issue["title"].startswith("[DRILL] ")
    assert "This is a DRILL" in issue["description"]
    (incident,) = harness.emu.pagerduty.incidents
    harness.emu.pagerduty.acknowledge(incident["id"], "PUSRADA")
    harness.run("sync")
    (issue,) = harness.issues()
    assert ACKNOWLEDGED in issue["labels"] and "drill" in issue["labels"]
    assert any("**Acknowledged** by Ada Lovelace" in n["body"]
               for n in harness.notes(issue["iid"]))


def test_drill_from_chat_option(harness: Harness) -> None:
    job = harness.page("gitaly --drill practice for the new on-caller")
    assert job.reply.startswith("DRILL started: Ada Lovelace (on call)")
    assert job.result == "RESULT outcome=paged"


def test_a_queued_page_is_never_triggered_twice_when_the_note_after_it_fails(
        harness: Harness) -> None:
    """Issue #10: delivered, the note after the trigger fails (502), resolved, next sync."""
    from chatops_emulator import Fault

    harness.write_config(gitaly=not_today())
    assert harness.page(f"gitaly --when-covered {MESSAGE}").result == "RESULT outcome=queued"
    harness.write_config()  # coverage has started
    # The delivering note (before the trigger) goes through; the paged note after it fails.
    harness.emu.add_fault(Fault(service="gitlab", method="POST", path=r"/issues/\d+/notes$",
                                status=None, times=1))  # faults apply in order: passes
    harness.emu.add_fault(Fault(service="gitlab", method="POST", path=r"/issues/\d+/notes$",
                                status=502, times=100))
    failed = harness.run("sync")
    assert failed.returncode == 1 and "502" in failed.stdout, failed.stdout
    assert len(harness.emu.pagerduty.events) == 1  # the page went out once
    harness.emu.clear_faults()
    (incident,) = harness.emu.pagerduty.incidents
    harness.emu.pagerduty.resolve(incident["id"], "PUSRADA")  # the on-call resolves it
    again = harness.run("sync")
    assert again.returncode == 0, again.stdout
    assert len(harness.emu.pagerduty.events) == 1  # never triggered again
    (issue,) = harness.issues()
    assert QUEUED not in issue["labels"]
    assert RESOLVED in issue["labels"], issue["labels"]
    assert TRIGGERED not in issue["labels"], issue["labels"]
    notes = [n["body"] for n in harness.notes(issue["iid"])]
    assert sum(f"incident={incident['id']}" in n and "chatops:v1 paged" in n for n in notes) == 1
    assert harness.run("sync").returncode == 0 and len(harness.emu.pagerduty.events) == 1
