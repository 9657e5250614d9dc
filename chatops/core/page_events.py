"""What chatops tells the pager, in the domain's words: a page, a refusal, and their facts.

The core decides what a page says; the PagerDuty adapter (adapters/pagerduty_events.py)
decides how Events API v2 spells it. The facts the report needs (requester, drill) travel
as structured fields of the page and are read back as PageFacts, never out of its prose.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

SEVERITIES = (1, 2, 3, 4)  # 1 critical ... 4 low
DEFAULT_SEVERITY = 2


@dataclass(frozen=True)
class Link:
    """A link shown with a page or record: where it points and what it says."""

    href: str
    text: str


@dataclass(frozen=True)
class PageFacts:
    """What chatops itself wrote into a page for the report: who asked, and whether a drill."""

    requester: str = ""  # GitLab login; "" when unknown
    drill: bool = False


@dataclass(frozen=True)
class PageEvent:
    """One page: which team, how urgent, what it says, where to follow, and its facts."""

    team_key: str
    team_name: str
    severity: int  # 1 (critical) to 4 (low); a drill is always paged at low urgency
    facts: PageFacts
    message: str  # the request's words (a queued page: its issue's title)
    dedup_key: str
    at: datetime
    origin: str  # where chatops ran: its GitLab URL, "" for the sync job
    expected_response: str
    issue: str  # the incident issue's URL, or why there is none
    links: tuple[Link, ...] = ()
    home_url: str = ""  # the page's main link (the issue, else the job); "" for none
    queued: bool = False  # sent by the sync job once coverage started
    slack_user: str = ""
    slack_channel: str = ""
    job_url: str = ""

    @property
    def drill(self) -> bool:
        """A practice page."""
        return self.facts.drill

    @property
    def requester(self) -> str:
        """Who asked (GitLab login), '' when unknown."""
        return self.facts.requester


@dataclass(frozen=True)
class Refusal:
    """A request chatops refused, recorded on the team's service; it pages nobody."""

    team_key: str
    team_name: str
    reason: str
    facts: PageFacts
    message: str
    at: datetime
    origin: str  # where chatops ran: its GitLab URL
    job_url: str = ""


def severity_or_default(value: int) -> int:
    """A severity chatops knows (1-4), else the default (2)."""
    return value if value in SEVERITIES else DEFAULT_SEVERITY
