"""The feedback issue of a milestone: its period, its due date, and one issue per milestone."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import cast

import pytest

from chatops.audit import AuditLog
from chatops.config import Config, load_config
from chatops.core.markers import marker
from chatops.core.ports import PagerDutyPorts
from chatops.errors import ConfigError, InputError
from chatops.feedback import due_period, milestone_period, open_feedback
from tests.unit.fakes import FakePager, FakeTracker

CONFIG = load_config(Path(__file__).parents[2] / "chatops.toml")


def launched(day: date) -> Config:
    """The example configuration with a launch date."""
    return replace(CONFIG, launch_date=day)


@pytest.mark.parametrize(("launch", "milestone", "end"), [
    (date(2026, 8, 31), "1m", date(2026, 9, 30)),  # no 31 September: its last day
    (date(2026, 8, 31), "6m", date(2027, 2, 28)),
    (date(2026, 12, 1), "1m", date(2027, 1, 1)),  # across the year
    (date(2026, 12, 1), "3m", date(2027, 3, 1)),
    (date(2027, 1, 15), "6m", date(2027, 7, 15)),
])
def test_a_milestone_ends_months_after_launch(launch: date, milestone: str, end: date) -> None:
    """From midnight UTC of the launch day to the same day 1, 3 or 6 months later."""
    when = milestone_period(launched(launch), milestone)
    assert when.start == datetime(launch.year, launch.month, launch.day, tzinfo=UTC)
    assert when.end == datetime(end.year, end.month, end.day, tzinfo=UTC)
    assert when.label == ("1 month after launch" if milestone == "1m"
                          else f"{milestone[0]} months after launch")


def test_without_a_launch_date_there_is_no_milestone() -> None:
    """The configuration error names the setting to add."""
    with pytest.raises(ConfigError, match="launch_date"):
        milestone_period(CONFIG, "1m")


def test_the_issue_opens_only_once_the_milestone_is_reached() -> None:
    """A day early is refused (the figures would be partial); on the day it is due."""
    config = launched(date(2026, 12, 1))
    end = datetime(2027, 1, 1, tzinfo=UTC)
    with pytest.raises(InputError, match="2027-01-01"):
        due_period(config, "1m", end - timedelta(seconds=1))
    assert due_period(config, "1m", end).end == end


def test_a_rerun_finds_the_existing_issue_and_opens_none() -> None:
    """The milestone's marker in an issue of the project means: already opened."""
    config = launched(date(2026, 12, 1))
    tracker = FakeTracker()
    tracker.open_issue(config.incident_project, "3m feedback", marker("feedback", milestone="3m"),
                       [], "", issue_type="issue")
    existing = tracker.open_issue(config.incident_project, "1m feedback",
                                  "Thanks!\n" + marker("feedback", milestone="1m"), [], "",
                                  issue_type="issue")
    now = datetime(2027, 1, 2, tzinfo=UTC)
    said: list[str] = []
    pd = cast("PagerDutyPorts", FakePager())  # not read: the issue exists
    result = open_feedback(config, tracker, pd, "1m", due_period(config, "1m", now), "https://gl",
                           lambda: now, AuditLog("test", clock=lambda: now), said.append)
    assert result.outcome == "exists" and not result.failed
    assert existing.web_url in result.reply
    assert tracker.calls.count("open") == 2 and said == []
