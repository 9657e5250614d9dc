"""Mirror PagerDuty onto an issue: a pure plan from (issue state, histories, now)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from chatops.core.incident import Incident, LogEntry
from chatops.core.labels import (
    ACKNOWLEDGED,
    CANCELLED,
    QUEUED,
    RESOLVED,
    SYNC_LABELS,
    TRIGGERED,
    WAITING,
)
from chatops.core.model import Issue, marker, read_markers

# Log entry kinds that get a note; the trigger already has the page note.
NOTED = frozenset({"notify", "escalate", "acknowledge", "unacknowledge", "assign", "annotate",
                   "resolve"})


@dataclass(frozen=True)
class TeamPolicy:
    """What sync needs to know of a team."""

    name: str
    ack_timeout_minutes: int
    fallback: str


@dataclass(frozen=True)
class Tracked:
    """One team's page on an issue and what PagerDuty says of it."""

    team: str
    incident: Incident
    entries: tuple[LogEntry, ...] = ()

    @property
    def since_page(self) -> datetime:
        """When the page went out: the incident's creation (a re-page opens a new one)."""
        return self.incident.created_at


@dataclass(frozen=True)
class NotePlan:
    """One note to add: template, its variables, and the marker that makes it idempotent."""

    template: str
    marker: str
    context: dict[str, Any] = field(compare=False)


@dataclass(frozen=True)
class SyncPlan:
    """What to change on one issue."""

    add: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()
    notes: tuple[NotePlan, ...] = ()

    @property
    def empty(self) -> bool:
        """True when the issue already tells the whole story."""
        return not (self.add or self.notes)


def posted_ids(texts: list[str]) -> frozenset[str]:
    """Ids of log entries and overdue notices already written on the issue."""
    found = {f"log:{m['id']}" for t in texts for m in read_markers(t, "log") if "id" in m}
    found |= {f"overdue:{m['id']}" for t in texts for m in read_markers(t, "overdue")
              if "id" in m}
    return frozenset(found)


def desired_label(tracked: list[Tracked], labels: tuple[str, ...]) -> str | None:
    """The one escalation label the issue should carry: its most urgent state.

    The least advanced open page wins; with none open, a request still waiting for coverage
    (the WAITING label, set with its queued note) keeps the issue escalation::queued.
    """
    statuses = {t.incident.status for t in tracked}
    if "triggered" in statuses:
        return TRIGGERED
    if "acknowledged" in statuses:
        return ACKNOWLEDGED
    if WAITING in labels or QUEUED in labels:
        return QUEUED
    if statuses == {"resolved"}:
        return None if CANCELLED in labels else RESOLVED
    return None


def plan_sync(issue: Issue, posted: frozenset[str], tracked: list[Tracked],
              teams: Mapping[str, TeamPolicy], now: datetime) -> SyncPlan:
    """Labels that follow the incidents, one note per new log entry, one overdue notice."""
    label = desired_label(tracked, issue.labels)
    add: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()
    # Exactly one escalation:: label on every tier (Premium keeps only one anyway). A request
    # queued before the WAITING label existed gets it, so delivery still finds it.
    present = {lb for lb in issue.labels if lb in SYNC_LABELS}
    if label is not None and present != {label}:
        legacy = QUEUED in issue.labels and WAITING not in issue.labels
        add = (label, WAITING) if legacy else (label,)
        remove = tuple(lb for lb in SYNC_LABELS if lb != label)
    notes: list[NotePlan] = []
    for item in tracked:
        policy = teams.get(item.team)
        if policy is None:
            continue
        notes.extend(_entry_notes(item, policy, posted))
        overdue = _overdue_note(item, policy, posted, now)
        if overdue is not None:
            notes.append(overdue)
    return SyncPlan(add, remove, tuple(notes))


def _entry_notes(item: Tracked, policy: TeamPolicy, posted: frozenset[str]) -> list[NotePlan]:
    """A note for every meaningful log entry not yet on the issue, oldest first."""
    notes = []
    for entry in sorted(item.entries, key=lambda e: (e.at, e.id)):
        if entry.kind not in NOTED or f"log:{entry.id}" in posted:
            continue
        if entry.kind == "assign" and entry.automatic:
            continue  # PagerDuty's own assignment on trigger/escalation: the notes cover it
        elapsed = entry.at - item.since_page
        context = {"entry": entry, "team": policy, "incident": item.incident,
                   "elapsed": elapsed,
                   "within_target": elapsed <= timedelta(minutes=policy.ack_timeout_minutes)}
        # The incident id rides along: the issue records which incident it follows.
        notes.append(NotePlan("note_log.md.j2", marker("log", id=entry.id, team=item.team,
                                                       incident=item.incident.id), context))
    return notes


def _overdue_note(item: Tracked, policy: TeamPolicy, posted: frozenset[str],
                  now: datetime) -> NotePlan | None:
    """Say once, plainly, that a page was not acknowledged in time."""
    deadline = item.since_page + timedelta(minutes=policy.ack_timeout_minutes)
    acknowledged = any(e.kind == "acknowledge" for e in item.entries)
    if (item.incident.status != "triggered" or acknowledged or now < deadline
            or f"overdue:{item.incident.id}" in posted):
        return None
    notified = sorted({e.user for e in item.entries if e.kind == "notify" and e.user})
    context = {"team": policy, "team_key": item.team, "incident": item.incident,
               "waited": now - item.since_page, "notified": notified}
    return NotePlan("note_overdue.md.j2", marker("overdue", id=item.incident.id, team=item.team),
                    context)
