"""The incident id out of a webhook body: accepted shapes and every exact refusal."""

from __future__ import annotations

import json

import pytest

from chatops.core.escalation import parse_command, parse_escalation_input
from chatops.core.webhook import MAX_PAYLOAD_BYTES, incident_id, too_large
from chatops.errors import InputError

HINT = "Run this job from the PagerDuty v3 webhook's pipeline trigger; nothing changed."


def body(event: object) -> bytes:
    """A webhook body around an event."""
    return json.dumps({"event": event}).encode()


def refusal(payload: bytes) -> str:
    """The refusal message for a payload (the hint is always the same)."""
    with pytest.raises(InputError) as caught:
        incident_id(payload)
    assert caught.value.hint == HINT
    return str(caught.value.args[0])


def test_incident_event_names_its_id() -> None:
    event = {"event_type": "incident.acknowledged",
             "data": {"type": "incident", "id": "Q1ABCD2EFGH3"}}
    assert incident_id(body(event)) == "Q1ABCD2EFGH3"


def test_other_incident_events_name_it_under_incident() -> None:
    event = {"event_type": "incident.annotated",
             "data": {"type": "incident_note", "id": "NOTE1", "incident": {"id": "PABC"}}}
    assert incident_id(body(event)) == "PABC"


@pytest.mark.parametrize("found", ["ABC", "a1b2c3d4", "P" * 33, "PAB CD", "PABC\n"])
def test_invalid_ids_are_refused_and_shown(found: str) -> None:
    event = {"event_type": "incident.triggered", "data": {"type": "incident", "id": found}}
    assert refusal(body(event)) == (
        f"The payload names no valid incident id ({found[:40]!r}); nothing changed.")


def test_id_length_limits() -> None:
    for good in ("PABC", "P" * 32):
        event = {"event_type": "incident.triggered", "data": {"type": "incident", "id": good}}
        assert incident_id(body(event)) == good


def test_long_ids_are_shown_shortened_and_non_strings_by_type() -> None:
    event = {"event_type": "incident.triggered", "data": {"type": "incident", "id": "x" * 50}}
    assert refusal(body(event)) == (
        f"The payload names no valid incident id ({'x' * 40!r}); nothing changed.")
    event = {"event_type": "incident.triggered", "data": {"type": "incident", "id": 12345}}
    assert refusal(body(event)) == (
        "The payload names no valid incident id ('int'); nothing changed.")
    event = {"event_type": "incident.triggered", "data": {"type": "service", "id": "PABC"}}
    assert refusal(body(event)) == (
        "The payload names no valid incident id ('NoneType'); nothing changed.")


NOT_INCIDENT = ("The payload is not a PagerDuty v3 incident webhook (no event.event_type "
                "incident.* with event.data); nothing changed.")


@pytest.mark.parametrize("payload", [
    b"[]", b"1", b'"x"', b"{}", body([]), body({}),
    body({"event_type": "service.updated", "data": {"type": "incident", "id": "PABC"}}),
    body({"event_type": "incident.triggered"}),
    body({"event_type": "incident.triggered", "data": ["PABC"]}),
    body({"event_type": 7, "data": {"type": "incident", "id": "PABC"}}),
    body({"event_type": "Incident.triggered", "data": {"type": "incident", "id": "PABC"}}),
])
def test_other_shapes_are_not_incident_webhooks(payload: bytes) -> None:
    assert refusal(payload) == NOT_INCIDENT


def test_not_utf8_names_the_byte() -> None:
    assert refusal(b'{"a": "\xff"}') == (
        "The webhook payload is not UTF-8 text (byte 7); nothing changed.")


def test_not_json_says_why() -> None:
    assert refusal(b"{nope") == (
        "The webhook payload is not JSON (Expecting property name enclosed in double "
        "quotes); nothing changed.")


def test_too_deep_is_refused() -> None:
    assert refusal(b"[" * 100_000 + b"]" * 100_000) == (
        "The webhook payload is nested too deeply to be a PagerDuty webhook; nothing changed.")


def test_size_limit_is_inclusive() -> None:
    event = {"event_type": "incident.triggered", "data": {"type": "incident", "id": "PABC"}}
    exact = body(event)
    padded = exact[:-1] + b" " * (MAX_PAYLOAD_BYTES - len(exact)) + b"}"
    assert len(padded) == MAX_PAYLOAD_BYTES and incident_id(padded) == "PABC"
    assert refusal(padded + b" ") == (
        "The webhook payload is 1000001 bytes; at most 1000000 are read (a PagerDuty v3 "
        "webhook is a few KB); nothing changed.")
    assert too_large(5).hint == HINT


# ---- escalation commands with text that is not UTF-8 ----------------------------
@pytest.mark.parametrize(("verb", "ref", "text", "what"), [
    ("sta\udcfftus", "3", "", "command"), ("status", "\udcff3", "", "issue reference"),
    ("resolve", "3", "done \udcff", "text"),
])
def test_commands_with_bytes_that_are_not_utf8_are_refused(verb: str, ref: str, text: str,
                                                           what: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_command(verb, ref, text)
    assert str(caught.value.args[0]).startswith(f"The {what} contains bytes that are not valid")


def test_chat_input_with_bytes_that_are_not_utf8_is_refused() -> None:
    with pytest.raises(InputError, match="The command contains bytes"):
        parse_escalation_input("status \udcff3")


def test_command_refusal_names_the_character() -> None:
    with pytest.raises(InputError) as caught:
        parse_command("status", "3", "ok \udcff")
    assert caught.value.args[0] == ("The text contains bytes that are not valid UTF-8 "
                                    "(character 4), so it was not understood.")
