"""The sync job: mirror PagerDuty onto the escalations' issues (sync and webhook runs)."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta

from chatops import render
from chatops.audit import AuditLog
from chatops.config import Config
from chatops.core.cursor import RETRY_FOR, SyncState, parse_state, render_state
from chatops.core.dedup import EscalationKey
from chatops.core.incident import Incident, LogEntry
from chatops.core.labels import ACKNOWLEDGED, SYNC_LOCK, TRIGGERED
from chatops.core.markers import search_token
from chatops.core.model import Issue, page_records, read_markers
from chatops.core.ports import IssueTracker, Lock, PagerDutyPorts, StateStore
from chatops.core.refs import IssueRef
from chatops.core.sync import TeamPolicy, Tracked, plan_sync, posted_ids
from chatops.delivery import QueuedPages
from chatops.errors import ChatopsError
from chatops.services import team_service_ids
from chatops.sync_report import SyncReport

# A request's issue is opened at most this long before a page with its key (the page
# path finds it back for 7 days), so a bulk listing from here on finds it.
REQUEST_ISSUE_AGE = timedelta(days=8)
Item = tuple[str, Incident, str]  # team, incident, dedup key


class SyncJob:
    """Applies PagerDuty histories to issues through the ports; one issue's failure stays local."""

    def __init__(self, config: Config, tracker: IssueTracker, desk: PagerDutyPorts,
                 audit: AuditLog, clock: Callable[[], datetime], lock: Lock,
                 routing_keys: Mapping[str, str] | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 store: StateStore | None = None) -> None:
        self.config, self.tracker, self.desk, self.audit = config, tracker, desk, audit
        self.routing_keys = dict(routing_keys or {})
        self.clock, self.lock, self.sleep, self.store = clock, lock, sleep, store
        self.window = timedelta(minutes=config.sync.window_minutes)
        self.policies = {key: TeamPolicy(t.display_name, t.ack_timeout_minutes, t.fallback)
                         for key, t in config.teams.items()}
        self._requests: dict[str, dict[str, IssueRef]] = {}  # project -> token -> issue
        self._requests_since: dict[str, datetime] = {}
        self._listed: dict[IssueRef, Issue] = {}  # issues read by the bulk listing

    def locked(self, work: Callable[[], SyncReport], wait_seconds: float) -> SyncReport:
        """Run work holding the lock; wait up to wait_seconds for another run to finish."""
        deadline = time.monotonic() + wait_seconds
        while (holder := self.lock.acquire()) is not None:
            if time.monotonic() >= deadline:
                self.audit.record("lock", SYNC_LOCK, "busy", holder)
                return SyncReport(skipped=f"another run holds the lock ({holder}); the next "
                                            "sync picks up whatever this run would have done")
            self.sleep(2.0)
        try:
            return work()
        finally:
            self.lock.release()

    def sync(self) -> SyncReport:
        """One scheduled pass: what changed since the saved cursor, and pages turning overdue."""
        now, report = self.clock(), SyncReport()
        state = parse_state(self.store.load() if self.store else "")
        state = self._services(state, now, report)
        pairs = self.desk.log_entries(state.read_since(now, self.window), now)
        fresh = [(entry, incident) for entry, incident in pairs if entry.id not in state.applied]
        self.audit.record("read-pagerduty", "log_entries", "ok",
                          f"{len(pairs)} entries, {len(fresh)} not yet applied")
        incidents: dict[str, Incident] = {}
        entries: dict[str, list[LogEntry]] = defaultdict(list)
        for entry, incident in fresh:
            incidents[incident.id] = incident
            entries[incident.id].append(entry)
        services = tuple(sorted({s for ids in state.services.values() for s in ids}))
        since = state.read_since(now, self.window)
        for incident in self._turning_overdue(state, services, now):
            incidents[incident.id] = incident
            if incident.created_at < since:  # its acknowledgement may lie before: read it all
                entries[incident.id] = self.desk.incident_log(incident.id)
        failed: dict[str, datetime] = {}
        for incident_id, first in state.retry.items():
            self._retry_one(incident_id, first, now, incidents, entries, failed, report)
        if state.cursor is None:  # first run: nothing says what earlier runs applied
            try:
                self._reconcile(incidents, entries)
            except ChatopsError as exc:  # catching up can wait for the next run
                self._problem(report, "catch-up of closed pages", str(exc))
        ours = self._ours(incidents, services, report, failed)
        failed |= self._apply(ours, entries, report)
        queued = QueuedPages(self.config, self.tracker, self.desk, self.audit,
                             self.routing_keys, lambda t, p: self._problem(report, t, p))
        report.delivered = queued.deliver_all(now)
        fixed = {i for i in state.retry if i not in failed}  # applied, or given up
        self._save(state.advanced(now, {e.id: e.at for e, _ in fresh}, failed, fixed), report)
        return report

    def _services(self, state: SyncState, now: datetime, report: SyncReport) -> SyncState:
        """The teams' PagerDuty services: configured, or read again when stale."""
        if not state.services_stale(set(self.config.teams), now):
            return state
        try:
            found = team_service_ids(self.config, self.desk)
        except ChatopsError as exc:
            self._problem(report, "services of the teams' escalation policies", str(exc))
            return state
        self.audit.record("read-pagerduty", "services", "ok",
                          f"{sum(map(len, found.values()))} services of {len(found)} teams")
        return replace(state, services=found, services_at=now)

    def _save(self, state: SyncState, report: SyncReport) -> None:
        """Keep the cursor; a failed save only makes the next run re-read (idempotently)."""
        if self.store is None:
            return
        try:
            self.store.save(render_state(state))
        except ChatopsError as exc:
            self._problem(report, "sync state", f"{exc} (the next run reads the same "
                                                "changes again; nothing is lost)")

    def _retry_one(self, incident_id: str, first: datetime, now: datetime,
                   incidents: dict[str, Incident], entries: dict[str, list[LogEntry]],
                   failed: dict[str, datetime], report: SyncReport) -> None:
        """Read again the whole history of an incident whose application failed before."""
        if now - first > RETRY_FOR:
            self._problem(report, f"pagerduty:{incident_id}", "still failing after "
                          f"{RETRY_FOR}; no longer retried: apply it by hand (webhook job)")
            return
        try:
            incidents[incident_id] = self.desk.incident_by_id(incident_id)
            entries[incident_id] = self.desk.incident_log(incident_id)
        except ChatopsError as exc:
            failed[incident_id] = first
            self._problem(report, f"pagerduty:{incident_id}", str(exc))

    def _turning_overdue(self, state: SyncState, services: tuple[str, ...],
                         now: datetime) -> list[Incident]:
        """Triggered pages whose acknowledgement deadline passed since the last run."""
        if not services:
            return []
        last = state.cursor or now - self.window
        timeouts = [timedelta(minutes=p.ack_timeout_minutes) for p in self.policies.values()]
        found = []
        for incident in self.desk.triggered_between(services, last - max(timeouts),
                                                    now - min(timeouts)):
            if not incident.escalations and not incident.incident_key:
                incident = self.desk.with_keys(incident)
            for key in incident.escalations:
                policy = self.policies.get(key.team)
                deadline = incident.created_at + timedelta(
                    minutes=policy.ack_timeout_minutes if policy else 0)
                if policy is not None and last < deadline <= now:
                    found.append(incident)
                    break
        return found

    def _reconcile(self, incidents: dict[str, Incident],
                   entries: dict[str, list[LogEntry]]) -> None:
        """First run: catch up on pages of the incident project that closed before it."""
        known = {k.key for i in incidents.values() for k in i.escalations}
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

    def _ours(self, incidents: dict[str, Incident], services: tuple[str, ...],
              report: SyncReport, failed: dict[str, datetime]) -> dict[str, Incident]:
        """The chatops incidents among these; keyless ones of the teams' services via alerts."""
        ours = {}
        for incident in incidents.values():
            if not incident.incident_key and not incident.alert_keys:
                if incident.service_id not in services:
                    continue  # grouped incident of another service: never ours
                try:
                    incident = self.desk.with_keys(incident)
                except ChatopsError as exc:
                    self._fail(report, failed, incident.id, exc)
                    continue
            if incident.escalations:
                ours[incident.id] = incident
        return ours

    def follow_one(self, incident_id: str) -> SyncReport:
        """Apply one incident's whole history (the webhook job)."""
        report = SyncReport()
        incident = self.desk.with_keys(self.desk.incident_by_id(incident_id))
        if not incident.escalations:
            self.audit.record("follow", f"pagerduty:{incident_id}", "ignored",
                              "not an incident opened by chatops")
            return report
        failed = self._apply({incident.id: incident},
                             {incident.id: self.desk.incident_log(incident.id)}, report)
        if failed and not report.problems:
            report.problems.append(f"pagerduty:{incident_id}: not applied")
        return report

    def _apply(self, incidents: dict[str, Incident], entries: dict[str, list[LogEntry]],
               report: SyncReport) -> dict[str, datetime]:
        """Group incidents by issue, bring each issue up to date; return the transient failures."""
        report.incidents = len(incidents)
        failed: dict[str, datetime] = {}
        by_issue: dict[IssueRef, list[Item]] = defaultdict(list)
        for incident in incidents.values():
            for key in incident.escalations:
                try:
                    by_issue[self._issue_of(key, incident)].append((key.team, incident, key.key))
                except ChatopsError as exc:
                    self._fail(report, failed, incident.id, exc)
        for ref, items in by_issue.items():
            try:
                for incident_id in self._apply_issue(ref, items, entries, report):
                    failed.setdefault(incident_id, self.clock())
            except ChatopsError as exc:
                for _, incident, _ in items:
                    self._fail(report, failed, incident.id, exc, target=str(ref))
        return failed

    def _fail(self, report: SyncReport, failed: dict[str, datetime], incident_id: str,
              exc: ChatopsError, target: str = "") -> None:
        """Report a problem; the incident is read again by the next runs (for RETRY_FOR)."""
        self._problem(report, target or f"pagerduty:{incident_id}", str(exc))
        failed.setdefault(incident_id, self.clock())

    def _issue_of(self, key: EscalationKey, incident: Incident) -> IssueRef:
        """The issue a chatops escalation belongs to (request keys: one bulk listing)."""
        if key.team not in self.config.teams:
            raise ChatopsError(f"Incident {incident.id} ({key.key}) names team {key.team!r}, "
                               "which chatops.toml does not know: not touched.")
        if key.issue is not None:
            return key.issue
        since = incident.created_at - REQUEST_ISSUE_AGE
        if self._requests_since.get(key.project, since + timedelta(seconds=1)) > since:
            found: dict[str, IssueRef] = {}
            for issue in self.tracker.issues_updated(key.project, since):
                self._listed[issue.ref] = issue
                for request in read_markers(issue.description, "request"):
                    found.setdefault(request.get("id", ""), issue.ref)
            self._requests[key.project], self._requests_since[key.project] = found, since
        ref = self._requests[key.project].get(search_token(key.request))
        if ref is None:
            raise ChatopsError(f"No issue in {key.project} records the page {key.key} "
                               "(deleted?).", "Link the PagerDuty incident to its issue by hand.")
        return ref

    def _apply_issue(self, ref: IssueRef, items: list[Item],
                     entries: dict[str, list[LogEntry]], report: SyncReport) -> list[str]:
        """Read the issue, plan, then label and comment it; return the incidents not applied."""
        listed = self._listed.pop(ref, None)  # read moments ago: only its notes are missing
        issue, notes = ((listed, self.tracker.own_notes(ref)) if listed
                        else self.tracker.get_issue(ref))
        texts = [issue.description, *notes]
        # An incident key is not proof: only pages chatops itself recorded on the issue count.
        recorded = {r.dedup_key for team, _, _ in items for r in page_records(texts, team)}
        recorded |= {m.get("dedup_key", "") for m in read_markers(issue.description, "request")}
        for _, _, key in items:
            if key not in recorded:
                self._problem(report, str(ref), f"the issue records no page with key "
                              f"{key}: not touched")
        refused = [inc.id for _, inc, key in items if key not in recorded]
        items = [item for item in items if item[2] in recorded]
        if not items:
            return refused
        tracked = [Tracked(team, inc, tuple(entries.get(inc.id, ()))) for team, inc, _ in items]
        plan = plan_sync(issue, posted_ids(texts), tracked, self.policies, self.clock())
        report.issues += 1
        if plan.add:
            self.tracker.set_labels(ref, list(plan.add), list(plan.remove))
            self.audit.record("label-issue", issue.web_url, "ok", "+" + ",+".join(plan.add))
            report.labels += 1
        # One comment per issue and run, one section (with its marker) per entry: the
        # story reads the same, and a run costs one write per issue, not one per entry.
        bodies = [render.render(note.template, {**note.context, "marker": note.marker,
                                                "issue_ref": f"{ref.project}#{ref.iid}"},
                                self.config.templates_dir) for note in plan.notes]
        if bodies:
            self.tracker.add_note(ref, "\n\n".join(b.strip() for b in bodies),
                                  plan.notes[-1].marker)
            for note in plan.notes:
                self.audit.record("comment-issue", issue.web_url, "ok", note.marker)
            report.notes += len(bodies)
        if plan.empty:
            self.audit.record("sync-issue", issue.web_url, "unchanged")
        return refused

    def _problem(self, report: SyncReport, target: str, problem: str) -> None:
        """Record a problem in the report and the job log; the run goes on."""
        report.problems.append(f"{target}: {problem}")
        self.audit.record("sync-issue", target, "error", problem)
