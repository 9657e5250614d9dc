"""`chatops oncall [TEAM]`: who is on call now."""

from __future__ import annotations

import click

from chatops.cli import boundary, common
from chatops.cli.boundary import Finished
from chatops.oncall import asked_teams, oncall_reply


@click.command()
@click.argument("team", required=False)
def oncall(team: str | None) -> None:
    """Who is on call now for TEAM (default: every team; in chat: from CHAT_INPUT)."""

    def work() -> Finished:
        config, env = common.load()
        teams = asked_teams(config, team or env.ci.get("CHAT_INPUT", ""))
        reply = oncall_reply(config, env, teams, common.now(),
                             lambda: common.pagerduty(config, env))
        return Finished(reply, "ok")

    boundary.run(work, reply=True,
                 on_error=lambda exc: boundary.refused(f"{exc.message}\n{exc.hint}".rstrip(), exc),
                 on_crash=lambda: boundary.crashed(
                     "chatops CRASHED (a bug); check PagerDuty's on-call schedule directly."))
