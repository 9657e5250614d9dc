"""Benchmark `chatops report`: time and requests over N escalations (20 ms per request).

Issue #5: over 500 escalations against the emulator with 20 ms added per request,
the report finishes in reasonable time and its request count grows at most
linearly. Runs the report at several sizes and prints requests and time per size.

    .venv/bin/python benchmarks/report_cost.py [--sizes 100,250,500] [--latency 0.02]
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
from chatops.core.compose import request_marker
from chatops.core.history import dedup_key_for_request
from chatops_emulator import Emulator


def seed(emu: Emulator, count: int) -> None:
    """count escalations over the last 20 days, each with the incident issue chatops opened:
    acknowledged, a quarter escalated, resolved."""
    now = datetime.now(UTC)
    project = "gitlab-com/gl-infra/production"
    for n in range(count):
        at = now - timedelta(days=20) + timedelta(minutes=55 * n)
        key = dedup_key_for_request(project, "gitaly", f"{n:016x}")
        emu.gitlab.seed_issue(project, n + 1, f"Gitaly escalation {n}",
                              request_marker(f"{n:016x}", "gitaly", key, f"user{n % 7}"), 100,
                              ("escalation::resolved", "group::gitaly"), at)
        incident = emu.pagerduty.trigger(
            "PSVCGIT", f"[Gitaly] S2: load test {n} (paged by user{n % 7} via ChatOps)",
            dedup_key=key, at=at)
        if n % 4 == 0:
            emu.pagerduty.escalate(incident["id"], 2, at=at + timedelta(minutes=16))
        emu.pagerduty.acknowledge(incident["id"], "PUSRADA", at=at + timedelta(minutes=3 + n % 25))
        emu.pagerduty.resolve(incident["id"], "PUSRADA", at=at + timedelta(minutes=40))


def run_report(emu: Emulator, config: Path) -> tuple[float, Counter[str]]:
    """One report job; wall time and requests by service."""
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
    return elapsed, Counter(r.service for r in emu.requests)


def main() -> None:
    """Seed, run, print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,250,500")
    parser.add_argument("--latency", type=float, default=0.02)
    args = parser.parse_args()
    print(f"{args.latency * 1000:.0f} ms added per request\n")
    print("| escalations | requests (GitLab / PagerDuty) | requests per escalation | time (s) |")
    print("|---|---|---|---|")
    for size in (int(s) for s in args.sizes.split(",")):
        with Emulator.start() as emu, tempfile.TemporaryDirectory() as tmp:
            config = Path(tmp) / "chatops.toml"
            config.write_text(DEMO_CONFIG, encoding="utf-8")
            seed(emu, size)
            emu.latency = args.latency
            elapsed, counts = run_report(emu, config)
        total = sum(counts.values())
        print(f"| {size} | {total} ({counts['gitlab']} / {counts['pd-rest']}) "
              f"| {total / size:.2f} | {elapsed:.2f} |")


if __name__ == "__main__":
    main()
