"""Validation beside the page: the same answer as validating here, whatever happens."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from chatops import config_beside
from chatops.config import load_config
from chatops.config_beside import PendingConfig
from chatops.errors import ConfigError

GOOD = """
incident_project = "g/p"
templates_dir = "templates"
[teams.gitaly]
display_name = "Gitaly"
routing_key_env = "RK_GITALY"
escalation_policy_id = "PXXXXXX"
fallback = "ask devoncall"
response_minutes = [10, 20]
[teams.gitaly.coverage]
exclude_dates = [2026-12-25]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "chatops.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_side_process_validates_without_pydantic_here(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    pending = PendingConfig(path)
    assert pending._side is not None  # a real second process
    assert pending.result() == load_config(path)
    assert pending._side is None


def test_an_invalid_file_gets_the_same_error_as_validating_here(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace('"PXXXXXX"', '"nope"') + "colour = 1\n")
    with pytest.raises(ConfigError) as here:
        load_config(path)
    with pytest.raises(ConfigError) as beside:
        PendingConfig(path).result()
    assert beside.value.message == here.value.message
    assert "escalation_policy_id" in beside.value.message


class FakeSide:
    """A side process that answers out, or hangs."""

    def __init__(self, out: bytes, code: int = 0, hang: bool = False) -> None:
        self.out, self.returncode, self.hang, self.killed = out, code, hang, False

    def communicate(self, timeout: float | None = None) -> tuple[bytes, bytes]:
        if self.hang and not self.killed:
            raise subprocess.TimeoutExpired("side", timeout or 0)
        return self.out, b""

    def kill(self) -> None:
        self.killed = True


@pytest.mark.parametrize("side", [
    FakeSide(b"not a pickle"),  # garbage: validated here
    FakeSide(b"\x80\x04\x95\x05\x00\x00\x00\x00\x00\x00\x00\x8c\x01x\x94."),  # a str, not a Config
    FakeSide(b"", code=1),  # failed
    FakeSide(b"", hang=True),  # hung: killed, validated here
])
def test_a_failing_side_process_falls_back_to_validating_here(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, side: FakeSide) -> None:
    path = write(tmp_path, GOOD)
    monkeypatch.setattr(subprocess, "Popen", lambda *a, **k: side)
    assert PendingConfig(path).result() == load_config(path)
    assert side.killed == side.hang


def test_no_interpreter_to_start_validates_here(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, GOOD)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-such-python"))
    pending = PendingConfig(path)
    assert pending._side is None
    assert pending.result() == load_config(path)


def test_side_main_writes_the_config_or_exits_1(tmp_path: Path,
                                                capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    import pickle

    path = write(tmp_path, GOOD)
    assert config_beside.main(["x", str(path)]) == 0
    out: Any = pickle.loads(capsysbinary.readouterr().out)  # noqa: S301 - our own output
    assert out == (config_beside._HOME, load_config(path))
    assert config_beside.main(["x", str(tmp_path / "missing.toml")]) == 1
    assert capsysbinary.readouterr().out == b""


def test_an_answer_of_another_chatops_is_not_taken(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A side process that loaded another copy of chatops (an older install) may validate
    by older rules: its answer is dropped and the file validated here."""
    import pickle

    path = write(tmp_path, GOOD)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()  # a Config that differs: its templates_dir is anchored there
    other = pickle.dumps(("/elsewhere/chatops", load_config(write(elsewhere, GOOD))))
    monkeypatch.setattr(subprocess, "Popen", lambda *a, **k: FakeSide(other))
    assert PendingConfig(path).result().templates_dir == tmp_path / "templates"


def test_the_side_process_gets_no_secrets_and_this_chatops_first(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}

    def popen(args: list[str], **kwargs: Any) -> FakeSide:
        seen.update(kwargs, args=args)
        return FakeSide(b"", code=1)

    monkeypatch.setenv("GITLAB_TOKEN", "glpat-secret")
    monkeypatch.setenv("PAGERDUTY_ROUTING_KEY_GITALY", "R0UTING")
    monkeypatch.setattr(subprocess, "Popen", popen)
    PendingConfig(write(tmp_path, GOOD)).result()
    assert seen["args"][1:4] == ["-P", "-m", "chatops.config_beside"]
    assert "GITLAB_TOKEN" not in seen["env"] and "PAGERDUTY_ROUTING_KEY_GITALY" not in seen["env"]
    assert seen["env"]["PYTHONPATH"].split(os.pathsep)[0] == str(
        Path(config_beside._HOME).parent)


def test_without_an_interpreter_path_nothing_is_started(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "executable", "")
    pending = PendingConfig(write(tmp_path, GOOD))
    assert pending._side is None
    assert pending.result() == load_config(tmp_path / "chatops.toml")
