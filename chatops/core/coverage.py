"""Business-hours coverage: is a team covered now, and when does coverage start next."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from chatops.core.team import Coverage

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HORIZON_DAYS = 400


def _clock(value: str) -> time | None:
    """HH:MM as a time; 24:00 as None (end of day)."""
    if value == "24:00":
        return None
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def _covered_day(coverage: Coverage, day: date) -> bool:
    """True when the date is a coverage day and not an excluded date."""
    return _DAYS[day.weekday()] in coverage.days and day not in coverage.exclude_dates


def _window(coverage: Coverage, day: date) -> tuple[datetime, datetime]:
    """The coverage window of one local day, as aware datetimes."""
    zone = ZoneInfo(coverage.timezone)
    start = datetime.combine(day, _clock(coverage.start) or time(0), zone)
    end_clock = _clock(coverage.end)
    if end_clock is None:
        end = datetime.combine(day + timedelta(days=1), time(0), zone)
    else:
        end = datetime.combine(day, end_clock, zone)
    return start, end


def is_covered(coverage: Coverage, now: datetime) -> bool:
    """True when now falls inside the team's coverage hours."""
    local = now.astimezone(ZoneInfo(coverage.timezone))
    if not _covered_day(coverage, local.date()):
        return False
    start, end = _window(coverage, local.date())
    return start <= local < end


def next_start(coverage: Coverage, now: datetime) -> datetime | None:
    """The next moment coverage begins after now (None if never within a year)."""
    local_day = now.astimezone(ZoneInfo(coverage.timezone)).date()
    for offset in range(_HORIZON_DAYS):
        day = local_day + timedelta(days=offset)
        if _covered_day(coverage, day):
            start, _ = _window(coverage, day)
            if start > now:
                return start
    return None


def describe_start(start: datetime | None, now: datetime) -> str:
    """'Monday 08:00 UTC, in 2 days 14 hours' (or a plain 'not scheduled')."""
    if start is None:
        return "not scheduled in the next year"
    return f"{start.strftime('%A %H:%M %Z')}, in {describe_delta(start - now)}"


def describe_delta(delta: timedelta) -> str:
    """A duration as '2 days 14 hours', '3 hours 5 minutes' or '12 minutes'."""
    minutes = max(0, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [(days, "day"), (hours, "hour")] if days else [(hours, "hour"), (mins, "minute")]
    words = [f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in parts if n]
    return " ".join(words) or "less than a minute"


def covered_windows(coverage: Coverage, since: datetime,
                    until: datetime) -> list[tuple[datetime, datetime]]:
    """The coverage windows overlapping [since, until), clipped, back-to-back days merged."""
    zone = ZoneInfo(coverage.timezone)
    day, last = since.astimezone(zone).date() - timedelta(days=1), until.astimezone(zone).date()
    windows: list[tuple[datetime, datetime]] = []
    while day <= last:
        if _covered_day(coverage, day):
            start, end = _window(coverage, day)
            if start < until and end > since:
                start, end = max(start, since), min(end, until)
                if windows and windows[-1][1] == start:
                    start = windows.pop()[0]
                windows.append((start, end))
        day += timedelta(days=1)
    return windows


def gaps(windows: list[tuple[datetime, datetime]],
         shifts: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """The parts of the windows that no shift covers."""
    found = []
    for start, end in windows:
        cursor = start
        for shift_start, shift_end in sorted(shifts):
            if shift_end <= cursor or shift_start >= end:
                continue
            if shift_start > cursor:
                found.append((cursor, shift_start))
            cursor = max(cursor, shift_end)
            if cursor >= end:
                break
        if cursor < end:
            found.append((cursor, end))
    return found
