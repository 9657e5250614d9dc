"""`chatops page`: page a team's second-tier on-call and open the incident issue."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, replace

import click

from chatops.audit import AuditLog
from chatops.cli import common
from chatops.cli.output import chat_reply, crash_report
from chatops.config import Config, Environment, config_path, load_config, require_env
from chatops.core.compose import Requester
from chatops.core.model import Outcome
from chatops.core.ports import IssueTracker, Pager
from chatops.core.refs import parse_ref
from chatops.core.request import PageRequest, build_request, parse_chat_input, parse_severity
from chatops.core.text import single_line
from chatops.errors import ChatopsError, ConfigError
from chatops.runner import PagePlan, PageRunner


def requester(env: Environment) -> Requester:
    """Who asked, from the ChatOps job's variables."""
    return Requester(
        login=common.login(env), slack_user=_ci_text(env, "CHAT_USER_ID"),
        channel=_ci_text(env, "CHAT_CHANNEL"), job_url=_ci_text(env, "CI_JOB_URL"),
        gitlab_url=env.gitlab_url, user_id=env.ci.get("GITLAB_USER_ID", ""),
    )


def _ci_text(env: Environment, name: str) -> str:
    """A CI variable written into issues: one defused line, only UTF-8, never a marker line."""
    value = env.ci.get(name, "").encode("utf-8", "replace").decode("utf-8")
    return single_line(value, 200)


@dataclass(frozen=True)
class Flags:
    """The command-line options of a page."""

    incident: str | None = None
    severity: str | None = None
    dry_run: bool = False
    drill: bool = False
    when_covered: bool = False


def read_request(config: Config, env: Environment, words: tuple[str, ...],
                 flags: Flags) -> PageRequest:
    """The request from the arguments, or from CHAT_INPUT when there are none."""
    teams = list(config.teams)
    if words:
        request = build_request(words[0], " ".join(words[1:]), flags.incident, flags.severity,
                                flags.dry_run, teams)
    else:
        request = parse_chat_input(env.ci.get("CHAT_INPUT", ""), teams)
        request = replace(
            request, incident=parse_ref(flags.incident) if flags.incident else request.incident,
            severity=parse_severity(flags.severity) if flags.severity else request.severity)
    return replace(request, dry_run=flags.dry_run or request.dry_run,
                   drill=flags.drill or request.drill,
                   when_covered=flags.when_covered or request.when_covered)


def _adapters(config: Config, env: Environment, team: str) -> tuple[IssueTracker, Pager, str]:
    """Build the adapters after checking every credential the page needs, all at once."""
    routing_key = env.routing_key(config.teams[team])
    require_env([("GITLAB_TOKEN", env.gitlab_token),
                 (config.teams[team].routing_key_env, routing_key)])
    assert routing_key is not None
    return (common.tracker(config, env), common.pagerduty(config, env, token_required=False),
            routing_key)


def dry_run(plan: PagePlan) -> str:
    """Print what would be sent; return the reply."""
    print("DRY RUN: nothing is sent.\n--- incident issue title ---")
    print(plan.title())
    print("--- incident issue description ---")
    print(plan.description())
    print("--- PagerDuty Events API v2 trigger (routing_key added when sent) ---")
    print(json.dumps(plan.event(), indent=2))
    return (f"DRY RUN: nothing was sent. A real run would open an incident issue in "
            f"{plan.config.incident_project} and page {plan.team.display_name} "
            f"(S{plan.request.severity}); the job log shows the issue text and the event.")


def execute(words: tuple[str, ...], flags: Flags, env: Environment,
            audit: AuditLog) -> tuple[str, Outcome]:
    """Run one page request end to end; return the reply and the outcome."""
    config = load_config(config_path())
    request = read_request(config, env, words, flags)
    plan = PagePlan(config, request, requester(env), common.now,
                    oncall_readable=env.pagerduty_api_token is not None)
    if request.dry_run:
        return dry_run(plan), Outcome.DRY_RUN
    tracker, pager, routing_key = _adapters(config, env, request.team)
    result = PageRunner(plan, tracker, pager, routing_key, audit).run()
    assert result.flow.outcome is not None
    return result.reply, result.flow.outcome


