"""Reports: hostile names stay inert (issue #10), refusals outlive PagerDuty's 90-day retention
(issue #9 item 3), the cost is stated and bulk reads split past 10,000 items (issue #11)."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime, timedelta

from chatops import records
from chatops.adapters.pagerduty_desk import PagerDutyDesk
from chatops.cli.demo import DEMO_PROJECT
from chatops.config import Http
from chatops.core import labels
from chatops.core.report import Mark
from chatops_emulator import seed as emu_seed
from tests.e2e.conftest import Harness
from tests.support.pages import page_body

HOSTILE = {"PUSREVIL": '=HYPERLINK("http://x","y")', "PUSRPIPE": "Eve | [x](http://e) <img src=x>",
           "PUSRALL": "@all `rm`"}


def test_hostile_pagerduty_names_stay_inert_in_csv_markdown_and_feedback(
        harness: Harness) -> None:
    pd, now = harness.emu.pagerduty, datetime.now(UTC)
    launch = (now - timedelta(days=35)).replace(hour=0, minute=0, second=0, microsecond=0)
    for uid, name in HOSTILE.items():
        pd.add_user(uid, name, f"{uid.lower()}@example.com")
    pd.set_oncalls("PGITALY1", [(1, uid, name, launch, None) for uid, name in HOSTILE.items()])
    for n, uid in enumerate(HOSTILE):
        at = now - timedelta(hours=3 + n)
        incident = pd.trigger("PSVCGIT", event=page_body(
            "gitaly", str(n), "alice", f"chatops/gitlab-org/gitaly#{50 + n}/gitaly", at), at=at)
        pd.acknowledge(incident["id"], uid, at=now - timedelta(hours=3 + n) + timedelta(minutes=4))

    rows = list(csv.DictReader(io.StringIO(harness.run(
        "report", "--since", "1d", "--format", "csv", CI_PIPELINE_SOURCE=None).stdout)))
    acked = {r["acknowledged_by"] for r in rows}
    assert "'" + HOSTILE["PUSREVIL"] in acked and HOSTILE["PUSREVIL"] not in acked
    assert all(not c.startswith(("=", "+", "-", "@")) for r in rows for c in r.values())

    md = harness.run("report", "--since", "1d", CI_PIPELINE_SOURCE=None).stdout
    table = md.split("### Every escalation")[1].split("###")[0]
    lines = [ln for ln in table.splitlines() if ln.startswith("| 20")]
    assert len(lines) == 3
    for line in lines:  # eleven cells: no name adds a column
        assert len(re.findall(r"(?<!\\)\|", line)) == 12, line
    assert "<img" not in md.replace("\\<img", "") and "](http://e)" not in md

    harness.config.write_text(f"launch_date = {launch.date().isoformat()}\n"
                              + harness.config.read_text())
    opened = harness.run("feedback", "--milestone", "1m")
    assert opened.returncode == 0, opened.stdout + opened.stderr
    (issue,) = [i for i in harness.issues() if i["title"].startswith("ChatOps pilot feedback")]
    body = issue["description"]
    assert "\\@all" in body and "<img" not in body.replace("\\<img", "")
    assert harness.emu.gitlab.mass_mentions == []


def test_a_refusal_100_days_ago_is_still_in_the_6_month_report(harness: Harness) -> None:
    pd, now = harness.emu.pagerduty, datetime.now(UTC)
    old = (now - timedelta(days=100)).replace(microsecond=0)
    job = "https://gitlab.example.com/ops/chatops/-/jobs/777"
    # What the refusal left 100 days ago: the change event (PagerDuty keeps 90 days) and the
    # note on that month's record issue (written by chatops' own functions).
    pd.add_change_event("PSVCDB", "[chatops] Database page refused", at=old,
                        custom_details={"chatops": "refused", "team": "database",
                                        "reason": "nobody on call", "job_url": job,
                                        "requested_by": "sre-alice"})
    mark = Mark("database", "refused", old, job, "sre-alice", "nobody on call")
    gitlab = harness.emu.gitlab
    head = "<!-- chatops:v1 record_month month=" + records.month_of(old) + " -->"
    gitlab.seed_issue(DEMO_PROJECT, 900, "ChatOps record", "Record\n\n" + head,
                      emu_seed.BOT_USER_ID, (labels.RECORD,), old)
    gitlab.seed_note(DEMO_PROJECT, 900, records.note_body(mark), emu_seed.BOT_USER_ID, old)
    # A forged record by someone else does not count.
    gitlab.seed_note(DEMO_PROJECT, 900, records.note_body(
        Mark("database", "refused", old, "https://x/forged", "mallory", "forged")),
        emu_seed.REQUESTER_USER_ID, old)
    refused_now = harness.page("database replication lag", CI_PIPELINE_ID="5005")
    assert "nobody" in refused_now.reply.lower()

    report = harness.run("report", "--since", "26w", "--format", "json",
                         CI_PIPELINE_SOURCE=None)
    assert report.returncode == 0, report.stderr
    refused = [m for m in json.loads(report.stdout)["not_paged"] if m["kind"] == "refused"]
    first = refused[0]
    assert (first["at"][:19], first["link"], first["requester"]) == (
        old.isoformat()[:19], job, "sre-alice")
    assert len(refused) == 2  # the old one from GitLab; today's from GitLab and PagerDuty, once
    assert json.loads(report.stdout)["teams"]["database"]["refused_no_coverage"] == 2
    listed = [r for r in harness.sent("pd-rest") if r.path.endswith("/change_events")]
    assert listed and all(dict(r.query)["since"] >= (now - timedelta(days=91)).isoformat()[:10]
                          for r in listed)  # nothing asked for that PagerDuty no longer keeps


def test_the_report_states_its_cost(harness: Harness) -> None:
    pd, now = harness.emu.pagerduty, datetime.now(UTC)
    at = now - timedelta(hours=2)
    incident = pd.trigger("PSVCGIT", event=page_body(
        "gitaly", "a", "alice", "chatops/gitlab-org/gitaly#42/gitaly", at), at=at)
    pd.acknowledge(incident["id"], "PUSRADA", at=now - timedelta(hours=1))
    harness.emu.clear_requests()
    job = harness.run("report", "--since", "1d", "--format", "json", CI_PIPELINE_SOURCE=None)
    cost = json.loads(job.stdout)["cost"]
    assert cost["requests_gitlab"] == len(harness.sent("gitlab"))
    assert cost["requests_pagerduty"] == len(harness.sent("pd-rest"))
    assert f"requests_pagerduty={cost['requests_pagerduty']}" in job.stderr
    assert [r.path for r in harness.sent("pd-rest")].count("/log_entries") == 1
    assert not [r for r in harness.sent("pd-rest") if r.path.endswith("/log_entries")
                and r.path != "/log_entries"]  # in bulk, not incident by incident
    md = harness.run("report", "--since", "1d", CI_PIPELINE_SOURCE=None).stdout
    assert re.search(r"This report cost \d+ API requests \(GitLab \d+, PagerDuty \d+\)", md)
    csv_job = harness.run("report", "--since", "1d", "--format", "csv", CI_PIPELINE_SOURCE=None)
    assert "COST requests_gitlab=" in csv_job.stderr and "requests" not in csv_job.stdout


def test_log_entries_past_10000_are_read_by_splitting_the_window(harness: Harness) -> None:
    pd, now = harness.emu.pagerduty, datetime.now(UTC)
    start = now - timedelta(days=3)
    for n in range(683):  # 16 entries each (trigger, assign, notify, 13 more): 10,928
        at = start + timedelta(minutes=5 * n)
        incident = pd.trigger("PSVCGIT", f"load {n}", dedup_key=f"k{n}", at=at)
        for minute in range(1, 14):  # notification rules repeat until someone answers
            pd.notify(incident["id"], "PUSRADA", "sms", at=at + timedelta(seconds=20 * minute))
    desk = PagerDutyDesk(harness.emu.pagerduty_api_url, harness.emu.pagerduty_events_url,
                         emu_seed.PAGERDUTY_REST_TOKEN, harness.emu.ca_file, Http())
    entries = desk.log_entries_between(start, now, max_requests=1000)
    assert entries is not None and len(entries) == len({e.id for e in entries}) == 10_928
    reads = [r for r in harness.sent("pd-rest") if r.path == "/log_entries"]
    assert all(r.status == 200 for r in reads)
    assert desk.requests_sent == len(reads) <= 10_928 // 100 + 6
    assert desk.log_entries_between(start, now, max_requests=50) is None  # per incident is cheaper
