"""What happens in a page flow (events) and what it asks for next (actions)."""

from __future__ import annotations

from dataclasses import dataclass

from chatops.core.incident import Incident
from chatops.core.model import Issue, OnCall, PageRecord


# ---- events: what happened -------------------------------------------------
@dataclass(frozen=True)
class Started:
    """The request was parsed and validated."""


@dataclass(frozen=True)
class OnCallChecked:
    """PagerDuty's on-call list for the policy; entries None when it could not be read."""

    entries: tuple[OnCall, ...] | None
    problem: str = ""


@dataclass(frozen=True)
class IssueChecked:
    """The existing issue for this request (or the --incident issue), if any."""

    issue: Issue | None
    records: tuple[PageRecord, ...] = ()
    problem: str = ""
    not_found: bool = False
    dedup_key: str = ""
    incident: Incident | None = None  # of the latest recorded page, if read
    queued: bool = False  # this team has a queued request waiting on the issue
    transient: bool = False  # the failure may pass (timeout, 5xx, 429): worth a later try


@dataclass(frozen=True)
class IssueOpened:
    """The incident issue was created."""

    issue: Issue


@dataclass(frozen=True)
class IssueFailed:
    """The incident issue could not be created."""

    problem: str
    transient: bool = False  # the failure may pass (timeout, 5xx, 429): worth a later try


@dataclass(frozen=True)
class PageSent:
    """PagerDuty accepted the trigger."""

    dedup_key: str


@dataclass(frozen=True)
class PageFailed:
    """PagerDuty did not accept the trigger."""

    problem: str


@dataclass(frozen=True)
class IncidentLooked:
    """The PagerDuty incident of the page, if it could be read (None otherwise)."""

    incident: Incident | None
    problem: str = ""


@dataclass(frozen=True)
class Recorded:
    """A follow-up write on the issue finished (problem empty when it worked)."""

    what: str
    problem: str = ""


Event = (Started | OnCallChecked | IssueChecked | IssueOpened | IssueFailed | PageSent
         | PageFailed | IncidentLooked | Recorded)


# ---- actions: what to do next ------------------------------------------------
@dataclass(frozen=True)
class CheckOnCall:
    """Read who is on call for the team's escalation policy."""


@dataclass(frozen=True)
class FindIssue:
    """Look for the issue this request already opened, or load --incident."""

    late: bool = False  # after the page: GitLab failed before it


@dataclass(frozen=True)
class OpenIssue:
    """Create the incident issue."""

    late: bool = False  # after the page: GitLab failed before it


@dataclass(frozen=True)
class Trigger:
    """Send the PagerDuty trigger event."""

    dedup_key: str


@dataclass(frozen=True)
class FindIncident:
    """Read the PagerDuty incident the trigger opened, to link it from the issue."""

    dedup_key: str


@dataclass(frozen=True)
class SetLabels:
    """Add and remove labels on the issue (both always sent)."""

    add: tuple[str, ...]
    remove: tuple[str, ...]


@dataclass(frozen=True)
class AddNote:
    """Comment on the issue with one of the note templates."""

    template: str


@dataclass(frozen=True)
class LinkIssue:
    """Note on the PagerDuty incident where its issue is: the trigger went out without it."""


@dataclass(frozen=True)
class RecordRefusal:
    """Leave a PagerDuty change event (it pages nobody) so the refusal is counted."""

    reason: str


Action = (CheckOnCall | FindIssue | OpenIssue | Trigger | FindIncident | SetLabels | AddNote
          | LinkIssue | RecordRefusal)
