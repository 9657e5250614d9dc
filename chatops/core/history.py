"""PagerDuty incident histories as domain values, and how dedup keys name escalations.

The dedup key format is written and read here only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chatops.core.page_events import PageFacts
from chatops.core.refs import IssueRef

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
    """A PagerDuty incident as sync sees it."""

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


@dataclass(frozen=True)
class EscalationKey:
    """What a chatops dedup key says: team, and the issue or the request behind it."""

    team: str
    project: str
    iid: int | None  # None: a request key; the issue is found by its marker
    request: str = ""
    key: str = field(default="", compare=False)  # the dedup key as sent

    @property
    def issue(self) -> IssueRef | None:
        """The issue, when the key names it."""
        return IssueRef(self.project, self.iid) if self.iid is not None else None


def dedup_key_for_request(project: str, team: str, key: str) -> str:
    """PagerDuty dedup key of a page whose issue chatops opens itself."""
    return f"chatops/{project}/{team}/{key}"


def dedup_key_for_issue(project: str, iid: int, team: str) -> str:
    """PagerDuty dedup key of a page for an existing issue."""
    return f"chatops/{project}#{iid}/{team}"


def parse_dedup_key(key: str) -> EscalationKey | None:
    """Read chatops/{project}#{iid}/{team} or chatops/{project}/{team}/{request}; else None."""
    if not key.startswith("chatops/"):
        return None
    body = key.removeprefix("chatops/")
    head, _, last = body.rpartition("/")
    if not head or not last:
        return None
    if "#" in head:
        project, _, iid = head.rpartition("#")
        return (EscalationKey(last, project, int(iid), key=key) if iid.isdigit() and project
                else None)
    project, _, team = head.rpartition("/")
    return EscalationKey(team, project, None, last, key) if project and team else None


def parse_time(value: Any) -> datetime:
    """An ISO 8601 time with a zone ('Z', '+00:00' or '+0000'); ValueError otherwise."""
    text = str(value).replace("Z", "+00:00")
    if re.search(r"[+-]\d{4}$", text):
        text = text[:-2] + ":" + text[-2:]
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"time without a zone: {value!r}")
    return moment
