"""PagerDuty incidents and their log entries as domain values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chatops.core.dedup import EscalationKey, parse_dedup_key
from chatops.core.page_events import PageFacts

OPEN = frozenset({"triggered", "acknowledged"})


@dataclass(frozen=True)
class LogEntry:
    """One PagerDuty log entry, reduced to what a human reader of the issue needs."""

    id: str
    kind: str  # trigger, notify, escalate, acknowledge, unacknowledge, assign, annotate, resolve
    at: datetime
    incident_id: str
    agent: str = ""  # who did it
    automatic: bool = False  # done by PagerDuty itself (a service agent), not a person
    user: str = ""  # who was notified / assigned
    channel: str = ""  # sms, email, phone, push, ...
    level: int | None = None
    text: str = ""  # annotation text
    facts: PageFacts | None = None  # a trigger's facts as chatops wrote them (None: not ours)


@dataclass(frozen=True)
class Incident:
    """A PagerDuty incident: the one a page opened; what sync, escalation and reports read."""

    id: str
    number: int
    status: str
    incident_key: str
    created_at: datetime
    html_url: str
    title: str = ""
    assignees: tuple[str, ...] = ()
    changed_at: datetime | None = None  # last_status_change_at (a resolve is the last change)
    service_id: str = ""
    # With alert grouping or Event Orchestration an incident has no incident_key (REST
    # spec, parameter incident_key: "Incidents with child alerts do not have an incident
    # key"; reported null in PagerDuty/pdpyras#44): the keys are then its alerts' alert_key.
    # Only reads that ask for the alerts fill them (IncidentDesk.with_keys).
    alert_keys: tuple[str, ...] = ()

    @property
    def open(self) -> bool:
        """True while triggered or acknowledged."""
        return self.status in OPEN

    @property
    def keys(self) -> tuple[str, ...]:
        """The de-duplication keys behind the incident: its own, or its alerts'."""
        return (self.incident_key,) if self.incident_key else self.alert_keys

    @property
    def escalations(self) -> tuple[EscalationKey, ...]:
        """The chatops escalations (team and issue or request) this incident carries."""
        return tuple(k for k in map(parse_dedup_key, self.keys) if k is not None)
