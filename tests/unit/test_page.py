"""The page state machine, event by event, with no I/O."""

from dataclasses import replace
from datetime import UTC, datetime

from chatops.core.incident import Incident
from chatops.core.labels import ACKNOWLEDGED, FAILED, QUEUED, RESOLVED, TRIGGERED
from chatops.core.model import Issue, OnCall, Outcome, PageRecord
from chatops.core.page import PageFlow, step
from chatops.core.page_steps import (
    AddNote,
    CheckOnCall,
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

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
ADA = OnCall(1, "Ada Lovelace", None)
ISSUE = Issue("g/p", 7, "https://gl/g/p/-/issues/7", "t", "opened", ())


def flow(dry_run: bool = False, readable: bool = True) -> PageFlow:
    req = PageRequest("gitaly", "down", None, 2, dry_run)
    return PageFlow(req, ("group::gitaly",), "chatops/g/p/gitaly/abc", oncall_readable=readable)


def test_happy_path_looks_up_opens_triggers_then_labels_and_comments() -> None:
    f, actions = step(flow(), Started(), NOW)
    assert actions == [CheckOnCall(), FindIssue()]
    f, actions = step(f, OnCallChecked((ADA,)), NOW)
    assert actions == []  # waits for the other look-up
    f, actions = step(f, IssueChecked(None), NOW)
    assert actions == [OpenIssue()]
    f, actions = step(f, IssueOpened(ISSUE), NOW)
    assert actions == [Trigger("chatops/g/p/gitaly/abc")]
    f, actions = step(f, PageSent("chatops/g/p/gitaly/abc"), NOW)
    assert isinstance(actions[0], SetLabels)
    assert actions[1] == FindIncident("chatops/g/p/gitaly/abc")
    assert actions[0].add == (TRIGGERED, "group::gitaly")
    assert FAILED in actions[0].remove
    assert TRIGGERED not in actions[0].remove
    f, _ = step(f, Recorded("labels"), NOW)
    assert not f.done
    incident = Incident("P1", 5, "triggered", "chatops/g/p/gitaly/abc", NOW, "https://pd/P1")
    f, actions = step(f, IncidentLooked(incident), NOW)
    assert actions == [AddNote("paged")] and f.incident == incident and not f.done
    f, _ = step(f, Recorded("note", "boom"), NOW)
    assert f.done and f.outcome is Outcome.PAGED
    assert f.record_problems == ("note: boom",)


def test_nobody_on_call_sends_nothing() -> None:
    f, _ = step(flow(), Started(), NOW)
    f, _ = step(f, IssueChecked(None), NOW)
    f, actions = step(f, OnCallChecked(()), NOW)
    assert actions == [RecordRefusal("nobody on call")] and f.outcome is Outcome.NOBODY_ON_CALL
    f, actions = step(f, Recorded("refusal"), NOW)
    assert actions == [] and f.done


def test_unreadable_oncall_still_pages_and_comments_without_incident_lookup() -> None:
    f, actions = step(flow(readable=False), Started(), NOW)
    assert actions == [FindIssue()]
    f, actions = step(f, IssueChecked(None), NOW)
    assert actions == [OpenIssue()]
    assert f.oncall is None and "token" in f.oncall_problem
    f, _ = step(f, IssueOpened(ISSUE), NOW)
    f, actions = step(f, PageSent("k"), NOW)
    assert [type(a) for a in actions] == [SetLabels, AddNote]


def test_open_escalation_already_paged_is_not_paged_again() -> None:
    active = Issue("g/p", 7, "u", "t", "opened", (TRIGGERED,))
    record = PageRecord("gitaly", "k1", "2026-11-26T09:00:00Z", "job")
    f, _ = step(flow(), Started(), NOW)
    f, _ = step(f, OnCallChecked((ADA,)), NOW)
    f, actions = step(f, IssueChecked(active, (record,)), NOW)
    assert actions == [] and f.outcome is Outcome.ALREADY_PAGED and f.dedup_key == "k1"


def test_pagerduty_status_wins_over_stale_labels() -> None:
    stale = Issue("g/p", 7, "u", "t", "opened", (TRIGGERED,))
    record = PageRecord("gitaly", "k1", "x", "job")
    resolved = Incident("P1", 3, "resolved", "chatops/g/p/gitaly/abc", NOW, "https://pd/P1")
    f, _ = step(flow(), Started(), NOW)
    f, _ = step(f, OnCallChecked((ADA,)), NOW)
    f, actions = step(f, IssueChecked(stale, (record,), dedup_key="k1", incident=resolved), NOW)
    assert actions == [Trigger("k1")]


def test_resolved_escalation_can_be_paged_again() -> None:
    resolved = Issue("g/p", 7, "u", "t", "opened", (RESOLVED,))
    record = PageRecord("gitaly", "k1", "x", "job")
    f, _ = step(flow(), Started(), NOW)
    f, _ = step(f, OnCallChecked((ADA,)), NOW)
    f, actions = step(f, IssueChecked(resolved, (record,), dedup_key="k1"), NOW)
    assert actions == [Trigger("k1")]


def test_rerun_after_crash_reuses_the_issue_without_creating_another() -> None:
    f, _ = step(flow(), Started(), NOW)
    f, _ = step(f, OnCallChecked((ADA,)), NOW)
    f, actions = step(f, IssueChecked(ISSUE), NOW)
    assert actions == [Trigger("chatops/g/p/gitaly/abc")]


def test_gitlab_down_pages_without_issue() -> None:
    f, _ = step(flow(), Started(), NOW)
    f, _ = step(f, OnCallChecked((ADA,)), NOW)
    f, actions = step(f, IssueChecked(None, problem="GitLab 503"), NOW)
    assert actions == [Trigger("chatops/g/p/gitaly/abc")]  # no OpenIssue: could duplicate
    f, actions = step(f, PageSent("chatops/g/p/gitaly/abc"), NOW)
    assert actions == [FindIncident("chatops/g/p/gitaly/abc")]
    assert f.outcome is Outcome.PAGED_WITHOUT_ISSUE and not f.done
    f, actions = step(f, IncidentLooked(None, "PagerDuty 503"), NOW)
    assert actions == [] and f.done


def test_issue_creation_failure_still_pages() -> None:
    f, _ = step(flow(), Started(), NOW)
    f, _ = step(f, OnCallChecked((ADA,)), NOW)
    f, _ = step(f, IssueChecked(None), NOW)
    f, actions = step(f, IssueFailed("timeout"), NOW)
    assert actions == [Trigger("chatops/g/p/gitaly/abc")] and f.gitlab_problem == "timeout"


def test_page_failure_labels_failed_and_explains_on_the_issue() -> None:
    f, _ = step(flow(), Started(), NOW)
    f, _ = step(f, OnCallChecked((ADA,)), NOW)
    f, _ = step(f, IssueChecked(ISSUE), NOW)
    f, actions = step(f, PageFailed("PagerDuty 500"), NOW)
    assert f.outcome is Outcome.PAGE_FAILED and f.outcome.failed
    assert actions[0] == SetLabels((FAILED, "group::gitaly"),
                                   (TRIGGERED, ACKNOWLEDGED,
                                    RESOLVED, QUEUED))
    assert actions[1] == AddNote("page_failed")


def test_missing_incident_ends_without_page() -> None:
    f, _ = step(flow(), Started(), NOW)
    f, actions = step(f, IssueChecked(None, problem="404", not_found=True), NOW)
    assert actions == [] and f.outcome is Outcome.INCIDENT_NOT_FOUND


def test_dry_run_does_nothing() -> None:
    f, actions = step(flow(dry_run=True), Started(), NOW)
    assert actions == [] and f.outcome is Outcome.DRY_RUN


def test_markers_count_only_at_line_start_with_plain_values() -> None:
    from chatops.core.model import marker, page_records, read_markers
    from chatops.core.text import code_block

    ours = marker("paged", team="gitaly", dedup_key="chatops/g/p#1/gitaly", at="2026", job="-")
    forged = code_block(marker("paged", team="gitaly", dedup_key="EVIL", at="x", job="-"))
    assert [r.dedup_key for r in page_records([forged], "gitaly")] == []
    assert [r.dedup_key for r in page_records([ours], "gitaly")] == ["chatops/g/p#1/gitaly"]
    odd = "<!-- chatops:v1 paged team=gitaly dedup_key=k at=@here job=- -->"
    assert read_markers(odd, "paged") == []  # one bad value voids the whole line


def test_without_oncall_list_coverage_decides() -> None:
    outside = replace(flow(readable=False), covered=False)
    f, _ = step(outside, Started(), NOW)
    f, actions = step(f, IssueChecked(None), NOW)
    assert [type(a) for a in actions] == [RecordRefusal] and f.outcome is Outcome.NOT_COVERED
    inside = flow(readable=False)
    f, _ = step(inside, Started(), NOW)
    _, actions = step(f, IssueChecked(None), NOW)
    assert actions == [OpenIssue()]


def test_someone_on_call_out_of_hours_is_paged() -> None:
    outside = replace(flow(), covered=False)
    f, _ = step(outside, Started(), NOW)
    f, _ = step(f, OnCallChecked((ADA,)), NOW)
    _, actions = step(f, IssueChecked(None), NOW)
    assert actions == [OpenIssue()]


# ---- GitLab failed before the page: the issue after it (issue #11) ----------------
KEY = "chatops/g/p/gitaly/abc"
INCIDENT = Incident("P1", 5, "triggered", "chatops/g/p/gitaly/abc", NOW, "https://pd/P1")
TRIGGERED_LABELS = (TRIGGERED, "group::gitaly")


def _paged_after(event: IssueChecked | IssueFailed, readable: bool = True,
                 incident: str | None = None) -> PageFlow:
    """A flow where GitLab failed before the page and the page went out."""
    request = PageRequest("gitaly", "down", None, 2, False)
    if incident is not None:
        from chatops.core.refs import parse_ref
        request = replace(request, incident=parse_ref(incident))
    f = PageFlow(request, ("group::gitaly",), KEY, oncall_readable=readable)
    f, _ = step(f, Started(), NOW)
    f, _ = step(f, OnCallChecked((ADA,)), NOW) if readable else (f, [])
    if isinstance(event, IssueFailed):
        f, _ = step(f, IssueChecked(None), NOW)
    f, actions = step(f, event, NOW)
    assert actions == [Trigger(KEY)]
    return f


def test_transient_lookup_failure_looks_again_after_the_page() -> None:
    f = _paged_after(IssueChecked(None, problem="timeout", transient=True))
    f, actions = step(f, PageSent(KEY), NOW)
    assert actions == [FindIncident(KEY), FindIssue(late=True)]
    assert f.outcome is Outcome.PAGED_WITHOUT_ISSUE and f.late and f.pending == 2
    f, actions = step(f, IssueChecked(None), NOW)
    assert actions == [OpenIssue(late=True)] and f.pending == 2
    f, actions = step(f, IncidentLooked(INCIDENT), NOW)
    assert actions == [] and f.pending == 1
    f, actions = step(f, IssueOpened(ISSUE), NOW)
    assert f.outcome is Outcome.PAGED and f.issue == ISSUE and f.issue_late
    assert f.dedup_key == KEY  # the key the trigger used
    assert actions == [SetLabels(TRIGGERED_LABELS, (ACKNOWLEDGED,
                                                    RESOLVED, FAILED,
                                                    QUEUED)),
                       AddNote("paged"), LinkIssue()]
    for what in ("labels", "note", "pagerduty link"):
        assert not f.done
        f, _ = step(f, Recorded(what, "boom" if what == "pagerduty link" else ""), NOW)
    assert f.done and f.outcome is Outcome.PAGED and f.record_problems == ()
    assert f.link_problem == "boom"


def test_late_issue_before_the_incident_waits_for_it_to_comment_and_link() -> None:
    f = _paged_after(IssueFailed("HTTP 502", transient=True))
    f, actions = step(f, PageSent(KEY), NOW)
    assert actions == [FindIncident(KEY), FindIssue(late=True)]
    f, actions = step(f, IssueChecked(ISSUE), NOW)  # the create had worked after all
    assert [type(a) for a in actions] == [SetLabels] and f.outcome is Outcome.PAGED
    f, actions = step(f, IncidentLooked(INCIDENT), NOW)
    assert actions == [AddNote("paged"), LinkIssue()]


def test_late_issue_without_visible_incident_says_pagerduty_does_not_link_it() -> None:
    f = _paged_after(IssueChecked(None, problem="timeout", transient=True))
    f, _ = step(f, PageSent(KEY), NOW)
    f, _ = step(f, IncidentLooked(None), NOW)
    f, actions = step(f, IssueChecked(ISSUE), NOW)
    assert [type(a) for a in actions] == [SetLabels, AddNote]
    assert f.link_problem == "the incident could not be read" and f.record_problems == ()


def test_late_issue_without_pagerduty_token_comments_at_once() -> None:
    f = _paged_after(IssueChecked(None, problem="timeout", transient=True), readable=False)
    f, actions = step(f, PageSent(KEY), NOW)
    assert actions == [FindIssue(late=True)]
    f, actions = step(f, IssueChecked(ISSUE), NOW)
    assert [type(a) for a in actions] == [SetLabels, AddNote]


def test_gitlab_failing_again_after_the_page_ends_without_issue() -> None:
    f = _paged_after(IssueFailed("timeout", transient=True))
    f, _ = step(f, PageSent(KEY), NOW)
    f, _ = step(f, IncidentLooked(INCIDENT), NOW)
    f, actions = step(f, IssueChecked(None, problem="HTTP 503", transient=True), NOW)
    assert actions == [] and f.done
    assert f.outcome is Outcome.PAGED_WITHOUT_ISSUE and f.late_problem == "HTTP 503"


def test_late_create_failing_ends_without_issue() -> None:
    f = _paged_after(IssueChecked(None, problem="timeout", transient=True))
    f, _ = step(f, PageSent(KEY), NOW)
    f, _ = step(f, IncidentLooked(INCIDENT), NOW)
    f, actions = step(f, IssueChecked(None), NOW)
    assert actions == [OpenIssue(late=True)]
    f, actions = step(f, IssueFailed("HTTP 500", transient=True), NOW)
    assert actions == [] and f.done and f.late_problem == "HTTP 500"
    assert f.outcome is Outcome.PAGED_WITHOUT_ISSUE


def test_lasting_gitlab_failure_is_not_retried_after_the_page() -> None:
    f = _paged_after(IssueChecked(None, problem="HTTP 401", transient=False))
    f, actions = step(f, PageSent(KEY), NOW)
    assert actions == [FindIncident(KEY)] and not f.late


def test_failed_page_does_not_chase_the_issue() -> None:
    f = _paged_after(IssueChecked(None, problem="timeout", transient=True))
    f, actions = step(f, PageFailed("PagerDuty 500"), NOW)
    assert actions == [] and f.done and f.outcome is Outcome.PAGE_FAILED


def test_incident_option_loads_the_issue_after_the_page_and_never_creates() -> None:
    ref = "g/p#7"
    f = _paged_after(IssueChecked(None, problem="timeout", transient=True), incident=ref)
    f, actions = step(f, PageSent(KEY), NOW)
    assert actions == [FindIncident(KEY), FindIssue(late=True)]
    f, _ = step(f, IncidentLooked(INCIDENT), NOW)
    f, actions = step(f, IssueChecked(ISSUE), NOW)
    assert [type(a) for a in actions] == [SetLabels, AddNote]  # the event already links it
    missing = _paged_after(IssueChecked(None, problem="timeout", transient=True), incident=ref)
    missing, _ = step(missing, PageSent(KEY), NOW)
    missing, _ = step(missing, IncidentLooked(INCIDENT), NOW)
    missing, actions = step(missing, IssueChecked(None), NOW)
    assert actions == [] and missing.done and missing.late_problem == "not found"
