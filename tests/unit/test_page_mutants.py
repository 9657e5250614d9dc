"""The page state machine at each branch: queued requests, waiting, counters, problems."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from chatops.core.incident import Incident
from chatops.core.labels import ACKNOWLEDGED, FAILED, QUEUED, RESOLVED, TRIGGERED, WAITING
from chatops.core.model import Issue, OnCall, Outcome, PageRecord
from chatops.core.page import ACTIVE_LABELS, PageFlow, step
from chatops.core.page_steps import (
    AddNote,
    CheckOnCall,
    Event,
    FindIncident,
    FindIssue,
    IncidentLooked,
    IssueChecked,
    IssueFailed,
    IssueOpened,
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
from chatops.core.refs import IssueRef
from chatops.core.request import PageRequest

NOW = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
ADA = OnCall(1, "Ada Lovelace", None)
KEY = "chatops/g/p#7/gitaly"
NEW = "chatops/g/p/gitaly/abc"
ISSUE = Issue("g/p", 7, "https://gl/g/p/-/issues/7", "t", "opened", ("group::gitaly",))
RECORD = PageRecord("gitaly", "k1", "2026-11-26T09:00:00Z", "job")
QUEUE_ADD = (QUEUED, WAITING, "group::gitaly")
QUEUE_REMOVE = (TRIGGERED, ACKNOWLEDGED, RESOLVED, FAILED)


def flow(when_covered: bool = False, covered: bool = True, readable: bool = True,
         incident: IssueRef | None = None) -> PageFlow:
    """A gitaly page request."""
    request = PageRequest("gitaly", "down", incident, 2, False, when_covered=when_covered)
    return PageFlow(request, ("group::gitaly",), NEW, covered=covered, oncall_readable=readable)


def run(state: PageFlow, *events: Event) -> tuple[PageFlow, list[object]]:
    """Feed events in order; return the final state and the last actions."""
    actions: list[object] = []
    for event in events:
        state, new = step(state, event, NOW)
        actions = list(new)
    return state, actions


# ---- queued requests (--when-covered outside coverage) ------------------------
def test_queued_request_on_existing_issue_is_delivered_when_covered() -> None:
    # The issue exists and this team has nothing queued yet: label it queued (and waiting,
    # the label sync delivers by) and write the team's queued note, so that sync pages the
    # team when coverage starts.
    queued = flow(when_covered=True, covered=False, incident=IssueRef("g/p", 7))
    state, actions = run(queued, Started(), OnCallChecked(()), IssueChecked(ISSUE, dedup_key=KEY))
    assert actions == [SetLabels(QUEUE_ADD, QUEUE_REMOVE), AddNote("queued")]
    assert state.outcome is Outcome.QUEUED and state.dedup_key == KEY
    assert state.pending == 2 and not state.done
    state, _ = run(state, Recorded("labels"), Recorded("note"))
    assert state.done


def test_request_already_queued_on_the_issue_is_not_noted_twice() -> None:
    already = replace(ISSUE, labels=(QUEUED, WAITING, "group::gitaly"))
    queued = flow(when_covered=True, covered=False, incident=IssueRef("g/p", 7))
    state, actions = run(queued, Started(), OnCallChecked(()),
                         IssueChecked(already, dedup_key=KEY, queued=True))
    assert actions == [SetLabels(QUEUE_ADD, QUEUE_REMOVE)]  # sync can still find it
    assert state.outcome is Outcome.QUEUED and state.dedup_key == KEY and state.pending == 1


def test_queued_request_beside_a_live_page_keeps_the_live_label() -> None:
    live = replace(ISSUE, labels=(ACKNOWLEDGED, "group::database"))
    queued = flow(when_covered=True, covered=False, incident=IssueRef("g/p", 7))
    state, actions = run(queued, Started(), OnCallChecked(()), IssueChecked(live, dedup_key=KEY))
    assert actions == [SetLabels((WAITING, "group::gitaly"), ()), AddNote("queued")]
    assert state.outcome is Outcome.QUEUED


def test_queued_request_without_issue_opens_one_then_queues() -> None:
    queued = flow(when_covered=True, covered=False)
    state, actions = run(queued, Started(), OnCallChecked((ADA,)), IssueChecked(None))
    assert actions == [OpenIssue()] and state.outcome is None
    state, actions = run(state, IssueOpened(ISSUE))
    assert actions == [SetLabels(QUEUE_ADD, QUEUE_REMOVE), AddNote("queued")]
    assert state.outcome is Outcome.QUEUED and state.dedup_key == NEW and state.pending == 2


def test_queued_request_with_gitlab_down_pages_nothing() -> None:
    queued = flow(when_covered=True, covered=False)
    state, actions = run(queued, Started(), OnCallChecked((ADA,)),
                         IssueChecked(None, problem="GitLab 503"))
    assert actions == [] and state.outcome is Outcome.QUEUE_FAILED and state.done
    state, actions = run(queued, Started(), OnCallChecked((ADA,)), IssueChecked(None),
                         IssueFailed("timeout"))
    assert actions == [] and state.outcome is Outcome.QUEUE_FAILED
    assert state.gitlab_problem == "timeout" and state.dedup_key == NEW


def test_when_covered_inside_coverage_pages_now() -> None:
    state = flow(when_covered=True, covered=True)
    assert not state.queue
    state, actions = run(state, Started(), OnCallChecked((ADA,)), IssueChecked(ISSUE))
    assert actions == [Trigger(NEW)]
    assert flow(when_covered=True, covered=False).queue
    assert not flow(when_covered=False, covered=False).queue


# ---- waiting for both look-ups ----------------------------------------------------
def test_nothing_is_decided_until_both_lookups_are_in() -> None:
    state, actions = run(flow(), Started(), IssueChecked(ISSUE))
    assert actions == [] and state.outcome is None and state.issue_done
    state, actions = run(state, OnCallChecked((ADA,)))
    assert actions == [Trigger(NEW)]


def test_a_decided_flow_ignores_a_late_lookup() -> None:
    state, _ = run(flow(), Started(), IssueChecked(None, problem="404", not_found=True))
    assert state.outcome is Outcome.INCIDENT_NOT_FOUND
    state, actions = run(state, OnCallChecked((ADA,)))
    assert actions == [] and state.outcome is Outcome.INCIDENT_NOT_FOUND


def test_issue_lookup_supplies_the_dedup_key_of_an_existing_issue() -> None:
    state, actions = run(flow(), Started(), OnCallChecked((ADA,)),
                         IssueChecked(ISSUE, dedup_key=KEY))
    assert actions == [Trigger(KEY)] and state.new_dedup_key == KEY
    state, actions = run(flow(), Started(), OnCallChecked((ADA,)), IssueChecked(ISSUE))
    assert actions == [Trigger(NEW)] and state.new_dedup_key == NEW


# ---- already paged ------------------------------------------------------------------
def test_the_latest_record_counts_while_pagerduty_says_open() -> None:
    older = PageRecord("gitaly", "k0", "x", "j")
    for status in ("triggered", "acknowledged"):
        incident = Incident("P1", 3, status, "k", NOW, "https://pd/P1")
        state, actions = run(flow(), Started(), OnCallChecked((ADA,)),
                             IssueChecked(ISSUE, (older, RECORD), incident=incident))
        assert actions == [] and state.outcome is Outcome.ALREADY_PAGED
        assert state.dedup_key == "k1" and state.prior == RECORD and state.incident == incident


@pytest.mark.parametrize("label", sorted(ACTIVE_LABELS))
def test_open_labels_count_when_pagerduty_is_unread(label: str) -> None:
    labelled = replace(ISSUE, labels=(label,))
    state, _ = run(flow(), Started(), OnCallChecked((ADA,)), IssueChecked(labelled, (RECORD,)))
    assert state.outcome is Outcome.ALREADY_PAGED


def test_records_without_an_issue_or_open_state_do_not_block() -> None:
    state, actions = run(flow(), Started(), OnCallChecked((ADA,)), IssueChecked(None, (RECORD,)))
    assert actions == [OpenIssue()] and state.prior is None
    closed = replace(ISSUE, labels=(RESOLVED, FAILED, QUEUED))
    state, actions = run(flow(), Started(), OnCallChecked((ADA,)),
                         IssueChecked(closed, (RECORD,)))
    assert actions == [Trigger(NEW)] and state.prior is None


# ---- refusals ---------------------------------------------------------------------
def test_nobody_on_call_is_refused_even_outside_coverage() -> None:
    state, actions = run(flow(covered=False), Started(), OnCallChecked(()), IssueChecked(None))
    assert actions == [RecordRefusal("nobody on call")]
    assert state.outcome is Outcome.NOBODY_ON_CALL and state.pending == 1 and not state.done


def test_unreadable_oncall_list_inside_coverage_pages() -> None:
    state, actions = run(flow(), Started(), OnCallChecked(None, "PagerDuty 503"),
                         IssueChecked(None))
    assert actions == [OpenIssue()] and state.oncall_problem == "PagerDuty 503"
    state, actions = run(flow(covered=False), Started(), OnCallChecked(None, "PagerDuty 503"),
                         IssueChecked(None))
    assert actions == [RecordRefusal("outside coverage, on-call list unreadable")]
    assert state.outcome is Outcome.NOT_COVERED


def test_without_a_token_the_flow_says_so_and_only_looks_for_the_issue() -> None:
    state, actions = run(flow(readable=False), Started())
    assert actions == [FindIssue()]
    assert state.oncall_done and state.oncall is None
    assert state.oncall_problem == "no PagerDuty API token is set"
    _, actions = run(flow(), Started())
    assert actions == [CheckOnCall(), FindIssue()]


# ---- after the trigger ------------------------------------------------------------
def test_paged_without_issue_waits_for_the_incident_then_ends() -> None:
    state, _ = run(flow(), Started(), OnCallChecked((ADA,)), IssueChecked(None),
                   IssueFailed("timeout"))
    state, actions = run(state, PageSent(NEW))
    assert actions == [FindIncident(NEW)]
    assert state.outcome is Outcome.PAGED_WITHOUT_ISSUE and state.pending == 1
    incident = Incident("P1", 3, "triggered", "k", NOW, "https://pd/P1")
    state, actions = run(state, IncidentLooked(incident))
    assert actions == [] and state.pending == 0 and state.done and state.incident == incident


def test_failed_page_without_issue_ends_at_once() -> None:
    state, _ = run(flow(), Started(), OnCallChecked((ADA,)), IssueChecked(None, problem="503"))
    state, actions = run(state, PageFailed("PagerDuty 500"))
    assert actions == [] and state.outcome is Outcome.PAGE_FAILED and state.done
    assert state.page_problem == "PagerDuty 500"


def test_page_without_token_labels_and_notes_at_once() -> None:
    state, _ = run(flow(readable=False), Started(), IssueChecked(ISSUE))
    state, actions = run(state, PageSent("k9"))
    assert actions == [SetLabels((TRIGGERED, "group::gitaly"),
                                 (ACKNOWLEDGED, RESOLVED, FAILED, QUEUED)), AddNote("paged")]
    assert state.pending == 2 and state.dedup_key == "k9" and state.outcome is Outcome.PAGED
    state, _ = run(flow(readable=False), Started(), IssueChecked(None))
    state, actions = run(state, IssueFailed("x"), PageSent("k9"))
    assert actions == [] and state.outcome is Outcome.PAGED_WITHOUT_ISSUE and state.done


def test_the_paged_note_waits_for_the_incident_lookup() -> None:
    state, _ = run(flow(), Started(), OnCallChecked((ADA,)), IssueChecked(ISSUE))
    state, actions = run(state, PageSent(NEW))
    assert actions == [SetLabels((TRIGGERED, "group::gitaly"),
                                 (ACKNOWLEDGED, RESOLVED, FAILED, QUEUED)), FindIncident(NEW)]
    assert state.pending == 2
    state, actions = run(state, IncidentLooked(None, "PagerDuty slow"))
    assert actions == [AddNote("paged")] and state.pending == 2
    state, _ = run(state, Recorded("labels"))
    assert state.pending == 1 and not state.done
    state, _ = run(state, Recorded("note"))
    assert state.pending == 0 and state.done and state.record_problems == ()


def test_only_shown_record_problems_are_kept() -> None:
    state = replace(flow(), pending=3, outcome=Outcome.PAGED)
    state, actions = run(state, Recorded("refusal", "PagerDuty 400"), Recorded("labels"),
                         Recorded("note", "GitLab 500"))
    assert actions == [] and state.record_problems == ("note: GitLab 500",)
    assert state.pending == 0


def test_unknown_event_is_a_programming_error() -> None:
    with pytest.raises(TypeError, match="unknown event"):
        step(flow(), "page", NOW)  # type: ignore[arg-type]


def test_done_needs_an_outcome_and_nothing_pending() -> None:
    assert not flow().done
    assert not replace(flow(), outcome=Outcome.PAGED, pending=1).done
    assert replace(flow(), outcome=Outcome.PAGED, pending=0).done
