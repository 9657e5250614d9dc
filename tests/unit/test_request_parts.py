"""Page requests: options at either end, severity, quotes, teams and limits, exactly."""

from __future__ import annotations

import pytest

from chatops.core.refs import IssueRef
from chatops.core.request import (
    DEFAULT_SEVERITY,
    MAX_MESSAGE_CHARS,
    PageRequest,
    build_request,
    known_team,
    parse_chat_input,
    parse_severity,
)
from chatops.errors import InputError

TEAMS = ["gitaly", "database"]


def test_every_option_at_the_front_with_equals_or_space() -> None:
    req = parse_chat_input("gitaly --incident=g/p#7 --severity=3 --drill --when-covered "
                           "--dry-run disk full", TEAMS)
    assert req == PageRequest("gitaly", "disk full", IssueRef("g/p", 7), 3, True, drill=True,
                              when_covered=True)


def test_every_option_at_the_end() -> None:
    req = parse_chat_input("database disk full --incident 7 --severity 4 --drill", TEAMS)
    assert req == PageRequest("database", "disk full", IssueRef(None, 7), 4, False, drill=True,
                              when_covered=False)


def test_options_only_at_the_front_then_message() -> None:
    req = parse_chat_input("gitaly --dry-run\ndisk full", TEAMS)
    assert (req.dry_run, req.message) == (True, "disk full")
    plain = parse_chat_input("gitaly disk full", TEAMS)
    assert plain == PageRequest("gitaly", "disk full", None, DEFAULT_SEVERITY, False)


def test_option_glued_to_a_word_is_message_text() -> None:
    req = parse_chat_input("gitaly disk x--drill", TEAMS)
    assert req.message == "disk x--drill" and not req.drill


def test_team_only_with_trailing_spaces_has_no_message() -> None:
    with pytest.raises(InputError) as caught:
        parse_chat_input("gitaly   ", TEAMS)
    assert caught.value.args[0] == "No message given for gitaly: say what is wrong."
    assert caught.value.hint == "Example: /chatops run page gitaly praefect is failing over"


def test_no_team_gives_the_usage() -> None:
    with pytest.raises(InputError) as caught:
        parse_chat_input("", TEAMS)
    assert caught.value.args[0] == "No team given."
    assert caught.value.hint == (
        "Usage: /chatops run page TEAM MESSAGE [--incident REF] [--severity 1-4], "
        "e.g. /chatops run page database praefect is failing over")
    with pytest.raises(InputError) as caught:
        parse_chat_input(" ", [])
    assert caught.value.hint.endswith("e.g. /chatops run page TEAM praefect is failing over")


def test_duplicate_option_names_the_option() -> None:
    with pytest.raises(InputError) as caught:
        parse_chat_input("gitaly --drill down --drill", TEAMS)
    assert caught.value.args[0] == "Option '--drill' is given twice."
    assert caught.value.hint == "Give each option once."


# ---- message ----------------------------------------------------------------------
def test_message_limit_is_inclusive() -> None:
    assert len(build_request("gitaly", "x" * MAX_MESSAGE_CHARS, None, None, False,
                             TEAMS).message) == 4000
    with pytest.raises(InputError) as caught:
        build_request("gitaly", "x" * 4001, None, None, False, TEAMS)
    assert caught.value.args[0] == "The message is 4001 characters long; at most 4000 are accepted."
    assert caught.value.hint == "Shorten it and put details in the incident issue."


@pytest.mark.parametrize(("given", "kept"), [
    ('"down"', "down"), ("'down'", "down"), ("“down”", "down"), ("‘down’", "down"),
    ('"a" and "b"', '"a" and "b"'), ('"down', '"down'), ('"', '"'), ('""x', '""x'),
    ("'it''", "'it''"), ("“down“", "“down“"), ("\n\t 'down' \r", "down"),
])
def test_one_pair_of_wrapping_quotes_is_dropped(given: str, kept: str) -> None:
    assert build_request("gitaly", given, None, None, False, TEAMS).message == kept


