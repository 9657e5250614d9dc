"""Coverage hours at their exact edges: start, end, midnight, DST, holidays, horizon."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from chatops.core.coverage import (
    covered_windows,
    describe_delta,
    describe_start,
    gaps,
    is_covered,
    next_start,
)
from chatops.core.team import Coverage, Weekday
from tests.unit.machine_zone import machine_zone

AMS = Coverage(timezone="Europe/Amsterdam", start="08:00", end="18:00",
               exclude_dates=(date(2026, 12, 25),))
TICK = timedelta(microseconds=1)
_ALL_DAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A UTC datetime."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_coverage_starts_exactly_at_start() -> None:
    start = utc(2026, 11, 26, 7, 0)  # Thursday 08:00 CET
    assert is_covered(AMS, start)
    assert not is_covered(AMS, start - TICK)


def test_coverage_ends_exactly_at_end() -> None:
    end = utc(2026, 11, 26, 17, 0)  # Thursday 18:00 CET
    assert is_covered(AMS, end - TICK)
    assert not is_covered(AMS, end)


def test_end_of_day_24_00_covers_the_last_microsecond_only() -> None:
    fridays = Coverage(timezone="UTC", days=("fri",), start="20:00", end="24:00")
    assert is_covered(fridays, utc(2026, 11, 28, 0, 0) - TICK)
    assert not is_covered(fridays, utc(2026, 11, 28, 0, 0))  # Saturday midnight
    assert not is_covered(fridays, utc(2026, 11, 27, 20, 0) - TICK)
    assert is_covered(fridays, utc(2026, 11, 27, 20, 0))


def test_start_at_midnight_covers_midnight() -> None:
    mondays = Coverage(timezone="UTC", days=("mon",), start="00:00", end="01:30")
    assert is_covered(mondays, utc(2026, 11, 30, 0, 0))
    assert not is_covered(mondays, utc(2026, 11, 30, 0, 0) - TICK)  # Sunday
    assert is_covered(mondays, utc(2026, 11, 30, 1, 30) - TICK)
    assert not is_covered(mondays, utc(2026, 11, 30, 1, 30))


def test_minutes_of_the_clock_count() -> None:
    odd = Coverage(timezone="UTC", start="08:45", end="17:15")
    assert not is_covered(odd, utc(2026, 11, 26, 8, 44))
    assert is_covered(odd, utc(2026, 11, 26, 8, 45))
    assert is_covered(odd, utc(2026, 11, 26, 17, 14))
    assert not is_covered(odd, utc(2026, 11, 26, 17, 15))


def test_summer_time_moves_the_boundaries_in_utc() -> None:
    # Europe/Amsterdam is UTC+2 from 2027-03-28; Monday 2027-03-29 08:00 CEST = 06:00 UTC.
    assert is_covered(AMS, utc(2027, 3, 29, 6, 0))
    assert not is_covered(AMS, utc(2027, 3, 29, 6, 0) - TICK)
    assert is_covered(AMS, utc(2027, 3, 29, 16, 0) - TICK)
    assert not is_covered(AMS, utc(2027, 3, 29, 16, 0))


def test_winter_time_moves_the_boundaries_back() -> None:
    # Back to UTC+1 on 2026-10-25; Monday 2026-10-26 08:00 CET = 07:00 UTC.
    assert not is_covered(AMS, utc(2026, 10, 26, 6, 30))
    assert is_covered(AMS, utc(2026, 10, 26, 7, 0))
    start = next_start(AMS, utc(2026, 10, 24, 12, 0))
    assert start is not None and start.astimezone(UTC) == utc(2026, 10, 26, 7, 0)


def test_a_whole_day_across_the_spring_change_is_23_hours() -> None:
    sunday = Coverage(timezone="Europe/Amsterdam", days=("sun",))
    windows = covered_windows(sunday, utc(2027, 3, 27), utc(2027, 3, 30))
    assert windows == [(utc(2027, 3, 27, 23, 0), utc(2027, 3, 28, 22, 0))]


def test_excluded_date_is_not_covered_but_its_neighbours_are() -> None:
    assert is_covered(AMS, utc(2026, 12, 24, 12, 0))
    assert not is_covered(AMS, utc(2026, 12, 25, 7, 0))
    assert not is_covered(AMS, utc(2026, 12, 25, 12, 0))
    assert not is_covered(AMS, utc(2026, 12, 26, 12, 0))  # Saturday
    assert is_covered(AMS, utc(2026, 12, 28, 7, 0))


def test_excluded_date_is_the_local_date_not_the_utc_date() -> None:
    tokyo = Coverage(timezone="Asia/Tokyo", start="00:00", end="24:00",
                     exclude_dates=(date(2026, 12, 25),))
    # 2026-12-24 16:00 UTC is already 2026-12-25 01:00 in Tokyo.
    assert not is_covered(tokyo, utc(2026, 12, 24, 16, 0))
    assert is_covered(tokyo, utc(2026, 12, 24, 14, 59))


def test_excluded_date_has_no_window() -> None:
    windows = covered_windows(AMS, utc(2026, 12, 24), utc(2026, 12, 26))
    assert windows == [(utc(2026, 12, 24, 7, 0), utc(2026, 12, 24, 17, 0))]


# ---- next start -----------------------------------------------------------------
def test_next_start_is_later_today_before_the_start() -> None:
    start = next_start(AMS, utc(2026, 11, 26, 7, 0) - TICK)
    assert start == utc(2026, 11, 26, 7, 0)


def test_next_start_at_the_start_is_the_next_day() -> None:
    start = next_start(AMS, utc(2026, 11, 26, 7, 0))
    assert start == utc(2026, 11, 27, 7, 0)
    assert start is not None and start.tzinfo is not None
    assert start.utcoffset() == timedelta(hours=1)  # in the team's time zone


def test_next_start_from_friday_evening_is_monday() -> None:
    assert next_start(AMS, utc(2026, 11, 27, 17, 0)) == utc(2026, 11, 30, 7, 0)


def test_next_start_skips_the_holiday() -> None:
    assert next_start(AMS, utc(2026, 12, 24, 17, 0)) == utc(2026, 12, 28, 7, 0)


def _mondays(first: date, count: int) -> list[date]:
    return [first + timedelta(weeks=n) for n in range(count)]


def test_next_start_looks_400_days_ahead() -> None:
    sunday = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
    # Mondays at days 1, 8, ..., 393 are holidays; the Monday at day 400 is the first one left.
    mondays = Coverage(timezone="UTC", days=("mon",),
                       exclude_dates=tuple(_mondays(date(2026, 11, 30), 57)))
    assert next_start(mondays, sunday) is None
    assert describe_start(next_start(mondays, sunday), sunday) == (
        "not scheduled in the next year")
    # Day 399 is still inside the horizon.
    monday = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    later = Coverage(timezone="UTC", days=("mon",),
                     exclude_dates=tuple(_mondays(date(2026, 12, 7), 56)))
    assert next_start(later, monday) == utc(2028, 1, 3, 0, 0)
    assert (date(2028, 1, 3) - date(2026, 11, 30)).days == 399


# ---- wording ----------------------------------------------------------------------
def test_describe_start_names_weekday_time_zone_and_distance() -> None:
    now = utc(2026, 11, 26, 17, 0)
    start = next_start(AMS, now)
    assert describe_start(start, now) == "Friday 08:00 CET, in 14 hours"


@pytest.mark.parametrize(("delta", "text"), [
    (timedelta(seconds=59), "less than a minute"),
    (timedelta(seconds=-3600), "less than a minute"),
    (timedelta(seconds=60), "1 minute"),
    (timedelta(minutes=2), "2 minutes"),
    (timedelta(hours=1), "1 hour"),
    (timedelta(hours=2, minutes=1), "2 hours 1 minute"),
    (timedelta(hours=23, minutes=59, seconds=59), "23 hours 59 minutes"),
    (timedelta(days=1), "1 day"),
    (timedelta(days=1, minutes=59), "1 day"),
    (timedelta(days=1, hours=1), "1 day 1 hour"),
    (timedelta(days=2, hours=14, minutes=5), "2 days 14 hours"),
])
def test_describe_delta(delta: timedelta, text: str) -> None:
    assert describe_delta(delta) == text


# ---- windows and gaps -------------------------------------------------------------
def test_windows_are_clipped_to_the_range() -> None:
    since, until = utc(2026, 11, 26, 10, 0), utc(2026, 11, 27, 9, 0)
    assert covered_windows(AMS, since, until) == [
        (since, utc(2026, 11, 26, 17, 0)), (utc(2026, 11, 27, 7, 0), until)]


def test_windows_touching_the_range_edges_are_left_out() -> None:
    # The range starts when Thursday's window ends and ends when Friday's begins.
    assert covered_windows(AMS, utc(2026, 11, 26, 17, 0), utc(2026, 11, 27, 7, 0)) == []
    assert covered_windows(AMS, utc(2026, 11, 26, 17, 0) - TICK,
                           utc(2026, 11, 27, 7, 0) + TICK) == [
        (utc(2026, 11, 26, 17, 0) - TICK, utc(2026, 11, 26, 17, 0)),
        (utc(2026, 11, 27, 7, 0), utc(2026, 11, 27, 7, 0) + TICK)]


def test_windows_with_a_gap_between_them_stay_apart() -> None:
    office = Coverage(timezone="UTC", days=("mon", "tue",), start="00:00", end="23:00")
    windows = covered_windows(office, utc(2026, 11, 30), utc(2026, 12, 2))
    assert windows == [(utc(2026, 11, 30, 0, 0), utc(2026, 11, 30, 23, 0)),
                       (utc(2026, 12, 1, 0, 0), utc(2026, 12, 1, 23, 0))]


def test_three_back_to_back_days_merge_into_one() -> None:
    office = Coverage(timezone="UTC", days=("mon", "tue", "wed",))
    windows = covered_windows(office, utc(2026, 11, 29), utc(2026, 12, 6))
    assert windows == [(utc(2026, 11, 30), utc(2026, 12, 3))]


def test_range_of_one_day_includes_that_day() -> None:
    office = Coverage(timezone="UTC", days=("sun",), start="22:00", end="24:00")
    since = utc(2026, 11, 29, 23, 0)
    assert covered_windows(office, since, since + timedelta(minutes=30)) == [
        (since, since + timedelta(minutes=30))]


WINDOW = (utc(2026, 11, 30, 8, 0), utc(2026, 11, 30, 18, 0))


def test_shift_ending_exactly_at_the_window_start_leaves_it_uncovered() -> None:
    shift = (utc(2026, 11, 30, 0, 0), utc(2026, 11, 30, 8, 0))
    assert gaps([WINDOW], [shift]) == [WINDOW]


def test_shift_starting_exactly_at_the_window_end_leaves_it_uncovered() -> None:
    shift = (utc(2026, 11, 30, 18, 0), utc(2026, 11, 30, 23, 0))
    assert gaps([WINDOW], [shift]) == [WINDOW]


def test_shifts_in_any_order_and_overlapping() -> None:
    shifts = [(utc(2026, 11, 30, 12, 0), utc(2026, 11, 30, 14, 0)),
              (utc(2026, 11, 30, 8, 0), utc(2026, 11, 30, 10, 0)),
              (utc(2026, 11, 30, 9, 0), utc(2026, 11, 30, 11, 0)),
              (utc(2026, 11, 30, 10, 30), utc(2026, 11, 30, 10, 45))]
    assert gaps([WINDOW], shifts) == [(utc(2026, 11, 30, 11, 0), utc(2026, 11, 30, 12, 0)),
                                      (utc(2026, 11, 30, 14, 0), utc(2026, 11, 30, 18, 0))]


def test_shift_ending_exactly_at_the_window_end_covers_it() -> None:
    shifts = [(utc(2026, 11, 30, 8, 0), utc(2026, 11, 30, 18, 0)),
              (utc(2026, 11, 30, 17, 0), utc(2026, 11, 30, 19, 0))]
    assert gaps([WINDOW], shifts) == []
    late = [(utc(2026, 11, 30, 9, 0), utc(2026, 11, 30, 18, 0))]
    assert gaps([WINDOW], late) == [(utc(2026, 11, 30, 8, 0), utc(2026, 11, 30, 9, 0))]


def test_gaps_of_several_windows() -> None:
    tuesday = (utc(2026, 12, 1, 8, 0), utc(2026, 12, 1, 18, 0))
    shift = (utc(2026, 11, 30, 8, 0), utc(2026, 12, 1, 9, 0))
    assert gaps([WINDOW, tuesday], [shift]) == [(utc(2026, 12, 1, 9, 0), utc(2026, 12, 1, 18, 0))]
    assert gaps([WINDOW, tuesday], []) == [WINDOW, tuesday]


def test_shift_after_the_window_leaves_it_uncovered() -> None:
    shift = (utc(2026, 11, 30, 19, 0), utc(2026, 11, 30, 20, 0))
    assert gaps([WINDOW], [shift]) == [WINDOW]
    before = (utc(2026, 11, 30, 6, 0), utc(2026, 11, 30, 7, 0))
    assert gaps([WINDOW], [before, shift]) == [WINDOW]


# ---- the machine's own zone never matters -------------------------------------------
def test_coverage_is_judged_in_the_team_zone_not_the_machine_zone() -> None:
    west = Coverage(timezone="America/Los_Angeles", end="24:00")
    friday_evening = utc(2026, 11, 28, 4, 0)  # Friday 20:00 in Los Angeles
    with machine_zone("Pacific/Kiritimati"):  # already Saturday 18:00 there
        assert is_covered(west, friday_evening)
        assert next_start(west, friday_evening) == utc(2026, 11, 30, 8, 0)
    office = Coverage(timezone="America/Los_Angeles", start="08:00", end="18:00")
    monday_early = utc(2026, 11, 30, 14, 0)  # Monday 06:00 in Los Angeles
    with machine_zone("Pacific/Kiritimati"):  # already Tuesday 04:00 there
        assert next_start(office, monday_early) == utc(2026, 11, 30, 16, 0)


def test_windows_start_on_the_team_day_when_the_machine_is_a_day_ahead() -> None:
    behind = Coverage(timezone="Etc/GMT+12", days=tuple(_ALL_DAYS))  # UTC-12
    since = utc(2026, 11, 24, 11, 0)  # Monday 23:00 in UTC-12, Wednesday 01:00 at UTC+14
    until = since + timedelta(hours=2)
    with machine_zone("Pacific/Kiritimati"):
        assert covered_windows(behind, since, until) == [(since, until)]


def test_windows_end_on_the_team_day_when_the_machine_is_a_day_behind() -> None:
    ahead = Coverage(timezone="Pacific/Kiritimati", days=tuple(_ALL_DAYS))  # UTC+14
    until = utc(2026, 11, 24, 11, 0)  # Wednesday 01:00 at UTC+14, Monday 23:00 in UTC-12
    since = until - timedelta(hours=2)
    with machine_zone("Etc/GMT+12"):
        assert covered_windows(ahead, since, until) == [(since, until)]
