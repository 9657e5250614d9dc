"""Pilot metrics: pure computations over pages, refusals and label history."""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from chatops.core.incident import Incident, LogEntry
from chatops.core.page_events import PageFacts

SCHEMA = "chatops-report/1"
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class Page:
    """One page (a PagerDuty incident opened by chatops) and how it went."""

    team: str
    incident_id: str
    incident_number: int
    incident_url: str
    issue_url: str
    created_at: datetime
    requester: str
    drill: bool
    ack_timeout_minutes: int
    acknowledged_at: datetime | None = None
    acknowledged_by: str = ""
    resolved_at: datetime | None = None
    max_level: int = 1
    notified: tuple[str, ...] = ()
    as_of: datetime | None = None  # when the figures were taken (an open page may still be on time)

    @property
    def time_to_ack(self) -> float | None:
        """Minutes from page to first acknowledgement."""
        return _minutes(self.created_at, self.acknowledged_at)

    @property
    def time_to_resolve(self) -> float | None:
        """Minutes from page to resolution."""
        return _minutes(self.created_at, self.resolved_at)

    @property
    def overdue(self) -> bool:
        """Acknowledged late, or left unacknowledged past the target (a resolve ends the wait)."""
        tta = self.time_to_ack
        if tta is not None:
            return tta > self.ack_timeout_minutes
        waited_until = self.resolved_at or self.as_of
        deadline = self.created_at + timedelta(minutes=self.ack_timeout_minutes)
        return waited_until is None or waited_until > deadline


@dataclass(frozen=True)
class Mark:
    """A request that did not page at once: refused, queued, or failed; with its link."""

    team: str
    kind: str  # refused, queued, failed
    at: datetime
    link: str
    requester: str = ""
    reason: str = ""
    drill: bool = False


@dataclass
class Period:
    """The reported time range."""

    start: datetime
    end: datetime
    label: str = field(default="")


def _minutes(start: datetime, end: datetime | None) -> float | None:
    """Minutes between two times, or None."""
    return None if end is None else round((end - start).total_seconds() / 60, 1)


