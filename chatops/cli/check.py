"""`chatops check`: validate the configuration and compare coverage with PagerDuty's schedules."""

from __future__ import annotations

import click

from chatops.audit import AuditLog
from chatops.check import check as run_check
from chatops.cli import boundary, common
from chatops.cli.boundary import Finished


@click.command()
@click.option("--days", default=14, show_default=True, type=click.IntRange(1, 90),
              help="How far ahead to compare coverage with PagerDuty's schedules.")
def check(days: int) -> None:
    """Validate the configuration; with a PagerDuty token, list coverage gaps (exit 1)."""
    audit = AuditLog("chatops-check")

    def work() -> Finished:
        config, env = common.load()
        return boundary.ended(run_check(config, env, days, common.now,
                                        lambda: common.pagerduty(config, env), audit,
                                        common.say))

    boundary.run(work, on_error=lambda exc: boundary.refused(f"CHECK FAILED: {exc}", exc),
                 on_crash=lambda: boundary.crashed("CHECK CRASHED (a bug): see the traceback."))
