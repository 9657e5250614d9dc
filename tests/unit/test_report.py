"""Report figures against hand-computed expectations on a seeded history."""

from datetime import UTC, datetime, timedelta

from chatops.core.incident import Incident, LogEntry
from chatops.core.page_events import PageFacts
from chatops.core.report import Mark, Period, build, page_from

T = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday


def incident(n: int, minutes: int, title: str) -> Incident:
    return Incident(f"P{n}", n, "resolved", f"chatops/g/p#{n}/gitaly",
                    T + timedelta(minutes=minutes), f"https://pd/P{n}", title)


ALICE = PageFacts("alice")


def log(n: int, *entries: tuple[str, int, str, int | None],
        facts: PageFacts = ALICE) -> list[LogEntry]:
    """An incident's log: chatops' trigger (with its facts), then the entries given."""
    base = T + timedelta(minutes=0)
    trigger = LogEntry(f"R{n}T", "trigger", base, f"P{n}", facts=facts)
    return [trigger, *(LogEntry(f"R{n}{i}", kind, base + timedelta(minutes=at), f"P{n}",
                                agent=who, user=who, level=level)
                       for i, (kind, at, who, level) in enumerate(entries))]


def seeded() -> dict[str, object]:
    pages = [
        # acked after 10 min by Ada, resolved at 40
        page_from(incident(1, 0, "title a (says nothing the report reads)"),
                  log(1, ("notify", 0, "Ada", None), ("acknowledge", 10, "Ada", None),
                      ("resolve", 40, "Ada", None)), "gitaly", 15, "https://gl/1"),
        # escalated to level 2, acked at 20 by Grace (overdue), resolved at 60
        page_from(incident(2, 0, "title b (says nothing the report reads)"),
                  log(2, ("notify", 0, "Ada", None), ("escalate", 16, "Grace", 2),
                      ("notify", 16, "Grace", None), ("acknowledge", 20, "Grace", None),
                      ("resolve", 60, "Grace", None), facts=PageFacts("bob")), "gitaly", 15,
                  "https://gl/2"),
        # reopened: acked at 5, unacknowledged, acked again at 50: first ack counts
        page_from(incident(3, 0, "title c (says nothing the report reads)"),
                  log(3, ("notify", 0, "Ada", None), ("acknowledge", 5, "Ada", None),
                      ("unacknowledge", 30, "", None), ("acknowledge", 50, "Ada", None)),
                  "gitaly", 15, "https://gl/3"),
        # never acknowledged
        page_from(incident(4, 0, "title d (says nothing the report reads)"),
                  log(4, ("notify", 0, "Ada", None), facts=PageFacts("carol")), "gitaly", 15,
                  "https://gl/4"),
        # a drill: acked at 2; must not count in the response metrics
        page_from(incident(5, 0, "title e (says nothing the report reads)"),
                  log(5, ("notify", 0, "Ada", None), ("acknowledge", 2, "Ada", None),
                      facts=PageFacts("alice", drill=True)), "gitaly", 15, "https://gl/5"),
    ]
    marks = [Mark("gitaly", "refused", T, "https://gl/jobs/9", "dave", "nobody on call"),
             Mark("gitaly", "queued", T, "https://gl/6"),
             Mark("gitaly", "failed", T, "https://gl/7")]
    return build(pages, marks, Period(T, T + timedelta(days=7)), ["gitaly", "database"])


def test_response_figures_exclude_drills() -> None:
    total = seeded()["total"]
    assert isinstance(total, dict)
    assert total["pages"] == 4 and total["acknowledged"] == 3
    assert total["never_acknowledged"] == 1
    assert total["time_to_ack_minutes"] == {"median": 10.0, "p90": 20.0, "max": 20.0}
    assert total["acknowledged_within_15_min_pct"] == 50.0  # #1 and #3 of 4 pages
    assert total["acknowledged_within_30_min_pct"] == 75.0
    assert total["time_to_resolve_minutes"] == {"median": 50.0, "max": 60.0}
    assert total["escalated_beyond_level_1"] == 1
    assert total["overdue"] == 2  # #2 acked after 20 > 15, #4 never
    assert (total["refused_no_coverage"], total["queued_for_coverage"],
            total["failed_pages"]) == (1, 1, 1)
    assert total["pages_per_oncaller"] == {"Ada": 4, "Grace": 1}
    assert total["pages_by_weekday"]["Mon"] == 4 and total["pages_by_hour_utc"]["09"] == 4
    assert total["top_requesters"] == [("alice", 2), ("bob", 1), ("carol", 1)]


def test_drills_are_reported_apart_and_everything_is_traceable() -> None:
    report = seeded()
    drills = report["drills"]
    assert isinstance(drills, dict) and drills["pages"] == 1
    assert drills["time_to_ack_minutes"]["median"] == 2.0
    rows = report["escalations"]
    assert isinstance(rows, list) and len(rows) == 5
    assert {r["issue_url"] for r in rows} == {f"https://gl/{n}" for n in range(1, 6)}
    not_paged = report["not_paged"]
    assert isinstance(not_paged, list)
    assert [m["link"] for m in not_paged] == ["https://gl/jobs/9", "https://gl/6", "https://gl/7"]
    teams = report["teams"]
    assert isinstance(teams, dict) and teams["database"]["pages"] == 0
    assert teams["database"]["time_to_ack_minutes"]["median"] is None
