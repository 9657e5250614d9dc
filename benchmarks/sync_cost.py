"""Benchmark `chatops sync` at organisation scale: requests and time against N escalations.

Issue #11: N open escalations across 50 teams, seeded by the real page path (the
same PagePlan/PageRunner and adapters as `chatops page`, so issues carry the real
request markers and PagerDuty the real request dedup keys). Then `chatops sync`
runs as its CI job would:
  1. first sync over N new escalations (target: every issue found, exit 0,
     at most 3N + 10 requests) - at --first-latency, since only its count is a target;
  2. the next sync, nothing new (target: at most 12 requests; within 10 s at 1,000);
  3. after K escalations were acknowledged (target at 1,000 and K = 50: within 60 s).

    .venv/bin/python benchmarks/sync_cost.py [--sizes 10,50,200,500,1000] [--teams 50]
        [--changed 50] [--latency 0.1] [--first-latency 0] [--spread 50] [--ack-timeout 240]
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

from chatops.adapters.gitlab import GitLabTracker
from chatops.adapters.pagerduty_desk import PagerDutyDesk
from chatops.audit import AuditLog
from chatops.cli.demo import job_env
from chatops.config import Config, parse_config
from chatops.core.request import Requester, build_request
from chatops.page.plan import PagePlan
from chatops.page.runner import PageRunner
from chatops_emulator import Emulator
from chatops_emulator.core import set_clock_offset
from chatops_emulator.seed import INCIDENT_PROJECT

WORDS = ("praefect", "failover", "latency", "replication", "disk", "queue", "timeouts",
         "errors", "saturation", "lag")


def shifted_now(offset: timedelta) -> datetime:
    """The current time moved by offset (pages seeded in the past)."""
    return datetime.now(UTC) + offset


def team_config(teams: int, ack_timeout: int) -> str:
    """A chatops.toml with `teams` teams, always covered."""
    text = f'incident_project = "{INCIDENT_PROJECT}"\n'
    for n in range(teams):
        text += (f'\n[teams.team{n:02d}]\ndisplay_name = "Team {n:02d}"\n'
                 f'routing_key_env = "PAGERDUTY_ROUTING_KEY_TEAM{n:02d}"\n'
                 f'escalation_policy_id = "PPOL{n:04d}"\nlabels = ["group::team{n:02d}"]\n'
                 f'fallback = "Ask the Developer Oncall"\nack_timeout_minutes = {ack_timeout}\n'
                 f'[teams.team{n:02d}.coverage]\n'
                 'days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]\n')
    return text


def routing_key(n: int) -> str:
    """A 32-character Events API v2 integration key."""
    return f"R0ut1ngKeyTeam{n:02d}".ljust(32, "0")


def seed_teams(emu: Emulator, teams: int) -> dict[str, str]:
    """PagerDuty policies, services and on-calls for every team; their routing keys."""
    pd, keys = emu.pagerduty, {}
    pd.add_user("PUSRONC", "Olivia Oncall", "olivia@example.com")
    for n in range(teams):
        pd.add_policy(f"PPOL{n:04d}", f"Team {n:02d} second tier")
        pd.set_oncalls(f"PPOL{n:04d}", [(1, "PUSRONC", "Olivia Oncall", None, None)])
        pd.add_service(f"PSVC{n:04d}", f"Team {n:02d}", f"PPOL{n:04d}", routing_key(n))
        keys[f"PAGERDUTY_ROUTING_KEY_TEAM{n:02d}"] = routing_key(n)
    return keys


def page_all(emu: Emulator, config: Config, count: int, teams: int, spread: timedelta) -> None:
    """Page `count` times through the real page path (in-process, as `chatops page` does).

    The pages arrive spread evenly over the last `spread` (the emulated services' clock
    is shifted while seeding), as real pages do: all still inside sync's window.
    """
    env = emu.env()
    tracker = GitLabTracker(env["GITLAB_URL"], env["GITLAB_TOKEN"], emu.ca_file, config.http)
    pager = PagerDutyDesk(env["PAGERDUTY_API_URL"], env["PAGERDUTY_EVENTS_URL"],
                          env["PAGERDUTY_API_TOKEN"], emu.ca_file, config.http)
    audit = AuditLog("sre-alice", io.StringIO())
    for n in range(count):
        offset = -spread * (count - n) / count
        set_clock_offset(offset)
        team = f"team{n % teams:02d}"
        message = f"{WORDS[n % len(WORDS)]} on file-{n:04d} is failing, request {n}"
        request = build_request(team, message, None, None, False, list(config.teams))
        who = Requester("sre-alice", "U0BENCH", "C0BENCH", f"{env['GITLAB_URL']}/jobs/{n}",
                        env["GITLAB_URL"])
        plan = PagePlan(config, request, who, partial(shifted_now, offset))
        result = PageRunner(plan, tracker, pager, routing_key(n % teams), audit).run()
        if result.flow.outcome is None or result.flow.outcome.value != "paged":
            raise SystemExit(f"page {n} did not page: {result.reply}")
    set_clock_offset(timedelta(0))


def run_sync(emu: Emulator, config: Path, keys: dict[str, str]) -> tuple[float, Counter[str],
                                                                           str]:
    """One sync job; its wall time, requests by service and RESULT line."""
    emu.clear_requests()
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "chatops", "sync"], capture_output=True,
                          text=True, env={**job_env(emu.env(), config, ""), **keys}, check=False)
    elapsed = time.monotonic() - started
    result = next((ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT")), "")
    if len(emu.requests) <= 40:  # a short run: show what it asked, for the record
        print("  " + result + "\n" + "\n".join(f"    {r.method} {r.path}" for r in emu.requests),
              file=sys.stderr)
    if proc.returncode != 0:
        raise SystemExit(f"sync failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return elapsed, Counter(r.service for r in emu.requests), result


def measure(size: int, args: argparse.Namespace) -> list[str]:
    """Seed `size` escalations, run the three syncs; table rows."""
    with Emulator.start() as emu, tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "chatops.toml"
        path.write_text(team_config(args.teams, args.ack_timeout), encoding="utf-8")
        config = parse_config(__import__("tomllib").loads(path.read_text()))
        keys = seed_teams(emu, args.teams)
        started = time.monotonic()
        page_all(emu, config, size, args.teams, timedelta(minutes=args.spread))
        seeded = time.monotonic() - started
        emu.latency = args.first_latency
        first = run_sync(emu, path, keys)
        emu.latency = args.latency
        quiet = run_sync(emu, path, keys)
        changed = min(args.changed, size)
        for incident in emu.pagerduty.incidents[:changed]:
            emu.pagerduty.acknowledge(incident["id"], "PUSRONC",
                                      at=datetime.now(UTC) - timedelta(seconds=1))
        busy = run_sync(emu, path, keys)
    print(f"  seeded {size} pages in {seeded:.0f} s; first sync: {first[2]}", file=sys.stderr)
    rows = []
    for label, (elapsed, counts, _), target in (
            (f"first sync, {size} new", first, f"≤ {3 * size + 10} requests"),
            ("nothing new", quiet, "≤ 12 requests" + ("; ≤ 10 s" if size >= 1000 else "")),
            (f"{changed} acknowledged", busy, "≤ 60 s" if size >= 1000 else "")):
        latency = args.first_latency if label.startswith("first") else args.latency
        rows.append(f"| {size} | {label} | {sum(counts.values())} ({counts['gitlab']} / "
                    f"{counts['pd-rest']}) | {elapsed:.2f} s at {latency * 1000:.0f} ms "
                    f"| {target} |")
    return rows


def main() -> None:
    """Measure every size and print one Markdown table."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default="10,50,200,500,1000")
    parser.add_argument("--teams", type=int, default=50)
    parser.add_argument("--changed", type=int, default=50)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--first-latency", type=float, default=0.0)
    # A page turning overdue between two runs is a change (an overdue notice, about
    # 2 requests): with the default 15 minutes, pages spread over 50 minutes turn overdue
    # during the measured runs, so "nothing new" would not be nothing new.
    parser.add_argument("--ack-timeout", type=int, default=240)
    parser.add_argument("--spread", type=float, default=50.0,
                        help="minutes over which the pages arrive (inside the 60-min window)")
    args = parser.parse_args()
    rows = [row for size in map(int, args.sizes.split(",")) for row in measure(size, args)]
    print(f"{args.teams} teams, real page path, pages spread over the last {args.spread:.0f} "
          f"minutes, ack timeout {args.ack_timeout} min; ms added per request as shown\n")
    print("| escalations | run | requests (GitLab / PagerDuty) | time | target |")
    print("|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
