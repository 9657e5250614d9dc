"""`chatops feedback`: the 1/3/6-month feedback issue of the pilot."""

from __future__ import annotations

import click

from chatops.audit import AuditLog
from chatops.cli import boundary, common
from chatops.cli.boundary import Finished
from chatops.feedback import MONTHS, due_period, open_feedback


@click.command()
@click.option("--milestone", type=click.Choice(list(MONTHS)), required=True)
def feedback(milestone: str) -> None:
    """Open the feedback issue of a milestone once (a rerun finds the existing one)."""
    audit = AuditLog("chatops-feedback")

    def work() -> Finished:
        config, env = common.load()
        when = due_period(config, milestone, common.now())
        tracker, pd = common.tracker(config, env), common.pagerduty(config, env)
        return boundary.ended(open_feedback(config, tracker, pd, milestone, when,
                                            env.gitlab_url, common.now, audit, common.say))

    boundary.run(work, on_error=lambda exc: boundary.refused(f"FEEDBACK FAILED: {exc}", exc),
                 on_crash=lambda: boundary.crashed("FEEDBACK CRASHED (a bug): see the "
                                                   "traceback."))
