"""In-memory ports for runner tests: no HTTP at all."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from chatops.core.incident import Incident
from chatops.core.markers import has_marker_line
from chatops.core.model import Issue, OnCall
from chatops.core.page_events import PageEvent, Refusal
from chatops.core.refs import IssueRef
from chatops.errors import GitLabError, NotFoundError, PagerDutyError


@dataclass
class FakeTracker:
    """Issues in a dict; `down` makes every call fail like an unreachable GitLab."""

    issues: dict[tuple[str, int], Issue] = field(default_factory=dict)
    notes: dict[tuple[str, int], list[str]] = field(default_factory=dict)
    down: bool = False
    down_until_page: bool = False  # fails until the second phase (after the page) starts
    calls: list[str] = field(default_factory=list)
    phases: list[tuple[float, int]] = field(default_factory=list)  # (seconds, calls before)
    members: dict[tuple[str, int], int] = field(default_factory=dict)

    def _check(self, name: str) -> None:
        self.calls.append(name)
        if self.down or (self.down_until_page and len(self.phases) < 2):
            raise GitLabError(f"{name} /projects", 503, "Service Unavailable", "GitLab down")

    def find_by_marker(self, project: str, text: str, state: str = "opened") -> Issue | None:
        self._check("find")
        for issue in self.issues.values():
            if issue.project == project and has_marker_line(issue.description, text):
                return issue
        return None

    def labelled_issues(self, project: str, label: str) -> list[Issue]:
        self._check("list")
        return [i for i in self.issues.values() if i.project == project and label in i.labels]

    def get_issue(self, ref: IssueRef) -> tuple[Issue, list[str]]:
        self._check("get")
        key = (ref.project or "", ref.iid)
        if key not in self.issues:
            raise NotFoundError("GET issue", 404, "404 Issue Not Found")
        return self.issues[key], self.notes.get(key, [])

    def access_level(self, project: str, user_id: int) -> int:
        self._check("members")
        return self.members.get((project, user_id), 0)

    def open_issue(self, project: str, title: str, description: str, labels: list[str],
                   marker: str, issue_type: str = "incident") -> Issue:
        self._check("open")
        iid = len(self.issues) + 1
        issue = Issue(project, iid, f"https://gl/{project}/-/issues/{iid}", title, "opened",
                      tuple(labels), description)
        self.issues[(project, iid)] = issue
        return issue

    def set_labels(self, ref: IssueRef, add: list[str], remove: list[str]) -> None:
        self._check("labels")
        key = (ref.project or "", ref.iid)
        issue = self.issues[key]
        labels = [lb for lb in issue.labels if lb not in remove]
        labels += [lb for lb in add if lb not in labels]
        self.issues[key] = Issue(issue.project, issue.iid, issue.web_url, issue.title,
                                 issue.state, tuple(labels), issue.description)

    def add_note(self, ref: IssueRef, body: str, marker: str) -> None:
        self._check("note")
        self.notes.setdefault((ref.project or "", ref.iid), []).append(body)

    def issues_updated(self, project: str, since: datetime) -> list[Issue]:
        """The fake keeps no times: every issue of the project counts as updated."""
        self._check("updated")
        return [i for i in self.issues.values() if i.project == project]

    def own_issues(self, project: str, since: datetime, until: datetime) -> list[Issue]:
        """The fake keeps no times: every issue of the project is in the range."""
        self._check("own")
        return [i for i in self.issues.values() if i.project == project]

    def issues_labelled(self, project: str, label: str) -> list[Issue]:
        self._check("labelled")
        return [i for i in self.issues.values() if i.project == project and label in i.labels]

    def own_notes(self, ref: IssueRef) -> list[str]:
        self._check("notes")
        return list(self.notes.get((ref.project or "", ref.iid), []))

    def within(self, seconds: float) -> None:
        self.phases.append((seconds, len(self.calls)))


# When the fake PagerDuty says an incident was created.
SENT_AT = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


@dataclass
class FakePager:
    """Records triggers; `fail` makes the trigger fail, `oncall_list` is who is on call."""

    oncall_list: tuple[OnCall, ...] = (OnCall(1, "Ada Lovelace", None),)
    fail: bool = False
    events: list[PageEvent] = field(default_factory=list)
    statuses: dict[str, str] = field(default_factory=dict)
    changes: list[Refusal] = field(default_factory=list)
    notes: list[tuple[str, str, str]] = field(default_factory=list)
    phases: list[float] = field(default_factory=list)

    def within(self, seconds: float) -> None:
        self.phases.append(seconds)

    def note(self, incident_id: str, from_email: str, content: str) -> None:
        self.notes.append((incident_id, from_email, content))

    def oncall(self, policy_id: str) -> tuple[OnCall, ...]:
        return self.oncall_list

    def incident(self, dedup_key: str, wait: bool = True) -> Incident | None:
        if not any(e.dedup_key == dedup_key for e in self.events):
            return None
        status = self.statuses.get(dedup_key, "triggered")
        return Incident("PINC1", 17, status, dedup_key, SENT_AT,
                        "https://pd.example/incidents/PINC1")

    def oncalls(self, policy_ids: list[str], since: Any = None,
                until: Any = None) -> dict[str, tuple[OnCall, ...]]:
        return {policy: self.oncall_list for policy in policy_ids}

    def record_change(self, routing_key: str, record: Refusal) -> None:
        self.changes.append(record)

    def policy_exists(self, policy_id: str) -> bool:
        return True

    def trigger(self, routing_key: str, page: PageEvent) -> str:
        if self.fail:
            raise PagerDutyError("POST /v2/enqueue", 500, "Internal Server Error", "PD down")
        self.events.append(page)
        return page.dedup_key
