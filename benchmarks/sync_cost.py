"""Benchmark `chatops sync`: requests per run against N open, quiet escalations.

Issue #3: with 200 open escalations and no change in PagerDuty, one sync makes
at most 12 API requests in total. Also reports a run with K changed escalations,
to show the cost grows with changes, not with quiet escalations.

    .venv/bin/python benchmarks/sync_cost.py [--open 200] [--changed 10] [--latency 0.02]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from chatops.cli.demo import DEMO_CONFIG, job_env
from chatops.core.model import marker
from chatops_emulator import Emulator


def run_sync(emu: Emulator, config: Path) -> tuple[float, Counter[str]]:
    """One sync job; its wall time and requests by service."""
    emu.clear_requests()
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "chatops", "sync"], capture_output=True,
                          text=True, env=job_env(emu.env(), config, ""), check=False)
    elapsed = time.monotonic() - started
    if proc.returncode != 0:
        raise SystemExit(f"sync failed:\n{proc.stdout}\n{proc.stderr}")
    return elapsed, Counter(r.service for r in emu.requests)


def main() -> None:
    """Seed quiet escalations, run sync, then change a few and run again."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--open", type=int, default=200)
    parser.add_argument("--changed", type=int, default=10)
    parser.add_argument("--latency", type=float, default=0.02)
    args = parser.parse_args()
    with Emulator.start() as emu, tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "chatops.toml"
        config.write_text(DEMO_CONFIG, encoding="utf-8")
        old = datetime.now(UTC) - timedelta(hours=3)
        project, bot = emu.gitlab.project("gitlab-org/gitaly"), emu.gitlab.users[100]
        for n in range(args.open):
            issue = emu.gitlab.seed_issue("gitlab-org/gitaly", 1000 + n, f"incident {n}", "",
                                          101, ("escalation::triggered", "group::gitaly"), old)
            key = f"chatops/gitlab-org/gitaly#{1000 + n}/gitaly"
            emu.gitlab.create_note(project, issue, bot, marker(
                "paged", team="gitaly", dedup_key=key, at="2026-01-01T00:00:00Z", job="-"))
        ids = [emu.pagerduty.trigger("PSVCGIT", f"quiet {n}", at=old,
                                     dedup_key=f"chatops/gitlab-org/gitaly#{1000 + n}/gitaly")["id"]
               for n in range(args.open)]
        emu.latency = args.latency
        quiet_time, quiet = run_sync(emu, config)
        for incident_id in ids[: args.changed]:
            emu.pagerduty.acknowledge(incident_id, "PUSRADA")
        busy_time, busy = run_sync(emu, config)
    print(f"{args.open} open escalations, {args.latency * 1000:.0f} ms added per request\n")
    print("| run | requests (GitLab / PagerDuty) | time (s) | target |\n|---|---|---|---|")
    print(f"| no change | {sum(quiet.values())} ({quiet['gitlab']} / {quiet['pd-rest']}) "
          f"| {quiet_time:.2f} | ≤ 12 requests |")
    print(f"| {args.changed} acknowledged | {sum(busy.values())} ({busy['gitlab']} / "
          f"{busy['pd-rest']}) | {busy_time:.2f} | grows with changes only |")


if __name__ == "__main__":
    main()
