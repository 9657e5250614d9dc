"""`chatops escalation status|resolve|cancel|list` (from chat: CHAT_INPUT='status 123')."""

from __future__ import annotations

import os
from collections.abc import Callable

import click

from chatops.audit import AuditLog
from chatops.cli import boundary, common
from chatops.cli.boundary import Finished
from chatops.core.escalation import EscalationCommand, parse_command, parse_escalation_input
from chatops.escalation import Actor, Escalations


def _execute(parse: Callable[[], EscalationCommand] | None,
             audit: AuditLog) -> tuple[str, bool]:
    """Run one command; return the reply and whether part of it failed."""
    config, env = common.load()
    command = parse() if parse else parse_escalation_input(env.ci.get("CHAT_INPUT", ""))
    actor = Actor(login=common.login(env), email=env.ci.get("GITLAB_USER_EMAIL", ""),
                  fallback_email=env.ci.get("PAGERDUTY_FROM_EMAIL", ""),
                  gitlab_url=env.gitlab_url, user_id=env.ci.get("GITLAB_USER_ID", ""))
    pd = common.pagerduty(config, env)
    tracker = common.tracker(config, env)
    return Escalations(config, tracker, pd, audit, common.now, actor).execute(command)


def _run(command: Callable[[], EscalationCommand] | None) -> None:
    """Run, reply (in the chat section from a ChatOps job), exit truthfully.

    The arguments are parsed inside, so a bad reference gets the same refusal as in chat.
    """
    audit = AuditLog("@" + (os.environ.get("GITLAB_USER_LOGIN") or "unknown"))

    def work() -> Finished:
        reply, failed = _execute(command, audit)
        if failed:
            return Finished(reply, "partial-failure", boundary.EXIT_FAILED)
        return Finished(reply, "ok")

    boundary.run(
        work, reply=True,
        on_error=lambda exc: boundary.refused(
            f"NOTHING CHANGED: {exc.message}\n{exc.hint}".rstrip(), exc),
        on_crash=lambda: boundary.crashed(
            "chatops CRASHED (a bug); the job log has the details. Check the incident in "
            "PagerDuty directly, and tell the ChatOps maintainers."))


@click.group(invoke_without_command=True)
@click.pass_context
def escalation(ctx: click.Context) -> None:
    """Status, resolve, cancel or list escalations; with no command, read it from CHAT_INPUT."""
    if ctx.invoked_subcommand is None:
        _run(None)


@escalation.command()
@click.argument("ref")
def status(ref: str) -> None:
    """Where each page on REF stands, live from PagerDuty."""
    _run(lambda: parse_command("status", ref, ""))


@escalation.command()
@click.argument("ref")
@click.argument("note", nargs=-1)
def resolve(ref: str, note: tuple[str, ...]) -> None:
    """Resolve the open pages on REF in PagerDuty, label and comment the issue."""
    _run(lambda: parse_command("resolve", ref, " ".join(note)))


@escalation.command()
@click.argument("ref")
@click.argument("reason", nargs=-1)
def cancel(ref: str, reason: tuple[str, ...]) -> None:
    """Cancel the pages on REF as a false alarm (label escalation::cancelled)."""
    _run(lambda: parse_command("cancel", ref, " ".join(reason)))


@escalation.command(name="list")
def list_() -> None:
    """Open escalations, oldest first."""
    _run(lambda: parse_command("list", None, ""))
