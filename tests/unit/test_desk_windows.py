"""PagerDuty refuses offsets past 10,000: a longer read is split by time, never capped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chatops.adapters.pagerduty_desk import PagerDutyDesk
from chatops.adapters.pagerduty_errors import ListOverflowError
from chatops.adapters.timestamps import parse_time
from chatops.config import Http

T0 = datetime(2026, 11, 30, 0, 0, tzinfo=UTC)
# One log entry every minute for six hours; a read may hold at most 90 minutes of them.
ENTRIES = [T0 + timedelta(minutes=n) for n in range(360)]


def entry(n: int, at: datetime) -> dict[str, Any]:
    incident = {"id": "Q1", "status": "triggered", "created_at": "2026-11-30T00:00:00Z",
                "incident_key": "chatops/g/p#1/gitaly", "incident_number": 1}
    return {"id": f"R{n}", "type": "notify_log_entry", "created_at": at.isoformat(),
            "incident": incident}


class Desk(PagerDutyDesk):
    """The adapter with its list call replaced by the rule of the real API."""

    reads: list[tuple[datetime, datetime]]

    def _list(self, path: str, key: str, params: dict[str, Any], budget: float,
              cap: int = 1000) -> list[Any]:
        since, until = parse_time(params["since"]), parse_time(params["until"])
        self.reads.append((since, until))
        if until - since > timedelta(minutes=90):
            raise ListOverflowError(f"GET {path}", 200, f"more than {cap} items")
        return [entry(n, at) for n, at in enumerate(ENTRIES) if since <= at <= until]


def desk() -> Desk:
    made = Desk("https://api", "https://events", "token", None, Http())
    made.reads = []
    return made


def test_a_read_too_long_for_one_listing_is_halved_until_it_fits() -> None:
    reader = desk()
    pairs = reader.log_entries(T0, T0 + timedelta(hours=6))
    assert [e.id for e, _ in pairs] == [f"R{n}" for n in range(360)]  # each once, in order
    assert len(reader.reads) > 1


def test_a_second_that_alone_overflows_fails_loudly() -> None:
    class Dense(Desk):
        def _list(self, path: str, key: str, params: dict[str, Any], budget: float,
                  cap: int = 1000) -> list[Any]:
            raise ListOverflowError(f"GET {path}", 200, f"more than {cap} items")

    reader = Dense("https://api", "https://events", "token", None, Http())
    with pytest.raises(ListOverflowError):
        reader.log_entries(T0, T0 + timedelta(minutes=10))
