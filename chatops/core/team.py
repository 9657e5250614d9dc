"""What the core needs to know of a team and its coverage hours (config.py provides it)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Protocol


class CoverageHours(Protocol):
    """The hours in which a team's second tier answers pages."""

    @property
    def timezone(self) -> str:
        """An IANA time zone name."""

    @property
    def days(self) -> Sequence[str]:
        """Covered weekdays: 'mon' … 'sun'."""

    @property
    def start(self) -> str:
        """Start of the day's coverage, HH:MM."""

    @property
    def end(self) -> str:
        """End of the day's coverage, HH:MM (24:00 allowed)."""

    @property
    def exclude_dates(self) -> Sequence[date]:
        """Public holidays: uncovered whatever the weekday."""


class TeamFacts(Protocol):
    """One team that can be paged, as the core composes and decides with it."""

    @property
    def display_name(self) -> str:
        """How the team is named in issues and replies."""

    @property
    def routing_key_env(self) -> str:
        """The environment variable holding the team's routing key (named, never read)."""

    @property
    def escalation_policy_id(self) -> str:
        """The team's PagerDuty escalation policy."""

    @property
    def labels(self) -> Sequence[str]:
        """Labels added to the incident issue."""

    @property
    def ack_timeout_minutes(self) -> int:
        """Minutes until an unacknowledged page is overdue."""

    @property
    def response_minutes(self) -> Sequence[int]:
        """The expected response told to requesters: shortest, longest."""

    @property
    def fallback(self) -> str:
        """What requesters can do when the team cannot answer."""

    @property
    def coverage(self) -> CoverageHours:
        """The team's coverage hours."""
