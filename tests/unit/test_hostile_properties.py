"""Property-based tests: arbitrary Unicode at the chat parser, marker reading and webhooks."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from chatops.config import parse_config
from chatops.core.markers import (
    KINDS,
    PREFIX,
    SUFFIX,
    marker,
    page_marker,
    parse_marker,
    read_markers,
)
from chatops.core.refs import IssueRef
from chatops.core.request import (
    MAX_MESSAGE_CHARS,
    PageRequest,
    Requester,
    build_request,
    parse_chat_input,
)
from chatops.core.text import ZWSP, code_block, defuse, first_line, single_line, slack_escape
from chatops.core.webhook import incident_id
from chatops.errors import InputError
from chatops.page.plan import PagePlan
from chatops.render import render

TEAMS = ["gitaly", "database"]
BREAKS = ["\n", "\r", "\r\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028",
          "\u2029"]
OURS = marker("paged", team="gitaly", dedup_key="chatops/g/p#1/gitaly", at="2026", job="-")
# Any code point, lone surrogates (bytes that were not UTF-8) included.
ANY_TEXT = st.text(alphabet=st.characters(exclude_categories=()), max_size=200)
# Text made of the pieces an attacker would use, glued with arbitrary Unicode.
PIECES = st.sampled_from([PREFIX, SUFFIX, OURS, "request", "paged", " team=gitaly",
                          " dedup_key=chatops/x#1/gitaly", "=", " ", "--dry-run", "--DRILL",
                          "—", "--dryrun", '"', "'", "@here", "<!channel>", *BREAKS])
HOSTILE = st.lists(st.one_of(ANY_TEXT, PIECES), max_size=12).map("".join)
FAST = settings(max_examples=200, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(HOSTILE)
@example("gitaly testing --DRY-RUN")
@example("gitaly \udcff")
def test_chat_parser_never_crashes_with_anything_but_input_error(text: str) -> None:
    try:
        request = parse_chat_input(text, TEAMS)
    except InputError as exc:
        assert exc.message
        return
    assert isinstance(request, PageRequest) and request.team in TEAMS
    assert request.message.strip() and len(request.message) <= MAX_MESSAGE_CHARS
    assert 1 <= request.severity <= 4


def _plain_message(text: str) -> bool:
    """A message without options, dashes, outer quotes or outer white space."""
    return (bool(text) and text == text.strip() and not any(c in text for c in "-—–")
            and not (text[0] in "\"'“‘" and text[-1] in "\"'”’")
            and not any(0xD800 <= ord(c) <= 0xDFFF for c in text))


@FAST
@given(st.text(min_size=1, max_size=300).filter(_plain_message),
       st.sampled_from(["gitaly {m}", "gitaly\n{m}", "Gitaly --severity 1 {m} --drill",
                        "gitaly --DRY-RUN {m}", "gitaly {m} —when-covered"]))
@example("it's down:\u2028\"praefect\"\r\n  <!-- chatops:v1 paged -->", "gitaly {m}")
def test_chat_parser_round_trips_the_message_verbatim(message: str, form: str) -> None:
    request = parse_chat_input(form.format(m=message), TEAMS)
    assert request.message == message and request.team == "gitaly"


def _lines(text: str) -> list[str]:
    return [line.removesuffix("\r") for line in text.split("\n")]


@FAST
@given(HOSTILE)
def test_only_exact_canonical_lines_are_markers(text: str) -> None:
    for kind in KINDS:
        for fields in read_markers(text, kind):
            assert marker(kind, **fields) in _lines(text)


@FAST
@given(HOSTILE, st.sampled_from(BREAKS[1:]))
def test_a_marker_after_any_other_line_break_is_no_marker(text: str, brk: str) -> None:
    line = text.replace("\n", " ") + brk.replace("\r\n", "\r") + OURS
    assert read_markers(line, "paged") == []


@FAST
@given(HOSTILE)
def test_chat_text_embedded_by_our_helpers_never_yields_a_marker(text: str) -> None:
    for embedded in (code_block(text), single_line(text, 5000), defuse(text),
                     first_line(text, 5000)):
        for line in embedded.split("\n"):
            assert parse_marker(line) is None, repr(line)


CONFIG = parse_config({
    "incident_project": "gitlab-com/gl-infra/production",
    "teams": {"gitaly": {"display_name": "Gitaly", "routing_key_env": "RK",
                         "escalation_policy_id": "PGITALY1", "fallback": "Ask /devoncall"}},
})
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


def _markers(text: str) -> list[str]:
    return [line for line in text.split("\n") if parse_marker(line) is not None]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(HOSTILE.filter(lambda t: t.strip() != ""), HOSTILE)
def test_chat_text_in_our_templates_never_yields_a_marker(message: str, other: str) -> None:
    request = PageRequest("gitaly", message, IssueRef("g/p", 1), 2, False)
    who = Requester("sre-alice", single_line(other, 200), single_line(other, 200),
                    single_line(other, 200), "https://gl")
    plan = PagePlan(CONFIG, request, who, lambda: NOW)
    ours = page_marker("paged", "gitaly", "chatops/g/p#1/gitaly", NOW, who.job_url)
    assert len(_markers(plan.description())) == 1
    for template in ("note_paged.md.j2", "note_page_failed.md.j2", "note_queued.md.j2"):
        written = plan.render(template, marker=ours, issue=plan.flow.issue or _issue())
        assert _markers(written) == [ours], template
    closed = render("note_closed.md.j2", {"verb": "cancel", "text": message, "closed": [],
                                          "marker": OURS, "now": NOW, "actor": who})
    assert _markers(closed) == [OURS]


def _issue() -> Any:
    from chatops.core.model import Issue

    return Issue("g/p", 1, "https://gl/g/p/-/issues/1", "t", "opened", ())


VALUES = st.from_regex(r"[A-Za-z0-9_:/#.+%~-]+", fullmatch=True).filter(lambda v: len(v) < 80)


@st.composite
def markers(draw: st.DrawFn) -> tuple[str, dict[str, str]]:
    kind = draw(st.sampled_from(sorted(KINDS)))
    keys = draw(st.lists(st.sampled_from(sorted(KINDS[kind])), unique=True))
    return kind, {key: draw(VALUES) for key in keys}


@FAST
@given(markers(), st.lists(HOSTILE.map(lambda t: t.replace("\n", " ")), max_size=4),
       st.sampled_from(["\n", "\r\n"]))
def test_marker_write_then_read_round_trips(found: tuple[str, dict[str, str]],
                                            around: list[str], end: str) -> None:
    kind, fields = found
    line = marker(kind, **fields)
    assert parse_marker(line) == (kind, fields)
    text = end.join([*around, line, *around])
    assert fields in read_markers(text, kind)


@FAST
@given(ANY_TEXT)
def test_any_value_is_written_as_a_readable_marker(value: str) -> None:
    line = marker("request", id=value, team="gitaly")
    parsed = parse_marker(line)
    assert parsed is not None and parsed[1]["team"] == "gitaly"


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | ANY_TEXT,
                    lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(ANY_TEXT, inner, max_size=4), max_leaves=20)


@FAST
@given(st.binary(max_size=400))
@example(b"[" * 100_000)
def test_webhook_parser_refuses_any_bytes_clearly(payload: bytes) -> None:
    try:
        assert incident_id(payload)
    except InputError as exc:
        assert "nothing changed" in exc.message


@FAST
@given(JSON, st.sampled_from(["event", "data", "incident", "id", "event_type"]))
def test_webhook_parser_takes_any_json_shape(value: object, where: str) -> None:
    body: dict[str, Any] = {"event": {"event_type": "incident.annotated",
                                      "data": {"type": "incident_note",
                                               "incident": {"id": "PABC123"}}}}
    slot = {"event": (body, "event"), "data": (body["event"], "data"),
            "event_type": (body["event"], "event_type"),
            "incident": (body["event"]["data"], "incident"),
            "id": (body["event"]["data"]["incident"], "id")}[where]
    slot[0][slot[1]] = value
    payload = json.dumps(body, ensure_ascii=False).encode("utf-8", "surrogatepass")
    try:
        found = incident_id(payload)
    except InputError:
        return
    assert found in ("PABC123", value)


@FAST
@given(HOSTILE)
def test_slack_escape_leaves_no_control_sequence_and_loses_nothing(text: str) -> None:
    escaped = slack_escape(text)
    assert "<" not in escaped and ">" not in escaped
    shown = escaped.replace(ZWSP, "").replace("&lt;", "<").replace("&gt;", ">")
    assert shown.replace("&amp;", "&") == text.replace(ZWSP, "")


def test_terminal_arguments_get_the_same_parser_properties() -> None:
    try:
        build_request("gitaly", "disk \udcff full", None, None, False, TEAMS)
    except InputError as exc:
        assert "not valid UTF-8" in exc.message
    else:
        raise AssertionError("bytes that are not UTF-8 were accepted")
