"""The sync plan at each branch: labels, which entries get notes, the overdue edge."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chatops.core.incident import Incident, LogEntry
from chatops.core.labels import (
    ACKNOWLEDGED,
    CANCELLED,
    FAILED,
    QUEUED,
    RESOLVED,
    SYNC_LABELS,
    TRIGGERED,
    WAITING,
)
from chatops.core.model import Issue, marker
from chatops.core.sync import (
    NOTED,
    SyncPlan,
    TeamPolicy,
    Tracked,
    desired_label,
    plan_sync,
    posted_ids,
)

T0 = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)
POLICY = TeamPolicy("Gitaly", 15, "Ask /devoncall")
TEAMS = {"gitaly": POLICY}


def incident(status: str, incident_id: str = "PINC1") -> Incident:
    """An incident created at T0."""
    return Incident(incident_id, 1001, status, "chatops/g/p#7/gitaly", T0, "https://pd/x")


def issue(*labels: str) -> Issue:
    """Issue g/p#7 with labels."""
    return Issue("g/p", 7, "https://gl/g/p/-/issues/7", "t", "opened", labels)


def entry(eid: str, kind: str, minutes: float, **fields: object) -> LogEntry:
    """A log entry some minutes after the page."""
    return LogEntry(eid, kind, T0 + timedelta(minutes=minutes), "PINC1", **fields)  # type: ignore[arg-type]


def test_posted_ids_reads_log_and_overdue_markers_only() -> None:
    texts = [marker("log", id="R1", team="gitaly") + "\n" + marker("overdue", id="PINC1"),
             marker("log", team="gitaly"), marker("closed", id="X"),
             "text\n" + marker("log", id="R2")]
    assert posted_ids(texts) == frozenset({"log:R1", "overdue:PINC1", "log:R2"})
    assert posted_ids([]) == frozenset()


@pytest.mark.parametrize(("statuses", "labels", "label"), [
    (["triggered", "acknowledged"], (), TRIGGERED),
    (["acknowledged", "resolved"], (), ACKNOWLEDGED),
    (["resolved", "resolved"], (), RESOLVED),
    (["resolved"], (CANCELLED,), None),
    ([], (), None),
    (["unknown"], (), None),
    (["resolved", "unknown"], (), None),
])
def test_desired_label(statuses: list[str], labels: tuple[str, ...], label: str | None) -> None:
    tracked = [Tracked("gitaly", incident(s, f"P{n}")) for n, s in enumerate(statuses)]
    assert desired_label(tracked, labels) == label


def test_label_change_removes_every_other_sync_label() -> None:
    plan = plan_sync(issue(ACKNOWLEDGED, FAILED, "group::gitaly"), frozenset(),
                     [Tracked("gitaly", incident("resolved"))], TEAMS, T0)
    assert plan == SyncPlan((RESOLVED,), (TRIGGERED, ACKNOWLEDGED, FAILED, QUEUED, CANCELLED))
    assert SYNC_LABELS == (TRIGGERED, ACKNOWLEDGED, RESOLVED, FAILED, QUEUED, CANCELLED)


def test_a_waiting_request_keeps_the_issue_queued_once_pages_are_over() -> None:
    resolved = [Tracked("gitaly", incident("resolved"))]
    plan = plan_sync(issue(ACKNOWLEDGED, WAITING), frozenset(), resolved, TEAMS, T0)
    assert plan == SyncPlan((QUEUED,), (TRIGGERED, ACKNOWLEDGED, RESOLVED, FAILED, CANCELLED))
    # A request queued before the waiting label existed gets it, so delivery finds it.
    legacy = plan_sync(issue(ACKNOWLEDGED, QUEUED), frozenset(), resolved, TEAMS, T0)
    assert legacy.add == (QUEUED, WAITING)
    assert plan_sync(issue(QUEUED, WAITING), frozenset(), resolved, TEAMS, T0).empty


def test_right_label_alone_needs_no_change() -> None:
    tracked = [Tracked("gitaly", incident("triggered"))]
    assert plan_sync(issue(TRIGGERED, WAITING), frozenset(), tracked, TEAMS, T0).empty
    two = plan_sync(issue(TRIGGERED, FAILED), frozenset(), tracked, TEAMS, T0)
    assert two.add == (TRIGGERED,) and FAILED in two.remove and TRIGGERED not in two.remove


def test_no_label_wanted_changes_nothing() -> None:
    plan = plan_sync(issue(CANCELLED), frozenset(), [Tracked("gitaly", incident("resolved"))],
                     TEAMS, T0)
    assert plan == SyncPlan()
    assert plan.empty


