"""The page flow as a pure state machine: (state, event, now) -> (state, actions)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from chatops.core.incident import Incident
from chatops.core.labels import ACKNOWLEDGED, ESCALATION_LABELS, FAILED, QUEUED, TRIGGERED, WAITING
from chatops.core.model import Issue, OnCall, Outcome, PageRecord
from chatops.core.page_steps import (
    Action,
    AddNote,
    CheckOnCall,
    Event,
    FindIncident,
    FindIssue,
    IncidentLooked,
    IssueChecked,
    IssueFailed,
    IssueOpened,
    LinkIssue,
    OnCallChecked,
    OpenIssue,
    PageFailed,
    PageSent,
    Recorded,
    RecordRefusal,
    SetLabels,
    Started,
    Trigger,
)
from chatops.core.request import PageRequest

# A page recorded on an issue still counts while its escalation is open.
ACTIVE_LABELS = frozenset({TRIGGERED, ACKNOWLEDGED})


# ---- state -------------------------------------------------------------------
@dataclass(frozen=True)
class PageFlow:
    """Everything known about one page request so far."""

    request: PageRequest
    team_labels: tuple[str, ...]
    new_dedup_key: str
    target_url: str = ""  # the --incident issue's address, known before it is read
    covered: bool = True  # inside the team's configured coverage hours now

    @property
    def queue(self) -> bool:
        """--when-covered outside coverage: open the issue now, page when coverage starts."""
        return self.request.when_covered and not self.covered
    oncall_readable: bool = True
    oncall: tuple[OnCall, ...] | None = None
    oncall_problem: str = ""
    oncall_done: bool = False
    issue_done: bool = False
    issue: Issue | None = None
    already_queued: bool = False  # this team's request already waits on the issue
    prior: PageRecord | None = None
    incident: Incident | None = None
    gitlab_problem: str = ""
    retry_gitlab: bool = False  # GitLab failed transiently before the page: try after it
    late: bool = False  # the issue is being opened or linked after the page
    issue_late: bool = False  # ... and it was: the page went out first
    late_problem: str = ""  # ... and it was not: why
    link_problem: str = ""  # why the PagerDuty incident does not link a late issue
    incident_done: bool = False  # the look-up of the page's PagerDuty incident ended
    dedup_key: str = ""
    page_problem: str = ""
    pending: int = 0
    record_problems: tuple[str, ...] = ()
    outcome: Outcome | None = None

    @property
    def done(self) -> bool:
        """True once the flow reached an outcome and nothing is pending."""
        return self.outcome is not None and self.pending == 0


def step(flow: PageFlow, event: Event, now: datetime) -> tuple[PageFlow, list[Action]]:
    """Advance the flow by one event; return the new state and the actions to run."""
    match event:
        case Started():
            return _start(flow)
        case OnCallChecked(entries, problem):
            return _decide(replace(flow, oncall=entries, oncall_problem=problem, oncall_done=True))
        case IssueChecked() if flow.late:
            return _late_checked(replace(flow, pending=flow.pending - 1), event)
        case IssueChecked():
            return _checked_issue(flow, event)
        case IssueOpened(issue) if flow.late:
            return _link_late(replace(flow, pending=flow.pending - 1), issue)
        case IssueOpened(issue):
            flow = replace(flow, issue=issue, dedup_key=flow.new_dedup_key)
            return _enqueue(flow) if flow.queue else _trigger(flow)
        case IssueFailed(problem) if flow.late:
            return replace(flow, pending=flow.pending - 1, late_problem=problem), []
        case IssueFailed(problem, transient):
            flow = replace(flow, gitlab_problem=problem, dedup_key=flow.new_dedup_key,
                           retry_gitlab=transient)
            if flow.queue:  # nowhere to keep the request: say so, page nothing
                return replace(flow, outcome=Outcome.QUEUE_FAILED), []
            return _trigger(flow)
        case PageSent(key):
            return _record(replace(flow, dedup_key=key), Outcome.PAGED, "paged")
        case PageFailed(problem):
            return _record(replace(flow, page_problem=problem), Outcome.PAGE_FAILED, "page_failed")
        case IncidentLooked(incident, _):
            flow = replace(flow, incident=incident, incident_done=True, pending=flow.pending - 1)
            if flow.issue is None:
                return flow, []  # a late issue, if any, is written when it arrives
            # The note waited for the incident so that it can link it.
            return _after_incident(flow)
        case Recorded("pagerduty link", problem):
            return replace(flow, pending=flow.pending - 1, link_problem=problem), []
        case Recorded(what, problem):
            # A refusal that could not be recorded only matters for the metrics: audit only.
            shown = problem and what != "refusal"
            problems = flow.record_problems + ((f"{what}: {problem}",) if shown else ())
            flow = replace(flow, pending=flow.pending - 1, record_problems=problems)
            if problem and flow.outcome is Outcome.QUEUED:
                # Unrecorded (note) or unfindable (label): sync would never deliver it.
                flow = replace(flow, outcome=Outcome.QUEUE_FAILED,
                               gitlab_problem=flow.gitlab_problem or f"{what}: {problem}")
            return flow, []
    raise TypeError(f"unknown event {event!r}")


def _start(flow: PageFlow) -> tuple[PageFlow, list[Action]]:
    """Dry runs stop here; otherwise look up on-call and the issue at once."""
    if flow.request.dry_run:
        return replace(flow, outcome=Outcome.DRY_RUN), []
    if not flow.oncall_readable:
        flow = replace(flow, oncall_done=True, oncall_problem="no PagerDuty API token is set")
        return flow, [FindIssue()]
    return flow, [CheckOnCall(), FindIssue()]


def _checked_issue(flow: PageFlow, event: IssueChecked) -> tuple[PageFlow, list[Action]]:
    """Remember what the issue look-up found, then decide if both look-ups are in."""
    prior = event.records[-1] if event.records and _still_open(event) else None
    flow = replace(flow, issue_done=True, issue=event.issue, prior=prior, incident=event.incident,
                   gitlab_problem=event.problem, already_queued=event.queued,
                   retry_gitlab=event.transient,
                   new_dedup_key=event.dedup_key or flow.new_dedup_key)
    if event.not_found:
        return replace(flow, outcome=Outcome.INCIDENT_NOT_FOUND), []
    return _decide(flow)


def _still_open(event: IssueChecked) -> bool:
    """Is the recorded page's escalation open? PagerDuty decides; the labels if unreadable."""
    if event.incident is not None:
        return event.incident.open
    return event.issue is not None and bool(set(event.issue.labels) & ACTIVE_LABELS)


