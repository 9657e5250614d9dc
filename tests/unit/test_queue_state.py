"""Per-team queued state (issue 10): markers, not one shared scoped label."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from chatops.core.incident import Incident
from chatops.core.labels import (
    ACKNOWLEDGED,
    CANCELLED,
    FAILED,
    QUEUED,
    RESOLVED,
    TRIGGERED,
    WAITING,
)
from chatops.core.model import Issue, OnCall, Outcome, marker, waiting_requests
from chatops.core.page import PageFlow, step
from chatops.core.page_steps import (
    AddNote,
    IssueChecked,
    OnCallChecked,
    Recorded,
    SetLabels,
    Started,
)
from chatops.core.request import PageRequest
from chatops.core.sync import TeamPolicy, Tracked, desired_label, plan_sync

NOW = datetime(2026, 11, 26, 22, 0, tzinfo=UTC)
ADA = OnCall(1, "Ada Lovelace", None)


def queued(team: str, key: str) -> str:
    return marker("queued", team=team, dedup_key=key, at="2026-11-26T22:00:00Z", job="-")


def issue(*labels: str) -> Issue:
    return Issue("g/p", 7, "https://gl/g/p/-/issues/7", "t", "opened", labels)


def queue_flow(team: str = "database") -> PageFlow:
    req = PageRequest(team, "slow", None, 2, False, when_covered=True)
    return PageFlow(req, (f"group::{team}",), f"chatops/g/p#7/{team}", covered=False)


def checked(f: PageFlow, event: IssueChecked) -> tuple[PageFlow, list]:  # type: ignore[type-arg]
    f, _ = step(f, Started(), NOW)
    f, _ = step(f, OnCallChecked(()), NOW)
    return step(f, event, NOW)


def test_waiting_requests_follow_markers_in_the_order_they_were_written() -> None:
    a, b = "chatops/g/p#7/gitaly", "chatops/g/p#7/database"
    paged_a = marker("paged", team="gitaly", dedup_key=a, at="x", job="-")
    gone_b = marker("dequeued", team="database", dedup_key=b, verb="cancel")
    assert [m["team"] for m in waiting_requests([queued("gitaly", a), queued("database", b)])
            ] == ["gitaly", "database"]
    assert [m["team"] for m in waiting_requests([queued("gitaly", a), queued("database", b),
                                                 paged_a])] == ["database"]
    assert waiting_requests([queued("database", b), gone_b]) == []
    # Delivered once, queued again later on the same issue: it waits again.
    assert [m["team"] for m in waiting_requests([queued("gitaly", a), paged_a,
                                                 queued("gitaly", a)])] == ["gitaly"]
    assert waiting_requests([marker("queued", team="gitaly", at="x")]) == []  # no key


def test_second_team_queued_on_a_queued_issue_is_recorded() -> None:
    f, actions = checked(queue_flow(), IssueChecked(issue(QUEUED,
                                                          WAITING)))
    assert f.outcome is Outcome.QUEUED
    assert actions == [SetLabels((QUEUED, WAITING, "group::database"),
                                 (TRIGGERED, ACKNOWLEDGED,
                                  RESOLVED, FAILED)),
                       AddNote("queued")]


def test_same_team_queued_again_only_makes_sure_sync_finds_it() -> None:
    f, actions = checked(queue_flow(), IssueChecked(issue(QUEUED), queued=True))
    assert f.outcome is Outcome.QUEUED and [type(a) for a in actions] == [SetLabels]


def test_queueing_next_to_a_live_page_keeps_its_label() -> None:
    for live in (TRIGGERED, ACKNOWLEDGED):
        f, actions = checked(queue_flow(), IssueChecked(issue(live)))
        assert actions == [SetLabels((WAITING, "group::database"), ()),
                           AddNote("queued")]
        assert f.outcome is Outcome.QUEUED


def test_a_queue_that_could_not_be_recorded_is_not_called_queued() -> None:
    for what in ("labels", "note"):
        f, _ = checked(queue_flow(), IssueChecked(issue()))
        f, _ = step(f, Recorded(what, "502 Bad Gateway"), NOW)
        assert f.outcome is Outcome.QUEUE_FAILED and what in f.gitlab_problem
        f, _ = step(f, Recorded("labels" if what == "note" else "note"), NOW)
        assert f.done and f.outcome is Outcome.QUEUE_FAILED
    f, _ = checked(queue_flow(), IssueChecked(issue()))
    f, _ = step(f, Recorded("labels"), NOW)
    f, _ = step(f, Recorded("note"), NOW)
    assert f.done and f.outcome is Outcome.QUEUED


def test_queued_team_already_paged_is_not_queued_again() -> None:
    from chatops.core.model import PageRecord

    record = PageRecord("database", "chatops/g/p#7/database", "x", "-")
    live = Incident("P1", 3, "triggered", record.dedup_key, NOW, "https://pd/P1")
    f, actions = checked(queue_flow(), IssueChecked(issue(TRIGGERED), (record,),
                                                    incident=live))
    assert f.outcome is Outcome.ALREADY_PAGED and actions == []


def _incident(status: str) -> Incident:
    return Incident("P1", 1, status, "chatops/g/p#7/gitaly", NOW - timedelta(minutes=5),
                    "https://pd/P1")


def test_summary_label_is_the_most_urgent_state_and_only_one() -> None:
    resolved = [Tracked("gitaly", _incident("resolved"))]
    assert desired_label(resolved, (WAITING,)) == QUEUED
    assert desired_label(resolved, ()) == RESOLVED
    assert desired_label(resolved, (CANCELLED,)) is None
    live = [Tracked("gitaly", _incident("acknowledged"))]
    assert desired_label(live, (WAITING, QUEUED)) == (
        ACKNOWLEDGED)
    teams = {"gitaly": TeamPolicy("Gitaly", 15, "x")}
    plan = plan_sync(issue(QUEUED, TRIGGERED, WAITING),
                     frozenset(), live, teams, NOW)
    assert plan.add == (ACKNOWLEDGED,)
    assert set(plan.remove) == {QUEUED, TRIGGERED,
                                RESOLVED, FAILED, CANCELLED}
    legacy = plan_sync(issue(QUEUED), frozenset(), live, teams, NOW)
    assert legacy.add == (ACKNOWLEDGED, WAITING)
    settled = plan_sync(issue(ACKNOWLEDGED), frozenset(), live, teams, NOW)
    assert settled.add == () and settled.remove == ()

    assert replace(queue_flow(), covered=True).queue is False
