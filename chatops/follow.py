"""Follow escalations: mirror PagerDuty onto their issues (the sync and webhook jobs)."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from chatops import render
from chatops.audit import AuditLog
from chatops.config import Config
from chatops.core.compose import queued_event, request_marker_prefix
from chatops.core.coverage import is_covered
from chatops.core.history import Incident, LogEntry, parse_dedup_key
from chatops.core.model import (
    ACKNOWLEDGED,
    QUEUED,
    TRIGGERED,
    WAITING,
    Issue,
    marker,
    page_records,
    read_markers,
    waiting_requests,
)
from chatops.core.ports import IssueTracker, Lock, PagerDutyPorts
from chatops.core.refs import IssueRef
from chatops.core.sync import SYNC_LABELS, TeamPolicy, Tracked, plan_sync, posted_ids
from chatops.errors import ChatopsError, ConfigError


@dataclass
class FollowReport:
    """What one sync or webhook run did, and what went wrong."""

    incidents: int = 0
    delivered: int = 0
    skipped: str = ""
    issues: int = 0
    notes: int = 0
    labels: int = 0
    problems: list[str] = field(default_factory=list)

    def line(self) -> str:
        """The summary line of the job log."""
        if self.skipped:
            return f"skipped: {self.skipped}"
        return (f"incidents={self.incidents} delivered={self.delivered} issues={self.issues} "
                f"notes_added={self.notes} "
                f"labels_changed={self.labels} problems={len(self.problems)}")


class Follower:
    """Applies PagerDuty histories to issues through the ports; one issue's failure stays local."""

    def __init__(self, config: Config, tracker: IssueTracker, desk: PagerDutyPorts,
                 audit: AuditLog, clock: Callable[[], datetime], lock: Lock,
                 routing_keys: Mapping[str, str] | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.config, self.tracker, self.desk, self.audit = config, tracker, desk, audit
        self.routing_keys = dict(routing_keys or {})
        self.clock, self.lock, self.sleep = clock, lock, sleep
        self.window = timedelta(minutes=config.sync.window_minutes)
        self.policies = {key: TeamPolicy(t.display_name, t.ack_timeout_minutes, t.fallback)
                         for key, t in config.teams.items()}

    def locked(self, work: Callable[[], FollowReport], wait_seconds: float) -> FollowReport:
        """Run work holding the lock; wait up to wait_seconds for another run to finish."""
        deadline = time.monotonic() + wait_seconds
        while (holder := self.lock.acquire()) is not None:
            if time.monotonic() >= deadline:
                self.audit.record("lock", "chatops-sync-lock", "busy", holder)
                return FollowReport(skipped=f"another run holds the lock ({holder}); the next "
                                            "sync picks up whatever this run would have done")
            self.sleep(2.0)
        try:
            return work()
        finally:
            self.lock.release()

    def sync(self) -> FollowReport:
        """One scheduled pass: changes in the window, and pages that just became overdue."""
        now, report = self.clock(), FollowReport()
        open_incidents = self.desk.open_incidents()
        pairs = self.desk.log_entries(now - self.window, now)
        self.audit.record("read-pagerduty", "incidents+log_entries", "ok",
                          f"{len(open_incidents)} open, {len(pairs)} new entries")
        incidents = {i.id: i for i in open_incidents if self._turning_overdue(i, now)}
        entries: dict[str, list[LogEntry]] = defaultdict(list)
        for incident_id in incidents:
            # Whether it was ever acknowledged may lie before the window: read it all.
            entries[incident_id] = self.desk.incident_log(incident_id)
        for entry, incident in pairs:
            if incident.id not in incidents or entry not in entries[incident.id]:
                entries[incident.id].append(entry)
            incidents[incident.id] = incident
        try:
            self._reconcile(open_incidents, incidents, entries)
        except ChatopsError as exc:  # catching up can wait for the next run; the rest cannot
            self._problem(report, "catch-up of closed pages", str(exc))
        self._apply(incidents, entries, report)
        self._deliver_queued(now, report)
        return report

    def _reconcile(self, open_incidents: list[Incident], incidents: dict[str, Incident],
                   entries: dict[str, list[LogEntry]]) -> None:
        """Catch up on pages that closed while sync was not running (older than the window).

        An issue still labelled triggered/acknowledged whose page is no longer open in
        PagerDuty gets that incident's whole log applied. Quiet cost: two list requests.
        """
        known = {i.incident_key for i in open_incidents} | {
            i.incident_key for i in incidents.values()}
        for label in (TRIGGERED, ACKNOWLEDGED):
            for issue in self.tracker.labelled_issues(self.config.incident_project, label):
                for request in read_markers(issue.description, "request"):
                    key = request.get("dedup_key", "")
                    if not key or key in known:
                        continue
                    known.add(key)
                    found = self.desk.incident(key, wait=False)
                    if found is not None and found.status == "resolved":
                        incidents[found.id] = self.desk.incident_by_id(found.id)
                        entries[found.id] = self.desk.incident_log(found.id)

    def _deliver_queued(self, now: datetime, report: FollowReport) -> None:
        """Page the requests queued with --when-covered whose team's coverage has started."""
        # WAITING is the per-request flag (the escalation:: label is a summary that another
        # team's live page may hold); QUEUED finds requests queued before WAITING existed.
        project = self.config.incident_project
        found = {i.ref: i for label in (WAITING, QUEUED)
                 for i in self.tracker.labelled_issues(project, label)}
        for issue in found.values():
            try:
                self._deliver_issue(issue.ref, now, report)
            except ChatopsError as exc:
                self._problem(report, issue.web_url, str(exc))

    def _deliver_issue(self, ref: IssueRef, now: datetime, report: FollowReport) -> None:
        """Deliver each request queued on one issue (read from chatops' own notes)."""
        issue, notes = self.tracker.get_issue(ref)
        waiting = waiting_requests(notes)  # per team: delivered and cancelled ones are done
        if not waiting:  # nothing left: the labels are stale
            self.tracker.set_labels(ref, [], [QUEUED, WAITING])
            return
        sent = 0
        for request in waiting:
            team = self.config.teams.get(request.get("team", ""))
            if team is None or "dedup_key" not in request:
                self._problem(report, issue.web_url, "queued request for an unknown team")
            elif is_covered(team.coverage, now):
                self._deliver(issue, request, now)
                sent += 1
        report.delivered += sent
        if sent:  # a page just went out: the most urgent state; WAITING while others wait
            others = [lb for lb in SYNC_LABELS if lb != TRIGGERED]
            self.tracker.set_labels(ref, [TRIGGERED],
                                    others + ([WAITING] if sent == len(waiting) else []))

    def _deliver(self, issue: Issue, request: dict[str, str], now: datetime) -> None:
        """Trigger one queued page and note it; the dedup key keeps a retry from paging twice."""
        team_key, dedup_key = request["team"], request["dedup_key"]
        team = self.config.teams[team_key]
        routing_key = self.routing_keys.get(team_key)
        if not routing_key:
            raise ConfigError(f"Cannot deliver the queued page: {team.routing_key_env} is not "
                              "set for the sync job.", "Add it to the sync job's variables.")
        note_marker = marker("paged", team=team_key, dedup_key=dedup_key,
                             at=now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), job="sync")
        body = render.render("note_delivered.md.j2", {"team": team, "now": now,
                                                       "marker": note_marker},
                             self.config.templates_dir)  # before any side effect
        event = queued_event(issue, team_key, team, dedup_key, now,
                             severity=int(request.get("severity", "2") or 2),
                             drill=request.get("drill") == "1")
        self.desk.trigger(routing_key, event)
        self.audit.record("trigger-page", f"pagerduty:{team_key}:{dedup_key}", "ok", "queued")
        self.tracker.add_note(issue.ref, body, note_marker)

    def follow_one(self, incident_id: str) -> FollowReport:
        """Apply one incident's whole history (the webhook job)."""
        report = FollowReport()
        incident = self.desk.incident_by_id(incident_id)
        if parse_dedup_key(incident.incident_key) is None:
            self.audit.record("follow", f"pagerduty:{incident_id}", "ignored",
                              "not an incident opened by chatops")
            return report
        self._apply({incident.id: incident}, {incident.id: self.desk.incident_log(incident.id)},
                    report)
        return report

    def _turning_overdue(self, incident: Incident, now: datetime) -> bool:
        """A triggered page whose acknowledgement deadline passed within the window."""
        key = parse_dedup_key(incident.incident_key)
        policy = self.policies.get(key.team) if key else None
        if policy is None or incident.status != "triggered":
            return False
        deadline = incident.created_at + timedelta(minutes=policy.ack_timeout_minutes)
        return now - self.window < deadline <= now

    def _apply(self, incidents: dict[str, Incident], entries: dict[str, list[LogEntry]],
               report: FollowReport) -> None:
        """Group incidents by issue and bring each issue up to date."""
        report.incidents = len(incidents)
        by_issue: dict[IssueRef, list[tuple[str, Incident]]] = defaultdict(list)
        for incident in incidents.values():
            try:
                ref, team = self._issue_of(incident)
            except ChatopsError as exc:
                self._problem(report, f"pagerduty:{incident.id}", str(exc))
                continue
            by_issue[ref].append((team, incident))
        for ref, items in by_issue.items():
            try:
                self._apply_issue(ref, items, entries, report)
            except ChatopsError as exc:
                self._problem(report, str(ref), str(exc))

    def _issue_of(self, incident: Incident) -> tuple[IssueRef, str]:
        """The issue and team a chatops incident belongs to."""
        key = parse_dedup_key(incident.incident_key)
        assert key is not None
        if key.team not in self.config.teams:
            raise ChatopsError(f"Incident {incident.incident_key} names team {key.team!r}, "
                               "which chatops.toml does not know: not touched.")
        if key.issue is not None:
            return key.issue, key.team
        issue = self.tracker.find_by_marker(key.project, request_marker_prefix(key.request),
                                            state="all")
        if issue is None:
            raise ChatopsError(f"No issue in {key.project} records the page "
                               f"{incident.incident_key} (deleted, or older than 7 days).",
                               "Link the PagerDuty incident to its issue by hand.")
        return issue.ref, key.team

    def _apply_issue(self, ref: IssueRef, items: list[tuple[str, Incident]],
                     entries: dict[str, list[LogEntry]], report: FollowReport) -> None:
        """Read the issue, plan, then label and comment it."""
        issue, notes = self.tracker.get_issue(ref)
        texts = [issue.description, *notes]
        # An incident key is not proof: only pages chatops itself recorded on the issue count.
        recorded = {r.dedup_key for team, _ in items for r in page_records(texts, team)}
        recorded |= {m.get("dedup_key", "") for m in read_markers(issue.description, "request")}
        for _, inc in items:
            if inc.incident_key not in recorded:
                self._problem(report, str(ref), f"the issue records no page with key "
                              f"{inc.incident_key}: not touched")
        items = [(team, inc) for team, inc in items if inc.incident_key in recorded]
        if not items:
            return
        tracked = [Tracked(team, inc, tuple(entries.get(inc.id, ()))) for team, inc in items]
        plan = plan_sync(issue, posted_ids(texts), tracked, self.policies, self.clock())
        report.issues += 1
        if plan.add:
            self.tracker.set_labels(ref, list(plan.add), list(plan.remove))
            self.audit.record("label-issue", issue.web_url, "ok", "+" + ",+".join(plan.add))
            report.labels += 1
        for note in plan.notes:
            body = render.render(note.template, {**note.context, "marker": note.marker,
                                                 "issue_ref": f"{ref.project}#{ref.iid}"},
                                 self.config.templates_dir)
            self.tracker.add_note(ref, body, note.marker)
            self.audit.record("comment-issue", issue.web_url, "ok", note.marker)
            report.notes += 1
        if plan.empty:
            self.audit.record("sync-issue", issue.web_url, "unchanged")

    def _problem(self, report: FollowReport, target: str, problem: str) -> None:
        """Record a problem in the report and the job log; the run goes on."""
        report.problems.append(f"{target}: {problem}")
        self.audit.record("sync-issue", target, "error", problem)
