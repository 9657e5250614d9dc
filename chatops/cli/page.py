"""`chatops page`: page a team's second-tier on-call and open the incident issue."""

from __future__ import annotations

import click

from chatops.audit import AuditLog
from chatops.cli import boundary, common
from chatops.cli.boundary import Finished
from chatops.config import Environment
from chatops.errors import ChatopsError, ConfigError
from chatops.page import job
from chatops.page.job import Flags

# The adapters as every command builds them; a page needs no PagerDuty REST token.
WIRING = job.Wiring(tracker=common.tracker, no_tracker=common.NoTracker,
                    pager=lambda config, env: common.pagerduty(config, env, token_required=False),
                    now=common.now, login=common.login)


def refusal(exc: ChatopsError, audit: AuditLog) -> Finished:
    """The reply to a ChatopsError: nothing was sent (what to fix), or the page went out."""
    if job.page_sent(audit):
        return Finished(job.unfinished(exc.message), "paged", exc.exit_code,
                        f"unfinished error={type(exc).__name__}")
    if isinstance(exc, ConfigError):
        text = (f"NOT PAGED: chatops is misconfigured. {exc.message}\n{exc.hint}\n"
                "If this is urgent, page by hand in PagerDuty now (the team's service, "
                "New Incident) and tell the ChatOps maintainers.")
    else:
        text = f"NOT PAGED: {exc.message}\n{exc.hint}".rstrip()
    return boundary.refused(text, exc)


# Options whatever their case in a terminal too (`--DRY-RUN` is a dry run), as in chat.
_ANY_CASE = {"token_normalize_func": str.lower}


@click.command(context_settings=_ANY_CASE)
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


@click.command(context_settings=_ANY_CASE)
@click.argument("team", required=False)
@click.argument("message", nargs=-1)
@click.option("--dry-run", "dry", is_flag=True, help="Show the issue and event; send nothing.")
def drill(team: str | None, message: tuple[str, ...], dry: bool) -> None:
    """Page TEAM for practice (default: TEAM [MESSAGE] from CHAT_INPUT), marked as a drill."""
    run_page((team, *message) if team else (), Flags(dry_run=dry, drill=True))


def run_page(words: tuple[str, ...], flags: Flags) -> None:
    """Run a page job: reply (in the chat section from ChatOps), RESULT line, exit status."""
    env = Environment.read()
    audit = AuditLog("@" + env.ci.get("GITLAB_USER_LOGIN", "unknown"))

    def work() -> Finished:
        reply, outcome = job.execute(words, flags, env, audit, WIRING)
        return Finished(reply, outcome.value,
                        boundary.EXIT_FAILED if outcome.failed else boundary.EXIT_OK)

    def crash() -> Finished:
        if job.page_sent(audit):
            return Finished(job.crash_reply(audit), "paged", boundary.EXIT_CRASH,
                            "unfinished crashed")
        return boundary.crashed(job.crash_reply(audit))

    boundary.run(work, on_error=lambda exc: refusal(exc, audit), on_crash=crash, reply=True)
