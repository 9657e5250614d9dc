"""Domain values shared by the page flow: on-call entries, issues, page records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

# Re-exported for the callers of old; the grammar lives in core/markers.py.
from chatops.core.markers import marker as marker
from chatops.core.markers import read_markers as read_markers
from chatops.core.refs import IssueRef


@dataclass(frozen=True)
class OnCall:
    """One person on call at one escalation level."""

    level: int
    name: str
    until: datetime | None
    policy: str = ""
    since: datetime | None = None


@dataclass(frozen=True)
class Issue:
    """The parts of a GitLab issue the flow needs."""

    project: str
    iid: int
    web_url: str
    title: str
    state: str
    labels: tuple[str, ...]
    description: str = ""
    issue_type: str = ""  # "incident" or "issue" as GitLab answered; "" when unknown

    @property
    def ref(self) -> IssueRef:
        """This issue as a reference."""
        return IssueRef(self.project, self.iid)


@dataclass(frozen=True)
class PageRecord:
    """A page already sent for an issue and team, read back from a marker."""

    team: str
    dedup_key: str
    at: str
    job_url: str


class Outcome(Enum):
    """How a page request ended."""

    PAGED = "paged"
    PAGED_WITHOUT_ISSUE = "paged-without-issue"
    ALREADY_PAGED = "already-paged"
    NOBODY_ON_CALL = "nobody-on-call"
    NOT_COVERED = "not-covered"
    QUEUED = "queued"
    QUEUE_FAILED = "queue-failed"
    INCIDENT_NOT_FOUND = "incident-not-found"
    PAGE_FAILED = "page-failed"
    DRY_RUN = "dry-run"

    @property
    def failed(self) -> bool:
        """True when nobody was paged although a page was wanted."""
        return self in {Outcome.PAGE_FAILED, Outcome.INCIDENT_NOT_FOUND, Outcome.NOBODY_ON_CALL,
                        Outcome.NOT_COVERED, Outcome.QUEUE_FAILED}


def page_records(texts: list[str], team: str) -> list[PageRecord]:
    """The pages recorded for one team in issue texts (description and notes)."""
    records = []
    for text in texts:
        for fields in read_markers(text, "paged"):
            if fields.get("team") == team and "dedup_key" in fields:
                records.append(PageRecord(team, fields["dedup_key"], fields.get("at", ""),
                                          fields.get("job", "")))
    return records


def waiting_requests(texts: list[str]) -> list[dict[str, str]]:
    """Queued requests neither delivered (paged) nor cancelled (dequeued), oldest first.

    Read in the order the texts were written, so a request queued again after an earlier
    delivery of the same dedup key waits again.
    """
    waiting: dict[str, dict[str, str]] = {}
    for text in texts:
        for fields in read_markers(text, "queued"):
            if fields.get("team") and fields.get("dedup_key"):
                waiting[fields["dedup_key"]] = fields
        for kind in ("paged", "dequeued"):
            for fields in read_markers(text, kind):
                waiting.pop(fields.get("dedup_key", ""), None)
    return list(waiting.values())


def latest_pages(texts: list[str]) -> dict[str, PageRecord]:
    """The latest page recorded for each team in issue texts."""
    latest: dict[str, PageRecord] = {}
    for text in texts:
        for fields in read_markers(text, "paged"):
            if "team" in fields and "dedup_key" in fields:
                latest[fields["team"]] = PageRecord(fields["team"], fields["dedup_key"],
                                                    fields.get("at", ""), fields.get("job", ""))
    return latest