def test_empty_means_nothing_to_add_or_note() -> None:
    assert SyncPlan().empty
    assert SyncPlan(remove=(FAILED,)).empty
    assert not SyncPlan(add=(FAILED,)).empty


def test_notes_only_for_meaningful_new_entries_oldest_first() -> None:
    entries = (entry("R9", "resolve", 40, agent="Ada"), entry("R1", "trigger", 0),
               entry("R3", "assign", 1, automatic=True, user="Ada"),
               entry("R4", "assign", 2, user="Grace", agent="Ada"),
               entry("R2", "notify", 0, user="Ada"), entry("R5", "snooze", 3),
               entry("R6", "annotate", 2, text="x"), entry("R7", "notify", 5, user="Bea"))
    plan = plan_sync(issue(RESOLVED), frozenset({"log:R7"}),
                     [Tracked("gitaly", incident("resolved"), entries)], TEAMS, T0)
    assert [n.marker for n in plan.notes] == [
        marker("log", id=i, team="gitaly", incident="PINC1") for i in ("R2", "R4", "R6", "R9")]
    assert {n.template for n in plan.notes} == {"note_log.md.j2"}
    assert frozenset({"notify", "escalate", "acknowledge", "unacknowledge", "assign",
                               "annotate", "resolve"}) == NOTED


def test_note_context_says_whether_the_target_was_met() -> None:
    entries = (entry("A", "acknowledge", 15, agent="Ada"), entry("B", "unacknowledge", 15.5))
    tracked = [Tracked("gitaly", incident("triggered"), entries)]
    first, second = plan_sync(issue(TRIGGERED), frozenset(), tracked, TEAMS, T0).notes
    assert first.context == {"entry": entries[0], "team": POLICY,
                             "incident": tracked[0].incident,
                             "elapsed": timedelta(minutes=15), "within_target": True}
    assert second.context["within_target"] is False


def test_entries_of_teams_not_configured_are_skipped() -> None:
    tracked = [Tracked("search", incident("triggered"), (entry("R2", "notify", 0, user="A"),))]
    plan = plan_sync(issue(TRIGGERED), frozenset(), tracked, TEAMS, T0 + timedelta(hours=2))
    assert plan.notes == ()


def test_an_unconfigured_team_does_not_hide_the_next_team() -> None:
    tracked = [Tracked("search", incident("triggered", "P0"), (entry("R1", "notify", 0),)),
               Tracked("gitaly", incident("acknowledged"), (entry("R2", "acknowledge", 3),))]
    plan = plan_sync(issue(TRIGGERED), frozenset(), tracked, TEAMS, T0)
    assert [n.marker for n in plan.notes] == [
        marker("log", id="R2", team="gitaly", incident="PINC1")]


def test_overdue_notice_exactly_at_the_deadline() -> None:
    entries = (entry("R2", "notify", 0, user="Grace"), entry("R3", "notify", 1, user="Ada"),
               entry("R4", "notify", 2, user="Ada"), entry("R5", "notify", 3, user=""))
    tracked = [Tracked("gitaly", incident("triggered"), entries)]
    posted = frozenset({"log:R2", "log:R3", "log:R4", "log:R5"})
    deadline = T0 + timedelta(minutes=15)
    assert plan_sync(issue(TRIGGERED), posted, tracked, TEAMS,
                     deadline - timedelta(microseconds=1)).notes == ()
    (note,) = plan_sync(issue(TRIGGERED), posted, tracked, TEAMS, deadline).notes
    assert note.template == "note_overdue.md.j2"
    assert note.marker == marker("overdue", id="PINC1", team="gitaly")
    assert note.context == {"team": POLICY, "team_key": "gitaly",
                            "incident": tracked[0].incident, "waited": timedelta(minutes=15),
                            "notified": ["Ada", "Grace"]}
    assert plan_sync(issue(TRIGGERED), posted | {"overdue:PINC1"}, tracked, TEAMS,
                     deadline).notes == ()


@pytest.mark.parametrize("status", ["acknowledged", "resolved"])
def test_no_overdue_notice_unless_triggered(status: str) -> None:
    tracked = [Tracked("gitaly", incident(status))]
    assert plan_sync(issue(), frozenset(), tracked, TEAMS, T0 + timedelta(hours=1)).notes == ()


def test_no_overdue_notice_after_an_acknowledgement_even_if_unacknowledged() -> None:
    entries = (entry("A", "acknowledge", 3), entry("U", "unacknowledge", 4))
    tracked = [Tracked("gitaly", incident("triggered"), entries)]
    plan = plan_sync(issue(TRIGGERED), frozenset({"log:A", "log:U"}), tracked, TEAMS,
                     T0 + timedelta(hours=1))
    assert plan.notes == ()
