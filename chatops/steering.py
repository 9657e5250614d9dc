"""Steering escalations from chat: status (live from PagerDuty), resolve, cancel, list."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chatops import render
from chatops.audit import AuditLog
from chatops.config import Config
from chatops.core.compose import request_marker_prefix
from chatops.core.history import Incident, LogEntry, parse_dedup_key
from chatops.core.model import (
    ESCALATION_LABELS,
    QUEUED,
    RESOLVED,
    Issue,
    latest_pages,
    marker,
)
from chatops.core.ports import IssueTracker, PagerDutyPorts
from chatops.core.refs import IssueRef
from chatops.core.sync import CANCELLED
from chatops.errors import ChatopsError, ConfigError


@dataclass(frozen=True)
class Actor:
    """Who runs the command: GitLab login and email, the PagerDuty fallback identity."""

    login: str
    email: str
    fallback_email: str
    gitlab_url: str


@dataclass(frozen=True)
class TeamState:
    """One team's page on an issue, as PagerDuty sees it now."""

    team: str
    name: str
    paged_at: str
    incident: Incident | None
    log: tuple[LogEntry, ...] = ()
    problem: str = ""

    def first(self, kind: str) -> LogEntry | None:
        """The first log entry of a kind (acknowledge, resolve)."""
        return next((e for e in self.log if e.kind == kind), None)


class Escalations:
    """Runs escalation commands through the GitLab and PagerDuty ports."""

    def __init__(self, config: Config, tracker: IssueTracker, pd: PagerDutyPorts,
                 audit: AuditLog, clock: Callable[[], datetime], actor: Actor) -> None:
        self.config, self.tracker, self.pd, self.audit = config, tracker, pd, audit
        self.clock, self.actor = clock, actor

    def _render(self, template: str, **context: Any) -> str:
        """Render with the common variables."""
        return render.render(template, {"now": self.clock(), "actor": self.actor, **context},
                             self.config.templates_dir)

    def _teams(self, ref: IssueRef) -> tuple[Issue, list[TeamState]]:
        """The issue and, per paged team, the live PagerDuty state."""
        issue, notes = self.tracker.get_issue(ref)
        states = []
        for team, record in latest_pages([issue.description, *notes]).items():
            name = self.config.teams[team].display_name if team in self.config.teams else team
            try:
                found = self.pd.incident(record.dedup_key, wait=False)
                incident = self.pd.incident_by_id(found.id) if found else None
                log = tuple(self.pd.incident_log(found.id)) if found else ()
            except ChatopsError as exc:
                states.append(TeamState(team, name, record.at, None, problem=str(exc)))
                continue
            states.append(TeamState(team, name, record.at, incident, log))
        self.audit.record("read-escalation", issue.web_url, "ok", f"{len(states)} page(s)")
        return issue, states

    def status(self, ref: IssueRef) -> tuple[str, bool]:
        """Where each page on the issue stands, read live; True when part could not be read."""
        issue, states = self._teams(ref)
        reply = self._render("escalation_reply.txt.j2", verb="status", issue=issue,
                             states=states, closed=[], failed=[])
        return reply, any(s.problem for s in states)

    def close(self, ref: IssueRef, verb: str, text: str) -> tuple[str, bool]:
        """Resolve (or cancel as a false alarm) every open page on the issue."""
        issue, states = self._teams(ref)
        if QUEUED in issue.labels:
            return self._cancel_queued(issue, text), False
        targets = [s for s in states if s.incident is not None and s.incident.open]
        closed: list[TeamState] = []
        failed = [(s, s.problem or "PagerDuty shows no incident for this page")
                  for s in states if s.incident is None]
        sender = self._from_email() if targets else ""
        for state in targets:
            assert state.incident is not None
            try:
                default = "cancelled from ChatOps" if verb == "cancel" else "resolved from ChatOps"
                self.pd.resolve(state.incident.id, sender, text or default)
                closed.append(state)
                self.audit.record(f"{verb}-incident", f"pagerduty:{state.incident.id}", "ok")
            except ChatopsError as exc:
                failed.append((state, str(exc)))
                self.audit.record(f"{verb}-incident", f"pagerduty:{state.incident.id}",
                                  "error", str(exc))
        if closed:
            self._record(issue, verb, text, closed)
        reply = self._render("escalation_reply.txt.j2", verb=verb, issue=issue, states=states,
                             closed=closed, failed=failed)
        return reply, bool(failed)

    def _cancel_queued(self, issue: Issue, text: str) -> str:
        """A queued page is cancelled before it is ever sent: GitLab only."""
        self.tracker.set_labels(issue.ref, [CANCELLED],
                                [lb for lb in ESCALATION_LABELS if lb != CANCELLED])
        note_marker = marker("closed", id=f"queued-{issue.iid}", verb="cancel")
        body = self._render("note_closed.md.j2", verb="cancel", text=text, closed=[],
                            marker=note_marker)
        self.tracker.add_note(issue.ref, body, note_marker)
        self.audit.record("cancel-queued", issue.web_url, "ok")
        return (f"CANCELLED: the queued page on {issue.web_url} will not be sent; the issue is "
                "labelled escalation::cancelled.")

    def _record(self, issue: Issue, verb: str, text: str, closed: list[TeamState]) -> None:
        """Label and comment the issue after closing pages."""
        label = CANCELLED if verb == "cancel" else RESOLVED
        others = [lb for lb in (*ESCALATION_LABELS, CANCELLED) if lb != label]
        self.tracker.set_labels(issue.ref, [label], others)
        ids = "+".join(s.incident.id for s in closed if s.incident)
        note_marker = marker("closed", id=ids, verb=verb)
        body = self._render("note_closed.md.j2", verb=verb, text=text, closed=closed,
                            marker=note_marker)
        self.tracker.add_note(issue.ref, body, note_marker)
        self.audit.record("comment-issue", issue.web_url, "ok", f"{verb}d")

    def _from_email(self) -> str:
        """The PagerDuty user the writes are made as (From header)."""
        if self.actor.email and self.pd.known_user(self.actor.email):
            return self.actor.email
        if self.actor.fallback_email:
            return self.actor.fallback_email
        raise ConfigError(
            f"PagerDuty needs a user to act as: GITLAB_USER_EMAIL ({self.actor.email or 'unset'})"
            " is not a PagerDuty user and PAGERDUTY_FROM_EMAIL is not set.",
            "Set PAGERDUTY_FROM_EMAIL to the email of a PagerDuty user (e.g. a bot user).")

    def open_list(self) -> tuple[str, bool]:
        """Open escalations, oldest first."""
        incidents = sorted(self.pd.open_incidents(), key=lambda i: i.created_at)
        rows = [(incident, self._issue_url(incident)) for incident in incidents]
        self.audit.record("list-escalations", "pagerduty", "ok", f"{len(rows)} open")
        return self._render("escalation_reply.txt.j2", verb="list", rows=rows, issue=None,
                            states=[], closed=[], failed=[]), False

    def _issue_url(self, incident: Incident) -> str:
        """The issue address of an incident (a look-up only for request keys)."""
        key = parse_dedup_key(incident.incident_key)
        if key is None:
            return ""
        if key.issue is not None:
            return key.issue.url(self.actor.gitlab_url)
        try:
            found = self.tracker.find_by_marker(key.project, request_marker_prefix(key.request),
                                                state="all")
        except ChatopsError:
            return ""
        return found.web_url if found else ""
