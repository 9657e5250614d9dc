"""A team that can be paged and its coverage hours, as plain values (config.py fills them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WORKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri")


@dataclass(frozen=True)
class Coverage:
    """The hours in which a team's second tier answers pages."""

    timezone: str = "UTC"  # an IANA time zone name
    days: tuple[Weekday, ...] = WORKDAYS
    start: str = "00:00"  # HH:MM
    end: str = "24:00"  # HH:MM, 24:00 allowed
    exclude_dates: tuple[date, ...] = ()  # public holidays: uncovered whatever the weekday


@dataclass(frozen=True)
class Team:
    """One expert team that can be paged, as the core composes and decides with it."""

    display_name: str  # how the team is named in issues and replies
    routing_key_env: str  # the variable holding the routing key (named, never read here)
    escalation_policy_id: str
    fallback: str  # what requesters can do when the team cannot answer
    labels: tuple[str, ...] = ()  # added to the incident issue
    ack_timeout_minutes: int = 15  # until an unacknowledged page is overdue
    response_minutes: tuple[int, int] = (15, 30)  # the expected response: shortest, longest
    coverage: Coverage = field(default_factory=Coverage)
    service_ids: tuple[str, ...] = ()  # default: the services of escalation_policy_id
