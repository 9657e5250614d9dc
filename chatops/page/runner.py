"""Runs the page flow: feeds events to the pure state machine, executes its actions."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from chatops.access import authorise
from chatops.audit import AuditLog
from chatops.core import compose, markers
from chatops.core.incident import Incident
from chatops.core.model import page_records, read_markers, waiting_requests
from chatops.core.page import PageFlow, step
from chatops.core.page_steps import (
    Action,
    AddNote,
    CheckOnCall,
    Event,
    FindIncident,
    FindIssue,
    IncidentLooked,
    IssueChecked,
    LinkIssue,
    OnCallChecked,
    OpenIssue,
    PageFailed,
    PageSent,
    RecordRefusal,
    SetLabels,
    Started,
    Trigger,
)
from chatops.core.ports import IssueTracker, Pager
from chatops.core.refs import IssueRef
from chatops.errors import ChatopsError, NotFoundError, RoutingKeyError
from chatops.page.lookahead import Lookahead
from chatops.page.plan import PagePlan
from chatops.page.writes import PageWrites, gitlab_problem, transient


@dataclass(frozen=True)
class PageResult:
    """The finished flow and the reply for the requester."""

    flow: PageFlow
    reply: str


class PageRunner:
    """Executes a PagePlan through the IssueTracker and Pager ports."""

    def __init__(self, plan: PagePlan, tracker: IssueTracker, pager: Pager, routing_key: str,
                 audit: AuditLog, from_email: str = "", ahead: Lookahead | None = None) -> None:
        self.plan, self.tracker, self.pager = plan, tracker, pager
        self.ahead = ahead  # the first reads, sent before the configuration was validated
        self.routing_key, self.audit = routing_key, audit
        self.request, self.team, self.target = plan.request, plan.team, plan.target
        self._unchecked = ""  # why the requester's role could not be checked, if so
        self.writes = PageWrites(plan, tracker, pager, routing_key, audit, from_email)

    @property
    def flow(self) -> PageFlow:
        """The plan's current flow state."""
        return self.plan.flow

    def run(self) -> PageResult:
        """Drive the flow to its outcome and render the reply."""
        clock = self.plan.clock
        # Everything before the page shares one budget, whatever the number of requests
        # (the role check included); early reads started it when they were sent.
        if self.ahead is None:
            self._phase(self.plan.config.http.lookup_budget_seconds)
        if self.target is not None and not self.request.dry_run:
            # Before the issue is read: a refusal must not tell whether it exists.
            who = self.plan.who
            self._unchecked = authorise(self.tracker, "page", self.target,
                                        self.plan.config.incident_project, who.user_id,
                                        who.login, self.audit)
        self.plan.flow, actions = step(self.plan.flow, Started(), clock())
        first, looking = True, True
        while actions:
            if looking and not all(_looks(action) for action in actions):
                # The decision is made (page, queue or refuse): the writes get their budget.
                looking = False
                self._phase(self.plan.config.http.gitlab_budget_seconds)
            # The look-ups are independent reads and run at once; writes run in order,
            # so the issue's timeline (labels, then note) is the same on every run.
            writes = [a for a in actions if isinstance(a, OpenIssue | SetLabels | AddNote)]
            if first or (len(actions) > 1 and len(writes) <= 1):
                with ThreadPoolExecutor(max_workers=len(actions)) as pool:
                    futures = [pool.submit(self._execute, action) for action in actions]
                    if first:  # the CPU work the page needs next, while the look-ups are out
                        self.plan.warm()
                    events = [future.result() for future in futures]
            else:
                events = [self._execute(action) for action in actions]
            first = False
            actions = []
            for event in events:
                self.plan.flow, more = step(self.plan.flow, event, clock())
                actions.extend(more)
        if not self.plan.flow.done:
            raise RuntimeError(f"page flow stopped without an outcome: {self.plan.flow!r}")
        return PageResult(self.plan.flow, self.plan.render("reply.txt.j2"))

    def _phase(self, seconds: float) -> None:
        """Start a phase: from now on, every call to either service ends within seconds."""
        self.tracker.within(seconds)
        self.pager.within(seconds)

    def _execute(self, action: Action) -> Event:
        """Run one action, turning service failures into events the flow decides on."""
        writes = self.writes
        handlers: dict[type, Callable[[Any], Event]] = {
            CheckOnCall: self._check_oncall, FindIssue: self._find_issue,
            OpenIssue: writes.open_issue, Trigger: self._trigger, FindIncident: self._incident,
            RecordRefusal: writes.record_refusal, LinkIssue: writes.link_issue,
            SetLabels: writes.set_labels, AddNote: writes.add_note,
        }
        return handlers[type(action)](action)

    def _check_oncall(self, _: CheckOnCall) -> Event:
        """Ask PagerDuty who is on call for the team's policy."""
        policy = self.team.escalation_policy_id
        try:
            entries = (self.ahead.oncall(policy, lambda: self.pager.oncall(policy)) if self.ahead
                       else self.pager.oncall(policy))
        except ChatopsError as exc:
            self.audit.record("check-oncall", f"pagerduty:{policy}", "error", str(exc))
            return OnCallChecked(None, str(exc))
        names = ", ".join(f"L{o.level} {o.name}" for o in entries) or "nobody"
        self.audit.record("check-oncall", f"pagerduty:{policy}", "ok", names)
        return OnCallChecked(entries)

    def _find_issue(self, _: FindIssue) -> Event:
        """Find this request's issue, or load the --incident issue."""
        if self.target is None:
            return self._find_request_issue()
        if self._unchecked:  # GitLab could not say who may act there: leave the issue alone
            return IssueChecked(None, problem=self._unchecked)
        return self._load(self.target)

    def _load(self, ref: IssueRef) -> Event:
        """Load an issue with the pages already recorded on it."""
        try:
            issue, notes = self.tracker.get_issue(ref)
        except NotFoundError as exc:
            self.audit.record("load-issue", str(ref), "not-found", str(exc))
            return IssueChecked(None, problem=str(exc), not_found=True)
        except ChatopsError as exc:
            self.audit.record("load-issue", str(ref), "error", str(exc))
            return IssueChecked(None, problem=gitlab_problem(self.plan, exc),
                                transient=transient(exc))
        records = page_records([issue.description, *notes], self.request.team)
        own = [m for m in read_markers(issue.description, "request")
               if m.get("team") == self.request.team]
        self.audit.record("load-issue", issue.web_url, "ok", f"{len(records)} earlier page(s)")
        incident = self._earlier_incident(records[-1].dedup_key) if records else None
        queued = any(m.get("team") == self.request.team
                     for m in waiting_requests([issue.description, *notes]))
        return IssueChecked(issue, tuple(records), incident=incident,
                            dedup_key=own[0].get("dedup_key", "") if own else "", queued=queued)

    def _earlier_incident(self, dedup_key: str) -> Incident | None:
        """PagerDuty's view of an earlier page: is that escalation still open?"""
        if not self.plan.flow.oncall_readable:
            return None
        try:
            incident = self.pager.incident(dedup_key, wait=False)
        except ChatopsError as exc:
            self.audit.record("find-incident", f"pagerduty:incident_key={dedup_key}", "error",
                              str(exc))
            return None
        status = incident.status if incident else "none"
        self.audit.record("find-incident", f"pagerduty:incident_key={dedup_key}", "ok", status)
        return incident

    def _find_request_issue(self) -> Event:
        """Look for the open issue this same request opened earlier."""
        project = self.plan.config.incident_project
        token = markers.request_marker_prefix(self.plan.key)
        try:
            issue = (self.ahead.issue(project, token, lambda: self.tracker.find_by_marker(
                project, token)) if self.ahead else self.tracker.find_by_marker(project, token))
        except ChatopsError as exc:
            self.audit.record("find-issue", project, "error", str(exc))
            return IssueChecked(None, problem=gitlab_problem(self.plan, exc),
                                transient=transient(exc))
        if issue is None:
            self.audit.record("find-issue", project, "none", markers.search_token(self.plan.key))
            return IssueChecked(None)
        self.audit.record("find-issue", issue.web_url, "found", markers.search_token(self.plan.key))
        return self._load(issue.ref)

    def _trigger(self, action: Trigger) -> Event:
        """Send the page."""
        target = f"pagerduty:{self.request.team}:{action.dedup_key}"
        try:
            key = self.pager.trigger(self.routing_key, self.plan.event())
        except RoutingKeyError as exc:
            problem = compose.routing_key_problem(self.request.team, self.team, exc.detail)
            self.audit.record("trigger-page", target, "FAILED", problem)
            return PageFailed(problem)
        except ChatopsError as exc:
            self.audit.record("trigger-page", target, "FAILED", str(exc))
            return PageFailed(str(exc))
        finally:
            # After the page: labels, notes and a late issue share the write budget.
            self._phase(self.plan.config.http.gitlab_budget_seconds)
        self.audit.record("trigger-page", target, "ok")
        return PageSent(key)

    def _incident(self, action: FindIncident) -> Event:
        """Read the PagerDuty incident the trigger opened."""
        target = f"pagerduty:incident_key={action.dedup_key}"
        try:
            incident = self.pager.incident(action.dedup_key)
        except ChatopsError as exc:
            self.audit.record("find-incident", target, "error", str(exc))
            return IncidentLooked(None, str(exc))
        outcome = f"#{incident.number} {incident.status}" if incident else "not-yet-visible"
        self.audit.record("find-incident", target, "ok", outcome)
        return IncidentLooked(incident)


def _looks(action: Action) -> bool:
    """Is this action part of the look-ups before the decision (the look-up budget)?"""
    return isinstance(action, CheckOnCall | FindIssue | OpenIssue) and not getattr(
        action, "late", False)
