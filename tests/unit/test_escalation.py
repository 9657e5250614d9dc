"""The page state machine, event by event, with no I/O."""

from dataclasses import replace
from datetime import UTC, datetime

from chatops.core.escalation import PageFlow, step
from chatops.core.messages import (
    AddNote,
    CheckOnCall,
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
from chatops.core.model import Issue, OnCall, Outcome, PagerDutyIncident, PageRecord
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
    assert actions[0].add == ("escalation::triggered", "group::gitaly")
    assert "escalation::failed" in actions[0].remove
    assert "escalation::triggered" not in actions[0].remove
    f, _ = step(f, Recorded("labels"), NOW)
    assert not f.done
    incident = PagerDutyIncident("P1", 5, "https://pd/P1", "triggered")
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
    active = Issue("g/p", 7, "u", "t", "opened", ("escalation::triggered",))
    record = PageRecord("gitaly", "k1", "2026-11-26T09:00:00Z", "job")
    f, _ = step(flow(), Started(), NOW)
    f, _ = step(f, OnCallChecked((ADA,)), NOW)
    f, actions = step(f, IssueChecked(active, (record,)), NOW)
    assert actions == [] and f.outcome is Outcome.ALREADY_PAGED and f.dedup_key == "k1"


def test_pagerduty_status_wins_over_stale_labels() -> None:
    stale = Issue("g/p", 7, "u", "t", "opened", ("escalation::triggered",))
    record = PageRecord("gitaly", "k1", "x", "job")
    resolved = PagerDutyIncident("P1", 3, "https://pd/P1", "resolved")
    f, _ = step(flow(), Started(), NOW)
    f, _ = step(f, OnCallChecked((ADA,)), NOW)
    f, actions = step(f, IssueChecked(stale, (record,), dedup_key="k1", incident=resolved), NOW)
    assert actions == [Trigger("k1")]


def test_resolved_escalation_can_be_paged_again() -> None:
    resolved = Issue("g/p", 7, "u", "t", "opened", ("escalation::resolved",))
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
    assert actions[0] == SetLabels(("escalation::failed", "group::gitaly"),
                                   ("escalation::triggered", "escalation::acknowledged",
                                    "escalation::resolved", "escalation::queued"))
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
