"""The command group: every command resolves, and a job imports only what it runs."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest

from chatops.cli.main import COMMANDS, cli


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_resolves(name: str) -> None:
    """Each registered name imports to a click command of that name."""
    command = cli.get_command(click.Context(cli), name)
    assert isinstance(command, click.Command)
    assert command.name == name


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_each_command_lives_in_the_cli_file_of_its_name(name: str) -> None:
    """`chatops X` is chatops/cli/X.py; a drill is a page, so it is page.py's second command."""
    module = COMMANDS[name].split(":")[0]
    assert module == f"chatops.cli.{'page' if name == 'drill' else name}"


def test_unknown_command_is_none() -> None:
    """An unknown name is click's usual 'No such command', not an import error."""
    assert cli.get_command(click.Context(cli), "nosuch") is None


def test_page_job_imports_only_the_page_command() -> None:
    """`chatops page --help` loads neither the report, sync, escalation nor demo code."""
    probe = ("import sys\nfrom chatops.cli.main import cli\n"
             "try:\n    cli(['page', '--help'], standalone_mode=False)\nfinally:\n"
             "    print(' '.join(sorted(m for m in sys.modules if m.startswith('chatops'))))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout
    loaded = set(out.split())
    assert "chatops.cli.page" in loaded
    for heavy in ("chatops.cli.report", "chatops.cli.feedback", "chatops.cli.sync",
                  "chatops.cli.webhook", "chatops.cli.escalation", "chatops.cli.demo",
                  "chatops_emulator"):
        assert heavy not in loaded
