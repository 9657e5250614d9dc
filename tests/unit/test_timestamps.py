"""Times as the vendors' APIs write them, read exactly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from chatops.adapters.timestamps import parse_time, utc_text


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


def test_utc_text_writes_utc_to_the_second() -> None:
    moment = datetime(2026, 11, 26, 15, 30, 5, 999999, tzinfo=timezone(timedelta(hours=1)))
    assert utc_text(moment) == "2026-11-26T14:30:05Z"
