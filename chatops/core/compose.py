"""Pure composition of what a page says: issue title, the page and refusal, template contexts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from chatops.core.coverage import describe_start, is_covered, next_start
from chatops.core.model import Issue
from chatops.core.page import PageFlow
from chatops.core.page_events import (
    DEFAULT_SEVERITY,
    Link,
    PageEvent,
    PageFacts,
    Refusal,
    severity_or_default,
)
from chatops.core.request import Requester
from chatops.core.team import Team
from chatops.core.text import first_line, single_line

TITLE_LIMIT = 120
WEEK = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def title(flow: PageFlow, team: Team) -> str:
    """The incident issue title: team, severity and the first line of the message."""
    drill = "[DRILL] " if flow.request.drill else ""
    return single_line(f"{drill}{team.display_name} escalation (S{flow.request.severity}): "
                       f"{first_line(flow.request.message, TITLE_LIMIT)}", TITLE_LIMIT + 40)


def response_text(team: Team) -> str:
    """The expected response time, e.g. '15-30 minutes' (or '30 minutes')."""
    low, high = team.response_minutes
    return f"{low} minutes" if low == high else f"{low}-{high} minutes"


def common_context(flow: PageFlow, team_key: str, team: Team, who: Requester,
                   now: datetime) -> dict[str, Any]:
    """The variables every template gets."""
    issue = flow.issue
    upcoming = next_start(team.coverage, now)
    return {
        "team": {"key": team_key, "name": team.display_name, "labels": list(team.labels),
                 "fallback": team.fallback, "ack_timeout_minutes": team.ack_timeout_minutes},
        "severity": flow.request.severity,
        "drill": flow.request.drill,
        "message": flow.request.message,
        "requester": who,
        "now": now.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "expected_response": response_text(team),
        "issue": issue,
        "incident_ref": str(flow.request.incident) if flow.request.incident else "",
        "dedup_key": flow.dedup_key or flow.new_dedup_key,
        "oncall": list(flow.oncall or ()),
        "oncall_known": flow.oncall is not None,
        "oncall_problem": flow.oncall_problem,
        "gitlab_problem": flow.gitlab_problem,
        "late": flow.late,  # GitLab failed before the page; the issue was tried after it
        "issue_late": flow.issue_late,
        "late_problem": flow.late_problem,
        "link_problem": flow.link_problem,
        "page_problem": flow.page_problem,
        "record_problems": list(flow.record_problems),
        "covered": is_covered(team.coverage, now),
        "next_coverage": describe_start(upcoming, now),
        "prior": flow.prior,
        "target_url": flow.target_url,
        "pd_incident": flow.incident,
        "coverage_text": coverage_text(team),
        "policy_id": team.escalation_policy_id,
        "outcome": flow.outcome.value if flow.outcome else "",
    }


CONTEXT_KEYS = frozenset({
    "team", "severity", "drill", "message", "requester", "now",
    "expected_response", "issue", "incident_ref", "dedup_key", "oncall", "oncall_known",
    "oncall_problem", "gitlab_problem", "page_problem", "record_problems", "covered",
    "next_coverage", "prior", "target_url", "pd_incident", "coverage_text", "policy_id",
    "outcome", "late", "issue_late", "late_problem", "link_problem",
})  # the keys of common_context (a unit test keeps them equal)


def coverage_text(team: Team) -> str:
    """Coverage hours as configured, e.g. 'mon-fri 08:00-18:00 Europe/Amsterdam'."""
    coverage = team.coverage
    return f"{describe_days(coverage.days)} {coverage.start}-{coverage.end} {coverage.timezone}"


def describe_days(days: Sequence[str]) -> str:
    """Days in week order, runs of three or more shortened: 'mon-fri', 'mon, wed, fri'."""
    order = [d for d in WEEK if d in days]
    if not order:
        return "no day"
    runs: list[list[str]] = []
    for day in order:
        if runs and WEEK.index(day) == WEEK.index(runs[-1][-1]) + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    return ", ".join(f"{run[0]}-{run[-1]}" if len(run) > 2 else ", ".join(run) for run in runs)


def refusal(flow: PageFlow, team_key: str, team: Team, who: Requester, now: datetime,
            reason: str) -> Refusal:
    """The record of a refused request (it pages nobody)."""
    return Refusal(team_key, team.display_name, reason,
                   PageFacts(who.login, flow.request.drill),
                   flow.request.message, now, who.gitlab_url, who.job_url)


def queued_page(issue: Issue, team_key: str, team: Team, dedup_key: str, now: datetime,
                severity: int = DEFAULT_SEVERITY, drill: bool = False,
                requester: str = "") -> PageEvent:
    """The page of a queued request, sent by sync when coverage starts."""
    link = Link(issue.web_url, f"Incident issue {issue.project}#{issue.iid}")
    return PageEvent(
        team_key, team.display_name, severity_or_default(severity), PageFacts(requester, drill),
        issue.title.removeprefix("[DRILL] "), dedup_key, now, "", response_text(team),
        issue.web_url, (link,), issue.web_url, queued=True)


def page(flow: PageFlow, team_key: str, team: Team, who: Requester, now: datetime) -> PageEvent:
    """The page a request sends: what it says, its links and its facts."""
    issue = flow.issue
    links = []
    if issue is not None:
        links.append(Link(issue.web_url, f"Incident issue {issue.project}#{issue.iid}"))
    elif flow.target_url:
        links.append(Link(flow.target_url, "Incident issue"))
    if who.job_url:
        links.append(Link(who.job_url, "ChatOps job (audit trail)"))
    return PageEvent(
        team_key, team.display_name, flow.request.severity,
        PageFacts(who.login, flow.request.drill), flow.request.message,
        flow.dedup_key or flow.new_dedup_key, now, who.gitlab_url, response_text(team),
        issue.web_url if issue else flow.target_url or f"not created: {flow.gitlab_problem}",
        tuple(links), issue.web_url if issue else who.job_url,
        slack_user=who.slack_user, slack_channel=who.channel, job_url=who.job_url)


def routing_key_problem(team_key: str, team: Team, detail: str) -> str:
    """The problem of a routing key the Events API refuses: the team's configuration."""
    env = team.routing_key_env
    return (f"Configuration error of team {team_key}: PagerDuty refused the routing key in "
            f"{env} ({detail}). Set {env} to the Integration Key of the Events API v2 "
            f"integration on the {team.display_name} service (PagerDuty: Service → Integrations).")
