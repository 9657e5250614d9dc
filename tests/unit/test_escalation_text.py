"""Inert text, exactly; escalation commands, exactly."""

from __future__ import annotations

import pytest

from chatops.core.escalation import (
    USAGE,
    VERBS,
    EscalationCommand,
    parse_command,
    parse_escalation_input,
)
from chatops.core.refs import IssueRef
from chatops.core.text import ZWSP, clean, code_block, defuse, first_line, single_line
from chatops.errors import InputError


# ---- text -----------------------------------------------------------------------
def test_clean_drops_control_characters_but_keeps_tabs_and_newlines() -> None:
    text = "a\x00b\x08c\td\ne\x0bf\x0cg\x0eh\x1fi\x7fj\r\nk\rl"
    assert clean(text) == "abc\td\nefghij\nk\nl"


def test_clean_keeps_printable_text() -> None:
    assert clean("it's 100% — done ~ ok") == "it's 100% — done ~ ok"


def test_defuse_exact() -> None:
    assert defuse("  @all\tping <!here> <@U1> <#C1> <http://x> a@b ") == (
        f"@{ZWSP}all ping <{ZWSP}!here> <{ZWSP}@{ZWSP}U1> <{ZWSP}#C1> <http://x> a@{ZWSP}b")
    assert defuse("@ alone and <> stay") == "@ alone and <> stay"
    assert defuse("@.x @-y @_z") == f"@{ZWSP}.x @{ZWSP}-y @{ZWSP}_z"


def test_code_block_exact() -> None:
    assert code_block("a\r\n\n/b\x00") == "    a\n    \n    /b"
    assert code_block("") == "    "


def test_single_line_limit_boundary() -> None:
    assert single_line("abcde", 5) == "abcde"
    assert single_line("abcdef", 5) == "abcd…"
    assert single_line("abc  defgh", 5) == "abc…"  # no space before the ellipsis
    assert single_line(" a \r\n b ", 10) == "a b"


def test_single_line_counts_the_defused_length() -> None:
    assert single_line("@all", 4) == f"@{ZWSP}a…"


def test_first_line_of_nothing_is_empty() -> None:
    assert first_line("", 10) == ""
    assert first_line(" \n\t\n", 10) == ""
    assert first_line("\r\nabcdefghijkl\nx", 5) == "abcd…"


# ---- escalation commands --------------------------------------------------------
def test_verbs_and_usage() -> None:
    assert VERBS == ("status", "resolve", "cancel", "list")
    assert USAGE == ("Usage: /chatops run escalation status REF | resolve REF [note] | "
                     "cancel REF [reason] | list  (REF: issue URL, group/project#N or N)")


def test_parse_command_normalises_the_verb_and_trims_text() -> None:
    assert parse_command(" Status ", "g/p#3", "  why \n") == EscalationCommand(
        "status", IssueRef("g/p", 3), "why")
    assert parse_command("LIST", "g/p#3", "ignored") == EscalationCommand("list", None)


def test_command_text_is_capped_at_1000_characters() -> None:
    assert parse_command("resolve", "3", "x" * 1000).text == "x" * 1000
    assert parse_command("resolve", "3", "y" * 1001).text == "y" * 1000


def test_command_errors_are_exact() -> None:
    with pytest.raises(InputError) as caught:
        parse_command("reopen", "3", "")
    assert caught.value.args[0] == "Unknown escalation command 'reopen'."
    assert caught.value.hint == USAGE
    with pytest.raises(InputError) as caught:
        parse_command("cancel", "", "")
    assert caught.value.args[0] == "'cancel' needs the incident issue."
    assert caught.value.hint == USAGE
    with pytest.raises(InputError) as caught:
        parse_escalation_input("  \n ")
    assert caught.value.args[0] == "No escalation command given."
    assert caught.value.hint == USAGE


def test_input_splits_into_verb_ref_and_the_rest() -> None:
    assert parse_escalation_input(" cancel  #4  false  alarm ") == EscalationCommand(
        "cancel", IssueRef(None, 4), "false  alarm")
    assert parse_escalation_input("status 4") == EscalationCommand("status", IssueRef(None, 4))
