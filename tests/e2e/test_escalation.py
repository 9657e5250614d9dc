"""`/chatops run escalation status|resolve|cancel|list` end to end."""

from __future__ import annotations

from chatops.core.labels import CANCELLED, RESOLVED, TRIGGERED
from tests.e2e.conftest import Harness

MESSAGE = "gitaly praefect is failing over on file-01"


def paged(harness: Harness) -> tuple[dict[str, object], dict[str, object]]:
    """Page once; return the issue and the PagerDuty incident."""
    harness.page(MESSAGE)
    (issue,) = harness.issues()
    (incident,) = harness.emu.pagerduty.incidents
    return issue, incident


def test_status_is_read_live_from_pagerduty(harness: Harness) -> None:
    issue, incident = paged(harness)
    harness.emu.pagerduty.acknowledge(str(incident["id"]), "PUSRADA")
    job = harness.run("escalation", chat_input=f"status {issue['iid']}")
    assert job.returncode == 0 and job.result == "RESULT outcome=ok", job.stdout
    assert job.reply.startswith(f"Escalation status of {issue['web_url']}")
    assert "Gitaly: ACKNOWLEDGED by Ada Lovelace" in job.reply  # labels still say triggered
    assert str(incident["html_url"]) in job.reply


def test_resolve_acts_as_the_requester_when_pagerduty_knows_them(harness: Harness) -> None:
    issue, _ = paged(harness)
    job = harness.run("escalation", chat_input=f"resolve {issue['iid']} restarted praefect",
                      GITLAB_USER_EMAIL="ada@example.com")
    assert job.reply.startswith("RESOLVED in PagerDuty: Gitaly"), job.stdout + job.stderr
    (put,) = [r for r in harness.emu.requests if r.service == "pd-rest" and r.method == "PUT"]
    assert put.headers["from"] == "ada@example.com"
    (pd_incident,) = harness.emu.pagerduty.incidents
    assert pd_incident["status"] == "resolved"
    (fresh,) = harness.issues()
    assert RESOLVED in fresh["labels"]
    assert TRIGGERED not in fresh["labels"]
    note = harness.notes(int(issue["iid"]))[-1]["body"]  # type: ignore[call-overload]
    assert "**Resolved from ChatOps** by @sre-alice" in note and "    restarted praefect" in note


def test_cancel_uses_the_fallback_identity_and_sync_keeps_it_cancelled(harness: Harness) -> None:
    issue, _ = paged(harness)
    job = harness.run("escalation", "cancel", str(issue["iid"]), "false", "alarm",
                      CI_PIPELINE_SOURCE=None, GITLAB_USER_EMAIL="nobody@example.org",
                      PAGERDUTY_FROM_EMAIL="grace@example.com")
    assert job.returncode == 0, job.stdout + job.stderr
    assert "CANCELLED (false alarm)" in job.stdout
    (put,) = [r for r in harness.emu.requests if r.service == "pd-rest" and r.method == "PUT"]
    assert put.headers["from"] == "grace@example.com"
    synced = harness.run("sync")
    assert synced.result.startswith("RESULT outcome=ok"), synced.stdout
    assert "issues=1" in synced.result  # the resolve entry was read and applied
    (fresh,) = harness.issues()
    assert CANCELLED in fresh["labels"]
    assert RESOLVED not in fresh["labels"]


def test_resolve_without_a_pagerduty_identity_changes_nothing(harness: Harness) -> None:
    issue, _ = paged(harness)
    job = harness.run("escalation", chat_input=f"resolve {issue['iid']}",
                      GITLAB_USER_EMAIL="nobody@example.org", PAGERDUTY_FROM_EMAIL=None)
    assert job.reply.startswith("NOTHING CHANGED: PagerDuty needs a user to act as")
    assert "PAGERDUTY_FROM_EMAIL" in job.reply
    (pd_incident,) = harness.emu.pagerduty.incidents
    assert pd_incident["status"] == "triggered"


def test_list_shows_open_escalations_oldest_first(harness: Harness) -> None:
    harness.page(MESSAGE)
    harness.page("gitaly a second, later problem", CI_PIPELINE_ID="2002")
    job = harness.run("escalation", chat_input="list")
    lines = [ln for ln in job.reply.splitlines() if ln.startswith("- ")]
    assert job.reply.startswith("Open escalations, oldest first (2):")
    assert "/-/issues/1 " in lines[0] and "/-/issues/2 " in lines[1]


def test_unknown_command_says_how_to_use_it(harness: Harness) -> None:
    job = harness.run("escalation", chat_input="reopen 1")
    assert "Unknown escalation command 'reopen'" in job.reply and "Usage:" in job.reply


def test_a_missing_issue_is_a_reference_to_fix_not_a_service_failure(harness: Harness) -> None:
    """`escalation status 99` with no issue 99: plain words and the bad-input exit code."""
    terminal = harness.run("escalation", "status", "99", CI_PIPELINE_SOURCE=None)
    assert terminal.returncode == 2, terminal.stdout
    assert "Issue gitlab-com/gl-infra/production#99 was not found" in terminal.stdout
    assert "Check the reference" in terminal.stdout
    chat = harness.run("escalation", chat_input="resolve 99 false alarm")
    assert chat.returncode == 0 and chat.reply.startswith("NOTHING CHANGED: Issue "), chat.stdout
    assert harness.emu.pagerduty.incidents == []
