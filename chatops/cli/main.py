"""The `chatops` command: a small click group of thin commands."""

from __future__ import annotations

import click

from chatops.cli.demo import demo
from chatops.cli.escalation import escalation
from chatops.cli.follow import sync, webhook
from chatops.cli.oncall import check, oncall
from chatops.cli.page import drill, page
from chatops.cli.report import feedback, report


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="chatops")
def cli() -> None:
    """Reach an expert team from Slack: GitLab ChatOps + PagerDuty."""


cli.add_command(page)
cli.add_command(drill)
cli.add_command(oncall)
cli.add_command(check)
cli.add_command(report)
cli.add_command(feedback)
cli.add_command(demo)
cli.add_command(escalation)
cli.add_command(sync)
cli.add_command(webhook)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="chatops")