def _decide(flow: PageFlow) -> tuple[PageFlow, list[Action]]:
    """With both look-ups in: refuse, reuse, or open the issue."""
    if not (flow.oncall_done and flow.issue_done) or flow.outcome is not None:
        return flow, []
    if flow.prior is not None:
        return replace(flow, outcome=Outcome.ALREADY_PAGED, dedup_key=flow.prior.dedup_key), []
    if flow.queue:
        if flow.issue is not None:
            return _enqueue(replace(flow, dedup_key=flow.new_dedup_key))
        return (replace(flow, outcome=Outcome.QUEUE_FAILED), []) if flow.gitlab_problem else (
            flow, [OpenIssue()])
    if flow.oncall is not None and not flow.oncall:
        return _refuse(flow, Outcome.NOBODY_ON_CALL, "nobody on call")
    if flow.oncall is None and not flow.covered:
        # PagerDuty's on-call list is the truth; without it the configured coverage decides.
        return _refuse(flow, Outcome.NOT_COVERED, "outside coverage, on-call list unreadable")
    if flow.issue is not None:
        return _trigger(replace(flow, dedup_key=flow.new_dedup_key))
    if flow.gitlab_problem:
        # The look-before-create failed: creating now could duplicate. Page without an issue.
        return _trigger(replace(flow, dedup_key=flow.new_dedup_key))
    return flow, [OpenIssue()]


def _refuse(flow: PageFlow, outcome: Outcome, reason: str) -> tuple[PageFlow, list[Action]]:
    """No page; leave a trace for the pilot's metrics."""
    return replace(flow, outcome=outcome, pending=1), [RecordRefusal(reason)]


