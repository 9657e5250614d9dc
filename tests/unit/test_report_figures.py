"""Report figures at their edges: percentiles, shares, overdue, rows, grouping, marks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chatops.core.incident import Incident, LogEntry
from chatops.core.page_events import PageFacts
from chatops.core.report import (
    CSV_COLUMNS,
    SCHEMA,
    WEEKDAYS,
    Mark,
    Page,
    Period,
    _p90,
    _share,
    build,
    facts_of,
    metrics,
    page_from,
    row,
)

T = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # a Tuesday


def page(ack: float | None = None, resolve: float | None = None, team: str = "gitaly",
         drill: bool = False, requester: str = "alice", level: int = 1,
         notified: tuple[str, ...] = (), at: datetime = T,
         as_of: datetime | None = None) -> Page:
    """A page acknowledged and resolved the given minutes after it went out."""
    return Page(team, "P1", 1, "https://pd/P1", "https://gl/1", at, requester, drill, 15,
                acknowledged_at=None if ack is None else at + timedelta(minutes=ack),
                acknowledged_by="Ada" if ack is not None else "",
                resolved_at=None if resolve is None else at + timedelta(minutes=resolve),
                max_level=level, notified=notified, as_of=as_of)


# ---- small figures ------------------------------------------------------------------
def test_p90_is_the_nearest_rank() -> None:
    assert _p90([]) is None
    assert _p90([7.0]) == 7.0
    assert _p90([3.0, 1.0]) == 3.0
    assert _p90([float(v) for v in range(1, 11)]) == 9.0
    assert _p90([float(v) for v in range(1, 12)]) == 10.0
    assert _p90([float(v) for v in range(20, 0, -1)]) == 18.0


def test_share_counts_the_limit_itself_and_rounds() -> None:
    assert _share([], 15, 0) is None
    assert _share([15.0, 15.1, None], 15, 3) == 33.3
    assert _share([1.0, 2.0], 15, 3) == 66.7
    assert _share([None], 15, 1) == 0.0


def test_minutes_are_rounded_to_a_tenth() -> None:
    p = Page("g", "P", 1, "", "", T, "", False, 15,
             acknowledged_at=T + timedelta(seconds=125), resolved_at=T + timedelta(seconds=3))
    assert p.time_to_ack == 2.1 and p.time_to_resolve == 0.1
    assert page().time_to_ack is None and page().time_to_resolve is None


# ---- overdue ------------------------------------------------------------------------
def test_acknowledged_exactly_at_the_target_is_on_time() -> None:
    assert not page(ack=15).overdue
    assert page(ack=15.1).overdue


def test_open_page_is_overdue_only_past_the_target() -> None:
    assert not page(as_of=T + timedelta(minutes=15)).overdue
    assert page(as_of=T + timedelta(minutes=15, seconds=1)).overdue
    assert page().overdue  # no acknowledgement and no point in time: counted late


def test_resolve_before_the_target_ends_the_wait() -> None:
    assert not page(resolve=10, as_of=T + timedelta(hours=5)).overdue
    assert page(resolve=16, as_of=T + timedelta(minutes=10)).overdue


# ---- metrics --------------------------------------------------------------------------
def test_metrics_of_nothing() -> None:
    figures = metrics([], [])
    assert figures["pages"] == 0 and figures["acknowledged"] == 0
    assert figures["time_to_ack_minutes"] == {"median": None, "p90": None, "max": None}
    assert figures["time_to_resolve_minutes"] == {"median": None, "max": None}
    assert figures["acknowledged_within_15_min_pct"] is None
    assert figures["pages_per_oncaller"] == {} and figures["top_requesters"] == []
    assert list(figures["pages_by_weekday"]) == list(WEEKDAYS)
    assert list(figures["pages_by_hour_utc"]) == [f"{h:02d}" for h in range(24)]


def test_metrics_exact() -> None:
    pages = [page(ack=10, resolve=40, notified=("Grace",), requester="alice"),
             page(ack=20, resolve=60, level=2, notified=("Ada", "Grace"), requester="bob"),
             page(ack=30, notified=("Ada",), requester="alice",
                  at=T + timedelta(days=4, hours=14)),
             page(notified=("Bea",), requester="", as_of=T + timedelta(minutes=5))]
    marks = [Mark("gitaly", "refused", T, "l"), Mark("gitaly", "queued", T, "l"),
             Mark("gitaly", "queued", T, "l"), Mark("gitaly", "failed", T, "l")]
    figures = metrics(pages, marks)
    assert figures["pages"] == 4
    assert figures["acknowledged"] == 3 and figures["never_acknowledged"] == 1
    assert figures["time_to_ack_minutes"] == {"median": 20.0, "p90": 30.0, "max": 30.0}
    assert figures["acknowledged_within_15_min_pct"] == 25.0
    assert figures["acknowledged_within_30_min_pct"] == 75.0
    assert figures["time_to_resolve_minutes"] == {"median": 50.0, "max": 60.0}
    assert figures["escalated_beyond_level_1"] == 1
    assert figures["overdue"] == 2
    assert (figures["refused_no_coverage"], figures["queued_for_coverage"],
            figures["failed_pages"]) == (1, 2, 1)
    assert list(figures["pages_per_oncaller"].items()) == [("Ada", 2), ("Grace", 2), ("Bea", 1)]
    assert figures["pages_by_weekday"] == {"Mon": 0, "Tue": 3, "Wed": 0, "Thu": 0, "Fri": 0,
                                           "Sat": 1, "Sun": 0}
    hours = figures["pages_by_hour_utc"]
    assert (hours["09"], hours["23"], sum(hours.values())) == (3, 1, 4)
    assert figures["top_requesters"] == [("alice", 2), ("bob", 1)]


def test_ack_shares_count_up_to_the_minute_limit() -> None:
    pages = [page(ack=15), page(ack=15.5), page(ack=30), page(ack=30.5)]
    figures = metrics(pages, [])
    assert figures["acknowledged_within_15_min_pct"] == 25.0
    assert figures["acknowledged_within_30_min_pct"] == 75.0


def test_top_requesters_are_five_at_most() -> None:
    pages = [page(requester=f"r{n}") for n in range(7)] + [page(requester="r6")]
    top = metrics(pages, [])["top_requesters"]
    assert len(top) == 5 and top[0] == ("r6", 2)


# ---- rows and the whole report ----------------------------------------------------------
def test_row_is_flat_and_matches_the_csv_columns() -> None:
    record = row(page(ack=20, resolve=60, level=2, notified=("Ada", "Grace")))
    assert record == {
        "team": "gitaly", "drill": False, "created_at": "2026-11-24T09:00:00+00:00",
        "incident_number": 1, "incident_url": "https://pd/P1", "issue_url": "https://gl/1",
        "requester": "alice", "time_to_ack_minutes": 20.0, "acknowledged_by": "Ada",
        "time_to_resolve_minutes": 60.0, "max_level": 2, "overdue": True,
        "notified": "Ada;Grace"}
    assert tuple(record) == CSV_COLUMNS


def test_build_groups_teams_and_keeps_drills_apart() -> None:
    later = T + timedelta(hours=1)
    pages = [page(ack=5, at=later), page(ack=5, team="database"), page(ack=5, drill=True)]
    marks = [Mark("gitaly", "refused", later, "https://gl/9", "bob", "nobody on call"),
             Mark("database", "failed", T, "https://gl/8", drill=True)]
    period = Period(T, T + timedelta(days=7), "week 48")
    report = build(pages, marks, period, ["gitaly", "database", "search"])
    assert report["schema"] == SCHEMA == "chatops-report/1"
    assert report["period"] == {"from": "2026-11-24T09:00:00+00:00",
                                "to": "2026-12-01T09:00:00+00:00", "label": "week 48"}
    assert {team: figures["pages"] for team, figures in report["teams"].items()} == {
        "gitaly": 1, "database": 1, "search": 0}
    assert report["teams"]["gitaly"]["refused_no_coverage"] == 1
    assert report["teams"]["database"]["failed_pages"] == 0
    assert report["total"]["pages"] == 2 and report["drills"]["pages"] == 1
    assert report["drills"]["failed_pages"] == 1 and report["total"]["failed_pages"] == 0
    assert [r["created_at"] for r in report["escalations"]] == [
        "2026-11-24T09:00:00+00:00", "2026-11-24T09:00:00+00:00", "2026-11-24T10:00:00+00:00"]
    assert report["not_paged"] == [
        {"team": "database", "kind": "failed", "at": "2026-11-24T09:00:00+00:00",
         "link": "https://gl/8", "requester": "", "reason": "", "drill": True},
        {"team": "gitaly", "kind": "refused", "at": "2026-11-24T10:00:00+00:00",
         "link": "https://gl/9", "requester": "bob", "reason": "nobody on call",
         "drill": False}]


# ---- from PagerDuty and from labels ------------------------------------------------------
def entry(eid: str, kind: str, minutes: int, **fields: object) -> LogEntry:
    """A log entry of incident P1."""
    return LogEntry(eid, kind, T + timedelta(minutes=minutes), "P1", **fields)  # type: ignore[arg-type]


def test_page_from_reads_the_log_in_time_order() -> None:
    incident = Incident("P1", 12, "resolved", "chatops/g/p#1/gitaly", T, "https://pd/P1",
                        "[Gitaly] S2: x")
    log = [entry("R5", "resolve", 90, agent="Grace"), entry("R4", "acknowledge", 30,
                                                            agent="Grace"),
           entry("R3", "acknowledge", 20, agent="Ada"), entry("R2", "notify", 16, user="Grace"),
           entry("R6", "resolve", 60, agent="Ada"), entry("R1", "notify", 0, user="Ada"),
           entry("R7", "notify", 17, user="Ada"), entry("R8", "notify", 18, user=""),
           entry("R9", "escalate", 16, level=3), entry("R0", "escalate", 10, level=2),
           entry("RA", "escalate", 11, level=None),
           entry("RT", "trigger", 0, facts=PageFacts("bob"))]
    made = page_from(incident, log, "gitaly", 25, "https://gl/1", as_of=T + timedelta(days=1))
    assert made == Page("gitaly", "P1", 12, "https://pd/P1", "https://gl/1", T, "bob", False, 25,
                        acknowledged_at=T + timedelta(minutes=20), acknowledged_by="Ada",
                        resolved_at=T + timedelta(minutes=90), max_level=3,
                        notified=("Ada", "Grace"), as_of=T + timedelta(days=1))


def test_page_from_an_empty_log() -> None:
    # No trigger with chatops' facts: an unknown requester and not a drill, whatever the
    # title says (nothing is read back out of prose).
    incident = Incident("P1", 12, "triggered", "k", T, "https://pd/P1",
                        "[DRILL] [Gitaly] x (paged by alice via ChatOps)")
    made = page_from(incident, [], "gitaly", 15, "")
    assert made.requester == ""
    assert (made.acknowledged_at, made.acknowledged_by, made.resolved_at, made.max_level,
            made.notified, made.drill) == (None, "", None, 1, (), False)


def test_facts_are_those_of_the_first_trigger_that_carries_them() -> None:
    log = [entry("R3", "trigger", 9, facts=PageFacts("carol", True)),
           entry("R1", "trigger", 1),  # a trigger without chatops' facts
           entry("R2", "trigger", 5, facts=PageFacts("bob", False)),
           entry("R0", "notify", 0, user="Ada"),
           entry("R4", "acknowledge", 2, facts=PageFacts("mallory", True))]
    assert facts_of(log) == PageFacts("bob", False)
    assert facts_of(log[:1]) == PageFacts("carol", True)
    assert facts_of(log[1:2]) == facts_of(log[3:]) == facts_of([]) == PageFacts("", False)
    drill = page_from(Incident("P1", 1, "triggered", "k", T, "u"), log[:1], "gitaly", 15, "")
    assert (drill.requester, drill.drill) == ("carol", True)
