"""The `chatops` command: a small click group of thin commands."""

from __future__ import annotations

import click

from chatops.cli.demo import demo
from chatops.cli.page import page


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="chatops")
def cli() -> None:
    """Reach an expert team from Slack: GitLab ChatOps + PagerDuty."""


cli.add_command(page)
cli.add_command(demo)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="chatops")
