"""`chatops sync` and `chatops webhook`: mirror PagerDuty onto the incident issues."""

from __future__ import annotations

import os
import signal
import socket
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import click

from chatops.adapters.gitlab_lock import GitLabLock
from chatops.adapters.gitlab_state import GitLabStateStore
from chatops.audit import AuditLog
from chatops.cli import boundary, common
from chatops.cli.boundary import Finished
from chatops.core import webhook as payloads
from chatops.core.labels import SYNC_LOCK
from chatops.errors import InputError, redact
from chatops.follow import Follower, FollowReport

LOCK_MINUTES = 15  # longer than the sync job's timeout


def _run(label: str, work: Callable[[Follower], FollowReport], wait_seconds: float) -> None:
    """Run a follow job under the lock: audit lines, one RESULT line, a truthful exit status."""
    audit = AuditLog("chatops-" + label)
    # GitLab stops a job at its timeout with SIGTERM: exit through `finally` so the lock
    # is released instead of blocking the next runs until it expires.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(boundary.EXIT_TERMINATED))

    def job() -> Finished:
        config, env = common.load()
        tracker = common.tracker(config, env)
        holder = env.ci.get("CI_JOB_URL") or f"{socket.gethostname()} pid {os.getpid()}"
        lock = GitLabLock(tracker, config.incident_project, SYNC_LOCK, holder,
                          timedelta(minutes=LOCK_MINUTES))
        keys = {name: key for name, team in config.teams.items()
                if (key := env.routing_key(team)) is not None}
        follower = Follower(config, tracker, common.pagerduty(config, env), audit, common.now,
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

    boundary.run(job, on_error=lambda exc: boundary.refused(f"{label.upper()} FAILED: {exc}", exc,
                                                            "error"),
                 on_crash=lambda: boundary.crashed(f"{label.upper()} CRASHED (a bug): see the "
                                                   "traceback above."))


@click.command()
def sync() -> None:
    """Mirror PagerDuty onto every open escalation's issue (run on a schedule)."""
    _run("sync", lambda follower: follower.sync(), wait_seconds=0)


@click.command()
@click.option("--payload", "payload_file", type=click.Path(dir_okay=False),
              help="The webhook body (default: the file named by TRIGGER_PAYLOAD).")
def webhook(payload_file: str | None) -> None:
    """Apply one incident named by a PagerDuty v3 webhook (a pipeline-trigger job)."""

    try:  # before the lock: a flood of bad payloads must not keep sync out
        incident_id = incident_from_payload(payload_file or os.environ.get("TRIGGER_PAYLOAD"))
    except InputError as exc:
        boundary.finish(boundary.refused(f"WEBHOOK FAILED: {exc}", exc))
    _run("webhook", lambda follower: follower.follow_one(incident_id), wait_seconds=30)


def read_payload(source: str | None) -> bytes:
    """The webhook body: the file TRIGGER_PAYLOAD names (or the text itself), size-checked first."""
    if not source:
        raise InputError("No webhook payload: TRIGGER_PAYLOAD is not set.",
                         "Run this job from the PagerDuty webhook's pipeline trigger.")
    path = Path(source)
    try:
        is_file = path.is_file()
    except (OSError, ValueError):  # too long, or not a file name at all: the payload itself
        is_file = False
    if not is_file:
        return source.encode("utf-8", "surrogateescape")
    try:
        if (size := path.stat().st_size) > payloads.MAX_PAYLOAD_BYTES:
            raise payloads.too_large(size)
        with path.open("rb") as handle:  # a size of 0 may still hide content (/proc)
            return handle.read(payloads.MAX_PAYLOAD_BYTES + 1)
    except OSError as exc:
        raise InputError(f"The webhook payload file cannot be read ({exc.strerror}); "
                         "nothing changed.", "Check the job's TRIGGER_PAYLOAD file.") from None


def incident_from_payload(source: str | None) -> str:
    """The incident id a webhook names; the payload is only a hint, never the truth."""
    return payloads.incident_id(read_payload(source))
