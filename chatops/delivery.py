"""Deliver pages queued with --when-covered once their team's coverage starts (the sync job).

Exactly once, whatever write fails: before the trigger a `delivering` marker is
written on the issue; after it, a `paged` marker. A request with `delivering` but
no `paged` (the note after the trigger failed, or the job died) is never
triggered blindly again: PagerDuty is asked first whether an incident with that
dedup key exists (`GET /incidents?incident_key=`, which also matches grouped
incidents' alert keys per the REST spec), and if so the delivery is only recorded.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from chatops import render
from chatops.audit import AuditLog
from chatops.config import Config
from chatops.core.compose import queued_page
from chatops.core.coverage import is_covered
from chatops.core.labels import BY_STATUS, QUEUED, SYNC_LABELS, TRIGGERED, WAITING
from chatops.core.model import Issue, marker, read_markers, waiting_requests
from chatops.core.ports import IssueTracker, PagerDutyPorts
from chatops.core.refs import IssueRef
from chatops.errors import ChatopsError, ConfigError


def _stamp(now: datetime) -> str:
    """A marker time."""
    return now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _login(request: dict[str, str]) -> str:
    """Who queued the request (the queued marker's by=), '' when unknown."""
    by = request.get("by", "-")
    return "" if by == "-" else by


class QueuedPages:
    """Finds the queued requests of the incident project and pages those now covered."""

    def __init__(self, config: Config, tracker: IssueTracker, desk: PagerDutyPorts,
                 audit: AuditLog, routing_keys: Mapping[str, str],
                 problem: Callable[[str, str], None]) -> None:
        self.config, self.tracker, self.desk, self.audit = config, tracker, desk, audit
        self.routing_keys, self.problem = routing_keys, problem

    def deliver_all(self, now: datetime) -> int:
        """Deliver what is due on every queued issue; return how many pages went out."""
        sent = 0
        # WAITING is the per-request flag (the escalation:: label is a summary that another
        # team's live page may hold); QUEUED finds requests queued before WAITING existed.
        project = self.config.incident_project
        found = {i.ref: i for label in (WAITING, QUEUED)
                 for i in self.tracker.labelled_issues(project, label)}
        for issue in found.values():
            try:
                sent += self._deliver_issue(issue.ref, now)
            except ChatopsError as exc:
                self.problem(issue.web_url, str(exc))
        return sent

    def _deliver_issue(self, ref: IssueRef, now: datetime) -> int:
        """Deliver each request queued on one issue (read from chatops' own notes)."""
        issue, notes = self.tracker.get_issue(ref)
        waiting = waiting_requests(notes)  # per team: delivered and cancelled ones are done
        attempted: set[str] = set()  # delivering markers written after the request's queueing
        for note in notes:
            attempted -= {m.get("dedup_key", "") for m in read_markers(note, "queued")}
            attempted |= {m.get("dedup_key", "") for m in read_markers(note, "delivering")}
        if not waiting:  # nothing left: the labels are stale
            self.tracker.set_labels(ref, [], [QUEUED, WAITING])
            return 0
        sent, found = 0, set()
        for request in waiting:
            team = self.config.teams.get(request.get("team", ""))
            if team is None or "dedup_key" not in request:
                self.problem(issue.web_url, "queued request for an unknown team")
            elif request["dedup_key"] in attempted and (status := self._already_sent(
                    issue, request, now)):
                found.add(status)
            elif is_covered(team.coverage, now):
                self._deliver(issue, request, now, request["dedup_key"] in attempted)
                sent += 1
        if sent or found:  # the most urgent state; WAITING stays while others wait
            label = next((BY_STATUS[s] for s in ("triggered", "acknowledged", "resolved")
                          if s in found or (s == "triggered" and sent)), TRIGGERED)
            done = sent + len(found) == len(waiting)
            self.tracker.set_labels(ref, [label], [lb for lb in SYNC_LABELS if lb != label]
                                    + ([WAITING] if done else []))
        return sent

    def _already_sent(self, issue: Issue, request: dict[str, str], now: datetime) -> str:
        """After an unfinished delivery: record it when PagerDuty has the incident; its status."""
        key = request["dedup_key"]
        found = self.desk.incident(key, wait=False)
        if found is None:
            return ""  # the trigger never arrived: delivering again is safe
        note_marker = marker("paged", team=request["team"], dedup_key=key, at=_stamp(now),
                             job="sync", incident=found.id, number=str(found.number))
        self.tracker.add_note(issue.ref, self._body(request["team"], now, note_marker),
                              note_marker)
        self.audit.record("record-delivery", f"pagerduty:{found.id}", "ok",
                          f"found {found.status}; not triggered again")
        return found.status if found.status in BY_STATUS else "triggered"

    def _body(self, team_key: str, now: datetime, note_marker: str) -> str:
        """The delivery note."""
        return render.render("note_delivered.md.j2", {"team": self.config.teams[team_key],
                                                       "now": now, "marker": note_marker},
                             self.config.templates_dir)

    def _deliver(self, issue: Issue, request: dict[str, str], now: datetime,
                 retried: bool) -> None:
        """Record the attempt, trigger one queued page, then record the delivery."""
        team_key, dedup_key = request["team"], request["dedup_key"]
        team = self.config.teams[team_key]
        routing_key = self.routing_keys.get(team_key)
        if not routing_key:
            raise ConfigError(f"Cannot deliver the queued page: {team.routing_key_env} is not "
                              "set for the sync job.", "Add it to the sync job's variables.")
        note_marker = marker("paged", team=team_key, dedup_key=dedup_key, at=_stamp(now),
                             job="sync")
        body = self._body(team_key, now, note_marker)  # before any side effect
        page = queued_page(issue, team_key, team, dedup_key, now,
                           severity=int(request.get("severity", "2") or 2),
                           drill=request.get("drill") == "1", requester=_login(request))
        if not retried:
            attempt = marker("delivering", team=team_key, dedup_key=dedup_key, at=_stamp(now))
            self.tracker.add_note(issue.ref, f"Delivering the queued page to {team.display_name}"
                                  f" now that coverage started.\n\n{attempt}", attempt)
        self.desk.trigger(routing_key, page)
        self.audit.record("trigger-page", f"pagerduty:{team_key}:{dedup_key}", "ok", "queued")
        self.tracker.add_note(issue.ref, body, note_marker)
