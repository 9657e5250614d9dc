"""Pure composition of what a page says: issue title, PagerDuty event, template contexts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from chatops.core.coverage import describe_start, is_covered, next_start
from chatops.core.escalation import PageFlow
from chatops.core.model import Issue
from chatops.core.request import Requester
from chatops.core.team import Team
from chatops.core.text import first_line, single_line

SUMMARY_LIMIT = 1024
TITLE_LIMIT = 120
PD_SEVERITY = {1: "critical", 2: "error", 3: "warning", 4: "info"}
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
        "pd_severity": PD_SEVERITY[flow.request.severity],
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
    "team", "severity", "drill", "pd_severity", "message", "requester", "now",
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


def refusal_event(flow: PageFlow, team_key: str, team: Team, who: Requester, now: datetime,
                  reason: str) -> dict[str, Any]:
    """The change event that records a refused request (it pages nobody)."""
    links = [{"href": who.job_url, "text": "ChatOps job"}] if who.job_url else []
    return {
        "payload": {
            "summary": single_line(f"[chatops] {team.display_name} page refused: {reason} "
                                   f"(requested by {who.login or 'unknown'})", SUMMARY_LIMIT),
            "source": f"chatops ({who.gitlab_url})",
            "timestamp": now.astimezone(UTC).isoformat(timespec="seconds"),
            "custom_details": {"chatops": "refused", "drill": flow.request.drill,
                               "team": team_key, "reason": reason,
                               "requested_by": who.login, "job_url": who.job_url,
                               "message": single_line(flow.request.message, 300)},
        },
        "links": links,
    }


def queued_event(issue: Issue, team_key: str, team: Team, dedup_key: str, now: datetime,
                 severity: int = 2, drill: bool = False) -> dict[str, Any]:
    """The trigger for a queued request, sent by sync when coverage starts."""
    title = issue.title.removeprefix("[DRILL] ")
    prefix = "[DRILL] " if drill else ""
    return {
        "event_action": "trigger",
        "dedup_key": dedup_key,
        "payload": {
            "summary": single_line(f"{prefix}[{team.display_name}] {title} (queued until "
                                   "coverage started)", SUMMARY_LIMIT),
            "source": "chatops sync",
            "severity": "info" if drill else PD_SEVERITY.get(severity, "error"),
            "timestamp": now.astimezone(UTC).isoformat(timespec="seconds"),
            "component": team_key, "group": team_key, "class": "escalation",
            "custom_details": {"incident_issue": issue.web_url, "queued": True,
                               "expected_response": response_text(team)},
        },
        "client": "GitLab ChatOps", "client_url": issue.web_url,
        "links": [{"href": issue.web_url, "text": f"Incident issue {issue.project}#{issue.iid}"}],
    }


def pd_event(flow: PageFlow, team_key: str, team: Team, who: Requester,
             now: datetime) -> dict[str, Any]:
    """The Events API v2 trigger (without routing_key, which the client adds)."""
    issue = flow.issue
    drill = "[DRILL] " if flow.request.drill else ""
    summary = single_line(f"{drill}[{team.display_name}] S{flow.request.severity}: "
                          f"{flow.request.message} (paged by {who.login or 'unknown'} via ChatOps)",
                          SUMMARY_LIMIT)
    links = []
    if issue is not None:
        links.append({"href": issue.web_url, "text": f"Incident issue {issue.project}#{issue.iid}"})
    elif flow.target_url:
        links.append({"href": flow.target_url, "text": "Incident issue"})
    if who.job_url:
        links.append({"href": who.job_url, "text": "ChatOps job (audit trail)"})
    details = {
        "message": flow.request.message,
        "team": team_key,
        "requested_by": who.mention,
        "slack_user_id": who.slack_user or "-",
        "slack_channel_id": who.channel or "-",
        "ci_job_url": who.job_url or "-",
        "incident_issue": (issue.web_url if issue else flow.target_url
                           or f"not created: {flow.gitlab_problem}"),
        "expected_response": response_text(team),
        "drill": flow.request.drill,
    }
    event: dict[str, Any] = {
        "event_action": "trigger",
        "dedup_key": flow.dedup_key or flow.new_dedup_key,
        "payload": {
            "summary": summary,
            "source": f"chatops ({who.gitlab_url})",
            # A drill is always info: low urgency, so no escalation wakes anyone up.
            "severity": "info" if flow.request.drill else PD_SEVERITY[flow.request.severity],
            "timestamp": now.astimezone(UTC).isoformat(timespec="seconds"),
            "component": team_key,
            "group": team_key,
            "class": "escalation",
            "custom_details": details,
        },
        "client": "GitLab ChatOps",
        "links": links,
    }
    if issue is not None or who.job_url:
        event["client_url"] = issue.web_url if issue else who.job_url
    return event


def routing_key_problem(team_key: str, team: Team, detail: str) -> str:
    """The problem of a routing key the Events API refuses: the team's configuration."""
    env = team.routing_key_env
    return (f"Configuration error of team {team_key}: PagerDuty refused the routing key in "
            f"{env} ({detail}). Set {env} to the Integration Key of the Events API v2 "
            f"integration on the {team.display_name} service (PagerDuty: Service → Integrations).")
