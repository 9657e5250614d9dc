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


def test_a_missing_command_module_says_nothing_was_sent(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """A broken installation (a package left out of the wheel) ends with a reply and a
    RESULT line that say page by hand, never a bare traceback."""
    from chatops.cli import main

    monkeypatch.setitem(COMMANDS, "page", "chatops.no_such_package.job:page")
    monkeypatch.setattr(sys, "argv", ["chatops", "page", "gitaly", "down"])
    monkeypatch.setenv("CI_PIPELINE_SOURCE", "chat")
    with pytest.raises(SystemExit) as ended:
        main.main()
    out = capsys.readouterr().out
    assert "NOT DONE: chatops CRASHED before doing anything" in out
    assert "No module named 'chatops.no_such_package'" in out
    assert "page by hand in PagerDuty NOW" in out
    assert out.rstrip().endswith("RESULT outcome=crashed")
    assert ended.value.code == 0  # a chat job: Slack shows the reply, RESULT is the truth


def test_every_package_is_in_the_wheel() -> None:
    """pyproject's package search (setuptools' fnmatch patterns) covers every folder with an
    __init__.py."""
    import fnmatch
    import tomllib
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    found = root.joinpath("pyproject.toml").read_text(encoding="utf-8")
    include = tomllib.loads(found)["tool"]["setuptools"]["packages"]["find"]["include"]
    on_disk = {str(p.parent.relative_to(root)).replace("/", ".")
               for name in ("chatops", "chatops_emulator")
               for p in root.joinpath(name).rglob("__init__.py")}
    assert {"chatops.page", "chatops.templates", "chatops_emulator"} <= on_disk
    assert [p for p in sorted(on_disk)
            if not any(fnmatch.fnmatchcase(p, pattern) for pattern in include)] == []