def refusal(exc: ChatopsError) -> str:
    """The reply when nothing was sent: what is wrong, and what to do now."""
    if isinstance(exc, ConfigError):
        return (f"NOT PAGED: chatops is misconfigured. {exc.message}\n{exc.hint}\n"
                "If this is urgent, page by hand in PagerDuty now (the team's service, "
                "New Incident) and tell the ChatOps maintainers.")
    return f"NOT PAGED: {exc.message}\n{exc.hint}".rstrip()


def crash_reply(audit: AuditLog) -> str:
    """The reply after an unexpected error: say whether the page had already gone out."""
    sent = any(" action=trigger-page " in line and " outcome=ok" in line for line in audit.lines)
    if sent:
        return ("PAGED, but chatops then CRASHED (a bug) before it finished: the page went out; "
                "the incident issue may lack its labels or note. Tell the ChatOps maintainers.")
    return ("NOT PAGED: chatops CRASHED (a bug) before the page went out. Page by hand in "
            "PagerDuty NOW (the team's service, New Incident), then tell the ChatOps maintainers.")


@click.command()
@click.argument("words", nargs=-1)
@click.option("--incident", metavar="REF", help="Issue URL, group/project#N or N to page on.")
@click.option("--severity", metavar="1-4", help="1 critical … 4 low (default 2).")
@click.option("--drill", is_flag=True, help="A practice page: low urgency, never in metrics.")
@click.option("--when-covered", is_flag=True,
              help="Outside coverage: queue the page until coverage starts.")
@click.option("--dry-run", "dry", is_flag=True, help="Show the issue and event; send nothing.")
def page(words: tuple[str, ...], incident: str | None, severity: str | None, drill: bool,
         when_covered: bool, dry: bool) -> None:
    """Page TEAM's second-tier on-call about MESSAGE (default: read from CHAT_INPUT)."""
    run_page(words, Flags(incident, severity, dry, drill, when_covered))


@click.command()
@click.argument("team")
@click.argument("message", nargs=-1)
@click.option("--dry-run", "dry", is_flag=True, help="Show the issue and event; send nothing.")
def drill(team: str, message: tuple[str, ...], dry: bool) -> None:
    """Page TEAM for practice: a real page at low urgency, marked as a drill everywhere."""
    text = " ".join(message) or "Practice page: please acknowledge in PagerDuty."
    run_page((team, text), Flags(dry_run=dry, drill=True))


def run_page(words: tuple[str, ...], flags: Flags) -> None:
    """Run a page job: reply (in the chat section from ChatOps), RESULT line, exit status."""
    env = Environment.read()
    chat = env.ci.get("CI_PIPELINE_SOURCE") == "chat"
    audit = AuditLog("@" + env.ci.get("GITLAB_USER_LOGIN", "unknown"))
    code = 0
    try:
        reply, outcome = execute(words, flags, env, audit)
        code = 1 if outcome.failed else 0
        result = f"RESULT outcome={outcome.value}"
    except ChatopsError as exc:
        reply = refusal(exc)
        code, result = exc.exit_code, f"RESULT outcome=refused error={type(exc).__name__}"
    except Exception:
        print(crash_report(), file=sys.stderr, flush=True)
        reply = crash_reply(audit)
        code, result = 70, "RESULT outcome=crashed"
    chat_reply(reply, chat=chat)
    print(result, flush=True)
    # In a ChatOps job a failed job shows Slack only "Sorry, the build failed!", so the
    # reply above carries the outcome and the job itself succeeds; RESULT is the truth.
    sys.exit(0 if chat else code)
