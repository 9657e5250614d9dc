"""`chatops sync`: mirror PagerDuty onto the issues; the lock every sync or webhook run holds."""

from __future__ import annotations

import os
import signal
import socket
import sys
from collections.abc import Callable
from datetime import timedelta

import click

from chatops.adapters.gitlab_lock import GitLabLock
from chatops.adapters.gitlab_state import GitLabStateStore
from chatops.audit import AuditLog
from chatops.cli import boundary, common
from chatops.cli.boundary import Finished
from chatops.core.labels import SYNC_LOCK
from chatops.errors import InputError, redact
from chatops.sync import SyncJob
from chatops.sync_report import SyncReport

LOCK_MINUTES = 15  # longer than the sync job's timeout


def run_sync_job(label: str, work: Callable[[SyncJob], SyncReport], wait_seconds: float,
                   before: Callable[[], None] = lambda: None) -> None:
    """Run a sync or webhook job under the lock: audit, one RESULT line, a truthful exit.

    before runs first, before the configuration and the lock (a webhook reads its payload
    there: a flood of bad payloads must not keep sync out)."""
    audit = AuditLog("chatops-" + label)
    # GitLab stops a job at its timeout with SIGTERM: exit through `finally` so the lock
    # is released instead of blocking the next runs until it expires.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(boundary.EXIT_TERMINATED))

    def job() -> Finished:
        before()
        config, env = common.load()
        tracker = common.tracker(config, env)
        holder = env.ci.get("CI_JOB_URL") or f"{socket.gethostname()} pid {os.getpid()}"
        lock = GitLabLock(tracker, config.incident_project, SYNC_LOCK, holder,
                          timedelta(minutes=LOCK_MINUTES))
        keys = {name: key for name, team in config.teams.items()
                if (key := env.routing_key(team)) is not None}
        follower = SyncJob(config, tracker, common.pagerduty(config, env), audit, common.now,
                            lock, keys, store=GitLabStateStore(tracker, config.incident_project))
        report = follower.locked(lambda: work(follower), wait_seconds)
        lines = [f"WARNING took over a stale lock: {redact(stale)}" for stale in lock.taken_over]
        lines += [f"PROBLEM {redact(problem)}" for problem in report.problems]
        if report.skipped:
            # Overlapping runs are already excluded by the job's resource_group: a held lock
            # means a run died less than LOCK_MINUTES ago, or a job runs outside that group.
            lines.append(f"WARNING {label} did NOT run: {redact(report.skipped)}. It fails so "
                         f"that someone looks; if no {label} job is running, delete the label "
                         f"{SYNC_LOCK} in {config.incident_project} (Manage > Labels).")
        outcome = "problems" if report.problems else ("skipped" if report.skipped else "ok")
        failed = report.problems or report.skipped
        return Finished("\n".join(lines), outcome,
                        boundary.EXIT_FAILED if failed else boundary.EXIT_OK, report.line())

    boundary.run(job, on_error=lambda exc: boundary.refused(
                     f"{label.upper()} FAILED: {exc}", exc,
                     "refused" if isinstance(exc, InputError) else "error"),
                 on_crash=lambda: boundary.crashed(f"{label.upper()} CRASHED (a bug): see the "
                                                   "traceback above."))


@click.command()
def sync() -> None:
    """Mirror PagerDuty onto every open escalation's issue (run on a schedule)."""
    run_sync_job("sync", lambda follower: follower.sync(), wait_seconds=0)
