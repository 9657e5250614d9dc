"""`chatops oncall [TEAM]` (who is on call now) and `chatops check` (config and coverage gaps)."""

from __future__ import annotations

from datetime import UTC, timedelta

import click

from chatops import render
from chatops.adapters.pagerduty import unknown_policy_hint
from chatops.audit import AuditLog
from chatops.checks import validate_templates
from chatops.cli import boundary, common
from chatops.cli.boundary import Finished
from chatops.config import Config, Environment
from chatops.core import urgency
from chatops.core.compose import coverage_text
from chatops.core.coverage import covered_windows, describe_start, gaps, is_covered, next_start
from chatops.core.model import OnCall
from chatops.core.request import known_team
from chatops.errors import ChatopsError, ConfigError


def oncall_reply(config: Config, env: Environment, teams: list[str]) -> str:
    """Who is on call now for each team, in one PagerDuty request."""
    now = common.now()
    policies = [config.teams[t].escalation_policy_id for t in teams]
    found: dict[str, tuple[OnCall, ...]] = {}
    unknown: set[str] = set()
    problem = "PAGERDUTY_API_TOKEN is not set"
    if env.pagerduty_api_token is not None:
        try:
            pd = common.pagerduty(config, env)
            found, problem = pd.oncalls(policies), ""
            # An empty list may also mean a policy id PagerDuty does not know.
            unknown = {p for p in policies if not found.get(p) and not pd.policy_exists(p)}
        except ChatopsError as exc:
            problem = str(exc)
    rows = [{"team": config.teams[key], "covered": is_covered(config.teams[key].coverage, now),
             "next": describe_start(next_start(config.teams[key].coverage, now), now),
             "oncall": found.get(config.teams[key].escalation_policy_id, ()),
             "unknown_policy": unknown_policy_hint(config.teams[key].escalation_policy_id)
             if config.teams[key].escalation_policy_id in unknown else ""} for key in teams]
    return render.render("oncall_reply.txt.j2", {"rows": rows, "problem": problem, "now": now},
                         config.templates_dir)


@click.command()
@click.argument("team", required=False)
def oncall(team: str | None) -> None:
    """Who is on call now for TEAM (default: every team; in chat: from CHAT_INPUT)."""

    def work() -> Finished:
        config, env = common.load()
        words = (team or env.ci.get("CHAT_INPUT", "")).split()
        teams = [known_team(words[0], list(config.teams))] if words else list(config.teams)
        return Finished(oncall_reply(config, env, teams), "ok")

    boundary.run(work, reply=True,
                 on_error=lambda exc: boundary.refused(f"{exc.message}\n{exc.hint}".rstrip(), exc),
                 on_crash=lambda: boundary.crashed(
                     "chatops CRASHED (a bug); check PagerDuty's on-call schedule directly."))


@click.command()
@click.option("--days", default=14, show_default=True, type=click.IntRange(1, 90),
              help="How far ahead to compare coverage with PagerDuty's schedules.")
def check(days: int) -> None:
    """Validate the configuration; with a PagerDuty token, list coverage gaps (exit 1)."""
    audit = AuditLog("chatops-check")

    def work() -> Finished:
        config, env = common.load()
        validate_templates(config)
        lines = [f"Configuration OK: {len(config.teams)} team(s), incident project "
                 f"{config.incident_project}; templates render."]
        missing = missing_variables(config, env, in_ci="CI_PIPELINE_SOURCE" in env.ci)
        if missing:
            print("\n".join(lines), flush=True)
            audit.record("check-variables", "environment", "missing", str(len(missing)))
            raise ConfigError("Variables the jobs need are not set in this job:\n"
                              + "\n".join(missing), PROTECTED_HINT)
        if env.pagerduty_api_token is None:
            lines.append("PAGERDUTY_API_TOKEN is not set: escalation policies and schedules "
                         "not compared with coverage.")
            return Finished("\n".join(lines), "ok", detail="schedules=not-checked")
        print("\n".join(lines), flush=True)
        pd = common.pagerduty(config, env)
        unknown = [f"teams.{key}: {unknown_policy_hint(team.escalation_policy_id)}"
                   for key, team in config.teams.items()
                   if not pd.policy_exists(team.escalation_policy_id)]
        if unknown:
            raise ConfigError("Unknown escalation policies (PagerDuty answers 404):\n" +
                              "\n".join(f"  - {u}" for u in unknown),
                              "Schedules were not compared with coverage.")
        found = _gaps(config, env, days)
        rules, loud = _drill_urgency(config, env)
        audit.record("check-coverage", f"{days} days", "gaps" if found else "ok", f"{len(found)}")
        audit.record("check-drill-urgency", "services", "loud" if loud else "ok", f"{len(loud)}")
        text = "\n".join([*rules, *found, *loud])
        if found or loud:
            return Finished(text, "gaps" if found else "loud-drills", boundary.EXIT_FAILED,
                            f"gaps={len(found)} loud_drills={len(loud)}")
        return Finished(text, "ok", detail="gaps=0 loud_drills=0")

    boundary.run(work, on_error=lambda exc: boundary.refused(f"CHECK FAILED: {exc}", exc),
                 on_crash=lambda: boundary.crashed("CHECK CRASHED (a bug): see the traceback."))


# GitLab passes protected CI/CD variables only to pipelines of protected branches and
# tags (docs.gitlab.com/ci/variables, "Protect a CI/CD variable"): a merge request
# pipeline from an unprotected branch runs without them, and must fail visibly.
PROTECTED_HINT = (
    "In a merge request pipeline "
    "from an unprotected branch, GitLab withholds protected CI/CD variables: push the "
    "change to a protected branch (for example a protected wildcard such as chatops/*) "
    "and open the merge request from there. Otherwise add them under Settings > CI/CD > "
    "Variables.")


def missing_variables(config: Config, env: Environment, in_ci: bool) -> list[str]:
    """A MISSING line per variable the jobs need but this environment lacks.

    Routing keys always (without one a team cannot be paged); in a pipeline also the
    tokens, because there the check stands for the deployed jobs.
    """
    lines = [f"MISSING {team.routing_key_env}: the Events API v2 routing key of "
             f"{team.display_name} (teams.{name}.routing_key_env)"
             for name, team in config.teams.items() if not env.routing_key(team)]
    if in_ci and env.pagerduty_api_token is None:
        lines.append("MISSING PAGERDUTY_API_TOKEN: the PagerDuty REST API key")
    if in_ci and env.gitlab_token is None:
        lines.append("MISSING GITLAB_TOKEN: the project or bot access token (scope api)")
    return lines


def _drill_urgency(config: Config, env: Environment) -> tuple[list[str], list[str]]:
    """Each team service's urgency rule, and a DRILL line where drills would not be low."""
    desk = common.pagerduty(config, env)
    rules, loud = [], []
    for team in config.teams.values():
        for sid, name, rule in desk.policy_services(team.escalation_policy_id):
            rules.append(f"URGENCY {team.display_name}: service {name} ({sid}): "
                         f"{urgency.describe(rule)}")
            problem = urgency.drill_problem(rule)
            if problem:
                loud.append(f"DRILL {team.display_name}: service {name} ({sid}): {problem}")
    return rules, loud


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
                             f"(coverage {coverage_text(team)})")
    return lines
