"""GitLab records and their REST v4 JSON representations (Entities::Issue, Note, ...)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from html import escape
from typing import Any
from urllib.parse import quote

from chatops_emulator.core import gitlab_time
from chatops_emulator.gitlab_colors import text_color

# Label colours GitLab picks for labels created on the fly (Label::DEFAULT_COLOR family).
_COLORS = ("#6699cc", "#dc143c", "#009966", "#8fbc8f", "#ed9121", "#9400d3", "#336699")


@dataclass
class User:
    """A GitLab user (Entities::UserBasic)."""

    id: int
    username: str
    name: str
    bot: bool = False

    def json(self, base: str) -> dict[str, Any]:
        """Render as the API's user reference."""
        return {
            "id": self.id, "username": self.username, "public_email": None, "name": self.name,
            "state": "active", "locked": False,
            "avatar_url": f"https://secure.gravatar.com/avatar/{self.id:032x}?s=80&d=identicon",
            "web_url": f"{base}/{self.username}",
        }


@dataclass
class Label:
    """A project label."""

    id: int
    name: str
    color: str
    description: str | None = None
    priority: int | None = None  # LabelPriority for the project (None: not prioritized)
    archived: bool = False

    @staticmethod
    def color_for(index: int) -> str:
        """Pick a colour for a newly created label."""
        return _COLORS[index % len(_COLORS)]

    def json(self) -> dict[str, Any]:
        """Render as embedded in resource label events."""
        return {"id": self.id, "name": self.name, "color": self.color,
                "description": self.description}


@dataclass
class Note:
    """A comment or system note on an issue."""

    id: int
    body: str
    author_id: int
    created_at: datetime
    updated_at: datetime
    system: bool = False
    internal: bool = False


@dataclass
class LabelEvent:
    """A resource label event (label added to / removed from an issue)."""

    id: int
    user_id: int
    created_at: datetime
    label: Label | None  # labels.id ON DELETE SET NULL: a deleted label leaves null
    action: str


@dataclass
class Issue:
    """An issue or incident."""

    id: int
    iid: int
    project_id: int
    title: str
    description: str | None
    author_id: int
    created_at: datetime
    updated_at: datetime
    issue_type: str = "issue"
    state: str = "opened"
    closed_at: datetime | None = None
    closed_by_id: int | None = None
    labels: list[Label] = field(default_factory=list)
    assignee_ids: list[int] = field(default_factory=list)
    confidential: bool = False
    discussion_locked: bool | None = None
    due_date: date | None = None
    severity: str = "unknown"
    notes: list[Note] = field(default_factory=list)
    label_events: list[LabelEvent] = field(default_factory=list)

    def label_names(self) -> list[str]:
        """Current label titles."""
        return [label.name for label in self.labels]


@dataclass
class Project:
    """A project with its labels and issues."""

    id: int
    path: str
    name: str
    visibility: str
    description: str
    created_at: datetime
    labels: dict[str, Label] = field(default_factory=dict)
    issues: dict[int, Issue] = field(default_factory=dict)
    next_iid: int = 1

    def json(self, base: str, namespace: dict[str, Any]) -> dict[str, Any]:
        """Render as Entities::Project (the commonly used subset)."""
        web = f"{base}/{self.path}"
        api = f"{base}/api/v4/projects/{self.id}"
        opened = sum(1 for issue in self.issues.values() if issue.state == "opened")
        return {
            "id": self.id, "description": self.description, "name": self.name,
            "name_with_namespace": f"{namespace['name']} / {self.name}",
            "path": self.path.rsplit("/", 1)[-1], "path_with_namespace": self.path,
            "created_at": gitlab_time(self.created_at), "default_branch": "master",
            "tag_list": [], "topics": [],
            "ssh_url_to_repo": f"git@{base.split('://', 1)[-1]}:{self.path}.git",
            "http_url_to_repo": f"{web}.git", "web_url": web, "readme_url": None,
            "avatar_url": None, "forks_count": 0, "star_count": 0,
            "last_activity_at": gitlab_time(self.created_at), "namespace": namespace,
            "visibility": self.visibility, "issues_enabled": True, "archived": False,
            "open_issues_count": opened, "empty_repo": False,
            "_links": {"self": api, "issues": f"{api}/issues", "labels": f"{api}/labels",
                       "events": f"{api}/events", "members": f"{api}/members"},
        }


