"""How Events API v2 spells a page and a refusal, pinned exactly; the facts read back."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from chatops.adapters.pagerduty_events import (
    SEVERITY,
    change_body,
    page_facts,
    refusals,
    summary,
    trigger_body,
)
from chatops.core.compose import page, queued_page, refusal
from chatops.core.page_events import PageEvent, PageFacts
from chatops.core.report import Mark
from tests.unit.machine_zone import machine_zone
from tests.unit.test_compose import ISSUE, NOBODY, NOW, WHO, flow, team

CET = timezone(timedelta(hours=1))


def test_trigger_for_a_page_with_an_issue_is_exact() -> None:
    made = page(flow(issue=ISSUE, dedup_key="chatops/g/p#7/gitaly"), "gitaly", team(), WHO,
                datetime(2026, 11, 26, 15, 30, 5, tzinfo=CET))
    assert trigger_body(made) == {
        "event_action": "trigger",
        "dedup_key": "chatops/g/p#7/gitaly",
        "payload": {
            "summary": "[Gitaly] S2: praefect is failing over (paged by alice via ChatOps)",
            "source": "chatops (https://gl)",
            "severity": "error",
            "timestamp": "2026-11-26T14:30:05+00:00",
            "component": "gitaly",
            "group": "gitaly",
            "class": "escalation",
            "custom_details": {
                "message": "praefect is failing over",
                "team": "gitaly",
                "requested_by": "alice",  # the login: the report reads it back (page_facts)
                "slack_user_id": "U123",
                "slack_channel_id": "C456",
                "ci_job_url": "https://gl/g/p/-/jobs/9",
                "incident_issue": "https://gl/g/p/-/issues/7",
                "expected_response": "10-25 minutes",
                "drill": False,
            },
        },
        "client": "GitLab ChatOps",
        "client_url": "https://gl/g/p/-/issues/7",
        "links": [{"href": "https://gl/g/p/-/issues/7", "text": "Incident issue g/p#7"},
                  {"href": "https://gl/g/p/-/jobs/9", "text": "ChatOps job (audit trail)"}],
    }


def test_trigger_without_issue_or_requester() -> None:
    event = trigger_body(page(flow(target_url="https://gl/g/p/-/issues/8"), "gitaly", team(),
                              NOBODY, NOW))
    assert event["links"] == [{"href": "https://gl/g/p/-/issues/8", "text": "Incident issue"}]
    assert "client_url" not in event
    details = event["payload"]["custom_details"]
    assert (details["requested_by"], details["slack_user_id"], details["slack_channel_id"],
            details["ci_job_url"]) == ("", "-", "-", "-")
    assert event["payload"]["summary"] == (
        "[Gitaly] S2: praefect is failing over (paged by unknown via ChatOps)")


@pytest.mark.parametrize(("severity", "expected"), [(1, "critical"), (2, "error"),
                                                    (3, "warning"), (4, "info")])
def test_trigger_severity_follows_the_request(severity: int, expected: str) -> None:
    event = trigger_body(page(flow(severity=severity, issue=ISSUE), "gitaly", team(), WHO, NOW))
    assert event["payload"]["severity"] == expected == SEVERITY[severity]


def test_drill_is_always_info_and_marked_in_summary_and_details() -> None:
    event = trigger_body(page(flow(severity=1, drill=True, issue=ISSUE), "gitaly", team(), WHO,
                              NOW))
    assert event["payload"]["severity"] == "info"
    assert event["payload"]["summary"] == (
        "[DRILL] [Gitaly] S1: praefect is failing over (paged by alice via ChatOps)")
    assert event["payload"]["custom_details"]["drill"] is True


def test_summary_is_one_line_of_at_most_1024_characters() -> None:
    made = page(flow("a\nb " + "z" * 2000), "gitaly", team(), WHO, NOW)
    text = summary(made)
    assert len(text) == 1024 and text.startswith("[Gitaly] S2: a b zzz") and text.endswith("z…")
    assert trigger_body(made)["payload"]["summary"] == text


def test_queued_trigger_is_exact() -> None:
    made = queued_page(ISSUE, "gitaly", team(), "chatops/g/p#7/gitaly",
                       datetime(2026, 11, 26, 15, 30, 5, tzinfo=CET), severity=1,
                       requester="bob")
    assert trigger_body(made) == {
        "event_action": "trigger",
        "dedup_key": "chatops/g/p#7/gitaly",
        "payload": {
            "summary": "[Gitaly] Gitaly escalation (S2): down (queued until coverage started)",
            "source": "chatops sync",
            "severity": "critical",
            "timestamp": "2026-11-26T14:30:05+00:00",
            "component": "gitaly", "group": "gitaly", "class": "escalation",
            "custom_details": {"incident_issue": "https://gl/g/p/-/issues/7", "queued": True,
                               "expected_response": "10-25 minutes", "team": "gitaly",
                               "requested_by": "bob", "drill": False},
        },
        "client": "GitLab ChatOps", "client_url": "https://gl/g/p/-/issues/7",
        "links": [{"href": "https://gl/g/p/-/issues/7", "text": "Incident issue g/p#7"}],
    }


def test_queued_drill_is_info_and_marked() -> None:
    drill_issue = replace(ISSUE, title="[DRILL] Gitaly escalation (S3): practice")
    event = trigger_body(queued_page(drill_issue, "gitaly", team(), "k", NOW, severity=3,
                                     drill=True))
    assert event["payload"]["severity"] == "info"
    assert event["payload"]["summary"] == (
        "[DRILL] [Gitaly] Gitaly escalation (S3): practice (queued until coverage started)")
    assert event["payload"]["custom_details"]["drill"] is True


def test_change_event_of_a_refusal_is_exact() -> None:
    made = refusal(flow("down\nnow", drill=True), "gitaly", team(), WHO,
                   datetime(2026, 11, 26, 15, 30, 5, tzinfo=CET), "nobody on call")
    assert change_body(made) == {
        "payload": {
            "summary": "[chatops] Gitaly page refused: nobody on call (requested by alice)",
            "source": "chatops (https://gl)",
            "timestamp": "2026-11-26T14:30:05+00:00",
            "custom_details": {"chatops": "refused", "drill": True, "team": "gitaly",
                               "reason": "nobody on call", "requested_by": "alice",
                               "job_url": "https://gl/g/p/-/jobs/9", "message": "down now"},
        },
        "links": [{"href": "https://gl/g/p/-/jobs/9", "text": "ChatOps job"}],
    }


def test_change_event_without_job_or_login() -> None:
    event = change_body(refusal(flow("m" * 400), "gitaly", team(), NOBODY, NOW,
                                "outside coverage"))
    assert event["links"] == []
    assert event["payload"]["summary"] == (
        "[chatops] Gitaly page refused: outside coverage (requested by unknown)")
    assert event["payload"]["custom_details"]["message"] == "m" * 299 + "…"
    assert event["payload"]["custom_details"]["drill"] is False


def test_times_are_utc_whatever_the_machine_zone() -> None:
    with machine_zone("Pacific/Kiritimati"):  # UTC+14: another date than UTC
        event = trigger_body(page(flow(issue=ISSUE), "gitaly", team(), WHO, NOW))
        queued = trigger_body(queued_page(ISSUE, "gitaly", team(), "k", NOW))
        refused = change_body(refusal(flow(), "gitaly", team(), WHO, NOW, "nobody on call"))
    for body in (event, queued, refused):
        assert body["payload"]["timestamp"] == "2026-11-26T14:30:05+00:00"


@pytest.mark.parametrize("made", [
    page(flow(drill=True, issue=ISSUE), "gitaly", team(), WHO, NOW),
    page(flow(issue=ISSUE), "gitaly", team(), NOBODY, NOW),
    queued_page(ISSUE, "gitaly", team(), "k", NOW, drill=True, requester="bob"),
    queued_page(ISSUE, "gitaly", team(), "k", NOW),
])
def test_the_facts_written_are_the_facts_read_back(made: PageEvent) -> None:
    assert page_facts(trigger_body(made)["payload"]["custom_details"]) == made.facts


@pytest.mark.parametrize(("details", "facts"), [
    ({"requested_by": "alice", "drill": True}, PageFacts("alice", True)),
    ({"requested_by": "alice", "drill": False}, PageFacts("alice", False)),
    ({"requested_by": 7, "drill": True}, PageFacts("", True)),
    ({"drill": False}, PageFacts("", False)),
    ({"requested_by": "alice"}, None),  # no drill flag: not chatops' own trigger
    ({"requested_by": "alice", "drill": "true"}, None),
    ({}, None), (None, None), ("details as text", None), ([], None),
])
def test_page_facts_accepts_only_what_chatops_writes(details: object,
                                                     facts: PageFacts | None) -> None:
    assert page_facts(details) == facts


def listed(body: dict[str, Any], event_id: str) -> dict[str, Any]:
    """A change event as GET /change_events lists it (REST spec ChangeEvent examples)."""
    return {"id": event_id, "type": "change_event", **body["payload"],
            "timestamp": "2026-11-26T14:30:05Z", "links": body["links"]}


def test_refusals_read_back_what_change_body_wrote() -> None:
    mine = change_body(refusal(flow(drill=True), "gitaly", team(), WHO, NOW, "nobody on call"))
    anonymous = change_body(refusal(flow(), "database", team(display_name="Database"), NOBODY,
                                    NOW, "outside coverage"))
    found = refusals([listed(mine, "E1"), listed(mine, "E2"),  # the same job retried
                      listed(anonymous, "E3"), listed(anonymous, "E4"),  # no job: by id
                      {"id": "E5", "custom_details": {"chatops": "deployed"}},
                      {"id": "E6", "custom_details": "text"}, {"id": "E7"}, "junk"])
    assert found == [
        Mark("gitaly", "refused", NOW, "https://gl/g/p/-/jobs/9", "alice", "nobody on call",
             drill=True),
        Mark("database", "refused", NOW, "", "", "outside coverage", drill=False),
        Mark("database", "refused", NOW, "", "", "outside coverage", drill=False),
    ]


def test_a_refusal_is_a_drill_only_when_it_says_true() -> None:
    event = {"id": "E1", "timestamp": "2026-11-26T14:30:05Z",
             "custom_details": {"chatops": "refused", "team": "gitaly", "drill": "yes"}}
    (mark,) = refusals([event])
    assert (mark.drill, mark.link, mark.requester, mark.reason) == (False, "", "", "")


def test_refusals_are_read_from_change_events_with_their_zoned_time() -> None:
    event = {"id": "C1", "timestamp": "2026-11-26T09:00:00Z",
             "custom_details": {"chatops": "refused", "team": "gitaly", "job_url": "https://j/1",
                                "requested_by": "sre-alice", "reason": "nobody on call"}}
    assert refusals([event, {"id": "C2", "custom_details": {"chatops": "paged"}}]) == [
        Mark("gitaly", "refused", datetime(2026, 11, 26, 9, 0, tzinfo=UTC), "https://j/1",
             "sre-alice", "nobody on call")]
    with pytest.raises(ValueError, match="time without a zone"):
        refusals([{**event, "timestamp": "2026-11-26T09:00:00"}])
