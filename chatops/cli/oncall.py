"""`chatops oncall [TEAM]` (who is on call now) and `chatops check` (config and coverage gaps)."""

from __future__ import annotations

import os
import sys
from datetime import UTC, timedelta

import click

from chatops import render
from chatops.audit import AuditLog
from chatops.cli import common
from chatops.cli.output import chat_reply, crash_report
from chatops.config import Config, Environment
from chatops.core.coverage import covered_windows, describe_start, gaps, is_covered, next_start
from chatops.core.model import OnCall
from chatops.core.request import known_team
from chatops.errors import ChatopsError


def oncall_reply(config: Config, env: Environment, teams: list[str]) -> str:
    """Who is on call now for each team, in one PagerDuty request."""
    now = common.now()
    policies = [config.teams[t].escalation_policy_id for t in teams]
    found: dict[str, tuple[OnCall, ...]] = {}
    problem = "PAGERDUTY_API_TOKEN is not set"
    if env.pagerduty_api_token is not None:
        try:
            found, problem = common.pagerduty(config, env).oncalls(policies), ""
        except ChatopsError as exc:
            problem = str(exc)
    rows = [{"team": config.teams[key], "covered": is_covered(config.teams[key].coverage, now),
             "next": describe_start(next_start(config.teams[key].coverage, now), now),
             "oncall": found.get(config.teams[key].escalation_policy_id, ())} for key in teams]
    return render.render("oncall_reply.txt.j2", {"rows": rows, "problem": problem, "now": now},
                         config.templates_dir)


@click.command()
@click.argument("team", required=False)
def oncall(team: str | None) -> None:
    """Who is on call now for TEAM (default: every team; in chat: from CHAT_INPUT)."""
    chat = os.environ.get("CI_PIPELINE_SOURCE") == "chat"
    code = 0
    try:
        config, env = common.load()
        words = (team or env.ci.get("CHAT_INPUT", "")).split()
        teams = [known_team(words[0], list(config.teams))] if words else list(config.teams)
        reply = oncall_reply(config, env, teams)
        result = "RESULT outcome=ok"
    except ChatopsError as exc:
        reply = f"{exc.message}\n{exc.hint}".rstrip()
        code, result = exc.exit_code, f"RESULT outcome=refused error={type(exc).__name__}"
    except Exception:
        print(crash_report(), file=sys.stderr, flush=True)
        reply = "chatops CRASHED (a bug); check PagerDuty's on-call schedule directly."
        code, result = 70, "RESULT outcome=crashed"
    chat_reply(reply, chat=chat)
    print(result, flush=True)
    sys.exit(0 if chat else code)


@click.command()
@click.option("--days", default=14, show_default=True, type=click.IntRange(1, 90),
              help="How far ahead to compare coverage with PagerDuty's schedules.")
def check(days: int) -> None:
    """Validate the configuration; with a PagerDuty token, list coverage gaps (exit 1)."""
    audit = AuditLog("chatops-check")
    try:
        config, env = common.load()
        print(f"Configuration OK: {len(config.teams)} team(s), incident project "
              f"{config.incident_project}.")
        if env.pagerduty_api_token is None:
            print("PAGERDUTY_API_TOKEN is not set: schedules not compared with coverage.")
            sys.exit(0)
        found = _gaps(config, env, days)
    except ChatopsError as exc:
        print(f"CHECK FAILED: {exc}", flush=True)
        sys.exit(exc.exit_code)
    for line in found:
        print(line)
    audit.record("check-coverage", f"{days} days", "gaps" if found else "ok", f"{len(found)}")
    sys.exit(1 if found else 0)


def _gaps(config: Config, env: Environment, days: int) -> list[str]:
    """Covered hours of the next days with nobody on call at level 1, one line each."""
    now = common.now()
    until = now + timedelta(days=days)
    policies = [team.escalation_policy_id for team in config.teams.values()]
    shifts = common.pagerduty(config, env).oncalls(policies, now, until)
    lines = []
    for team in config.teams.values():
        level1 = [(s.since or now, s.until or until) for s in
                  shifts.get(team.escalation_policy_id, ()) if s.level == 1]
        for start, end in gaps(covered_windows(team.coverage, now, until), level1):
            if end - start >= timedelta(minutes=1):
                start, end = start.astimezone(UTC), end.astimezone(UTC)
                lines.append(f"GAP {team.display_name}: nobody on call at level 1 "
                             f"{start:%a %Y-%m-%d %H:%M} to {end:%a %Y-%m-%d %H:%M} UTC "
                             f"(coverage {team.coverage.start}-{team.coverage.end} "
                             f"{team.coverage.timezone})")
    return lines
