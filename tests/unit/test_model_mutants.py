"""Domain values: page records per team, request keys, outcomes (changes that must fail)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest

from chatops.core.labels import TRIGGERED
from chatops.core.model import (
    Issue,
    OnCall,
    Outcome,
    PageRecord,
    latest_pages,
    marker,
    page_records,
    read_markers,
)
from chatops.core.page import PageFlow, step
from chatops.core.page_steps import IssueChecked, OnCallChecked, Started, Trigger
from chatops.core.refs import IssueRef
from chatops.core.request import PageRequest, request_key

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
GITALY_PAGE = marker("paged", team="gitaly", dedup_key="chatops/g/p#7/gitaly",
                     at="2026-11-26T09:00:00Z", job="https://gl/job/1")
ISSUE = Issue("g/p", 7, "https://gl/g/p/-/issues/7", "t", "opened",
              (TRIGGERED, "group::gitaly"))


def test_second_team_on_same_issue_is_not_already_paged() -> None:
    texts = ["description", GITALY_PAGE]
    assert page_records(texts, "database") == []
    request = PageRequest("database", "replication lag", IssueRef("g/p", 7), 2, False)
    flow = PageFlow(request, ("group::database",), "chatops/g/p#7/database")
    flow, _ = step(flow, Started(), NOW)
    flow, _ = step(flow, OnCallChecked((OnCall(1, "Grace Hopper", None),)), NOW)
    flow, actions = step(flow, IssueChecked(ISSUE, tuple(page_records(texts, "database"))), NOW)
    assert actions == [Trigger("chatops/g/p#7/database")]
    assert flow.outcome is None and flow.prior is None


def test_same_team_on_same_issue_is_already_paged() -> None:
    records = page_records(["description", GITALY_PAGE], "gitaly")
    assert records == [PageRecord("gitaly", "chatops/g/p#7/gitaly", "2026-11-26T09:00:00Z",
                                  "https://gl/job/1")]
    request = PageRequest("gitaly", "still down", IssueRef("g/p", 7), 2, False)
    flow = PageFlow(request, ("group::gitaly",), "chatops/g/p#7/gitaly")
    flow, _ = step(flow, Started(), NOW)
    flow, _ = step(flow, OnCallChecked((OnCall(1, "Ada", None),)), NOW)
    flow, actions = step(flow, IssueChecked(ISSUE, tuple(records)), NOW)
    assert actions == [] and flow.outcome is Outcome.ALREADY_PAGED


def test_page_record_without_dedup_key_is_ignored() -> None:
    broken = marker("paged", team="gitaly", at="2026-11-26T09:00:00Z")
    assert page_records([broken], "gitaly") == []
    assert latest_pages([broken]) == {}


def test_page_records_keep_order_and_default_missing_fields() -> None:
    bare = marker("paged", team="gitaly", dedup_key="k2")
    other_kind = marker("queued", team="gitaly", dedup_key="k3", at="x", job="-")
    records = page_records([GITALY_PAGE, other_kind + "\n" + bare], "gitaly")
    assert [r.dedup_key for r in records] == ["chatops/g/p#7/gitaly", "k2"]
    assert records[1] == PageRecord("gitaly", "k2", "", "")


def test_latest_pages_keeps_the_last_page_of_each_team() -> None:
    texts = [GITALY_PAGE,
             marker("paged", team="database", dedup_key="d1", at="a", job="j"),
             marker("paged", team="gitaly", dedup_key="g2", at="b", job="k"),
             marker("paged", dedup_key="orphan", at="c", job="l"),
             marker("queued", team="gitaly", dedup_key="q", at="d", job="m")]
    assert latest_pages(texts) == {"gitaly": PageRecord("gitaly", "g2", "b", "k"),
                                   "database": PageRecord("database", "d1", "a", "j")}
    assert latest_pages([marker("paged", team="x", dedup_key="k")]) == {
        "x": PageRecord("x", "k", "", "")}


def _expected_key(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def test_request_key_hashes_team_incident_and_normalised_message() -> None:
    assert request_key("gitaly", "praefect   down\n", None) == _expected_key(
        "gitaly\n\npraefect down")
    assert request_key("gitaly", "praefect down", IssueRef("g/p", 7)) == _expected_key(
        "gitaly\ng/p#7\npraefect down")
    assert request_key("gitaly", "praefect down", None, drill=True) == _expected_key(
        "gitaly\n\npraefect down\ndrill")
    assert len(request_key("gitaly", "x", None)) == 16


def test_request_key_separates_different_requests() -> None:
    base = request_key("gitaly", "down", None)
    assert base == request_key("gitaly", " down ", None)
    assert base != request_key("database", "down", None)
    assert base != request_key("gitaly", "down", None, drill=True)
    assert base != request_key("gitaly", "down", IssueRef(None, 1))


@pytest.mark.parametrize(("outcome", "failed"), [
    (Outcome.PAGED, False), (Outcome.PAGED_WITHOUT_ISSUE, False),
    (Outcome.ALREADY_PAGED, False), (Outcome.QUEUED, False), (Outcome.DRY_RUN, False),
    (Outcome.NOBODY_ON_CALL, True), (Outcome.NOT_COVERED, True),
    (Outcome.QUEUE_FAILED, True), (Outcome.INCIDENT_NOT_FOUND, True),
    (Outcome.PAGE_FAILED, True),
])
def test_outcome_failed_means_nobody_was_paged_although_wanted(outcome: Outcome,
                                                               failed: bool) -> None:
    assert outcome.failed is failed


def test_outcome_values_are_the_result_words() -> None:
    assert [o.value for o in Outcome] == [
        "paged", "paged-without-issue", "already-paged", "nobody-on-call", "not-covered",
        "queued", "queue-failed", "incident-not-found", "page-failed", "dry-run"]


def test_issue_ref() -> None:
    assert ISSUE.ref == IssueRef("g/p", 7)


def test_read_markers_whole_lines_of_one_kind_in_order() -> None:
    first = marker("paged", team="gitaly", dedup_key="k1", at="a", job="-")
    second = marker("paged", team="database", dedup_key="k2", at="b", job="-")
    text = "\n".join(["intro", first, marker("queued", team="x", dedup_key="q", at="c", job="-"),
                      "    " + marker("paged", team="evil", dedup_key="e", at="d", job="-"),
                      "see " + marker("paged", team="evil", dedup_key="e", at="d", job="-"),
                      marker("paged", team="evil", dedup_key="e", at="d", job="-") + " more",
                      second])
    assert read_markers(text, "paged") == [
        {"team": "gitaly", "dedup_key": "k1", "at": "a", "job": "-"},
        {"team": "database", "dedup_key": "k2", "at": "b", "job": "-"}]
    assert read_markers(text, "queued") == [{"team": "x", "dedup_key": "q", "at": "c",
                                             "job": "-"}]
    assert read_markers(text, "failed") == []
    assert read_markers("<!-- chatops:v1 paged team=a>b dedup_key=k -->", "paged") == []
    assert read_markers("<!-- chatops:v2 paged team=a dedup_key=k -->", "paged") == []
