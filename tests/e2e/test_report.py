"""`chatops report` and `chatops feedback` (issue #5) on a seeded history."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest

from chatops_emulator import Fault
from tests.e2e.conftest import Harness
from tests.support.pages import page_body

DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def seed(harness: Harness) -> datetime:
    """Three real pages, a drill, a refusal, a queued and a failed request."""
    pd, t0 = harness.emu.pagerduty, datetime.now(UTC) - timedelta(hours=5)
    first = pd.trigger("PSVCGIT", event=page_body(
        "gitaly", "a", "alice", "chatops/gitlab-org/gitaly#42/gitaly", t0), at=t0)
    pd.acknowledge(first["id"], "PUSRADA", at=t0 + timedelta(minutes=10))
    pd.resolve(first["id"], "PUSRADA", at=t0 + timedelta(minutes=40))
    second = pd.trigger("PSVCGIT", event=page_body(
        "gitaly", "b", "bob", "chatops/gitlab-org/gitaly#43/gitaly", t0, severity=1), at=t0)
    pd.escalate(second["id"], 2, at=t0 + timedelta(minutes=16))
    pd.acknowledge(second["id"], "PUSRGRC", at=t0 + timedelta(minutes=20))
    pd.trigger("PSVCGIT", event=page_body("gitaly", "c", "alice",
                                          "chatops/gitlab-org/gitaly#44/gitaly", t0),
               at=t0)  # never acknowledged
    drill = pd.trigger("PSVCGIT", event=page_body(
        "gitaly", "d", "alice", "chatops/gitlab-org/gitaly#45/gitaly", t0, drill=True), at=t0)
    pd.acknowledge(drill["id"], "PUSRADA", at=t0 + timedelta(minutes=2))
    pd.trigger("PSVCGIT", "someone else's alert", at=t0)  # not chatops: ignored
    harness.page("database replication lag")  # nobody on call: refused
    today = datetime.now(UTC).weekday()  # not today nor tomorrow: safe across midnight
    harness.write_config(gitaly=[d for n, d in enumerate(DAYS)
                                 if n not in (today, (today + 1) % 7)])
    harness.page("gitaly --when-covered disk slowly filling", CI_PIPELINE_ID="3003")
    harness.write_config()
    harness.emu.add_fault(Fault(service="pd-events", method="POST", path="/v2/enqueue",
                                status=400, times=1))
    harness.page("gitaly this page will fail", CI_PIPELINE_ID="4004")
    return t0


def test_report_json_matches_hand_computed_figures(harness: Harness) -> None:
    seed(harness)
    job = harness.run("report", "--since", "1d", "--format", "json", CI_PIPELINE_SOURCE=None)
    assert job.returncode == 0, job.stderr
    data = json.loads(job.stdout)
    assert data["schema"] == "chatops-report/1"
    gitaly = data["teams"]["gitaly"]
    assert gitaly["pages"] == 3 and gitaly["acknowledged"] == 2
    assert gitaly["time_to_ack_minutes"] == {"median": 15.0, "p90": 20.0, "max": 20.0}
    assert gitaly["acknowledged_within_15_min_pct"] == 33.3
    assert gitaly["acknowledged_within_30_min_pct"] == 66.7
    assert gitaly["escalated_beyond_level_1"] == 1 and gitaly["overdue"] == 2
    assert gitaly["queued_for_coverage"] == 1 and gitaly["failed_pages"] == 1
    assert data["teams"]["database"]["refused_no_coverage"] == 1
    assert data["total"]["top_requesters"][0] == ["alice", 2]
    assert data["drills"]["pages"] == 1 and data["drills"]["time_to_ack_minutes"]["max"] == 2.0
    urls = {row["issue_url"] for row in data["escalations"]}
    assert f"{harness.emu.gitlab_url}/gitlab-org/gitaly/-/issues/42" in urls
    kinds = sorted(m["kind"] for m in data["not_paged"])
    assert kinds == ["failed", "queued", "refused"]
    assert all(m["link"] for m in data["not_paged"])


def test_report_markdown_and_csv(harness: Harness) -> None:
    seed(harness)
    md = harness.run("report", "--since", "1d", "--team", "gitaly", CI_PIPELINE_SOURCE=None)
    assert md.returncode == 0, md.stderr
    assert "```mermaid\nxychart-beta" in md.stdout
    assert "| Gitaly | 3 | 2 |" in md.stdout and "Database" not in md.stdout.split("###")[1]
    rows = list(csv.DictReader(io.StringIO(harness.run(
        "report", "--since", "1d", "--format", "csv", CI_PIPELINE_SOURCE=None).stdout)))
    assert len(rows) == 4 and {r["drill"] for r in rows} == {"true", "false"}
    bad = harness.run("report", "--since", "soon", CI_PIPELINE_SOURCE=None)
    assert bad.returncode == 2 and "not a duration" in bad.stderr


def test_feedback_issue_is_opened_once_per_milestone(harness: Harness) -> None:
    pd, now = harness.emu.pagerduty, datetime.now(UTC)
    launch = (now - timedelta(days=40)).replace(hour=0, minute=0, second=0, microsecond=0)
    at = launch + timedelta(days=5)
    incident = pd.trigger("PSVCGIT", event=page_body(
        "gitaly", "x", "alice", "chatops/gitlab-org/gitaly#42/gitaly", at), at=at)
    pd.acknowledge(incident["id"], "PUSRADA", at=launch + timedelta(days=5, minutes=7))
    pd.set_oncalls("PGITALY1", [(1, "PUSRADA", "Ada Lovelace", launch, launch + timedelta(days=9)),
                                (1, "PUSRGRC", "Grace Hopper", launch + timedelta(days=9), None)])
    harness.config.write_text(f"launch_date = {launch.date().isoformat()}\n"
                              + harness.config.read_text() + '\n[people]\n"Ada Lovelace" = "ada"\n')
    first = harness.run("feedback", "--milestone", "1m")
    assert first.returncode == 0, first.stdout + first.stderr
    assert "Opened the 1m feedback issue" in first.stdout
    again = harness.run("feedback", "--milestone", "1m")
    assert "already exists" in again.stdout
    feedback = [i for i in harness.issues() if i["title"].startswith("ChatOps pilot feedback")]
    assert len(feedback) == 1
    body = feedback[0]["description"]
    assert "@ada" in body and "Grace Hopper" in body and "@all" not in body
    assert "Survey for the on-callers" in body and "Survey for the requesters" in body
    assert "| Gitaly | 1 | 1 | 7.0 |" in body
    assert harness.emu.gitlab.mass_mentions == []
    early = harness.run("feedback", "--milestone", "3m")
    assert early.returncode == 2 and "its feedback issue opens then" in early.stdout
    assert len([i for i in harness.issues() if i["title"].startswith("ChatOps pilot")]) == 1


def test_a_six_month_report_reads_pagerduty_month_by_month(harness: Harness) -> None:
    seed(harness)
    job = harness.run("report", "--since", "26w", "--format", "json", CI_PIPELINE_SOURCE=None)
    assert job.returncode == 0, job.stderr
    assert json.loads(job.stdout)["teams"]["gitaly"]["pages"] == 3
    incident_reads = [r for r in harness.emu.requests
                      if r.service == "pd-rest" and r.path == "/incidents"]
    assert len(incident_reads) >= 7  # 182 days in slices of 30


@pytest.mark.parametrize("grouping", ["keyless", "time"])
def test_report_counts_grouped_incidents_without_a_key(harness: Harness, grouping: str) -> None:
    """Alert grouping: incidents carry no incident_key; their alerts' keys name the pages."""
    harness.emu.pagerduty.grouping = grouping
    first = harness.page("gitaly praefect is failing over on file-01")
    assert first.result == "RESULT outcome=paged", first.stdout
    (incident,) = harness.emu.pagerduty.incidents
    assert incident["incident_key"] is None
    harness.emu.pagerduty.acknowledge(incident["id"], "PUSRGRC")
    job = harness.run("report", "--since", "1d", "--format", "json", CI_PIPELINE_SOURCE=None)
    assert job.returncode == 0, job.stderr
    data = json.loads(job.stdout)
    assert data["teams"]["gitaly"]["pages"] == 1 and data["teams"]["gitaly"]["acknowledged"] == 1
    (row,) = data["escalations"]
    assert row["issue_url"] == harness.issues()[0]["web_url"]
    requests = [f"{r.method} {r.path}" for r in harness.emu.requests]
    assert any(r.endswith(f"/incidents/{incident['id']}/alerts") for r in requests)
