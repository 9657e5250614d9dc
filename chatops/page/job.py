"""The page job: read the request, send the first reads early, then page (or show a dry run)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from chatops.audit import AuditLog
from chatops.config import Config, Environment, config_path, read_config_file, require_env
from chatops.config_beside import PendingConfig
from chatops.core.model import Outcome
from chatops.core.refs import parse_ref
from chatops.core.request import (
    DRILL_MESSAGE,
    PageRequest,
    Requester,
    build_request,
    parse_chat_input,
    parse_severity,
)
from chatops.core.text import single_line
from chatops.errors import ChatopsError
from chatops.page import lookahead
from chatops.page.lookahead import Lookahead

if TYPE_CHECKING:
    from chatops.core.ports import IssueTracker, Pager
    from chatops.page.plan import PagePlan


@dataclass(frozen=True)
class Wiring:
    """What the CLI builds from the configuration and the environment for a page."""

    tracker: Callable[[Config, Environment], IssueTracker]  # GITLAB_TOKEN is set
    no_tracker: Callable[[], IssueTracker]  # GITLAB_TOKEN is not set: every call says so
    pager: Callable[[Config, Environment], Pager]  # the REST token is optional for a page
    now: Callable[[], datetime]
    login: Callable[[Environment], str]  # the job user's GitLab login, when it looks like one


def requester(env: Environment, login: str) -> Requester:
    """Who asked, from the ChatOps job's variables."""
    return Requester(
        login=login, slack_user=_ci_text(env, "CHAT_USER_ID"),
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


def read_request(teams: Sequence[str], env: Environment, words: tuple[str, ...],
                 flags: Flags) -> PageRequest:
    """The request from the arguments, or from CHAT_INPUT when there are none."""
    if words:
        request = build_request(words[0], " ".join(words[1:]), flags.incident, flags.severity,
                                flags.dry_run, teams, DRILL_MESSAGE if flags.drill else "")
    else:
        request = parse_chat_input(env.ci.get("CHAT_INPUT", ""), teams, drill=flags.drill)
        request = replace(
            request, incident=parse_ref(flags.incident) if flags.incident else request.incident,
            severity=parse_severity(flags.severity) if flags.severity else request.severity)
    return replace(request, dry_run=flags.dry_run or request.dry_run,
                   drill=flags.drill or request.drill,
                   when_covered=flags.when_covered or request.when_covered)


def _adapters(config: Config, env: Environment, team: str, ahead: Lookahead | None,
              wiring: Wiring) -> tuple[IssueTracker, Pager, str]:
    """Build the adapters (or keep the early reads' ones); without a routing key nothing can
    page, so that is checked first."""
    routing_key = env.routing_key(config.teams[team])
    require_env([(config.teams[team].routing_key_env, routing_key)])
    assert routing_key is not None
    # A missing GITLAB_TOKEN is treated like one GitLab refuses: the page still goes out.
    tracker = ((ahead and ahead.tracker) or wiring.tracker(config, env) if env.gitlab_token
               else wiring.no_tracker())
    pager = (ahead and ahead.pager) or wiring.pager(config, env)
    return tracker, pager, routing_key


def dry_run(plan: PagePlan) -> str:
    """Print what would be sent; return the reply."""
    # Nothing is asked of PagerDuty or GitLab: say so where the texts give a reason.
    plan.flow = replace(plan.flow, oncall_problem="not asked in a dry run",
                        gitlab_problem="a dry run creates nothing")
    print("DRY RUN: nothing is sent.\n--- incident issue title ---")
    print(plan.title())
    print("--- incident issue description ---")
    print(plan.description())
    print("--- PagerDuty Events API v2 trigger (routing_key added when sent) ---")
    print(json.dumps(plan.trigger_body(), indent=2))
    return (f"DRY RUN: nothing was sent. A real run would open an incident issue in "
            f"{plan.config.incident_project} and page {plan.team.display_name} "
            f"(S{plan.request.severity}); the job log shows the issue text and the event.")


def execute(words: tuple[str, ...], flags: Flags, env: Environment, audit: AuditLog,
            wiring: Wiring) -> tuple[str, Outcome]:
    """Run one page request end to end; return the reply and the outcome."""
    path = config_path()
    raw = read_config_file(path)
    pending = PendingConfig(path)  # validated beside this process while the reads are out
    ahead = _look_ahead(env, raw, words, flags)
    # The rest of the page loads while the first reads are out (and the file is validated).
    from chatops import render
    from chatops.page.plan import ISSUE_TEMPLATE, PagePlan
    from chatops.page.runner import PageRunner

    if ahead is not None:  # shipped templates only (lookahead.start)
        render.prepare((ISSUE_TEMPLATE,))
    config = pending.result()
    request = read_request(list(config.teams), env, words, flags)

    plan = PagePlan(config, request, requester(env, wiring.login(env)), wiring.now,
                    oncall_readable=env.pagerduty_api_token is not None)
    if request.dry_run:
        return dry_run(plan), Outcome.DRY_RUN
    if ahead is not None and not ahead.matches(config, request):
        ahead = None  # read with other values than the validated ones: ask again
    tracker, pager, routing_key = _adapters(config, env, request.team, ahead, wiring)
    # A note on the PagerDuty incident needs a PagerDuty user (From header).
    from_email = env.ci.get("PAGERDUTY_FROM_EMAIL") or env.ci.get("GITLAB_USER_EMAIL", "")
    result = PageRunner(plan, tracker, pager, routing_key, audit, from_email, ahead).run()
    assert result.flow.outcome is not None
    return result.reply, result.flow.outcome


def _look_ahead(env: Environment, raw: dict[str, object], words: tuple[str, ...],
                flags: Flags) -> Lookahead | None:
    """Send the first reads from the raw file; a request it cannot read waits for validation
    (which then names the configuration's problems before the request's)."""
    try:
        request = read_request(lookahead.teams_in(raw), env, words, flags)
    except ChatopsError:
        return None
    return lookahead.start(env, raw, request)


def page_sent(audit: AuditLog) -> bool:
    """True once PagerDuty accepted the trigger in this job."""
    return audit.happened("trigger-page", "ok")


def unfinished(what: str) -> str:
    """The reply when the job stopped after the page went out: it is PAGED, say what is left."""
    return ("PAGED, but chatops then stopped before it finished: the page went out (PagerDuty "
            f"accepted it), so do NOT page again.\nWhat did not finish: {what}\nThe incident "
            "issue may lack its labels or note; follow the page in PagerDuty and tell the "
            "ChatOps maintainers.")


def crash_reply(audit: AuditLog) -> str:
    """The reply after an unexpected error: say whether the page had already gone out."""
    if page_sent(audit):
        return unfinished("chatops CRASHED (a bug; the job log has the details).")
    return ("NOT PAGED: chatops CRASHED (a bug) before the page went out. Page by hand in "
            "PagerDuty NOW (the team's service, New Incident), then tell the ChatOps maintainers.")
