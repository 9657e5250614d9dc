"""The runner drives the flow through fake ports: every branch, no HTTP."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest

from chatops.audit import AuditLog
from chatops.config import parse_config
from chatops.core.labels import FAILED, RECORD, TRIGGERED
from chatops.core.model import Outcome
from chatops.core.request import Requester, build_request
from chatops.page.plan import PagePlan
from chatops.page.runner import PageResult, PageRunner
from tests.unit.fakes import FakePager, FakeTracker

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)  # a Thursday
CONFIG = parse_config({
    "incident_project": "gitlab-com/gl-infra/production",
    "teams": {"gitaly": {"display_name": "Gitaly", "routing_key_env": "RK",
                         "escalation_policy_id": "PGITALY1", "labels": ["group::gitaly"],
                         "fallback": "Ask /devoncall"}},
})
WHO = Requester("sre-alice", "U1", "C1", "https://gl/jobs/1", "https://gl")


def run(tracker: FakeTracker, pager: FakePager, message: str = "praefect down",
        incident: str | None = None, from_email: str = "") -> tuple[PageResult, AuditLog]:
    request = build_request("gitaly", message, incident, None, False, ["gitaly"])
    plan = PagePlan(CONFIG, request, WHO, lambda: NOW)
    audit = AuditLog("@sre-alice", io.StringIO(), lambda: NOW)
    return PageRunner(plan, tracker, pager, "rk", audit, from_email).run(), audit


def test_page_opens_issue_triggers_labels_and_comments() -> None:
    tracker, pager = FakeTracker(), FakePager()
    result, audit = run(tracker, pager)
    assert result.flow.outcome is Outcome.PAGED
    (issue,) = tracker.issues.values()
    assert TRIGGERED in issue.labels and "group::gitaly" in issue.labels
    assert "Paged Gitaly" in tracker.notes[(issue.project, issue.iid)][0]
    page = pager.events[0]
    assert page.links[0].href == issue.web_url and page.issue == issue.web_url
    assert (page.team_key, page.severity, page.requester, page.drill) == (
        "gitaly", 2, "sre-alice", False)
    assert result.reply.startswith("PAGED Gitaly (S2): Ada Lovelace (on call) was notified "
                                   "through PagerDuty.")
    assert "PagerDuty incident #17 (triggered): https://pd.example/incidents/PINC1" in result.reply
    assert "[#17](https://pd.example/incidents/PINC1)" in tracker.notes[(issue.project,
                                                                        issue.iid)][0]
    assert issue.web_url in result.reply and "15-30 minutes" in result.reply
    actions = [record.action for record in audit.records]
    assert set(actions[:2]) == {"check-oncall", "find-issue"}  # concurrent: either order
    assert actions[2:4] == ["open-issue", "trigger-page"]
    assert set(actions[4:]) == {"label-issue", "find-incident", "comment-issue"}
    assert actions[-1] == "comment-issue"  # the note waits for the incident link


def test_same_request_twice_pages_once() -> None:
    tracker, pager = FakeTracker(), FakePager()
    run(tracker, pager)
    second, _ = run(tracker, pager)
    assert second.flow.outcome is Outcome.ALREADY_PAGED
    assert len(tracker.issues) == 1 and len(pager.events) == 1
    assert "no second page" in second.reply


def test_gitlab_down_still_pages_and_says_so() -> None:
    tracker, pager = FakeTracker(down=True), FakePager()
    result, _ = run(tracker, pager)
    assert result.flow.outcome is Outcome.PAGED_WITHOUT_ISSUE
    assert len(pager.events) == 1 and "not created" in pager.events[0].issue
    assert "could NOT be created" in result.reply
    assert "re-run the same command" in result.reply


def test_pagerduty_failure_marks_issue_failed_and_says_failed() -> None:
    tracker, pager = FakeTracker(), FakePager(fail=True)
    result, _ = run(tracker, pager)
    issue, record = tracker.issues.values()  # the incident, then the month's record issue
    assert result.flow.outcome is Outcome.PAGE_FAILED
    assert FAILED in issue.labels
    assert "FAILED" in tracker.notes[(issue.project, issue.iid)][0]
    assert result.reply.startswith("FAILED: the page to Gitaly did NOT go out")
    (kept,) = tracker.notes[(record.project, record.iid)]
    assert "chatops:v1 record what=failed team=gitaly" in kept
    assert f"link={issue.web_url} " in kept


def test_nothing_is_recorded_for_a_page_that_went_out() -> None:
    tracker, pager = FakeTracker(), FakePager()
    run(tracker, pager)
    assert "labelled" not in tracker.calls
    assert [i.title for i in tracker.issues.values() if "record" in i.title] == []


def test_nobody_on_call_gives_fallback_and_opens_nothing() -> None:
    tracker, pager = FakeTracker(), FakePager(oncall_list=())
    result, _ = run(tracker, pager)
    assert result.flow.outcome is Outcome.NOBODY_ON_CALL
    (record,) = tracker.issues.values()  # no incident issue: only the durable record
    assert record.labels == (RECORD,) and pager.events == []
    (kept,) = tracker.notes[(record.project, record.iid)]
    assert "record what=refused team=gitaly" in kept and "by=sre-alice" in kept
    (change,) = pager.changes
    assert (change.team_key, change.facts.requester) == ("gitaly", "sre-alice")
    assert "nobody" in change.reason.lower()
    assert "Ask /devoncall" in result.reply and "schedule has a gap" in result.reply


def test_incident_ref_comments_existing_issue_with_stable_dedup_key() -> None:
    tracker, pager = FakeTracker(), FakePager()
    run(tracker, pager)  # creates #1
    first, _ = run(tracker, pager, "more context", incident="1")
    assert first.flow.outcome is Outcome.ALREADY_PAGED  # #1 already has an open Gitaly page
    pager.statuses[pager.events[0].dedup_key] = "resolved"  # PagerDuty decides, not labels
    again, _ = run(tracker, pager, "it is back", incident="1")
    assert again.flow.outcome is Outcome.PAGED
    assert pager.events[-1].dedup_key == pager.events[0].dedup_key
    assert len(tracker.issues) == 1


def test_missing_incident_is_not_paged() -> None:
    tracker, pager = FakeTracker(), FakePager()
    result, _ = run(tracker, pager, incident="99")
    assert result.flow.outcome is Outcome.INCIDENT_NOT_FOUND and pager.events == []
    assert "was not found" in result.reply


@pytest.mark.parametrize("text", ["/close\n/label ~pwned", "@all look", "{{ 7 * 7 }} {% raw %}"])
def test_untrusted_text_stays_inert_in_issue(text: str) -> None:
    tracker, pager = FakeTracker(), FakePager()
    run(tracker, pager, message=text)
    (issue,) = tracker.issues.values()
    for body in [issue.description, *tracker.notes[(issue.project, issue.iid)]]:
        assert not any(line.startswith("/") for line in body.split("\n"))
    assert "@all" not in issue.title
    if "{{" in text:
        assert "{{ 7 * 7 }} {% raw %}" in issue.description
        assert "49 {%" not in issue.description


def test_lookups_share_one_budget_and_writes_the_next() -> None:
    tracker, pager = FakeTracker(), FakePager()
    run(tracker, pager)
    # http.lookup_budget_seconds until the decision; gitlab_budget_seconds for the writes,
    # afresh once the trigger (which has its own budget) is done.
    assert pager.phases == [6.0, 20.0, 20.0]
    assert [seconds for seconds, _ in tracker.phases] == [6.0, 20.0, 20.0]
    (_, start), (_, decided), (_, paged) = tracker.phases
    assert tracker.calls[start:decided] == ["find", "open"]  # before the page
    assert tracker.calls[paged:] == ["labels", "note"]


def test_queued_request_writes_within_the_write_budget() -> None:
    from dataclasses import replace

    saturday = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)  # outside mon-fri coverage
    tracker, pager = FakeTracker(), FakePager()
    request = replace(build_request("gitaly", "later", None, None, False, ["gitaly"]),
                      when_covered=True)
    plan = PagePlan(CONFIG, request, WHO, lambda: saturday)
    result = PageRunner(plan, tracker, pager, "rk", AuditLog("@a", io.StringIO())).run()
    assert result.flow.outcome is Outcome.QUEUED and pager.events == []
    assert tracker.phases == [(6.0, 0), (20.0, 2)]  # the writes after find and open
    assert tracker.calls[:2] == ["find", "open"]
    assert {"labels", "note"} <= set(tracker.calls[2:])
    notes = [note for notes in tracker.notes.values() for note in notes]
    assert any(f"queued severity=2 drill=0 by={WHO.login} team=gitaly " in note
               for note in notes)  # the facts sync writes into the delivered page


def test_gitlab_failing_until_the_page_opens_the_issue_after_it_and_links_it() -> None:
    tracker, pager = FakeTracker(down_until_page=True), FakePager()
    result, audit = run(tracker, pager, from_email="bot@example.com")
    assert result.flow.outcome is Outcome.PAGED and result.flow.issue_late
    (issue,) = tracker.issues.values()
    assert TRIGGERED in issue.labels
    assert issue.web_url not in str(pager.events[0])  # the trigger went out without it
    ((incident_id, sender, text),) = pager.notes
    assert (incident_id, sender) == ("PINC1", "bot@example.com") and issue.web_url in text
    assert "went out first" in result.reply and issue.web_url in result.reply
    assert audit.happened("link-issue", "ok")


def test_late_issue_without_a_pagerduty_user_is_opened_but_not_linked() -> None:
    tracker, pager = FakeTracker(down_until_page=True), FakePager()
    result, _ = run(tracker, pager)
    assert result.flow.outcome is Outcome.PAGED and pager.notes == []
    assert "does not link this issue" in result.reply and "PAGERDUTY_FROM_EMAIL" in result.reply


def test_gitlab_down_before_and_after_the_page_says_it_failed_again() -> None:
    tracker, pager = FakeTracker(down=True), FakePager()
    result, _ = run(tracker, pager)
    assert result.flow.outcome is Outcome.PAGED_WITHOUT_ISSUE
    assert "open" not in tracker.calls  # never a create after a failed look-up
    assert tracker.calls.count("find") == 2  # once before the page, once after
    assert "GitLab failed again after the page" in result.reply
