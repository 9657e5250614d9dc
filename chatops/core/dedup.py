"""How PagerDuty dedup keys name chatops escalations: the format is written and read here only."""

from __future__ import annotations

from dataclasses import dataclass, field

from chatops.core.refs import IssueRef


@dataclass(frozen=True)
class EscalationKey:
    """What a chatops dedup key says: team, and the issue or the request behind it."""

    team: str
    project: str
    iid: int | None  # None: a request key; the issue is found by its marker
    request: str = ""
    key: str = field(default="", compare=False)  # the dedup key as sent

    @property
    def issue(self) -> IssueRef | None:
        """The issue, when the key names it."""
        return IssueRef(self.project, self.iid) if self.iid is not None else None


def dedup_key_for_request(project: str, team: str, key: str) -> str:
    """PagerDuty dedup key of a page whose issue chatops opens itself."""
    return f"chatops/{project}/{team}/{key}"


def dedup_key_for_issue(project: str, iid: int, team: str) -> str:
    """PagerDuty dedup key of a page for an existing issue."""
    return f"chatops/{project}#{iid}/{team}"


def parse_dedup_key(key: str) -> EscalationKey | None:
    """Read chatops/{project}#{iid}/{team} or chatops/{project}/{team}/{request}; else None."""
    if not key.startswith("chatops/"):
        return None
    body = key.removeprefix("chatops/")
    head, _, last = body.rpartition("/")
    if not head or not last:
        return None
    if "#" in head:
        project, _, iid = head.rpartition("#")
        return (EscalationKey(last, project, int(iid), key=key) if iid.isdigit() and project
                else None)
    project, _, team = head.rpartition("/")
    return EscalationKey(team, project, None, last, key) if project and team else None
