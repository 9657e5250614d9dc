"""The ports the runner talks through; adapters implement them, tests fake them."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from chatops.core.incident import Incident, LogEntry
from chatops.core.model import Issue, OnCall
from chatops.core.page_events import PageEvent, Refusal
from chatops.core.refs import IssueRef
from chatops.core.report import Mark


class IssueTracker(Protocol):
    """Where incident issues live (GitLab)."""

    def find_by_marker(self, project: str, text: str, state: str = "opened") -> Issue | None:
        """The newest issue chatops created lately with a line starting with text."""

    def labelled_issues(self, project: str, label: str) -> list[Issue]:
        """Open issues of a project that carry a label."""

    def issues_updated(self, project: str, since: datetime) -> list[Issue]:
        """Every issue of a project updated since a time (descriptions only when trusted)."""

    def own_issues(self, project: str, since: datetime, until: datetime) -> list[Issue]:
        """Issues chatops created in a project in a time range."""

    def issues_labelled(self, project: str, label: str) -> list[Issue]:
        """Every issue of a project with a label, open or closed."""

    def own_notes(self, ref: IssueRef) -> list[str]:
        """Bodies of the notes chatops itself wrote on an issue, oldest first."""

    def get_issue(self, ref: IssueRef) -> tuple[Issue, list[str]]:
        """An issue and the bodies of its notes, oldest first."""

    def access_level(self, project: str, user_id: int) -> int:
        """A user's access level in a project, inherited included (0: not a member)."""

    def open_issue(self, project: str, title: str, description: str, labels: list[str],
                   marker: str, issue_type: str = "incident") -> Issue:
        """Create an incident issue (never twice: marker identifies it)."""

    def set_labels(self, ref: IssueRef, add: list[str], remove: list[str]) -> None:
        """Add and remove labels."""

    def add_note(self, ref: IssueRef, body: str, marker: str) -> None:
        """Comment on an issue (never twice: marker identifies it)."""

    def within(self, seconds: float) -> None:
        """Start a phase: every later call shares one budget of seconds, requests included."""


class Pager(Protocol):
    """Who can be paged, and the page itself (PagerDuty)."""

    def oncall(self, policy_id: str) -> tuple[OnCall, ...]:
        """Everyone on call now for an escalation policy."""

    def oncalls(self, policy_ids: list[str], since: datetime | None = None,
                until: datetime | None = None) -> dict[str, tuple[OnCall, ...]]:
        """On-call entries of several policies: now, or every shift over a range."""

    def policy_exists(self, policy_id: str) -> bool:
        """True when PagerDuty knows the escalation policy (on-call lists only filter by it)."""

    def trigger(self, routing_key: str, page: PageEvent) -> str:
        """Page a team; return the page's dedup key."""

    def record_change(self, routing_key: str, record: Refusal) -> None:
        """Record a refused request on the team's service; it pages nobody."""

    def incident(self, dedup_key: str, wait: bool = True) -> Incident | None:
        """The incident of a dedup key (wait: poll briefly for a just-sent trigger)."""

    def note(self, incident_id: str, from_email: str, content: str) -> None:
        """Add a note to an incident as a PagerDuty user (never twice: content identifies it)."""

    def within(self, seconds: float) -> None:
        """Start a phase: every later REST call shares one budget of seconds."""


class IncidentDesk(Protocol):
    """PagerDuty incidents and their logs, for following escalations."""

    def open_incidents(self, service_ids: tuple[str, ...] = ()) -> list[Incident]:
        """Every open incident a chatops page opened (of these services, when given)."""

    def team_services(self, policy_id: str) -> tuple[str, ...]:
        """The services of an escalation policy."""

    def services_by_policy(self, policy_ids: list[str]) -> dict[str, tuple[str, ...]]:
        """The services of several escalation policies."""

    def with_keys(self, incident: Incident) -> Incident:
        """The incident with its alerts' keys when it has none of its own."""

    def triggered_between(self, service_ids: tuple[str, ...], since: datetime,
                          until: datetime) -> list[Incident]:
        """Still-triggered incidents of these services created in a time range."""

    def incidents_created(self, since: datetime, until: datetime,
                          service_ids: list[str] | None = None) -> list[Incident]:
        """Every chatops incident created in a time range (of some services)."""

    def log_entries_between(self, since: datetime, until: datetime,
                            max_requests: int) -> list[LogEntry] | None:
        """Every log entry in a time range; None when it takes more than max_requests."""

    def refusals(self, since: datetime, until: datetime, now: datetime,
                 service_ids: list[str] | None = None) -> list[Mark]:
        """Refused requests recorded on the teams' services, as far as PagerDuty keeps them."""

    def log_entries(self, since: datetime, until: datetime) -> list[tuple[LogEntry, Incident]]:
        """Log entries of chatops incidents in a time window."""

    def incident_by_id(self, incident_id: str) -> Incident:
        """One incident."""

    def incident_log(self, incident_id: str) -> list[LogEntry]:
        """One incident's whole log."""

    def resolve(self, incident_id: str, from_email: str, resolution: str) -> Incident:
        """Resolve an incident as a PagerDuty user."""

    def known_user(self, email: str) -> bool:
        """Does PagerDuty know a user with this email?"""

    def policy_services(self, policy_id: str) -> list[tuple[str, str, Any]]:
        """(id, name, incident urgency rule) of each service using an escalation policy."""


class PagerDutyPorts(Pager, IncidentDesk, Protocol):
    """Both PagerDuty ports, as one adapter provides them."""


class Lock(Protocol):
    """A mutex shared by overlapping jobs."""

    def acquire(self) -> str | None:
        """Take the lock; None when taken, else who holds it."""

    def release(self) -> None:
        """Give the lock back."""


class StateStore(Protocol):
    """One durable text (sync's cursor), written only under the sync lock."""

    def load(self) -> str:
        """The saved text ('' when none)."""

    def save(self, text: str) -> None:
        """Replace the saved text."""