def _p90(values: Sequence[float]) -> float | None:
    """The 90th percentile (nearest rank)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


def _share(values: Iterable[float | None], limit: float, total: int) -> float | None:
    """Percentage of all pages acknowledged within limit minutes."""
    if not total:
        return None
    return round(100 * sum(1 for v in values if v is not None and v <= limit) / total, 1)


def metrics(pages: list[Page], marks: list[Mark]) -> dict[str, Any]:
    """Every figure of one group of pages (a team, all teams, or the drills)."""
    tta = [p.time_to_ack for p in pages]
    acked = [v for v in tta if v is not None]
    ttr = [v for p in pages if (v := p.time_to_resolve) is not None]
    oncallers = Counter(name for p in pages for name in p.notified)
    return {
        "pages": len(pages),
        "acknowledged": len(acked),
        "never_acknowledged": len(pages) - len(acked),
        "time_to_ack_minutes": {
            "median": statistics.median(acked) if acked else None, "p90": _p90(acked),
            "max": max(acked) if acked else None},
        "acknowledged_within_15_min_pct": _share(tta, 15, len(pages)),
        "acknowledged_within_30_min_pct": _share(tta, 30, len(pages)),
        "time_to_resolve_minutes": {
            "median": statistics.median(ttr) if ttr else None, "max": max(ttr) if ttr else None},
        "escalated_beyond_level_1": sum(1 for p in pages if p.max_level > 1),
        "overdue": sum(1 for p in pages if p.overdue),
        "refused_no_coverage": sum(1 for m in marks if m.kind == "refused"),
        "queued_for_coverage": sum(1 for m in marks if m.kind == "queued"),
        "failed_pages": sum(1 for m in marks if m.kind == "failed"),
        "pages_per_oncaller": dict(sorted(oncallers.items(), key=lambda kv: (-kv[1], kv[0]))),
        "pages_by_weekday": {d: sum(1 for p in pages if WEEKDAYS[p.created_at.weekday()] == d)
                             for d in WEEKDAYS},
        "pages_by_hour_utc": {f"{h:02d}": sum(1 for p in pages if p.created_at.hour == h)
                              for h in range(24)},
        "top_requesters": Counter(p.requester for p in pages if p.requester).most_common(5),
    }


def build(pages: list[Page], marks: list[Mark], period: Period,
          teams: Sequence[str]) -> dict[str, Any]:
    """The whole report: per team, total, drills apart, and every escalation listed."""
    real = [p for p in pages if not p.drill]
    drills = [p for p in pages if p.drill]
    marks, drill_marks = [m for m in marks if not m.drill], [m for m in marks if m.drill]
    return {
        "schema": SCHEMA,
        "period": {"from": period.start.isoformat(), "to": period.end.isoformat(),
                   "label": period.label},
        "teams": {team: metrics([p for p in real if p.team == team],
                                [m for m in marks if m.team == team]) for team in teams},
        "total": metrics(real, marks),
        "drills": metrics(drills, drill_marks),
        "escalations": [row(p) for p in sorted(pages, key=lambda p: p.created_at)],
        "not_paged": [{"team": m.team, "kind": m.kind, "at": m.at.isoformat(), "link": m.link,
                       "requester": m.requester, "reason": m.reason, "drill": m.drill}
                      for m in sorted([*marks, *drill_marks], key=lambda m: m.at)],
    }


CSV_COLUMNS = ("team", "drill", "created_at", "incident_number", "incident_url", "issue_url",
               "requester", "time_to_ack_minutes", "acknowledged_by",
               "time_to_resolve_minutes", "max_level", "overdue", "notified")


def row(page: Page) -> dict[str, Any]:
    """One escalation as a flat record (the JSON list and the CSV share it)."""
    return {
        "team": page.team, "drill": page.drill, "created_at": page.created_at.isoformat(),
        "incident_number": page.incident_number, "incident_url": page.incident_url,
        "issue_url": page.issue_url, "requester": page.requester,
        "time_to_ack_minutes": page.time_to_ack, "acknowledged_by": page.acknowledged_by,
        "time_to_resolve_minutes": page.time_to_resolve, "max_level": page.max_level,
        "overdue": page.overdue, "notified": ";".join(page.notified),
    }


def facts_of(log: Sequence[LogEntry]) -> PageFacts:
    """The page's facts as chatops wrote them into its first trigger that carries them."""
    # With alert grouping later pages join the incident: the first trigger is the page's.
    # An incident whose triggers carry none counts with an unknown requester and as not a
    # drill: nothing is read back out of the summary's words, and nothing deployed
    # predates the facts (0.1.0), so there is no fallback for older incidents.
    triggers = sorted((e for e in log if e.kind == "trigger" and e.facts is not None),
                      key=lambda e: e.at)
    return triggers[0].facts if triggers and triggers[0].facts else PageFacts()


def page_from(incident: Incident, log: Sequence[LogEntry], team: str, ack_timeout: int,
              issue_url: str, as_of: datetime | None = None) -> Page:
    """A page, from its PagerDuty incident and log."""
    acks = sorted((e for e in log if e.kind == "acknowledge"), key=lambda e: e.at)
    resolves = sorted((e for e in log if e.kind == "resolve"), key=lambda e: e.at)
    levels = [e.level for e in log if e.kind == "escalate" and e.level]
    notified = tuple(dict.fromkeys(e.user for e in sorted(log, key=lambda e: e.at)
                                   if e.kind == "notify" and e.user))
    facts = facts_of(log)
    return Page(
        team=team, incident_id=incident.id, incident_number=incident.number,
        incident_url=incident.html_url, issue_url=issue_url, created_at=incident.created_at,
        requester=facts.requester, drill=facts.drill, ack_timeout_minutes=ack_timeout,
        acknowledged_at=acks[0].at if acks else None,
        acknowledged_by=acks[0].agent if acks else "",
        resolved_at=resolves[-1].at if resolves else None,
        max_level=max(levels, default=1), notified=notified, as_of=as_of,
    )
