"""The escalation commands from chat: status (live from PagerDuty), resolve, cancel, list."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chatops import render
from chatops.access import authorise
from chatops.audit import AuditLog
from chatops.config import Config
from chatops.core import access as core_access
from chatops.core.escalation import EscalationCommand
from chatops.core.incident import Incident, LogEntry
from chatops.core.labels import CANCELLED, RESOLVED, SYNC_LABELS, WAITING
from chatops.core.markers import request_marker_prefix
from chatops.core.model import Issue, latest_pages, marker, waiting_requests
from chatops.core.ports import IssueTracker, PagerDutyPorts
from chatops.core.refs import IssueRef
from chatops.errors import ChatopsError, ConfigError, InputError, NotAllowedError, NotFoundError
from chatops.services import team_service_ids


@dataclass(frozen=True)
class Actor:
    """Who runs the command: GitLab login and email, the PagerDuty fallback identity."""

    login: str
    email: str
    fallback_email: str
    gitlab_url: str
    user_id: str = ""  # GITLAB_USER_ID: what authorisation asks GitLab about


@dataclass(frozen=True)
class Queued:
    """One team's request queued on an issue, not yet delivered nor cancelled."""

    team: str
    name: str
    at: str
    dedup_key: str


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

    def _name(self, team: str) -> str:
        """A team's display name (its key when chatops.toml no longer knows it)."""
        return self.config.teams[team].display_name if team in self.config.teams else team

    def _teams(self, ref: IssueRef, verb: str
               ) -> tuple[Issue, list[TeamState], list[Queued]]:
        """The issue, the live PagerDuty state of each paged team, and the queued requests."""
        unchecked = authorise(self.tracker, verb, ref, self.config.incident_project,
                              self.actor.user_id, self.actor.login, self.audit)
        if unchecked:  # before the issue is read: nothing is read or changed
            raise ChatopsError(f"GitLab {unchecked}.", "Retry in a minute.")
        try:
            issue, notes = self.tracker.get_issue(ref)
        except NotFoundError as exc:  # a reference the requester can fix: bad input
            raise InputError(
                f"Issue {ref} was not found (GitLab answered 404), or the chatops token "
                "cannot see it.",
                "Check the reference (an issue URL, group/project#N, or N for an issue of "
                f"{self.config.incident_project}) and run again.") from exc
        states = []
        for team, record in latest_pages([issue.description, *notes]).items():
            name = self._name(team)
            try:
                found = self.pd.incident(record.dedup_key, wait=False)
                incident = self.pd.incident_by_id(found.id) if found else None
                log = tuple(self.pd.incident_log(found.id)) if found else ()
            except ChatopsError as exc:
                states.append(TeamState(team, name, record.at, None, problem=str(exc)))
                continue
            states.append(TeamState(team, name, record.at, incident, log))
        queued = [Queued(m["team"], self._name(m["team"]), m.get("at", ""), m["dedup_key"])
                  for m in waiting_requests(notes)]
        self.audit.record("read-escalation", issue.web_url, "ok",
                          f"{len(states)} page(s), {len(queued)} queued")
        return issue, states, queued

    def status(self, ref: IssueRef) -> tuple[str, bool]:
        """Where each page on the issue stands, read live; True when part could not be read."""
        issue, states, queued = self._teams(ref, "status")
        reply = self._render("escalation_reply.txt.j2", verb="status", issue=issue,
                             states=states, queued=queued, closed=[], failed=[])
        return reply, any(s.problem for s in states)

    def close(self, ref: IssueRef, verb: str, text: str) -> tuple[str, bool]:
        """Resolve (or cancel as a false alarm) every live page and every queued one.

        PagerDuty first (the live pages), then the issue: one note that records the
        closed incidents and, per team, the cancelled queued requests (the note is what
        stops sync from delivering them), then the label. Each part that fails is said.
        """
        issue, states, queued = self._teams(ref, verb)
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
        dequeued, stuck, problem = self._record(issue, verb, text, closed, queued, failed)
        reply = self._render("escalation_reply.txt.j2", verb=verb, issue=issue, states=states,
                             closed=closed, failed=failed, dequeued=dequeued, stuck=stuck,
                             gitlab_problem=problem, label=self._label(verb, closed))
        return reply, bool(failed or stuck or problem)

    @staticmethod
    def _label(verb: str, closed: list[TeamState]) -> str:
        """The summary label after closing: a queued page alone is cancelled, never resolved."""
        return RESOLVED if verb == "resolve" and closed else CANCELLED

    def _record(self, issue: Issue, verb: str, text: str, closed: list[TeamState],
                queued: list[Queued], failed: list[tuple[TeamState, str]]
                ) -> tuple[list[Queued], list[Queued], str]:
        """Comment and label the issue; return (cancelled, still queued, GitLab problem)."""
        if not closed and not queued:
            return [], [], ""
        ids = "+".join(s.incident.id for s in closed if s.incident)
        lines = [marker("closed", id=ids or f"queued-{issue.iid}", verb=verb)]
        lines += [marker("dequeued", team=q.team, dedup_key=q.dedup_key, verb=verb)
                  for q in queued]
        body = self._render("note_closed.md.j2", verb=verb, text=text, closed=closed,
                            dequeued=queued, marker="\n".join(lines))
        try:
            self.tracker.add_note(issue.ref, body, lines[0])
        except ChatopsError as exc:
            self.audit.record("comment-issue", issue.web_url, "error", str(exc))
            return [], queued, str(exc)
        self.audit.record("comment-issue", issue.web_url, "ok",
                          f"{'cancelled' if verb == 'cancel' else 'resolved'} {len(closed)} "
                          f"page(s), cancelled {len(queued)} queued")
        if any(s.problem or (s.incident and s.incident.open) for s, _ in failed):
            return queued, [], ""  # a page may still be open: the label keeps saying so
        label = self._label(verb, closed)
        others = [lb for lb in (*SYNC_LABELS, WAITING) if lb != label]
        try:
            self.tracker.set_labels(issue.ref, [label], others)
        except ChatopsError as exc:
            self.audit.record("label-issue", issue.web_url, "error", str(exc))
            return queued, [], str(exc)
        self.audit.record("label-issue", issue.web_url, "ok", label)
        return queued, [], ""

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

    def execute(self, command: EscalationCommand) -> tuple[str, bool]:
        """Run one escalation command; the reply and whether part of it failed."""
        if command.verb == "list":
            return self.open_list()
        assert command.ref is not None
        ref = command.ref.resolve(self.config.incident_project, self.actor.gitlab_url)
        if command.verb == "status":
            return self.status(ref)
        return self.close(ref, command.verb, command.text)

    def open_list(self) -> tuple[str, bool]:
        """Open escalations, oldest first."""
        # Only the teams' services; grouped (keyless) incidents there via their alerts.
        services = tuple(sorted({s for ids in team_service_ids(self.config, self.pd).values()
                                 for s in ids}))
        incidents = sorted(self.pd.open_incidents(services), key=lambda i: i.created_at)
        unanswered: set[str] = set()
        shown, hidden = self._readable(incidents, unanswered)
        rows = [(incident, self._issue_url(incident)) for incident in shown]
        self.audit.record("list-escalations", "pagerduty", "ok",
                          f"{len(rows)} open" + (f", {hidden} hidden" if hidden else ""))
        return self._render("escalation_reply.txt.j2", verb="list", rows=rows, issue=None,
                            states=[], closed=[], failed=[], hidden=hidden,
                            who_known=self.actor.user_id.isdigit(),
                            unanswered=bool(unanswered)), False

    def _readable(self, incidents: list[Incident],
                  unanswered: set[str]) -> tuple[list[Incident], int]:
        """The incidents the requester may see, and how many others there are.

        An escalation of a project other than the incident project shows (its title carries
        the message) only to a Reporter of that project, as page and status require: one
        members request per such project (the same check as page and status); an unknown
        requester or an unanswered request means hidden (unanswered collects those projects).
        """
        allowed: dict[str, bool] = {}
        shown, hidden = [], 0
        for incident in incidents:
            # Every key counts, request keys too (their project may not be the incident
            # project: a changed incident_project, or a key someone else sent).
            outside = {key.project for key in incident.escalations
                       if core_access.needs_role(IssueRef(key.project, 0),
                                                 self.config.incident_project)}
            for project in outside - allowed.keys():
                allowed[project] = self._may_read(project, unanswered)
            if all(allowed[project] for project in outside):
                shown.append(incident)
            else:
                hidden += 1
        return shown, hidden

    def _may_read(self, project: str, unanswered: set[str]) -> bool:
        """May the requester read the pages of this project (authorise, as status asks)?"""
        try:
            problem = authorise(self.tracker, "status", IssueRef(project, 0),
                                self.config.incident_project, self.actor.user_id,
                                self.actor.login, self.audit)
        except NotAllowedError:
            return False
        if problem:  # GitLab could not say: hidden, and the reply says so
            unanswered.add(project)
        return not problem

    def _issue_url(self, incident: Incident) -> str:
        """The issue address of an incident (a look-up only for request keys)."""
        keys = incident.escalations
        if not keys:
            return ""
        key = keys[0]
        if key.issue is not None:
            return key.issue.url(self.actor.gitlab_url)
        try:
            found = self.tracker.find_by_marker(key.project, request_marker_prefix(key.request),
                                                state="all")
        except ChatopsError:
            return ""
        return found.web_url if found else ""
