"""`chatops sync` and `chatops webhook` drive real PagerDuty-like histories onto issues."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from chatops.core.labels import ACKNOWLEDGED, RESOLVED, SYNC_LOCK, SYNC_STATE, TRIGGERED
from chatops_emulator import Fault
from tests.e2e.conftest import TIERS, Harness

pytestmark = pytest.mark.parametrize("tier", TIERS)  # labels behave differently on Premium

GITALY_42 = "chatops/gitlab-org/gitaly#42/gitaly"


def mark_paged(harness: Harness, key: str = GITALY_42, iid: int = 42) -> None:
    """Record a page on the issue the way `chatops page --incident` does (as the bot)."""
    import requests

    from chatops.core.model import marker

    body = "**Paged Gitaly**\n\n" + marker("paged", team="gitaly", dedup_key=key,
                                             at="2026-01-01T00:00:00Z", job="-")
    response = requests.post(
        f"{harness.emu.gitlab_url}/api/v4/projects/gitlab-org%2Fgitaly/issues/{iid}/notes",
        headers={"PRIVATE-TOKEN": harness.emu.env()["GITLAB_TOKEN"]}, json={"body": body},
        verify=harness.emu.ca_file, timeout=10)
    assert response.status_code == 201, response.text


def notes_of_42(harness: Harness) -> list[str]:
    return [n["body"] for n in harness.notes(42, "gitlab-org/gitaly") if not n.get("system")]


def labels_of_42(harness: Harness) -> set[str]:
    return set(harness.emu.gitlab.issue("gitlab-org/gitaly", 42)["labels"])


def gitlab_writes(harness: Harness) -> list[str]:
    """Writes to incident issues (not the lock label, not sync's own state issue)."""
    states = [i["iid"] for i in harness.emu.gitlab.issues("gitlab-com/gl-infra/production")
              if SYNC_STATE in i["labels"]]
    return [f"{r.method} {r.path}" for r in harness.emu.requests
            if r.service == "gitlab" and r.method in ("POST", "PUT", "DELETE")
            and "/labels" not in r.path
            and SYNC_STATE not in str(r.body or "")  # creating the state issue
            and not any(r.path.endswith(f"/issues/{iid}") for iid in states)]


def test_sync_mirrors_a_full_history_and_reruns_change_nothing(harness: Harness) -> None:
    mark_paged(harness)
    pd, t0 = harness.emu.pagerduty, datetime.now(UTC) - timedelta(minutes=25)
    incident = pd.trigger("PSVCGIT", "Gitaly latency", dedup_key=GITALY_42, at=t0)
    pd.escalate(incident["id"], 2, at=t0 + timedelta(minutes=16))
    pd.acknowledge(incident["id"], "PUSRGRC", at=t0 + timedelta(minutes=20))
    pd.annotate(incident["id"], "PUSRGRC", "failing over to file-02\n/close", at=t0 +
                timedelta(minutes=21))
    job = harness.run("sync")
    assert job.returncode == 0, job.stdout + job.stderr
    assert job.result.startswith("RESULT outcome=ok")
    assert {ACKNOWLEDGED} <= labels_of_42(harness)
    assert TRIGGERED not in labels_of_42(harness)
    text = "\n".join(notes_of_42(harness))
    assert "**Notified** Ada Lovelace by email" in text
    assert "**Escalated** to level 2: Grace Hopper" in text
    assert "**Acknowledged** by Grace Hopper" in text and "20 minutes after the page" in text
    assert "**over** the 15-minute target" in text
    assert "**PagerDuty note** by Grace Hopper" in text and "    failing over to file-02" in text
    assert harness.emu.gitlab.issue("gitlab-org/gitaly", 42)["state"] == "opened"
    count = len(notes_of_42(harness))
    harness.emu.clear_requests()
    again = harness.run("sync")
    assert again.returncode == 0 and len(notes_of_42(harness)) == count
    assert gitlab_writes(harness) == []  # nothing posted twice, no label flipped

    pd.unacknowledge(incident["id"], at=datetime.now(UTC) - timedelta(minutes=2))
    harness.run("sync")
    assert TRIGGERED in labels_of_42(harness)
    assert ACKNOWLEDGED not in labels_of_42(harness)
    pd.resolve(incident["id"], "PUSRADA")
    harness.run("sync")
    assert RESOLVED in labels_of_42(harness)
    assert TRIGGERED not in labels_of_42(harness)
    assert "**Resolved** by Ada Lovelace" in "\n".join(notes_of_42(harness))


def test_overdue_page_gets_one_plain_notice(harness: Harness) -> None:
    mark_paged(harness)
    harness.emu.pagerduty.trigger("PSVCGIT", "Gitaly down", dedup_key=GITALY_42,
                                  at=datetime.now(UTC) - timedelta(minutes=16))
    harness.run("sync")
    # One comment per run: the overdue notice is a section of it.
    overdue = [n for n in notes_of_42(harness) if "\n**Not acknowledged after" in "\n" + n]
    assert len(overdue) == 1
    assert "Ada Lovelace" in overdue[0] and "/devoncall" in overdue[0]
    assert "--incident gitlab-org/gitaly#42" in overdue[0]
    harness.run("sync")
    assert sum(("\n" + n).count("\n**Not ack") for n in notes_of_42(harness)) == 1


def test_page_then_acknowledge_is_mirrored_on_the_new_issue(harness: Harness) -> None:
    harness.page("gitaly praefect is failing over on file-01")
    (incident,) = harness.emu.pagerduty.incidents
    harness.emu.pagerduty.acknowledge(incident["id"], "PUSRADA")
    job = harness.run("sync")
    assert job.result.startswith("RESULT outcome=ok"), job.stdout
    (issue,) = harness.issues()
    assert ACKNOWLEDGED in issue["labels"]
    assert TRIGGERED not in issue["labels"]
    assert any("**Acknowledged** by Ada Lovelace" in n["body"]
               for n in harness.notes(issue["iid"]))


def test_forged_webhook_cannot_resolve_anything(harness: Harness) -> None:
    harness.page("gitaly praefect is failing over on file-01")
    (incident,) = harness.emu.pagerduty.incidents
    forged = harness.emu.pagerduty.webhook_payload(incident["id"], "incident.resolved")
    forged["event"]["data"]["status"] = "resolved"
    payload = harness.tmp / "payload.json"
    payload.write_text(json.dumps({**forged, "ref": "main", "variables": {}}))
    job = harness.run("webhook", TRIGGER_PAYLOAD=str(payload))
    assert job.returncode == 0, job.stdout + job.stderr
    (issue,) = harness.issues()
    assert RESOLVED not in issue["labels"]
    assert not any("Resolved" in n["body"] for n in harness.notes(issue["iid"]))
    harness.emu.pagerduty.acknowledge(incident["id"], "PUSRADA")
    real = harness.emu.pagerduty.webhook_payload(incident["id"], "incident.acknowledged")
    payload.write_text(json.dumps(real))
    assert harness.run("webhook", TRIGGER_PAYLOAD=str(payload)).returncode == 0
    (issue,) = harness.issues()
    assert ACKNOWLEDGED in issue["labels"]


def test_malformed_and_foreign_webhooks_change_nothing(harness: Harness) -> None:
    payload = harness.tmp / "payload.json"
    payload.write_text("{not json")
    job = harness.run("webhook", TRIGGER_PAYLOAD=str(payload))
    assert job.returncode == 2 and "not JSON" in job.stdout
    payload.write_text(json.dumps({"event": {"event_type": "pagey.thing", "data": {}}}))
    assert "not a PagerDuty v3 incident webhook" in harness.run(
        "webhook", TRIGGER_PAYLOAD=str(payload)).stdout
    foreign = harness.emu.pagerduty.trigger("PSVCGIT", "someone else's alert")
    payload.write_text(json.dumps(harness.emu.pagerduty.webhook_payload(
        foreign["id"], "incident.triggered")))
    job = harness.run("webhook", TRIGGER_PAYLOAD=str(payload))
    assert job.returncode == 0 and "not an incident opened by chatops" in job.stdout
    assert gitlab_writes(harness) == []


def test_one_broken_escalation_does_not_stop_the_others(harness: Harness) -> None:
    mark_paged(harness)
    pd, t0 = harness.emu.pagerduty, datetime.now(UTC) - timedelta(minutes=3)
    good = pd.trigger("PSVCGIT", "ok one", dedup_key=GITALY_42, at=t0)
    pd.acknowledge(good["id"], "PUSRADA")
    gone = pd.trigger("PSVCGIT", "issue deleted", dedup_key="chatops/gitlab-org/gitaly#999/gitaly",
                      at=t0)
    pd.acknowledge(gone["id"], "PUSRADA")
    job = harness.run("sync")
    assert job.returncode == 1
    assert job.result.startswith("RESULT outcome=problems")
    assert any(line.startswith("PROBLEM gitlab-org/gitaly#999") for line in job.stdout.splitlines())
    assert ACKNOWLEDGED in labels_of_42(harness)


def test_gitlab_5xx_on_one_issue_is_reported_and_retried_next_run(harness: Harness) -> None:
    mark_paged(harness)
    pd = harness.emu.pagerduty
    incident = pd.trigger("PSVCGIT", "x", dedup_key=GITALY_42,
                          at=datetime.now(UTC) - timedelta(minutes=2))
    pd.acknowledge(incident["id"], "PUSRADA")
    harness.emu.add_fault(Fault(service="gitlab", method="GET", path=r"/issues/42$",
                                status=500, times=100))
    job = harness.run("sync")
    assert job.returncode == 1 and "PROBLEM" in job.stdout and "500" in job.stdout
    harness.emu.clear_faults()
    assert harness.run("sync").returncode == 0
    assert ACKNOWLEDGED in labels_of_42(harness)


def test_sync_cost_does_not_grow_with_quiet_escalations(harness: Harness) -> None:
    pd, t0 = harness.emu.pagerduty, datetime.now(UTC) - timedelta(hours=3)
    for n in range(200):
        pd.trigger("PSVCGIT", f"quiet {n}", at=t0,
                   dedup_key=f"chatops/gitlab-org/gitaly#{1000 + n}/gitaly")
    harness.emu.clear_requests()
    job = harness.run("sync")
    assert job.returncode == 0, job.stdout
    assert "incidents=0" in job.result
    assert len(harness.emu.requests) <= 12, [f"{r.method} {r.path}" for r in harness.emu.requests]


def test_overlapping_runs_never_post_twice(harness: Harness) -> None:
    mark_paged(harness)
    import subprocess

    from tests.e2e.conftest import chatops_command

    pd, t0 = harness.emu.pagerduty, datetime.now(UTC) - timedelta(minutes=10)
    incident = pd.trigger("PSVCGIT", "x", dedup_key=GITALY_42, at=t0)
    pd.escalate(incident["id"], 2, at=t0 + timedelta(minutes=1))
    pd.acknowledge(incident["id"], "PUSRGRC", at=t0 + timedelta(minutes=2))
    harness.emu.latency = 0.05  # widen the window in which the runs overlap
    runs = [subprocess.Popen([*chatops_command(), "sync"], env=harness.env(), cwd=harness.tmp,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(3)]
    outputs = [run.communicate(timeout=120)[0] for run in runs]
    results = [next(ln for ln in out.splitlines() if ln.startswith("RESULT ")) for out in outputs]
    assert sum(r.startswith("RESULT outcome=ok") for r in results) >= 1, results
    assert all(r.startswith(("RESULT outcome=ok", "RESULT outcome=skipped")) for r in results)
    markers = [line for n in notes_of_42(harness) for line in n.split("\n")
               if line.startswith("<!-- chatops:v1 log ")]
    assert len(markers) == len(set(markers)) >= 3  # each entry once: no duplicates
    count = len(notes_of_42(harness))
    harness.run("sync")
    assert len(notes_of_42(harness)) == count  # and nothing was left for later
    assert not any(lb["name"] == SYNC_LOCK
                   for lb in harness.emu.gitlab.labels("gitlab-com/gl-infra/production"))


def test_webhook_for_an_incident_pagerduty_no_longer_has_fails_loudly(harness: Harness) -> None:
    incident = harness.emu.pagerduty.trigger("PSVCGIT", "x", dedup_key=GITALY_42)
    payload = harness.tmp / "payload.json"
    payload.write_text(json.dumps(harness.emu.pagerduty.webhook_payload(
        incident["id"], "incident.triggered")))
    harness.emu.pagerduty.delete_incident(incident["id"])
    job = harness.run("webhook", TRIGGER_PAYLOAD=str(payload))
    assert job.returncode != 0
    assert "WEBHOOK FAILED" in job.stdout and "404" in job.stdout
    assert gitlab_writes(harness) == []


def test_an_incident_key_alone_cannot_make_sync_write_an_issue(harness: Harness) -> None:
    pd = harness.emu.pagerduty
    forged = pd.trigger("PSVCGIT", "crafted", dedup_key=GITALY_42,
                        at=datetime.now(UTC) - timedelta(minutes=3))
    pd.acknowledge(forged["id"], "PUSRADA")
    unknown = pd.trigger("PSVCGIT", "crafted", dedup_key="chatops/gitlab-org/gitaly#42/nosuchteam")
    pd.acknowledge(unknown["id"], "PUSRADA")
    job = harness.run("sync")
    assert job.returncode == 1
    assert "records no page with key" in job.stdout and "nosuchteam" in job.stdout
    assert gitlab_writes(harness) == []
    assert ACKNOWLEDGED not in labels_of_42(harness)


def test_a_page_resolved_while_sync_was_down_is_caught_up(harness: Harness) -> None:
    harness.page("gitaly praefect is failing over on file-01")
    (incident,) = harness.emu.pagerduty.incidents
    long_ago = datetime.now(UTC) - timedelta(hours=3)  # far outside the 60-minute window
    harness.emu.pagerduty.resolve(incident["id"], "PUSRADA", at=long_ago)
    job = harness.run("sync")
    assert job.result.startswith("RESULT outcome=ok"), job.stdout
    (issue,) = harness.issues()
    assert RESOLVED in issue["labels"]
    assert TRIGGERED not in issue["labels"]
