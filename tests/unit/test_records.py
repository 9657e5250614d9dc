"""The durable record of requests that did not page at once (issue #9 item 3)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from chatops import records
from chatops.core.model import read_markers
from chatops.core.report import Mark
from tests.unit.fakes import FakeTracker

P = "g/production"
T = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)


def test_one_record_issue_per_month_and_each_request_read_back() -> None:
    tracker = FakeTracker()
    refused = Mark("database", "refused", T, "https://gl/jobs/1", "alice", "nobody on call")
    queued = Mark("gitaly", "queued", T + timedelta(hours=1), "https://gl/p/-/issues/3", "bob",
                  drill=True)
    december = Mark("gitaly", "failed", T + timedelta(days=2), "https://gl/p/-/issues/4", "")
    for mark in (refused, queued, december):
        records.keep(tracker, P, mark)
    titles = sorted(i.title for i in tracker.issues.values())
    assert titles == ["ChatOps record 2026-11: requests that did not page",
                      "ChatOps record 2026-12: requests that did not page"]
    assert records.read(tracker, P, T - timedelta(days=1), T + timedelta(days=3)) == [
        refused, queued, december]
    assert records.read(tracker, P, T + timedelta(minutes=1), T + timedelta(days=1)) == [queued]


def test_a_rerun_counts_once() -> None:
    tracker = FakeTracker()
    mark = Mark("database", "refused", T, "https://gl/jobs/1", "alice", "nobody on call")
    records.keep(tracker, P, mark)
    records.keep(tracker, P, mark)
    assert records.read(tracker, P, T - timedelta(days=1), T + timedelta(days=1)) == [mark]


def test_the_note_mentions_nobody_and_links_only_http() -> None:
    mark = Mark("gitaly", "refused", T, "javascript:alert(1)", "@all", "<img src=x> [x](y)")
    body = records.note_body(mark)
    assert "@all" not in body.replace("\\@all", "") and "javascript" not in body.split("<!--")[0]
    assert re.search(r"(?<!\\)[<\[]", body.split("<!--")[0].replace("[details]", "")) is None


def test_a_lone_dash_is_not_taken_for_nothing() -> None:
    mark = Mark("gitaly", "refused", T, "", "-", "-")
    (fields,) = read_markers(records.note_body(mark), "record")
    assert records._mark(fields) == mark


@given(st.text(), st.text(), st.sampled_from(["refused", "queued", "failed"]), st.booleans())
def test_any_reason_and_requester_survive_the_marker(reason: str, who: str, kind: str,
                                                     drill: bool) -> None:
    mark = Mark("gitaly", kind, T, "https://gl/jobs/9?a=b c", who, reason, drill)
    (fields,) = read_markers(records.note_body(mark), "record")
    assert records._mark(fields) == mark


def test_a_broken_marker_is_ignored() -> None:
    assert records._mark({"what": "refused", "team": "x", "at": "yesterday"}) is None
    assert records._mark({"what": "paged", "team": "x", "at": "2026-11-30T06:00:00Z"}) is None
    assert records._mark({"team": "x"}) is None
