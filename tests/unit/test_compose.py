"""What a page says, pinned exactly: titles, markers, the page and refusal, template contexts."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest

from chatops.core.compose import (
    common_context,
    coverage_text,
    page,
    queued_page,
    refusal,
    response_text,
    title,
)
from chatops.core.incident import Incident
from chatops.core.labels import TRIGGERED
from chatops.core.markers import page_marker, request_marker, request_marker_prefix, search_token
from chatops.core.model import Issue, OnCall, Outcome, PageRecord
from chatops.core.page import PageFlow
from chatops.core.page_events import Link, PageEvent, PageFacts, Refusal
from chatops.core.refs import IssueRef
from chatops.core.request import PageRequest, Requester
from chatops.core.team import Coverage, Team
from chatops.core.text import ZWSP
from tests.unit.machine_zone import machine_zone

NOW = datetime(2026, 11, 26, 14, 30, 5, tzinfo=UTC)  # a Thursday
CET = timezone(timedelta(hours=1))
ISSUE = Issue("g/p", 7, "https://gl/g/p/-/issues/7", "Gitaly escalation (S2): down", "opened",
              (TRIGGERED,))
WHO = Requester("alice", "U123", "C456", "https://gl/g/p/-/jobs/9", "https://gl")
NOBODY = Requester("", "", "", "", "https://gl")


def team(**changes: Any) -> Team:
    """A fully specified team; changes override single fields."""
    base = Team(display_name="Gitaly", routing_key_env="PD_GITALY",
                escalation_policy_id="PABC123", labels=("group::gitaly",),
                ack_timeout_minutes=20, response_minutes=(10, 25),
                fallback="ask the Developer Oncall",
                coverage=Coverage(timezone="Europe/Amsterdam", start="08:00", end="18:00",
                                  exclude_dates=(date(2026, 12, 25),)))
    return replace(base, **changes)


def flow(message: str = "praefect is failing over", severity: int = 2, drill: bool = False,
         incident: IssueRef | None = None, **changes: object) -> PageFlow:
    """A page flow for gitaly; changes override state fields."""
    request = PageRequest("gitaly", message, incident, severity, False, drill)
    base = PageFlow(request, ("group::gitaly",), "chatops/g/p/gitaly/abc")
    return replace(base, **changes)  # type: ignore[arg-type]


# ---- small pieces -------------------------------------------------------------
def test_requester_mention_is_the_login_or_a_plain_description() -> None:
    assert WHO.mention == "@alice"
    assert NOBODY.mention == "an unknown user"


def test_search_token_and_request_marker_are_exact() -> None:
    assert search_token("0b8a606b476dbe4e") == "chatops-request-0b8a606b476dbe4e"
    assert request_marker("k1", "gitaly", "chatops/g/p/gitaly/k1") == (
        "<!-- chatops:v1 request id=chatops-request-k1 team=gitaly "
        "dedup_key=chatops/g/p/gitaly/k1 by=- -->")
    assert request_marker("k1", "gitaly", "d", by="alice") == (
        "<!-- chatops:v1 request id=chatops-request-k1 team=gitaly dedup_key=d by=alice -->")


def test_request_marker_prefix_is_the_start_of_the_marker_line() -> None:
    prefix = request_marker_prefix("k1")
    assert prefix == "<!-- chatops:v1 request id=chatops-request-k1 "
    assert request_marker("k1", "gitaly", "d").startswith(prefix)
    assert not request_marker("k10", "gitaly", "d").startswith(prefix)


def test_page_marker_fields_in_order_with_utc_time_and_job() -> None:
    local = datetime(2026, 11, 26, 15, 30, 5, tzinfo=CET)
    assert page_marker("paged", "gitaly", "k", local, "https://gl/job/1") == (
        "<!-- chatops:v1 paged team=gitaly dedup_key=k at=2026-11-26T14:30:05Z "
        "job=https://gl/job/1 -->")
    assert page_marker("queued", "db", "k2", NOW, "", severity="1") == (
        "<!-- chatops:v1 queued severity=1 team=db dedup_key=k2 at=2026-11-26T14:30:05Z "
        "job=- -->")


def test_response_text_is_the_configured_range() -> None:
    assert response_text(team()) == "10-25 minutes"


@pytest.mark.parametrize(("days", "span"), [
    (["mon", "tue", "wed", "thu", "fri"], "mon-fri"),
    (["mon", "tue", "wed"], "mon-wed"),
    (["sat", "sun"], "sat, sun"),
    (["wed"], "wed"),
])
def test_coverage_text_ranges_three_or_more_days(days: list[str], span: str) -> None:
    coverage = Coverage(timezone="Europe/Amsterdam", days=tuple(days),  # type: ignore[arg-type]
                        start="08:00", end="18:00")
    assert coverage_text(team(coverage=coverage)) == f"{span} 08:00-18:00 Europe/Amsterdam"


# ---- title --------------------------------------------------------------------
def test_title_names_team_severity_and_first_line() -> None:
    assert title(flow("\n  praefect down\nsecond line", severity=1), team()) == (
        "Gitaly escalation (S1): praefect down")


def test_drill_title_is_marked() -> None:
    assert title(flow("practice", severity=3, drill=True), team()) == (
        "[DRILL] Gitaly escalation (S3): practice")


def test_title_shortens_the_message_to_120_characters() -> None:
    made = title(flow("x" * 300), team())
    assert made == "Gitaly escalation (S2): " + "x" * 119 + "…"
    assert title(flow("y" * 120), team()) == "Gitaly escalation (S2): " + "y" * 120


def test_title_defuses_mentions() -> None:
    assert title(flow("@all look"), team()) == f"Gitaly escalation (S2): @{ZWSP}all look"


# ---- the page (the core decides what; adapters/pagerduty_events.py spells it) --------
def test_page_with_an_issue_is_exact() -> None:
    at = datetime(2026, 11, 26, 15, 30, 5, tzinfo=CET)
    made = page(flow(issue=ISSUE, dedup_key="chatops/g/p#7/gitaly"), "gitaly", team(), WHO, at)
    assert made == PageEvent(
        team_key="gitaly", team_name="Gitaly", severity=2,
        facts=PageFacts(requester="alice", drill=False), message="praefect is failing over",
        dedup_key="chatops/g/p#7/gitaly", at=at, origin="https://gl",
        expected_response="10-25 minutes", issue="https://gl/g/p/-/issues/7",
        links=(Link("https://gl/g/p/-/issues/7", "Incident issue g/p#7"),
               Link("https://gl/g/p/-/jobs/9", "ChatOps job (audit trail)")),
        home_url="https://gl/g/p/-/issues/7", queued=False, slack_user="U123",
        slack_channel="C456", job_url="https://gl/g/p/-/jobs/9")
    assert (made.requester, made.drill) == ("alice", False)


def test_page_without_issue_links_the_target_and_uses_the_new_key() -> None:
    made = page(flow(target_url="https://gl/g/p/-/issues/8"), "gitaly", team(), NOBODY, NOW)
    assert made.dedup_key == "chatops/g/p/gitaly/abc"
    assert made.links == (Link("https://gl/g/p/-/issues/8", "Incident issue"),)
    assert made.home_url == "" and made.issue == "https://gl/g/p/-/issues/8"
    assert (made.requester, made.slack_user, made.slack_channel, made.job_url) == ("", "", "", "")


def test_page_without_any_issue_says_why_and_links_the_job() -> None:
    made = page(flow(gitlab_problem="GitLab 503"), "gitaly", team(), WHO, NOW)
    assert made.issue == "not created: GitLab 503"
    assert made.links == (Link("https://gl/g/p/-/jobs/9", "ChatOps job (audit trail)"),)
    assert made.home_url == "https://gl/g/p/-/jobs/9"


def test_page_of_a_drill_keeps_severity_and_carries_the_drill_fact() -> None:
    made = page(flow(severity=1, drill=True, issue=ISSUE), "gitaly", team(), WHO, NOW)
    assert (made.severity, made.facts) == (1, PageFacts("alice", True)) and made.drill


def test_queued_page_is_exact() -> None:
    at = datetime(2026, 11, 26, 15, 30, 5, tzinfo=CET)
    drill_issue = replace(ISSUE, title="[DRILL] Gitaly escalation (S3): practice")
    made = queued_page(drill_issue, "gitaly", team(), "chatops/g/p#7/gitaly", at, severity=3,
                       drill=True, requester="bob")
    link = Link("https://gl/g/p/-/issues/7", "Incident issue g/p#7")
    assert made == PageEvent(
        team_key="gitaly", team_name="Gitaly", severity=3, facts=PageFacts("bob", True),
        message="Gitaly escalation (S3): practice", dedup_key="chatops/g/p#7/gitaly", at=at,
        origin="", expected_response="10-25 minutes", issue="https://gl/g/p/-/issues/7",
        links=(link,), home_url="https://gl/g/p/-/issues/7", queued=True)


@pytest.mark.parametrize(("given", "kept"), [(None, 2), (1, 1), (4, 4), (0, 2), (5, 2),
                                             (9, 2)])
def test_queued_page_severity_defaults_to_2(given: int | None, kept: int) -> None:
    made = (queued_page(ISSUE, "gitaly", team(), "k", NOW) if given is None
            else queued_page(ISSUE, "gitaly", team(), "k", NOW, severity=given))
    assert made.severity == kept
    assert made.facts == PageFacts("", False) and made.message == ISSUE.title


def test_refusal_is_exact() -> None:
    at = datetime(2026, 11, 26, 15, 30, 5, tzinfo=CET)
    made = refusal(flow("down\nnow", drill=True), "gitaly", team(), WHO, at, "nobody on call")
    assert made == Refusal(team_key="gitaly", team_name="Gitaly", reason="nobody on call",
                           facts=PageFacts("alice", True), message="down\nnow", at=at,
                           origin="https://gl", job_url="https://gl/g/p/-/jobs/9")
    assert refusal(flow(), "gitaly", team(), NOBODY, at, "x").facts == PageFacts("", False)


# ---- template context ---------------------------------------------------------
def test_common_context_inside_coverage() -> None:
    oncall = (OnCall(1, "Ada Lovelace", None),)
    incident = Incident("PINC1", 17, "triggered", "k0", NOW, "https://pd/PINC1")
    prior = PageRecord("gitaly", "k0", "2026-11-26T09:00:00Z", "job")
    state = flow(severity=3, incident=IssueRef("g/p", 7), issue=ISSUE, oncall=oncall,
                 dedup_key="chatops/g/p#7/gitaly", target_url="https://gl/g/p/-/issues/7",
                 prior=prior, record_problems=("note: boom",), outcome=Outcome.PAGED,
                 page_problem="p", gitlab_problem="g", oncall_problem="o")
    t = team()
    context = common_context(state, "gitaly", t, WHO, NOW)
    assert context == {
        "team": {"key": "gitaly", "name": "Gitaly", "labels": ["group::gitaly"],
                 "fallback": "ask the Developer Oncall", "ack_timeout_minutes": 20},
        "severity": 3,
        "drill": False,
        "message": "praefect is failing over",
        "requester": WHO,
        "now": "2026-11-26 14:30 UTC",
        "expected_response": "10-25 minutes",
        "issue": ISSUE,
        "incident_ref": "g/p#7",
        "dedup_key": "chatops/g/p#7/gitaly",
        "oncall": list(oncall),
        "oncall_known": True,
        "oncall_problem": "o",
        "gitlab_problem": "g",
        "page_problem": "p",
        "record_problems": ["note: boom"],
        "covered": True,
        "next_coverage": "Friday 08:00 CET, in 16 hours 29 minutes",
        "prior": prior,
        "target_url": "https://gl/g/p/-/issues/7",
        "pd_incident": None,
        "coverage_text": "mon-fri 08:00-18:00 Europe/Amsterdam",
        "policy_id": "PABC123",
        "outcome": "paged",
        "late": False, "issue_late": False, "late_problem": "", "link_problem": "",
    }
    assert common_context(replace(state, incident=incident), "gitaly", t, WHO,
                          NOW)["pd_incident"] == incident
    late = replace(state, late=True, issue_late=True, late_problem="l", link_problem="k")
    assert {key: value for key, value in common_context(late, "gitaly", t, WHO, NOW).items()
            if key in {"late", "issue_late", "late_problem", "link_problem"}} == {
        "late": True, "issue_late": True, "late_problem": "l", "link_problem": "k"}


def test_common_context_defaults_before_anything_is_known() -> None:
    saturday = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
    context = common_context(flow(drill=True), "gitaly", team(), NOBODY, saturday)
    assert context["incident_ref"] == ""
    assert context["dedup_key"] == "chatops/g/p/gitaly/abc"
    assert context["oncall"] == [] and context["oncall_known"] is False
    assert context["covered"] is False
    assert context["next_coverage"] == "Monday 08:00 CET, in 1 day 21 hours"
    assert context["outcome"] == ""
    assert context["drill"] is True and "pd_severity" not in context
    assert context["record_problems"] == []
    nobody_on_call = common_context(flow(oncall=()), "gitaly", team(), NOBODY, saturday)
    assert nobody_on_call["oncall"] == [] and nobody_on_call["oncall_known"] is True


def test_times_are_utc_whatever_the_machine_zone() -> None:
    with machine_zone("Pacific/Kiritimati"):  # UTC+14: another date than UTC
        context = common_context(flow(), "gitaly", team(), WHO, NOW)
        mark = page_marker("paged", "gitaly", "k", NOW, "")
    assert context["now"] == "2026-11-26 14:30 UTC"
    assert "at=2026-11-26T14:30:05Z" in mark


def test_title_of_a_long_team_name_is_capped_at_160_characters() -> None:
    long_name = team(display_name="N" * 80)
    made = title(flow("m" * 120, drill=True), long_name)
    assert len(made) == 160
    assert made == ("[DRILL] " + "N" * 80 + " escalation (S2): " + "m" * 120)[:159] + "…"