def _enqueue(flow: PageFlow) -> tuple[PageFlow, list[Action]]:
    """Keep the request on the issue (once per team); sync pages when coverage starts.

    The team's own queued note is its state. The summary label turns to queued only when no
    page is live on the issue: a live page of another team stays escalation::triggered or
    acknowledged (on Premium, adding escalation::queued would remove it server-side).
    """
    assert flow.issue is not None
    live = bool(set(flow.issue.labels) & ACTIVE_LABELS)
    add = (*(() if live else (QUEUED,)), WAITING, *flow.team_labels)
    remove = () if live else tuple(other for other in ESCALATION_LABELS if other != QUEUED)
    actions: list[Action] = [SetLabels(add, remove)]
    if not flow.already_queued:  # a repeated request only makes sure sync can find it
        actions.append(AddNote("queued"))
    return replace(flow, outcome=Outcome.QUEUED, pending=len(actions)), actions


def _trigger(flow: PageFlow) -> tuple[PageFlow, list[Action]]:
    """Send the page (with or without an issue to link)."""
    return flow, [Trigger(flow.dedup_key)]


def _record(flow: PageFlow, outcome: Outcome, note: str) -> tuple[PageFlow, list[Action]]:
    """After the trigger: find the PagerDuty incident, label and comment the issue."""
    look = outcome is Outcome.PAGED and flow.oncall_readable
    actions: list[Action] = [FindIncident(flow.dedup_key)] if look else []
    if flow.issue is None:
        final = Outcome.PAGED_WITHOUT_ISSUE if outcome is Outcome.PAGED else outcome
        # GitLab failed in a way that may pass: now that the page is out, try again
        # (the look-up first: a create whose fate is unknown may have worked).
        late = outcome is Outcome.PAGED and flow.retry_gitlab
        actions += [FindIssue(late=True)] if late else []
        return replace(flow, outcome=final, late=late, pending=len(actions)), actions
    label = TRIGGERED if outcome is Outcome.PAGED else FAILED
    add = (label, *flow.team_labels)
    remove = tuple(other for other in ESCALATION_LABELS if other != label)
    actions.insert(0, SetLabels(add, remove))
    if not look:
        actions.append(AddNote(note))
    return replace(flow, outcome=outcome, pending=len(actions)), actions


def _after_incident(flow: PageFlow) -> tuple[PageFlow, list[Action]]:
    """The incident look-up is over and the issue known: comment; link a late issue."""
    actions: list[Action] = [AddNote("paged")]
    unlinked = flow.issue_late and flow.request.incident is None  # --incident: the event links it
    if unlinked and flow.incident is not None:
        actions.append(LinkIssue())
    elif unlinked:
        flow = replace(flow, link_problem="the incident could not be read")
    return replace(flow, pending=flow.pending + len(actions)), actions


def _late_checked(flow: PageFlow, event: IssueChecked) -> tuple[PageFlow, list[Action]]:
    """After the page: the request's issue (or --incident) found, else open it now."""
    if event.issue is not None:
        return _link_late(flow, event.issue)
    if event.problem or flow.request.incident is not None:
        return replace(flow, late_problem=event.problem or "not found"), []
    return replace(flow, pending=flow.pending + 1), [OpenIssue(late=True)]


def _link_late(flow: PageFlow, issue: Issue) -> tuple[PageFlow, list[Action]]:
    """The issue exists after all: label it; comment (and link it from PagerDuty) once the
    incident look-up is over."""
    flow = replace(flow, issue=issue, issue_late=True, outcome=Outcome.PAGED)
    add = (TRIGGERED, *flow.team_labels)
    remove = tuple(other for other in ESCALATION_LABELS if other != TRIGGERED)
    flow = replace(flow, pending=flow.pending + 1)
    if flow.oncall_readable and not flow.incident_done:
        return flow, [SetLabels(add, remove)]
    flow, more = _after_incident(flow)
    return flow, [SetLabels(add, remove), *more]
