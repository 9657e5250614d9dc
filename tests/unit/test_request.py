"""Parsing of page requests from CHAT_INPUT and arguments."""

import pytest

from chatops.core.refs import IssueRef
from chatops.core.request import MAX_MESSAGE_CHARS, build_request, parse_chat_input
from chatops.errors import InputError

TEAMS = ["gitaly", "database"]


def test_first_word_is_team_rest_is_message_verbatim() -> None:
    req = parse_chat_input('gitaly it\'s down: "praefect" failing\n  over on file-01', TEAMS)
    assert req.team == "gitaly"
    assert req.message == 'it\'s down: "praefect" failing\n  over on file-01'
    assert (req.severity, req.incident, req.dry_run) == (2, None, False)


def test_wrapping_quotes_are_dropped_once() -> None:
    req = parse_chat_input('gitaly "praefect is failing over on file-01"', TEAMS)
    assert req.message == "praefect is failing over on file-01"


def test_leading_and_trailing_options_are_recognised() -> None:
    req = parse_chat_input("Gitaly --severity 1 --incident 42 disk full --dry-run", TEAMS)
    assert req.team == "gitaly"
    assert req.message == "disk full"
    assert req.severity == 1
    assert req.incident == IssueRef(None, 42)
    assert req.dry_run is True


@pytest.mark.parametrize("text", ["gitaly test please ignore --dry-run but check",
                                  "gitaly run it with --severity 1 flag please"])
def test_options_inside_the_message_are_refused_not_ignored(text: str) -> None:
    with pytest.raises(InputError, match="inside the message"):
        parse_chat_input(text, TEAMS)


def test_unknown_leading_option_is_refused() -> None:
    with pytest.raises(InputError, match="Unknown option '--sev'"):
        parse_chat_input("gitaly --sev 1 disk full", TEAMS)


def test_slack_em_dash_options_are_understood() -> None:
    req = parse_chat_input("gitaly —severity 1 disk full –dry-run", TEAMS)
    assert (req.severity, req.dry_run, req.message) == (1, True, "disk full")


@pytest.mark.parametrize("value", ["1", "S1", "sev1", "severity1", " 1 "])
def test_severity_spellings(value: str) -> None:
    assert build_request("gitaly", "down", None, value, False, TEAMS).severity == 1


def test_unknown_team_suggests_and_lists_known_teams() -> None:
    with pytest.raises(InputError) as err:
        parse_chat_input("gitali praefect down", TEAMS)
    assert "Did you mean 'gitaly'" in err.value.message
    assert "database, gitaly" in err.value.hint


def test_empty_input_and_empty_message_say_what_is_missing() -> None:
    with pytest.raises(InputError, match="No team"):
        parse_chat_input("   ", TEAMS)
    with pytest.raises(InputError, match="No message given for gitaly"):
        parse_chat_input("gitaly --severity 1", TEAMS)


def test_message_length_is_bounded() -> None:
    with pytest.raises(InputError, match="at most"):
        build_request("gitaly", "x" * (MAX_MESSAGE_CHARS + 1), None, None, False, TEAMS)


@pytest.mark.parametrize("bad", ["0", "5", "high", "-1"])
def test_bad_severity_is_refused(bad: str) -> None:
    with pytest.raises(InputError, match="Severity"):
        build_request("gitaly", "down", None, bad, False, TEAMS)


def test_option_given_twice_is_refused() -> None:
    with pytest.raises(InputError, match="twice"):
        parse_chat_input("gitaly --severity 1 --severity 2 down", TEAMS)


@pytest.mark.parametrize("text", ["gitaly testing --DRY-RUN", "gitaly --Dry-Run testing",
                                  "gitaly testing —DRY-RUN", "gitaly testing --dry-run"])
def test_dry_run_is_recognised_whatever_its_case(text: str) -> None:
    """Issue 10: `gitaly testing --DRY-RUN` paged for real at S2."""
    req = parse_chat_input(text, TEAMS)
    assert (req.dry_run, req.message) == (True, "testing")


def test_every_option_is_recognised_whatever_its_case() -> None:
    req = parse_chat_input("gitaly --Drill --SEVERITY 3 --Incident 7 disk full --When-Covered",
                           TEAMS)
    assert (req.drill, req.severity, req.incident, req.when_covered, req.message) == (
        True, 3, IssueRef(None, 7), True, "disk full")


@pytest.mark.parametrize(("written", "meant"), [
    ("--dryrun", "dry-run"), ("--dry_run", "dry-run"), ("--DRYRUN", "dry-run"),
    ("--dry", "dry-run"), ("--drll", "drill"), ("--dril", "drill"), ("--severty", "severity"),
    ("--sev", "severity"), ("--incidnet", "incident"), ("--whencovered", "when-covered"),
    ("—dryrun", "dry-run"), ("--when_covered", "when-covered")])
@pytest.mark.parametrize("where", ["{} testing", "testing {}", "testing {} now"])
def test_near_misses_of_an_option_are_refused_with_did_you_mean(
        written: str, meant: str, where: str) -> None:
    with pytest.raises(InputError) as err:
        parse_chat_input("gitaly " + where.format(written), TEAMS)
    assert f"did you mean '--{meant}'" in err.value.message
    assert "Nothing was sent" in err.value.message


@pytest.mark.parametrize("message", [
    "git gc --aggressive hangs on file-01", "rsync --delete removed files",
    "praefect --version says 16.1", "see `ls --all` output", "curl -X POST --data x fails",
    "up since 2020–2021", "run it with --force and --prune", "tar --drain-fast?"])
def test_ordinary_technical_flags_still_page(message: str) -> None:
    req = parse_chat_input(f"gitaly {message}", TEAMS)
    assert (req.message, req.dry_run, req.drill) == (message, False, False)


def test_terminal_words_are_checked_like_chat_text() -> None:
    with pytest.raises(InputError, match="did you mean '--drill'"):
        build_request("gitaly", "practice --drll", None, None, False, TEAMS)
    assert build_request("gitaly", "git gc --aggressive", None, None, False,
                         TEAMS).message == "git gc --aggressive"
