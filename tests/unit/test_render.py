"""Templates: StrictUndefined, overrides, and chat text never executed as template code."""

from pathlib import Path

import pytest

from chatops.errors import ConfigError
from chatops.render import render


def test_strict_undefined_fails_loudly(tmp_path: Path) -> None:
    (tmp_path / "reply.txt.j2").write_text("hello {{ nobody }}")
    with pytest.raises(ConfigError, match=r"reply\.txt\.j2"):
        render("reply.txt.j2", {}, tmp_path)


def test_override_folder_wins_and_text_is_data(tmp_path: Path) -> None:
    (tmp_path / "custom.txt.j2").write_text("msg={{ message }}")
    out = render("custom.txt.j2", {"message": "{{ 7*7 }}{% for x in y %}"}, tmp_path)
    assert out == "msg={{ 7*7 }}{% for x in y %}\n"


def test_missing_override_folder_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not a folder"):
        render("reply.txt.j2", {}, tmp_path / "missing")
