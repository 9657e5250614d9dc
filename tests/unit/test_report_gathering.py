"""How `report` reads PagerDuty: in bulk by time, incident by incident only when cheaper."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chatops.core.incident import Incident, LogEntry
from chatops.core.report import Mark, Period
from chatops.errors import InputError
from chatops.report import _pagerduty_side, report_services
from chatops.report import period as read_period

T = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
NOW = T + timedelta(days=40)


def incident(n: int, status: str = "resolved", changed: timedelta = timedelta(hours=1)
             ) -> Incident:
    return Incident(f"P{n}", n, status, f"chatops/g/p#{n}/gitaly", T + timedelta(hours=n),
                    f"https://pd/P{n}", changed_at=T + timedelta(hours=n) + changed)


@dataclass
class Desk:
    """Incidents and their logs; records which reads were made."""

    incidents: list[Incident]
    bulk_limit: int = 1  # requests the bulk read would take; it declines above max_requests
    calls: list[tuple[Any, ...]] = field(default_factory=list)

    def incidents_created(self, since: datetime, until: datetime,
                          service_ids: list[str] | None = None) -> list[Incident]:
        self.calls.append(("incidents", service_ids))
        return self.incidents

    def log_entries_between(self, since: datetime, until: datetime,
                            max_requests: int) -> list[LogEntry] | None:
        self.calls.append(("bulk", until, max_requests))
        if self.bulk_limit > max_requests:
            return None
        return [LogEntry(f"R{i.id}", "acknowledge", i.created_at, i.id, agent="Ada")
                for i in self.incidents] + [LogEntry("Rx", "acknowledge", T, "POTHER")]

    def incident_log(self, incident_id: str) -> list[LogEntry]:
        self.calls.append(("one", incident_id))
        return [LogEntry(f"L{incident_id}", "resolve", T, incident_id)]

    def refusals(self, since: datetime, until: datetime, now: datetime,
                 service_ids: list[str] | None = None) -> list[Mark]:
        self.calls.append(("changes", service_ids))
        return []


def period() -> Period:
    return Period(T, T + timedelta(days=30))


def test_logs_are_read_in_bulk_and_late_incidents_one_by_one() -> None:
    late = incident(3, changed=timedelta(days=39))  # resolved after the period and its grace
    still_open = incident(4, status="acknowledged")
    desk = Desk([incident(1), incident(2), late, still_open])
    found, logs, _ = _pagerduty_side(desk, period(), ["gitaly"], ["PSVC1"], NOW)  # type: ignore[arg-type]
    assert [i.id for i in found] == ["P1", "P2", "P3", "P4"]
    bulk = [c for c in desk.calls if c[0] == "bulk"]
    assert bulk == [("bulk", T + timedelta(days=37), 2)]  # period + 7 days' grace
    assert [c[1] for c in desk.calls if c[0] == "one"] == ["P3", "P4"]
    assert [e.id for e in logs["P1"]] == ["RP1"] and [e.id for e in logs["P3"]] == ["LP3"]
    assert "POTHER" not in logs
    assert ("incidents", ["PSVC1"]) in desk.calls and ("changes", ["PSVC1"]) in desk.calls


def test_when_the_bulk_read_costs_more_every_incident_is_read_alone() -> None:
    desk = Desk([incident(1), incident(2)], bulk_limit=5)
    _, logs, _ = _pagerduty_side(desk, period(), ["gitaly"], None, NOW)  # type: ignore[arg-type]
    assert [c[1] for c in desk.calls if c[0] == "one"] == ["P1", "P2"]
    assert set(logs) == {"P1", "P2"}


def test_no_incident_no_log_read() -> None:
    desk = Desk([])
    _pagerduty_side(desk, period(), ["gitaly"], None, NOW)  # type: ignore[arg-type]
    assert [c[0] for c in desk.calls] == ["incidents", "changes"]


def test_report_services_come_from_each_teams_policy() -> None:
    services = {"gitaly": ("PS2", "PS1"), "database": ("PS1", "PS3")}
    assert report_services(["gitaly", "database"], services) == ["PS1", "PS2", "PS3"]
    assert report_services(["gitaly"], services) == ["PS1", "PS2"]
    assert report_services(["gitaly"], {"gitaly": ()}) is None
    assert report_services(["gitaly"]) is None


def test_a_period_from_dates_is_whole_utc_days_and_a_time_needs_its_zone() -> None:
    days = read_period(None, "2026-11-01", "2026-11-02", NOW)
    assert (days.start, days.end) == (datetime(2026, 11, 1, tzinfo=UTC),
                                      datetime(2026, 11, 3, tzinfo=UTC))
    moment = read_period(None, "2026-11-01T10:00:00+0100", None, NOW)
    assert moment.start == datetime(2026, 11, 1, 9, 0, tzinfo=UTC) and moment.end == NOW
    for text in ("2026-11-01T10:00:00", "yesterday"):
        with pytest.raises(InputError, match=f"--from '{text}' is not a date"):
            read_period(None, text, None, NOW)
