"""Escalation chat commands."""

import pytest

from chatops.core.escalation import parse_escalation_input
from chatops.core.refs import IssueRef
from chatops.errors import InputError


def test_status_resolve_cancel_list() -> None:
    assert parse_escalation_input("status 12").ref == IssueRef(None, 12)
    cmd = parse_escalation_input("resolve g/p#3 restarted praefect\nall good")
    assert (cmd.verb, cmd.ref, cmd.text) == ("resolve", IssueRef("g/p", 3),
                                             "restarted praefect\nall good")
    assert parse_escalation_input("CANCEL 4 false alarm").text == "false alarm"
    assert parse_escalation_input("list").ref is None


@pytest.mark.parametrize(("text", "message"), [("", "No escalation command"),
                                               ("reopen 3", "Unknown escalation command"),
                                               ("status", "needs the incident issue"),
                                               ("status abc", "not an issue reference")])
def test_bad_commands_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_escalation_input(text)
