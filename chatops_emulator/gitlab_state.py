"""In-memory GitLab: users, tokens, groups, projects, labels, seeded issues and their views."""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

from chatops_emulator.core import utcnow
from chatops_emulator.gitlab_members import Membership
from chatops_emulator.gitlab_model import (
    Issue,
    Label,
    Note,
    Project,
    User,
    issue_json,
    label_event_json,
    label_json,
    label_order,
    namespace_json,
    note_json,
)
from chatops_emulator.gitlab_scoped import TIERS


class GitLabState:
    """Thread-safe GitLab data plus what tests inspect (quick actions, mass mentions)."""

    def __init__(self, base_url: str = "https://gitlab.example.com", tier: str = "free") -> None:
        if tier not in TIERS:
            raise ValueError(f"tier must be one of {TIERS}")
        self.lock = threading.RLock()
        self.base_url, self.tier = base_url, tier
        self.members = Membership()
        self.users: dict[int, User] = {}
        self.tokens: dict[str, int] = {}
        # Token scopes ("api" unless given): a read_api token may only GET/HEAD
        # (gitlabhq lib/api/api.rb `allow_access_with_scope :read_api, if: request.get?
        # || request.head?`); anything else is 403 insufficient_scope (lib/api/api_guard.rb).
        self.read_only_tokens: set[str] = set()
        self.groups: dict[str, tuple[int, str]] = {}
        self.projects: dict[int, Project] = {}
        self._ids = {"issue": 90_001_000, "note": 500_000_000, "label": 3_000_000,
                     "event": 7_000_000, "group": 9_000}
        self._quick_actions: list[tuple[str, int, str]] = []
        self._mass_mentions: list[tuple[str, int, str]] = []

    def next_id(self, kind: str) -> int:
        """Allocate the next id of a kind: issue, note, label, event, group (lock held)."""
        self._ids[kind] += 1
        return self._ids[kind]

    # -- seeding -----------------------------------------------------------------------
    def add_user(self, uid: int, username: str, name: str, token: str | None = None,
                 bot: bool = False) -> User:
        """Create a user, optionally with a personal access token."""
        with self.lock:
            self.users[uid] = user = User(uid, username, name, bot)
            if token:
                self.tokens[token] = uid
            return user

    def add_read_only_token(self, uid: int, token: str) -> None:
        """Give a user a second token with scope read_api only."""
        with self.lock:
            self.tokens[token] = uid
            self.read_only_tokens.add(token)

    def add_group(self, path: str, name: str) -> None:
        """Create a group (its path is mentionable as @path)."""
        with self.lock:
            self.groups[path.lower()] = (self.next_id("group"), name)

    def add_project(self, pid: int, path: str, name: str, visibility: str = "private",
                    description: str = "") -> Project:
        """Create an empty project."""
        with self.lock:
            project = Project(pid, path, name, visibility, description, utcnow())
            self.projects[pid] = project
            return project

    def add_member(self, path: str, user_id: int, access_level: int) -> None:
        """Make a user a direct member of a group or project (Gitlab::Access level)."""
        with self.lock:
            self.members.add(path, user_id, access_level)

    def ensure_label(self, project_path: str, name: str) -> Label:
        """Find or create a project label (as the API's labels params do)."""
        with self.lock:
            project = self.project(project_path)
            return self.project_label(project, name)

    def project_label(self, project: Project, name: str) -> Label:
        """Find or create a label of a project (the caller holds the lock)."""
        if name not in project.labels:
            index = len(project.labels)
            project.labels[name] = Label(self.next_id("label"), name, Label.color_for(index))
        return project.labels[name]

    def seed_issue(self, project_path: str, iid: int, title: str, description: str,
                   author_id: int, labels: tuple[str, ...], created_at: datetime) -> Issue:
        """Insert an existing issue with a fixed iid."""
        with self.lock:
            project = self.project(project_path)
            issue = Issue(90_000_000 + iid, iid, project.id, title, description, author_id,
                          created_at, created_at)
            issue.labels = [self.project_label(project, name) for name in labels]
            project.issues[iid] = issue
            project.next_iid = max(project.next_iid, iid + 1)
            return issue

    def seed_note(self, project_path: str, iid: int, body: str, author_id: int,
                  created_at: datetime) -> Note:
        """Insert a note written in the past (no quick actions run, as for a seeded issue)."""
        with self.lock:
            issue = self.project(project_path).issues[iid]
            note = Note(self.next_id("note"), body, author_id, created_at, created_at)
            issue.notes.append(note)
            return note

    # -- lookups -----------------------------------------------------------------------
    def user_for_token(self, token: str) -> User | None:
        """Return the user owning a token."""
        with self.lock:
            uid = self.tokens.get(token)
            return self.users.get(uid) if uid is not None else None

    def find_project(self, ident: str) -> Project | None:
        """Find by numeric id or full path (paths are case-insensitive, like GitLab)."""
        with self.lock:
            if ident.isdigit():
                return self.projects.get(int(ident))
            wanted = ident.lower()
            return next((p for p in self.projects.values() if p.path.lower() == wanted), None)

    def project(self, path: str) -> Project:
        """Find a project or raise KeyError."""
        project = self.find_project(path)
        if project is None:
            raise KeyError(path)
        return project

    def namespace(self, project: Project) -> dict[str, Any]:
        """The namespace object embedded in project JSON."""
        path = project.path.rsplit("/", 1)[0]
        gid, name = self.groups.get(path.lower(), (0, path))
        return namespace_json(path, name, gid, self.base_url)

    def record_quick_action(self, project: Project, issue: Issue, line: str) -> None:
        """Log a quick action GitLab interprets (the caller holds the lock)."""
        self._quick_actions.append((project.path, issue.iid, line))

    def record_mass_mention(self, project: Project, issue: Issue, mention: str) -> None:
        """Log a new @all / @group mention (the caller holds the lock)."""
        self._mass_mentions.append((project.path, issue.iid, mention))

    # -- inspection for tests ------------------------------------------------------------
    @property
    def executed_quick_actions(self) -> list[tuple[str, int, str]]:
        """Every quick action GitLab would have interpreted: (project, iid, command line)."""
        with self.lock:
            return list(self._quick_actions)

    @property
    def mass_mentions(self) -> list[tuple[str, int, str]]:
        """Every new @all / @group mention in titles, descriptions and notes."""
        with self.lock:
            return list(self._mass_mentions)

    def issues(self, project_path: str) -> list[dict[str, Any]]:
        """All issues of a project in API form, by iid."""
        with self.lock:
            project = self.project(project_path)
            return [issue_json(i, project, self.users, self.base_url)
                    for _, i in sorted(project.issues.items())]

    def issue(self, project_path: str, iid: int) -> dict[str, Any]:
        """One issue in API form."""
        with self.lock:
            project = self.project(project_path)
            return issue_json(project.issues[iid], project, self.users, self.base_url)

    def notes(self, project_path: str, iid: int) -> list[dict[str, Any]]:
        """Notes (user and system) of an issue in API form, oldest first."""
        with self.lock:
            project = self.project(project_path)
            issue = project.issues[iid]
            return [note_json(n, issue, project, self.users, self.base_url)
                    for n in issue.notes]

    def labels(self, project_path: str) -> list[dict[str, Any]]:
        """A project's labels in API form (ProjectLabel, with counts), by title."""
        with self.lock:
            project = self.project(project_path)
            return [label_json(label, project, with_counts=True)
                    for label in sorted(project.labels.values(), key=label_order)]

    def label_events(self, project_path: str, iid: int) -> list[dict[str, Any]]:
        """Resource label events of an issue in API form, oldest first."""
        with self.lock:
            project = self.project(project_path)
            issue = project.issues[iid]
            return [label_event_json(e, issue, self.users, self.base_url)
                    for e in issue.label_events]
