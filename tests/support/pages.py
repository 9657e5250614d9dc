"""Seed PagerDuty incidents the way chatops' pages leave them: the real trigger body."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chatops.adapters.pagerduty_events import trigger_body
from chatops.core.page_events import Link, PageEvent, PageFacts


def page_body(team: str, message: str, requester: str, dedup_key: str, at: datetime,
              severity: int = 2, drill: bool = False, issue_url: str = "") -> dict[str, Any]:
    """The Events API v2 trigger chatops sends for such a page (what seeding replays)."""
    links = (Link(issue_url, "Incident issue"),) if issue_url else ()
    page = PageEvent(team, team.capitalize(), severity, PageFacts(requester, drill), message,
                     dedup_key, at, "https://gitlab.example.com", "15-30 minutes",
                     issue_url or "not created: seeded", links, issue_url)
    return trigger_body(page)
