"""Re-pages: a key paged again after its incident was resolved opens a NEW incident.

PagerDuty opens a new incident for a trigger whose earlier incident is resolved
(developer-docs docs/events-API-v2/01-Overview.md, dedup_key), and lists incidents
oldest first by default: every look-up by key must pick the current one.
"""

from __future__ import annotations

from tests.e2e.conftest import Harness

MESSAGE = "gitaly praefect is failing over on file-01"


def test_repage_after_resolve_names_and_steers_the_new_incident(harness: Harness) -> None:
    harness.page(MESSAGE)
    (issue,) = harness.issues()
    iid = int(issue["iid"])
    (first,) = harness.emu.pagerduty.incidents
    resolved = harness.run("escalation", chat_input=f"resolve {iid} fixed",
                           GITLAB_USER_EMAIL="ada@example.com")
    assert resolved.reply.startswith("RESOLVED in PagerDuty"), resolved.stdout

    job = harness.page("gitaly --incident " + str(iid) + " it is back", CI_PIPELINE_ID="3003")
    assert job.result == "RESULT outcome=paged", job.stdout
    incidents = harness.emu.pagerduty.incidents
    new = incidents[-1]
    assert new["id"] != first["id"] and new["incident_key"] == first["incident_key"]
    assert new["status"] == "triggered"
    assert f"#{new['incident_number']}" in job.reply or str(new["html_url"]) in job.reply
    assert str(first["html_url"]) not in job.reply
    note = harness.notes(iid)[-1]["body"]
    assert str(new["html_url"]) in note and str(first["html_url"]) not in note

    status = harness.run("escalation", chat_input=f"status {iid}")
    assert str(new["html_url"]) in status.reply, status.reply
    assert str(first["html_url"]) not in status.reply
    cancel = harness.run("escalation", chat_input=f"cancel {iid} false alarm",
                         GITLAB_USER_EMAIL="ada@example.com")
    assert cancel.reply.startswith("CANCELLED"), cancel.stdout
    by_id = {i["id"]: i for i in harness.emu.pagerduty.incidents}
    assert by_id[new["id"]]["status"] == "resolved"


def test_lookup_asks_for_the_newest_first(harness: Harness) -> None:
    harness.page(MESSAGE)
    lookups = [r for r in harness.sent("pd-rest", "GET") if r.path == "/incidents"
               and any(k == "incident_key" for k, _ in r.query)]
    assert lookups and all(("sort_by", "created_at:desc") in r.query for r in lookups)
