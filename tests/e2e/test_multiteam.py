"""Several teams on one issue, queued and live, on GitLab Free and Premium (issues 9, 10)."""

from __future__ import annotations

from typing import Any

import pytest

from chatops.core.labels import ESCALATION_PREFIX, QUEUED, RESOLVED, TRIGGERED, WAITING
from chatops_emulator import Fault
from tests.e2e.conftest import TIERS, Harness
from tests.e2e.test_coverage import not_today

pytestmark = pytest.mark.parametrize("tier", TIERS)


def labels(harness: Harness, iid: int) -> set[str]:
    return set(harness.emu.gitlab.issue("gitlab-com/gl-infra/production", iid)["labels"])


def escalation_labels(harness: Harness, iid: int) -> set[str]:
    return {lb for lb in labels(harness, iid) if lb.startswith(ESCALATION_PREFIX)}


def bodies(harness: Harness, iid: int) -> list[str]:
    return [n["body"] for n in harness.notes(iid) if not n["system"]]


def events_for(harness: Harness, routing_key_env: str) -> list[dict[str, Any]]:
    key = harness.emu.env()[routing_key_env]
    return [e for e in harness.emu.pagerduty.events if e.get("routing_key") == key]


def test_second_team_queued_on_a_queued_issue_is_recorded_and_delivered(
        harness: Harness) -> None:
    harness.write_config(gitaly=not_today(), database=not_today())
    first = harness.page("gitaly --when-covered praefect slowly degrading")
    assert first.result == "RESULT outcome=queued", first.stdout
    (issue,) = harness.issues()
    iid = issue["iid"]
    second = harness.page(f"database --when-covered --incident {iid} replica lag growing")
    assert second.result == "RESULT outcome=queued", second.stdout
    assert second.reply.startswith("QUEUED: it is outside Database coverage hours")
    queued = [b for b in bodies(harness, iid) if b.startswith("**Queued page for")]
    assert [b.split(" at ")[0] for b in queued] == ["**Queued page for Gitaly**",
                                                    "**Queued page for Database**"]
    again = harness.page(f"database --when-covered --incident {iid} replica lag growing")
    assert again.result == "RESULT outcome=queued"
    assert len([b for b in bodies(harness, iid) if b.startswith("**Queued page")]) == 2
    assert escalation_labels(harness, iid) == {QUEUED}
    harness.write_config(database=not_today())  # Gitaly's coverage starts first
    synced = harness.run("sync")
    assert "delivered=1" in synced.result, synced.stdout
    assert escalation_labels(harness, iid) == {TRIGGERED}
    assert WAITING in labels(harness, iid)  # Database still waits
    assert len(events_for(harness, "PAGERDUTY_ROUTING_KEY_GITALY")) == 1
    assert events_for(harness, "PAGERDUTY_ROUTING_KEY_DATABASE") == []
    harness.write_config()
    synced = harness.run("sync")
    assert "delivered=1" in synced.result, synced.stdout
    assert len(events_for(harness, "PAGERDUTY_ROUTING_KEY_DATABASE")) == 1
    assert WAITING not in labels(harness, iid)
    assert "delivered=0" in harness.run("sync").result
    assert len(harness.emu.pagerduty.events) == 2


def test_queueing_next_to_a_live_page_keeps_it_triggered(harness: Harness) -> None:
    harness.write_config(database=not_today())
    live = harness.page("gitaly praefect is failing over on file-01")
    assert live.result == "RESULT outcome=paged"
    (issue,) = harness.issues()
    iid = issue["iid"]
    job = harness.page(f"database --when-covered --incident {iid} replica lag")
    assert job.result == "RESULT outcome=queued", job.stdout
    assert escalation_labels(harness, iid) == {TRIGGERED}
    assert WAITING in labels(harness, iid)
    status = harness.run("escalation", chat_input=f"status {iid}")
    assert "- Database: QUEUED at " in status.reply and "- Gitaly: TRIGGERED" in status.reply
    synced = harness.run("sync")  # still outside Database coverage: the label stays
    assert "delivered=0" in synced.result
    assert escalation_labels(harness, iid) == {TRIGGERED}


def test_resolve_closes_the_live_page_and_cancels_the_queued_one(harness: Harness) -> None:
    harness.write_config(database=not_today())
    harness.page("gitaly praefect is failing over on file-01")
    (issue,) = harness.issues()
    iid = issue["iid"]
    harness.page(f"database --when-covered --incident {iid} replica lag")
    job = harness.run("escalation", chat_input=f"resolve {iid} failed over by hand",
                      GITLAB_USER_EMAIL="ada@example.com")
    assert job.result == "RESULT outcome=ok", job.stdout
    assert job.reply.startswith("RESOLVED in PagerDuty: Gitaly (PagerDuty #")
    assert f"CANCELLED: the queued page of Database on {issue['web_url']} will not be sent." \
        in job.reply
    assert f"{issue['web_url']} is commented and labelled escalation::resolved." in job.reply
    (incident,) = harness.emu.pagerduty.incidents
    assert incident["status"] == "resolved"
    assert escalation_labels(harness, iid) == {RESOLVED}
    assert WAITING not in labels(harness, iid)
    note = bodies(harness, iid)[-1]
    assert "**Resolved from ChatOps**" in note and "**Queued page of Database cancelled" in note
    harness.write_config()  # Database coverage starts: nothing is delivered
    synced = harness.run("sync")
    assert "delivered=0" in synced.result, synced.stdout
    assert len(harness.emu.pagerduty.events) == 1
    assert escalation_labels(harness, iid) == {RESOLVED}


def test_resolve_says_the_truth_when_gitlab_fails_after_pagerduty(harness: Harness) -> None:
    harness.page("gitaly praefect is failing over on file-01")
    (issue,) = harness.issues()
    iid = issue["iid"]
    harness.emu.add_fault(Fault(service="gitlab", method="POST", path="/notes", status=503,
                                times=100))
    harness.emu.add_fault(Fault(service="gitlab", method="PUT", path="/issues/", status=503,
                                times=100))
    job = harness.run("escalation", chat_input=f"resolve {iid} fixed",
                      GITLAB_USER_EMAIL="ada@example.com")
    assert "NOTHING CHANGED" not in job.reply, job.stdout
    assert job.reply.startswith("RESOLVED in PagerDuty: Gitaly (PagerDuty #"), job.stdout
    assert f"{issue['web_url']} could not be updated" in job.reply
    assert "the next sync run notes it on the issue" in job.reply
    assert job.result == "RESULT outcome=partial-failure"
    (incident,) = harness.emu.pagerduty.incidents
    assert incident["status"] == "resolved"
    harness.emu.clear_faults()
    harness.run("sync")
    assert escalation_labels(harness, iid) == {RESOLVED}


def test_a_cancel_gitlab_could_not_record_says_the_page_is_still_queued(
        harness: Harness) -> None:
    harness.write_config(gitaly=not_today())
    harness.page("gitaly --when-covered praefect slowly degrading")
    (issue,) = harness.issues()
    harness.emu.add_fault(Fault(service="gitlab", method="POST", path="/notes", status=503,
                                times=100))
    job = harness.run("escalation", chat_input=f"cancel {issue['iid']} handled it")
    assert job.reply.startswith("NOT CANCELLED: the queued page of Gitaly is still queued"), \
        job.stdout
    assert "Run the command again to cancel the queued page." in job.reply
    assert job.result == "RESULT outcome=partial-failure"
    harness.emu.clear_faults()
    harness.write_config()
    assert "delivered=1" in harness.run("sync").result  # exactly what the reply said
