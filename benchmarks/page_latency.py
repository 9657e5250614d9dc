"""Benchmark the paging path: requests before the trigger, time to trigger, total, memory.

Runs the installed `chatops page` as a ChatOps job would, against the emulator
with LATENCY seconds added to every request, and prints a Markdown table.
Targets (issue #2): at most 3 requests in at most 3 sequential round trips before
the PagerDuty trigger; trigger within 0.6 s of process start plus those round
trips; the whole job within 1 s plus 6 round trips. Issue #11: time to trigger at
most 1.7 times that of `page_floor.py` (the same contract in bare stdlib, run
interleaved in the same benchmark), and the job exits within 1 s of the trigger.
`page_library_floor.py` (the same contract with python-gitlab and `pagerduty`, and
nothing else) runs interleaved too: it splits the gap into what the two client
libraries cost and what chatops adds.

    .venv/bin/python benchmarks/page_latency.py [--runs 10] [--latency 0.1]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from chatops.cli.demo import DEMO_CONFIG, job_env
from chatops_emulator import Emulator, RecordedRequest


@dataclass(frozen=True)
class Run:
    """Measurements of one job."""

    before_trigger: int
    waves_before_trigger: int
    to_trigger: float
    total: float
    requests: int
    waves: int
    peak_mib: float
    cpu: float  # user + system CPU seconds of the whole job: what machine load stretches


def waves(requests: list[RecordedRequest]) -> int:
    """Sequential round trips: requests that overlap in time share one wave."""
    count, wave_end = 0, -1.0
    for req in sorted(requests, key=lambda r: r.started):
        if req.started >= wave_end:
            count += 1
            wave_end = req.finished
        else:
            wave_end = max(wave_end, req.finished)
    return count


FLOOR = [sys.executable, str(Path(__file__).with_name("page_floor.py"))]
LIBRARY_FLOOR = [sys.executable, str(Path(__file__).with_name("page_library_floor.py"))]
CHATOPS = [sys.executable, "-m", "chatops", "page"]


def one_run(emu: Emulator, config: Path, index: int, command: list[str] = CHATOPS) -> Run:
    """Run one page job (or the floor script) and measure it."""
    emu.clear_requests()
    env = job_env(emu.env(), config, f"gitaly benchmark run {index}: praefect failing over")
    env["CI_PIPELINE_ID"] = str(10_000 + index)
    started = time.monotonic()
    proc = subprocess.Popen(command, env=env, cwd=config.parent,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    total = time.monotonic() - started
    if status != 0:
        error = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        raise SystemExit(f"run {index} failed: {error}")
    requests = list(emu.requests)
    trigger = next(r for r in requests if r.service == "pd-events")
    before = [r for r in requests if r.finished <= trigger.started]
    return Run(len(before), waves(before), trigger.started - started, total, len(requests),
               waves(requests), usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime)


def main() -> None:
    """Run the benchmark and print the results table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--latency", type=float, default=0.1)
    args = parser.parse_args()
    with Emulator.start(latency=args.latency) as emu, tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "chatops.toml"
        config.write_text(DEMO_CONFIG, encoding="utf-8")
        one_run(emu, config, 0)  # warm-up: file-system caches, .pyc files
        one_run(emu, config, 0, FLOOR)
        one_run(emu, config, 0, LIBRARY_FLOOR)
        runs, floors, libraries = [], [], []
        for i in range(1, args.runs + 1):  # interleaved: all see the same machine load
            runs.append(one_run(emu, config, i))
            floors.append(one_run(emu, config, 10_000 + i, FLOOR))
            libraries.append(one_run(emu, config, 20_000 + i, LIBRARY_FLOOR))
    rt = args.latency
    floor = statistics.median(r.to_trigger for r in floors)
    ratio = statistics.median(r.to_trigger for r in runs) / floor
    library = statistics.median(r.to_trigger for r in libraries)
    after = statistics.median(r.total - r.to_trigger for r in runs)
    rows = [
        ("requests before trigger", max(r.before_trigger for r in runs), "≤ 3"),
        ("round trips before trigger", max(r.waves_before_trigger for r in runs), "≤ 3"),
        ("time to trigger, median (s)", statistics.median(r.to_trigger for r in runs),
         f"≤ 0.6 + {max(r.waves_before_trigger for r in runs)}×RT"),
        ("time to trigger, max (s)", max(r.to_trigger for r in runs), ""),
        ("floor script: time to trigger, median (s)", floor, "stdlib, same contract"),
        ("time to trigger / floor", ratio, "≤ 1.7 (issue #11)"),
        ("library floor script: time to trigger, median (s)", library,
         "python-gitlab + pagerduty, same contract"),
        ("library floor / floor", library / floor, "what the two libraries cost"),
        ("time to trigger / library floor", statistics.median(r.to_trigger for r in runs)
         / library, "what chatops adds"),
        ("exit after the trigger, median (s)", after, "≤ 1 (issue #11)"),
        ("total time, median (s)", statistics.median(r.total for r in runs), f"≤ 1 + 6×{rt}"),
        ("total time, max (s)", max(r.total for r in runs), ""),
        ("requests in total", max(r.requests for r in runs), ""),
        ("round trips in total", max(r.waves for r in runs), "≤ 6 (after start-up)"),
        ("peak memory (MiB)", max(r.peak_mib for r in runs), ""),
        ("CPU time per job, median (s)", statistics.median(r.cpu for r in runs), ""),
        ("floor script: CPU time, median (s)", statistics.median(r.cpu for r in floors), ""),
        ("library floor script: CPU time, median (s)",
         statistics.median(r.cpu for r in libraries), ""),
    ]
    print(f"{args.runs} runs, {rt * 1000:.0f} ms added to every request (RT); "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs\n")
    print("| measure | value | target |\n|---|---|---|")
    for name, value, target in rows:
        shown = f"{value:.3f}" if isinstance(value, float) else str(value)
        print(f"| {name} | {shown} | {target} |")
    budget_trigger = 0.6 + max(r.waves_before_trigger for r in runs) * (rt + 0.02)
    ok = (max(r.before_trigger for r in runs) <= 3
          and statistics.median(r.to_trigger for r in runs) <= budget_trigger
          and statistics.median(r.total for r in runs) <= 1 + 6 * (rt + 0.02)
          and ratio <= 1.7 and after <= 1.0)
    print("\nwithin targets" if ok else "\nOUTSIDE TARGETS")


if __name__ == "__main__":
    main()
