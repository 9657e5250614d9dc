"""How PagerDuty's Events API v2 spells chatops' pages and refusals, and how they read back.

Pure dictionaries (no client import), so `chatops page --dry-run` shows the exact trigger
without loading the PagerDuty client. Field names and limits: the Events API v2 OpenAPI
spec (../shared/specs/pagerduty/events-v2-openapiv3.json, schemas Payload and
ChangeEventPayload: summary is "a brief text summary of the event ... Maximum of 1024
characters"; severity one of critical, error, warning, info).
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from chatops.adapters.timestamps import parse_time
from chatops.core.page_events import Link, PageEvent, PageFacts, Refusal
from chatops.core.report import Mark
from chatops.core.text import single_line

SUMMARY_LIMIT = 1024
REFUSAL_MESSAGE_LIMIT = 300
SEVERITY = {1: "critical", 2: "error", 3: "warning", 4: "info"}
DRILL_SEVERITY = "info"  # low urgency, so no escalation wakes anyone up
CLIENT = "GitLab ChatOps"


def summary(page: PageEvent) -> str:
    """The one-line summary on-call engineers read (prose: never parsed back)."""
    drill = "[DRILL] " if page.drill else ""
    if page.queued:
        text = f"{drill}[{page.team_name}] {page.message} (queued until coverage started)"
    else:
        text = (f"{drill}[{page.team_name}] S{page.severity}: {page.message} "
                f"(paged by {page.requester or 'unknown'} via ChatOps)")
    return single_line(text, SUMMARY_LIMIT)


def _links(links: tuple[Link, ...]) -> list[dict[str, str]]:
    """Links as the Events API takes them."""
    return [{"href": link.href, "text": link.text} for link in links]


def _facts(facts: PageFacts) -> dict[str, Any]:
    """The custom details the report reads back (page_facts): structured, never prose."""
    return {"requested_by": facts.requester, "drill": facts.drill}


def trigger_body(page: PageEvent) -> dict[str, Any]:
    """The Events API v2 trigger (without routing_key, which the client adds)."""
    if page.queued:
        details: dict[str, Any] = {"incident_issue": page.issue, "queued": True,
                                   "expected_response": page.expected_response,
                                   "team": page.team_key, **_facts(page.facts)}
    else:
        details = {
            "message": page.message, "team": page.team_key,
            "requested_by": page.requester,
            "slack_user_id": page.slack_user or "-", "slack_channel_id": page.slack_channel or "-",
            "ci_job_url": page.job_url or "-", "incident_issue": page.issue,
            "expected_response": page.expected_response, "drill": page.drill,
        }
    event: dict[str, Any] = {
        "event_action": "trigger",
        "dedup_key": page.dedup_key,
        "payload": {
            "summary": summary(page),
            "source": f"chatops ({page.origin})" if page.origin else "chatops sync",
            "severity": DRILL_SEVERITY if page.drill else SEVERITY[page.severity],
            "timestamp": page.at.astimezone(UTC).isoformat(timespec="seconds"),
            "component": page.team_key,
            "group": page.team_key,
            "class": "escalation",
            "custom_details": details,
        },
        "client": CLIENT,
        "links": _links(page.links),
    }
    if page.home_url:
        event["client_url"] = page.home_url
    return event


def change_body(record: Refusal) -> dict[str, Any]:
    """The Events API v2 change event that records a refused request (it pages nobody)."""
    who = record.facts.requester
    links = (Link(record.job_url, "ChatOps job"),) if record.job_url else ()
    return {
        "payload": {
            "summary": single_line(f"[chatops] {record.team_name} page refused: "
                                   f"{record.reason} (requested by {who or 'unknown'})",
                                   SUMMARY_LIMIT),
            "source": f"chatops ({record.origin})",
            "timestamp": record.at.astimezone(UTC).isoformat(timespec="seconds"),
            "custom_details": {"chatops": "refused", "drill": record.facts.drill,
                               "team": record.team_key, "reason": record.reason,
                               "requested_by": who, "job_url": record.job_url,
                               "message": single_line(record.message, REFUSAL_MESSAGE_LIMIT)},
        },
        "links": _links(links),
    }


def page_facts(details: Any) -> PageFacts | None:
    """The facts chatops wrote into a trigger's custom details (trigger_body); None if none."""
    # None: not chatops' own event, so the page counts with an unknown requester and as not
    # a drill. No fallback to the summary's words, on purpose: nothing was deployed before
    # the facts were written (0.1.0).
    if not isinstance(details, dict) or not isinstance(details.get("drill"), bool):
        return None
    requester = details.get("requested_by")
    return PageFacts(requester if isinstance(requester, str) else "", details["drill"])


def refusals(events: list[Any]) -> list[Mark]:
    """The refused requests among listed change events (change_body), each job and team once."""
    # GET /change_events lists the payload's fields at the top level, with an id (REST spec,
    # ChangeEvent examples).
    marks: dict[tuple[str, str], Mark] = {}
    for event in events:
        details = event.get("custom_details") if isinstance(event, dict) else None
        if not isinstance(details, dict) or details.get("chatops") != "refused":
            continue
        mark = Mark(str(details.get("team", "")), "refused", parse_time(event.get("timestamp")),
                    str(details.get("job_url", "")), str(details.get("requested_by", "")),
                    str(details.get("reason", "")), drill=details.get("drill") is True)
        # A retried job refuses again: count each job (and team) once.
        marks.setdefault((mark.link or str(event.get("id")), mark.team), mark)
    return list(marks.values())