def issue_json(
    issue: Issue, project: Project, users: dict[int, User], base: str, subscribed: bool = True
) -> dict[str, Any]:
    """Render an issue like Entities::Issue (Free tier: no weight/epic/iteration)."""
    api = f"{base}/api/v4/projects/{project.id}/issues/{issue.iid}"
    assignees = [users[uid].json(base) for uid in issue.assignee_ids if uid in users]
    closed_by = users.get(issue.closed_by_id or -1)
    data: dict[str, Any] = {
        "id": issue.id, "iid": issue.iid, "project_id": project.id, "title": issue.title,
        "description": issue.description, "state": issue.state,
        "created_at": gitlab_time(issue.created_at), "updated_at": gitlab_time(issue.updated_at),
        "closed_at": gitlab_time(issue.closed_at),
        "closed_by": closed_by.json(base) if closed_by else None,
        "labels": sorted(issue.label_names()), "milestone": None, "assignees": assignees,
        "author": users[issue.author_id].json(base), "type": issue.issue_type.upper(),
        "assignee": assignees[0] if assignees else None,
        "user_notes_count": sum(1 for note in issue.notes if not note.system),
        "merge_requests_count": 0, "upvotes": 0, "downvotes": 0,
        "due_date": issue.due_date.isoformat() if issue.due_date else None,
        "confidential": issue.confidential, "discussion_locked": issue.discussion_locked,
        "issue_type": issue.issue_type,
        # Gitlab::UrlBuilder -> issue_url -> project_issue_url: /-/issues/:iid for every
        # type (the UI's /-/issues/incident/:iid page is not what the API returns).
        "web_url": f"{base}/{project.path}/-/issues/{issue.iid}",
        "time_stats": {"time_estimate": 0, "total_time_spent": 0,
                       "human_time_estimate": None, "human_total_time_spent": None},
        "task_completion_status": {"count": 0, "completed_count": 0},
        "has_tasks": False, "task_status": "0 of 0 checklist items completed",
        "blocking_issues_count": 0,
        "_links": {"self": api, "notes": f"{api}/notes", "award_emoji": f"{api}/award_emoji",
                   "project": f"{base}/api/v4/projects/{project.id}",
                   "closed_as_duplicate_of": None},
        "references": {"short": f"#{issue.iid}", "relative": f"#{issue.iid}",
                       "full": f"{project.path}#{issue.iid}"},
        "severity": issue.severity.upper(), "moved_to_id": None,
        "service_desk_reply_to": None, "imported": False, "imported_from": "none",
    }
    if subscribed:
        data["subscribed"] = True
    return data


def note_json(note: Note, issue: Issue, project: Project, users: dict[int, User],
              base: str) -> dict[str, Any]:
    """Render a note like Entities::Note."""
    return {
        "id": note.id, "type": None, "body": note.body, "attachment": None,
        "author": users[note.author_id].json(base), "created_at": gitlab_time(note.created_at),
        "updated_at": gitlab_time(note.updated_at), "system": note.system,
        "noteable_id": issue.id, "noteable_type": "Issue", "project_id": project.id,
        "resolvable": False, "confidential": note.internal, "internal": note.internal,
        "imported": False, "imported_from": "none", "noteable_iid": issue.iid,
        "commands_changes": {},
    }


def label_event_json(event: LabelEvent, issue: Issue, users: dict[int, User],
                     base: str) -> dict[str, Any]:
    """Render like Entities::ResourceLabelEvent."""
    return {
        "id": event.id, "user": users[event.user_id].json(base),
        "created_at": gitlab_time(event.created_at), "resource_type": "Issue",
        "resource_id": issue.id, "label": event.label.json() if event.label else None,
        "action": event.action,
    }


def label_order(label: Label) -> tuple[str, str]:
    """Sort key for labels by title (Label's default_scope order(title: :asc))."""
    return (label.name.lower(), label.name)


def label_json(label: Label, project: Project, with_counts: bool = False) -> dict[str, Any]:
    """Render like Entities::ProjectLabel (counts only with ?with_counts=true)."""
    # lib/api/entities/{label_basic,label,project_label}.rb.  description_html comes from
    # the single_line Banzai pipeline (no <p>, HTML-escaped; references and emoji are not
    # rendered here); it is "" for a label without description.
    data: dict[str, Any] = {
        "id": label.id, "name": label.name, "color": label.color,
        "text_color": text_color(label.color), "description": label.description,
        "description_html": escape(label.description or "", quote=False),
        "archived": label.archived,
    }
    if with_counts:  # Label#open_issues_count etc. (IssuesFinder, scope all)
        states = [i.state for i in project.issues.values()
                  if any(lb is label for lb in i.labels)]
        data.update(open_issues_count=states.count("opened"),
                    closed_issues_count=states.count("closed"), open_merge_requests_count=0)
    data.update(subscribed=False, priority=label.priority, is_project_label=True)
    return data


def namespace_json(path: str, name: str, group_id: int, base: str) -> dict[str, Any]:
    """Render a group namespace as embedded in a project."""
    return {"id": group_id, "name": name, "path": path.rsplit("/", 1)[-1], "kind": "group",
            "full_path": path, "parent_id": None, "avatar_url": None,
            "web_url": f"{base}/groups/{quote(path)}"}
