"""Query parsing and errors shared by the PagerDuty REST routes."""

# Error bodies: REST OpenAPI spec components/responses + PagerDuty/developer-docs
# docs/REST-API/14-Errors.md (2001 Invalid Input Provided, 2004 bad since/until).
#
# GET /incidents date window (incident_window), from the spec's parameters: date_range=all
# "the since and until parameters and defaults are ignored"; since/until "Maximum range is 6
# months and default is 1 month"; time_zone is "used ... to interpret `since/until` values
# before filtering" and they "default to the account's time zone" (the emulated account's is
# UTC), so a since/until without an offset is wall-clock time in time_zone.  A PagerDuty
# maintainer (PagerDuty/pdpyras#46): "if one does not specify both ends of a date range, it
# will default to one month that begins at `since` or ends at `until`".  A range longer than
# 6 months is refused by the live API as 400 {"message": "Invalid Input Provided", "code":
# 2001, "errors": [" is invalid."]} (xginn8/grafana-pagerduty#19, where "Last 90 days" works
# and "Last 6 months" does not, hence the 180-day limit).  until < since is 2005 (errors
# table).  The window filters created_at and is intersected with the other filters
# (statuses[], service_ids[], ...; docs/REST-API/07-Filtering.md); both bounds are inclusive
# (undocumented: PagerDuty/developer-docs#74).

from __future__ import annotations

import calendar
from datetime import datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chatops_emulator.core import Request, json_response, parse_time, utcnow
from chatops_emulator.pagerduty_model import error_body


class InvalidError(Exception):
    """A 400/404 to send back with a PagerDuty error body."""

    def __init__(self, status: int, message: str, code: int, errors: list[str]) -> None:
        super().__init__(message)
        self.response = json_response(status, error_body(message, code, errors))


def bad(*errors: str) -> InvalidError:
    return InvalidError(400, "Invalid Input Provided", 2001, list(errors))


class Query:
    """Rails-style query parameters (key[] repeated for arrays)."""

    def __init__(self, request: Request) -> None:
        self.single: dict[str, str] = {}
        self.arrays: dict[str, list[str]] = {}
        for key, value in request.query:
            if key.endswith("[]"):
                self.arrays.setdefault(key[:-2], []).append(value)
            else:
                self.single[key] = value

    def flag(self, name: str) -> bool:
        """A boolean parameter."""
        return self.single.get(name, "").lower() == "true"

    def number(self, name: str, default: int) -> int:
        """An integer parameter."""
        raw = self.single.get(name)
        if raw in (None, ""):
            return default
        try:
            return int(str(raw))
        except ValueError as exc:
            raise bad(f"{name.capitalize()} must be an integer.") from exc

    def time(self, name: str, default: datetime) -> datetime:
        """A date-time parameter."""
        raw = self.single.get(name)
        if raw is None:
            return default
        value = parse_time(raw)
        if value is None:
            raise InvalidError(400, "Invalid time values in 'since' and/or 'until' parameters",
                               2004, [f"{name} is not a valid date."])
        return value

    def moment(self, name: str, zone: tzinfo | None) -> datetime | None:
        """A date-time parameter; without an offset it is wall-clock time in zone (or UTC)."""
        if name not in self.single:
            return None
        value = self.time(name, utcnow())
        try:
            naive = datetime.fromisoformat(self.single[name].strip()).tzinfo is None
        except ValueError:
            naive = False
        return value.replace(tzinfo=zone) if naive and zone is not None else value

    def zone(self) -> tzinfo | None:
        """The time_zone parameter (IANA names)."""
        raw = self.single.get("time_zone")
        if not raw:
            return None
        try:
            return ZoneInfo(raw)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise bad("Time zone is invalid.") from exc


def shift_months(value: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months later (clamped to the month's end)."""
    index = value.year * 12 + value.month - 1 + months
    year, month = divmod(index, 12)
    day = min(value.day, calendar.monthrange(year, month + 1)[1])
    return value.replace(year=year, month=month + 1, day=day)


def incident_window(query: Query, zone: tzinfo | None) -> tuple[datetime, datetime] | None:
    """The created_at window of GET /incidents (None: date_range=all, no window)."""
    if query.single.get("date_range") == "all":
        return None
    since, until = query.moment("since", zone), query.moment("until", zone)
    if since is None:
        until = until or utcnow()
        since = shift_months(until, -1)
    elif until is None:
        until = shift_months(since, 1)
    if until < since:
        raise InvalidError(400, "Invalid Query Date Range", 2005, [])
    if until - since > timedelta(days=180):
        raise bad(" is invalid.")
    return since, until