@pytest.mark.parametrize("empty", ['""', '" "', "''", "“”"])
def test_quotes_around_nothing_leave_no_message(empty: str) -> None:
    with pytest.raises(InputError, match="No message given"):
        build_request("gitaly", empty, None, None, False, TEAMS)


def test_only_spaces_tabs_and_line_ends_are_trimmed() -> None:
    assert build_request("gitaly", "Xorg crashed X", None, None, False,
                         TEAMS).message == "Xorg crashed X"
    assert build_request("gitaly", "\u2003down\u00a0", None, None, False,
                         TEAMS).message == "\u2003down\u00a0"


def test_message_keeps_inner_whitespace() -> None:
    assert build_request("gitaly", "  a\n  b  ", None, None, False, TEAMS).message == "a\n  b"


def test_build_request_parses_the_reference_and_flags() -> None:
    req = build_request(" Gitaly ", "down", "g/p#7", 1, True, TEAMS)
    assert req == PageRequest("gitaly", "down", IssueRef("g/p", 7), 1, True)
    assert build_request("gitaly", "down", "", None, False, TEAMS).incident is None


# ---- severity and teams --------------------------------------------------------
@pytest.mark.parametrize(("value", "severity"), [
    (None, 2), (1, 1), (4, 4), ("3", 3), ("SEV4", 4), ("Severity2", 2), ("s3", 3),
])
def test_parse_severity(value: str | int | None, severity: int) -> None:
    assert parse_severity(value) == severity


@pytest.mark.parametrize("value", [0, 5, "", "sev", "2.0", "ss1"])
def test_parse_severity_refusal_is_exact(value: str | int) -> None:
    with pytest.raises(InputError) as caught:
        parse_severity(value)
    assert caught.value.args[0] == f"Severity {value!r} is not one of 1, 2, 3, 4."
    assert caught.value.hint == "Use --severity 1 (critical) to --severity 4 (low)."


def test_known_team_normalises_and_refuses_exactly() -> None:
    assert known_team("  DataBase ", TEAMS) == "database"
    with pytest.raises(InputError) as caught:
        known_team(" Gitali ", TEAMS)
    assert caught.value.args[0] == "Unknown team 'Gitali'. Did you mean 'gitaly'?"
    assert caught.value.hint == (
        "Known teams: database, gitaly. Usage: /chatops run page TEAM MESSAGE "
        "[--incident REF] [--severity 1-4], e.g. /chatops run page database praefect is "
        "failing over")
    with pytest.raises(InputError) as caught:
        known_team("xyz", TEAMS)
    assert caught.value.args[0] == "Unknown team 'xyz'."


# ---- bytes that are not UTF-8 (surrogate escapes) name the part they are in ------------
BAD = "\udcff"


@pytest.mark.parametrize(("team", "message", "ref", "severity", "what", "at"), [
    (f"git{BAD}aly", "down", None, None, "team name", 4),
    ("gitaly", f"do{BAD}wn", None, None, "message", 3),
    ("gitaly", "down", f"{BAD}7", None, "--incident", 1),
    ("gitaly", "down", None, f"1{BAD}", "--severity", 2),
])
def test_build_request_names_the_part_that_is_not_utf8(team: str, message: str,
                                                       ref: str | None, severity: str | None,
                                                       what: str, at: int) -> None:
    with pytest.raises(InputError) as caught:
        build_request(team, message, ref, severity, False, TEAMS)
    assert caught.value.args[0] == (f"The {what} contains bytes that are not valid UTF-8 "
                                    f"(character {at}), so it was not understood.")
    assert caught.value.hint == ("Retype it in Slack or the terminal; copy-pasted binary text "
                                 "cannot be used.")


def test_chat_input_and_team_not_utf8_are_refused_by_name() -> None:
    with pytest.raises(InputError) as caught:
        parse_chat_input(f"gitaly down {BAD}", TEAMS)
    assert str(caught.value.args[0]).startswith("The request contains bytes that are not valid")
    with pytest.raises(InputError) as caught:
        known_team(f"{BAD}", TEAMS)
    assert str(caught.value.args[0]).startswith("The team name contains bytes")
