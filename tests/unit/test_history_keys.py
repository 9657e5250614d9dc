"""Dedup keys, PagerDuty times and incident state, spelled out exactly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from chatops.core.history import (
    OPEN,
    EscalationKey,
    Incident,
    dedup_key_for_issue,
    dedup_key_for_request,
    parse_dedup_key,
    parse_time,
)


def test_dedup_keys_are_spelled_exactly() -> None:
    assert dedup_key_for_request("g/p", "gitaly", "abc") == "chatops/g/p/gitaly/abc"
    assert dedup_key_for_issue("g/p", 7, "gitaly") == "chatops/g/p#7/gitaly"


@pytest.mark.parametrize(("key", "expected"), [
    ("chatops/g/p#7/gitaly", EscalationKey("gitaly", "g/p", 7)),
    ("chatops/a/b/c#12/db", EscalationKey("db", "a/b/c", 12)),
    ("chatops/a#b/c#3/db", EscalationKey("db", "a#b/c", 3)),
    ("chatops/g/p/gitaly/abc", EscalationKey("gitaly", "g/p", None, "abc")),
    ("chatops/g/sub/p/db/0b8a", EscalationKey("db", "g/sub/p", None, "0b8a")),
    ("chatops/p/gitaly/abc", EscalationKey("gitaly", "p", None, "abc")),
])
def test_parse_dedup_key(key: str, expected: EscalationKey) -> None:
    assert parse_dedup_key(key) == expected


@pytest.mark.parametrize("key", [
    "chatops/g/p#7/", "chatops//gitaly", "chatops/#7/gitaly", "chatops/g/p#/gitaly",
    "chatops/g/p#-1/gitaly", "chatops/gitaly/abc", "chatops//gitaly/abc", "chatops/g//abc",
    "xchatops/g/p#7/gitaly", "Chatops/g/p#7/gitaly", "/chatops/g/p#7/gitaly",
])
def test_malformed_keys_are_not_ours(key: str) -> None:
    assert parse_dedup_key(key) is None


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-11-26T14:30:00Z", datetime(2026, 11, 26, 14, 30, tzinfo=UTC)),
    ("2026-11-26T14:30:00+00:00", datetime(2026, 11, 26, 14, 30, tzinfo=UTC)),
    ("2026-11-26T15:30:00+0100", datetime(2026, 11, 26, 14, 30, tzinfo=UTC)),
    ("2026-11-26T09:30:00-0500", datetime(2026, 11, 26, 14, 30, tzinfo=UTC)),
    ("2026-11-26T14:30:00.250Z", datetime(2026, 11, 26, 14, 30, 0, 250000, tzinfo=UTC)),
])
def test_parse_time_accepts_pagerduty_zones(text: str, expected: datetime) -> None:
    assert parse_time(text) == expected


def test_parse_time_keeps_the_offset() -> None:
    moment = parse_time("2026-11-26T15:30:00+0130")
    assert moment.utcoffset() == timedelta(hours=1, minutes=30)
    assert moment.tzinfo == timezone(timedelta(hours=1, minutes=30))


def test_parse_time_refuses_a_time_without_zone() -> None:
    with pytest.raises(ValueError) as caught:
        parse_time("2026-11-26T14:30:00")
    assert str(caught.value) == "time without a zone: '2026-11-26T14:30:00'"
    with pytest.raises(ValueError):
        parse_time("yesterday")


@pytest.mark.parametrize(("status", "is_open"), [("triggered", True), ("acknowledged", True),
                                                 ("resolved", False), ("", False)])
def test_incident_is_open_while_triggered_or_acknowledged(status: str, is_open: bool) -> None:
    incident = Incident("P1", 3, status, "k", datetime(2026, 1, 1, tzinfo=UTC), "https://pd/P1")
    assert incident.open is is_open
    assert frozenset({"triggered", "acknowledged"}) == OPEN
