"""The ports the runner talks through; adapters implement them, tests fake them."""

from __future__ import annotations

from typing import Any, Protocol

from chatops.core.model import Issue, OnCall, PagerDutyIncident
from chatops.core.refs import IssueRef


class IssueTracker(Protocol):
    """Where incident issues live (GitLab)."""

    def find_by_marker(self, project: str, text: str) -> Issue | None:
        """The newest open issue chatops created lately with a line starting with text."""

    def get_issue(self, ref: IssueRef) -> tuple[Issue, list[str]]:
        """An issue and the bodies of its notes, oldest first."""

    def open_issue(self, project: str, title: str, description: str, labels: list[str],
                   marker: str) -> Issue:
        """Create an incident issue (never twice: marker identifies it)."""

    def set_labels(self, ref: IssueRef, add: list[str], remove: list[str]) -> None:
        """Add and remove labels."""

    def add_note(self, ref: IssueRef, body: str, marker: str) -> None:
        """Comment on an issue (never twice: marker identifies it)."""


class Pager(Protocol):
    """Who can be paged, and the page itself (PagerDuty)."""

    def oncall(self, policy_id: str) -> tuple[OnCall, ...]:
        """Everyone on call now for an escalation policy."""

    def trigger(self, routing_key: str, event: dict[str, Any]) -> str:
        """Send a trigger event; return its dedup key."""

    def incident(self, dedup_key: str, wait: bool = True) -> PagerDutyIncident | None:
        """The incident of a dedup key (wait: poll briefly for a just-sent trigger)."""
