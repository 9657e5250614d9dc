"""Coverage at fixed instants around its boundaries (no sleeping, no clock)."""

from datetime import UTC, date, datetime, timedelta

from chatops.core.coverage import describe_delta, describe_start, is_covered, next_start
from chatops.core.team import Coverage

AMS = Coverage(timezone="Europe/Amsterdam", start="08:00", end="18:00",
               exclude_dates=(date(2026, 12, 25),))


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_friday_evening_boundary_in_team_timezone() -> None:
    # 2026-11-27 is a Friday; Amsterdam is UTC+1 in winter.
    assert is_covered(AMS, utc(2026, 11, 27, 16, 59))
    assert not is_covered(AMS, utc(2026, 11, 27, 17, 0))


def test_weekend_points_to_monday_morning() -> None:
    now = utc(2026, 11, 28, 10, 0)  # Saturday
    start = next_start(AMS, now)
    assert start is not None and start.astimezone(UTC) == utc(2026, 11, 30, 7, 0)
    assert describe_start(start, now) == "Monday 08:00 CET, in 1 day 21 hours"


def test_dst_change_moves_the_utc_start() -> None:
    # Europe/Amsterdam switches to summer time on 2027-03-28 (Sunday).
    start = next_start(AMS, utc(2027, 3, 27, 12, 0))
    assert start is not None and start.astimezone(UTC) == utc(2027, 3, 29, 6, 0)


def test_holiday_is_skipped() -> None:
    assert not is_covered(AMS, utc(2026, 12, 25, 10, 0))
    start = next_start(AMS, utc(2026, 12, 24, 18, 0))
    assert start is not None and start.astimezone(UTC) == utc(2026, 12, 28, 7, 0)


def test_full_weekday_default_and_delta_wording() -> None:
    default = Coverage()
    assert is_covered(default, utc(2026, 11, 27, 23, 59))
    assert not is_covered(default, utc(2026, 11, 28, 0, 0))
    assert describe_delta(timedelta(minutes=61)) == "1 hour 1 minute"
    assert describe_delta(timedelta(seconds=20)) == "less than a minute"


def test_gaps_are_covered_hours_with_nobody_on_shift() -> None:
    from chatops.core.coverage import covered_windows, gaps

    office = Coverage(timezone="UTC", days=("mon",), start="08:00", end="18:00")
    monday = utc(2026, 11, 30, 0, 0)
    windows = covered_windows(office, monday - timedelta(days=1), monday + timedelta(days=2))
    assert windows == [(utc(2026, 11, 30, 8, 0), utc(2026, 11, 30, 18, 0))]
    shifts = [(utc(2026, 11, 30, 6, 0), utc(2026, 11, 30, 10, 0)),
              (utc(2026, 11, 30, 12, 0), utc(2026, 11, 30, 17, 0))]
    assert gaps(windows, shifts) == [(utc(2026, 11, 30, 10, 0), utc(2026, 11, 30, 12, 0)),
                                     (utc(2026, 11, 30, 17, 0), utc(2026, 11, 30, 18, 0))]
    assert gaps(windows, [(monday, monday + timedelta(days=1))]) == []


def test_back_to_back_days_make_one_window() -> None:
    from chatops.core.coverage import covered_windows

    since = utc(2026, 11, 26, 12, 0)
    windows = covered_windows(Coverage(days=("thu", "fri",)), since, since + timedelta(days=3))
    assert windows == [(since, utc(2026, 11, 28, 0, 0))]
