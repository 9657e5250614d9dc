"""Benchmark `chatops report`: requests and time over N escalations (100 ms per request).

Issue #11: a report over 2,000 escalations costs at most 600 requests and states its
request count. The emulator is seeded the way real pages leave things: for each
escalation the incident issue chatops opened (its request marker, request-key dedup key)
and the PagerDuty incident (the trigger chatops sends, its facts in custom_details; one in
fifty a drill; assignment and notification by the escalation
policy, acknowledgement, a quarter escalated to level 2, resolution), over the last 30
days; besides, one request in ten refused (change event and GitLab record note) and one
in twenty queued (record note). Prints one table row per size.

    .venv/bin/python benchmarks/report_cost.py [--sizes 100,500,2000] [--latency 0.1]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from chatops import records
from chatops.adapters.pagerduty_events import trigger_body
from chatops.cli.demo import DEMO_CONFIG, job_env
from chatops.core import labels
from chatops.core.dedup import dedup_key_for_request
from chatops.core.markers import request_marker
from chatops.core.page_events import Link, PageEvent, PageFacts
from chatops.core.report import Mark
from chatops_emulator import Emulator
from chatops_emulator import seed as emu_seed

PROJECT = "gitlab-com/gl-infra/production"


def seed(emu: Emulator, count: int) -> None:
    """count escalations spread over the last 30 days, plus refused and queued requests."""
    now = datetime.now(UTC)
    step = timedelta(days=29) / count
    record_issues: dict[str, int] = {}
    for n in range(count):
        at = now - timedelta(days=29, hours=12) + step * n
        key = f"{n:016x}"
        dedup = dedup_key_for_request(PROJECT, "gitaly", key)
        who = f"user{n % 7}"
        issue_url = f"{emu.gitlab_url}/{PROJECT}/-/issues/{n + 1}"
        emu.gitlab.seed_issue(PROJECT, n + 1, f"Gitaly escalation (S2): load test {n}",
                              f"Requested by @{who}.\n\n"
                              + request_marker(key, "gitaly", dedup, who), emu_seed.BOT_USER_ID,
                              ("incident", labels.RESOLVED, "group::gitaly"), at)
        incident = emu.pagerduty.trigger("PSVCGIT", event=trigger_body(PageEvent(
            "gitaly", "Gitaly", 2, PageFacts(who, drill=n % 50 == 3), f"load test {n}", dedup,
            at, "https://gitlab.example.com", "15-30 minutes", issue_url,
            (Link(issue_url, f"Incident issue {PROJECT}#{n + 1}"),), issue_url)), at=at)
        if n % 4 == 0:
            emu.pagerduty.escalate(incident["id"], 2, at=at + timedelta(minutes=16))
        emu.pagerduty.acknowledge(incident["id"], "PUSRADA", at=at + timedelta(minutes=3 + n % 25))
        emu.pagerduty.resolve(incident["id"], "PUSRADA", at=at + timedelta(minutes=40))
        if n % 10 == 5:
            refusal(emu, record_issues, at + timedelta(minutes=1), n, count)
        if n % 20 == 7:
            mark = Mark("gitaly", "queued", at, f"{emu.gitlab_url}/{PROJECT}/-/issues/{n + 1}",
                        who)
            note(emu, record_issues, mark, count)


def refusal(emu: Emulator, record_issues: dict[str, int], at: datetime, n: int,
            count: int) -> None:
    """What a refused request leaves: a change event and a record note."""
    job = f"https://gitlab.example.com/ops/chatops/-/jobs/{n}"
    emu.pagerduty.add_change_event("PSVCDB", "[chatops] Database page refused", at=at,
                                   custom_details={"chatops": "refused", "team": "database",
                                                   "reason": "nobody on call", "job_url": job,
                                                   "requested_by": "sre-alice"})
    note(emu, record_issues, Mark("database", "refused", at, job, "sre-alice",
                                  "nobody on call"), count)


def note(emu: Emulator, record_issues: dict[str, int], mark: Mark, count: int) -> None:
    """A record note on the month's record issue (opened on first use)."""
    month = records.month_of(mark.at)
    if month not in record_issues:
        iid = count + 1 + len(record_issues)
        head = f"<!-- chatops:v1 record_month month={month} -->"
        emu.gitlab.seed_issue(PROJECT, iid, f"ChatOps record {month}", "Record\n\n" + head,
                              emu_seed.BOT_USER_ID, (labels.RECORD,), mark.at)
        record_issues[month] = iid
    emu.gitlab.seed_note(PROJECT, record_issues[month], records.note_body(mark),
                         emu_seed.BOT_USER_ID, mark.at)


def run_report(emu: Emulator, config: Path) -> tuple[float, Counter[str], dict[str, int]]:
    """One report job; wall time, requests by service, and the cost the report states."""
    emu.clear_requests()
    env = job_env(emu.env(), config, "")
    env.pop("CI_PIPELINE_SOURCE")
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "chatops", "report", "--since", "30d",
                           "--format", "json"], capture_output=True, text=True, env=env,
                          check=False)
    elapsed = time.monotonic() - started
    if proc.returncode != 0:
        raise SystemExit(f"report failed:\n{proc.stderr}")
    data = json.loads(proc.stdout)
    return elapsed, Counter(r.service for r in emu.requests), {
        "pages": data["total"]["pages"], "drills": data["drills"]["pages"],
        "requesters": sum(n for _, n in data["total"]["top_requesters"]),
        "not_paged": len(data["not_paged"]),
        **data["cost"]}


def main() -> None:
    """Seed, run, print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,500,2000")
    parser.add_argument("--latency", type=float, default=0.1)
    args = parser.parse_args()
    print(f"{args.latency * 1000:.0f} ms added per request\n")
    print("| escalations | requests (GitLab / PagerDuty) | stated by the report | reading (s) "
          "| whole job (s) |")
    print("|---|---|---|---|---|")
    for size in (int(s) for s in args.sizes.split(",")):
        with Emulator.start() as emu, tempfile.TemporaryDirectory() as tmp:
            config = Path(tmp) / "chatops.toml"
            config.write_text(DEMO_CONFIG, encoding="utf-8")
            seed(emu, size)
            emu.latency = args.latency
            elapsed, counts, stated = run_report(emu, config)
        drills = sum(1 for n in range(size) if n % 50 == 3)
        # The facts were read back: every page has its requester and drill flag.
        assert (stated["pages"], stated["drills"]) == (size - drills, drills), stated
        top = Counter(f"user{n % 7}" for n in range(size) if n % 50 != 3).most_common(5)
        assert stated["requesters"] == sum(n for _, n in top), stated
        total = counts["gitlab"] + counts["pd-rest"]
        print(f"| {size} | {total} ({counts['gitlab']} / {counts['pd-rest']}) "
              f"| {stated['requests_gitlab']} / {stated['requests_pagerduty']} "
              f"| {stated['seconds']} | {elapsed:.1f} |", flush=True)


if __name__ == "__main__":
    main()
