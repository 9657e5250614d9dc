"""The `chatops` command: a small click group of thin commands, each imported on use."""

from __future__ import annotations

import importlib
import sys

import click

# Command name -> "module:attribute". A job imports only the command it runs: the page
# job never pays for the report, sync or demo code (lazy loading as in click's docs,
# "Advanced Groups and Context: Lazily Loading Subcommands").
COMMANDS: dict[str, str] = {
    "page": "chatops.cli.page:page",
    "drill": "chatops.cli.page:drill",
    "oncall": "chatops.cli.oncall:oncall",
    "check": "chatops.cli.check:check",
    "escalation": "chatops.cli.escalation:escalation",
    "sync": "chatops.cli.sync:sync",
    "webhook": "chatops.cli.webhook:webhook",
    "report": "chatops.cli.report:report",
    "feedback": "chatops.cli.feedback:feedback",
    "demo": "chatops.cli.demo:demo",
}


class LazyGroup(click.Group):
    """A click group whose subcommands are imported only when they are invoked."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every command name, in the order of COMMANDS."""
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """Import the named command's module and return the command, or None."""
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, attribute = target.split(":")
        command = getattr(importlib.import_module(module), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{target} is not a click command")
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="chatops")
def cli() -> None:
    """Reach an expert team from Slack: GitLab ChatOps + PagerDuty."""


INCOMPLETE = ("NOT DONE: chatops CRASHED before doing anything, because its installation is "
              "incomplete ({}). Nothing was sent. If you were paging, page by hand in "
              "PagerDuty NOW (the team's service, New Incident), then tell the ChatOps "
              "maintainers to rebuild the chatops image.")


def main() -> None:
    """Console-script entry point: click's usage errors end with a RESULT line too."""
    from chatops.cli.boundary import EXIT_FAILED, Finished, crashed, finish, usage_error

    try:
        cli.main(prog_name="chatops", standalone_mode=False)
    except click.ClickException as exc:
        usage_error(exc)
    except ImportError as exc:  # a command's module is missing: the installation is broken
        finish(crashed(INCOMPLETE.format(exc)), reply=True)
    except click.Abort:
        print("Aborted.", file=sys.stderr)
        finish(Finished("", "aborted", EXIT_FAILED))
