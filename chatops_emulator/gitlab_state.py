"""In-memory GitLab: users, projects, issues, notes, label events, quick actions, mentions."""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

from chatops_emulator import gitlab_actions
from chatops_emulator.core import utcnow
from chatops_emulator.gitlab_members import REPORTER, Membership
from chatops_emulator.gitlab_model import (
    Issue,
    Label,
    LabelEvent,
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
from chatops_emulator.gitlab_scoped import TIERS, exclusive
from chatops_emulator.quick_actions import Command, extract, mentions


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

    def _next(self, kind: str) -> int:
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
            self.groups[path.lower()] = (self._next("group"), name)

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
            return self._label(project, name)

    def next_label_id(self) -> int:
        """Allocate a label id (the caller holds the lock)."""
        return self._next("label")

    def _label(self, project: Project, name: str) -> Label:
        if name not in project.labels:
            index = len(project.labels)
            project.labels[name] = Label(self._next("label"), name, Label.color_for(index))
        return project.labels[name]

    def seed_issue(self, project_path: str, iid: int, title: str, description: str,
                   author_id: int, labels: tuple[str, ...], created_at: datetime) -> Issue:
        """Insert an existing issue with a fixed iid."""
        with self.lock:
            project = self.project(project_path)
            issue = Issue(90_000_000 + iid, iid, project.id, title, description, author_id,
                          created_at, created_at)
            issue.labels = [self._label(project, name) for name in labels]
            project.issues[iid] = issue
            project.next_iid = max(project.next_iid, iid + 1)
            return issue

    def seed_note(self, project_path: str, iid: int, body: str, author_id: int,
                  created_at: datetime) -> Note:
        """Insert a note written in the past (no quick actions run, as for a seeded issue)."""
        with self.lock:
            issue = self.project(project_path).issues[iid]
            note = Note(self._next("note"), body, author_id, created_at, created_at)
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

    # -- mutations ---------------------------------------------------------------------
    def create_issue(self, project: Project, user: User, params: dict[str, Any]) -> Issue:
        """Create an issue; description quick actions run before it is persisted."""
        with self.lock:
            now = utcnow()
            description, commands = extract(params["description"] or "") \
                if params.get("description") is not None else (None, [])
            issue = Issue(self._next("issue"), project.next_iid, project.id, params["title"],
                          description, user.id, now, now,
                          issue_type=params.get("issue_type") or "issue",
                          confidential=bool(params.get("confidential")),
                          discussion_locked=params.get("discussion_locked"),
                          due_date=params.get("due_date"),
                          severity=params.get("severity") or "unknown")
            project.next_iid += 1
            # Without the right to create incidents GitLab does not refuse: it ignores the
            # type and creates a plain issue (app/services/issues/build_service.rb, spec
            # "ignores the type and creates default issue"); create_incident needs the
            # Reporter role (app/policies/project_policy.rb: `rule { can?(:reporter_access)
            # & can?(:create_issue) }.enable :create_incident`).
            if (issue.issue_type == "incident"
                    and self.members.inherited(project.path, user.id) < REPORTER):
                issue.issue_type = "issue"
            if issue.issue_type != "incident":
                issue.severity = "unknown"  # severity only applies to incidents
            updates = self._param_updates(project, params)
            updates.update(self._run(project, issue, user, commands, persisted=False).updates)
            project.issues[issue.iid] = issue
            self._apply(project, issue, user, updates, notes=False)
            issue.updated_at = issue.created_at
            self._mentions(project, issue, f"{issue.title}\n{issue.description or ''}")
            return issue

    def update_issue(self, project: Project, issue: Issue, user: User,
                     params: dict[str, Any]) -> Issue:
        """Apply a PUT; new quick actions in an edited description are executed."""
        with self.lock:
            updates = {k: v for k, v in params.items()
                       if k not in ("labels", "add_labels", "remove_labels", "assignee_ids")}
            if issue.issue_type != "incident" and updates.get("issue_type") != "incident":
                updates.pop("severity", None)
            updates.update(self._param_updates(project, params))
            old_text = f"{issue.title}\n{issue.description or ''}"
            if params.get("description") is not None:
                text, commands = extract(params["description"])
                _, before = extract(issue.description or "")
                seen = {(c.name, c.arg) for c in before}
                fresh = [c for c in commands if (c.name, c.arg) not in seen]
                updates["description"] = text
                updates.update(self._run(project, issue, user, fresh, persisted=True).updates)
            self._apply(project, issue, user, updates, notes=True)
            new_text = f"{issue.title}\n{issue.description or ''}"
            self._mentions(project, issue, new_text, already=mentions(old_text))
            return issue

    def create_note(self, project: Project, issue: Issue, user: User, body: str,
                    internal: bool = False) -> tuple[Note | None, gitlab_actions.Context]:
        """Add a comment; a body made only of quick actions creates no note (the API's 202)."""
        with self.lock:
            text, commands = extract(body)
            ctx = self._run(project, issue, user, commands, persisted=True)
            note = None
            if text.strip():
                now = utcnow()
                note = Note(self._next("note"), text, user.id, now, now, internal=internal)
                issue.notes.append(note)
                issue.updated_at = now  # Note#touch_noteable
                self._mentions(project, issue, text)
            self._apply(project, issue, user, dict(ctx.updates), notes=True)
            return note, ctx

    # -- internals ---------------------------------------------------------------------
    def _param_updates(self, project: Project, params: dict[str, Any]) -> dict[str, Any]:
        updates: dict[str, Any] = {}
        if params.get("assignee_ids") is not None:
            # Free tier: one assignee (filter_assignees keeps the first); unknown ids dropped.
            updates["assignee_ids"] = [u for u in params["assignee_ids"] if u in self.users][:1]
        if params.get("labels") is not None:
            updates["label_ids"] = [self._label(project, n) for n in params["labels"]]
        if params.get("add_labels"):
            updates["add_label_ids"] = [self._label(project, n) for n in params["add_labels"]]
        if params.get("remove_labels"):
            updates["remove_label_ids"] = [project.labels[n] for n in params["remove_labels"]
                                           if n in project.labels]
        return updates

    def _run(self, project: Project, issue: Issue, user: User, commands: list[Command],
             persisted: bool) -> gitlab_actions.Context:
        for command in commands:
            self._quick_actions.append((project.path, issue.iid, command.line))
        ctx = gitlab_actions.Context(project, issue, user, self.users, persisted)
        return gitlab_actions.interpret(ctx, commands)

    def _apply(self, project: Project, issue: Issue, user: User, updates: dict[str, Any],
               notes: bool) -> None:
        now, changed = utcnow(), False

        def system(text: str) -> None:
            if notes:
                issue.notes.append(Note(self._next("note"), text, user.id, now, now, True))

        for key in ("title", "description"):
            if key in updates and updates[key] is not None and updates[key] != getattr(
                    issue, key):
                old = getattr(issue, key)
                setattr(issue, key, updates[key])
                changed = True
                system(f"changed title from **{old}** to **{updates[key]}**"
                       if key == "title" else "changed the description")
        labels = list(updates.get("label_ids", issue.labels))
        labels += [lb for lb in updates.get("add_label_ids", []) if lb not in labels]
        labels = [lb for lb in labels if lb not in updates.get("remove_label_ids", [])]
        # Free tier: scoped labels (a::b) are plain labels, nothing is replaced.  The
        # replacement of a same-scope label is a Premium feature (gitlab-org/gitlab#9175,
        # docs.gitlab.com/user/project/labels/#scoped-labels; unlicensed instances keep both,
        # gitlab-org/gitlab-foss#61533): see gitlab_scoped.
        if self.tier == "premium":
            order = [*updates.get("add_label_ids", []), *updates.get("label_ids", [])]
            labels = exclusive(labels, [lb for lb in labels if lb not in issue.labels], order)
        added = [lb for lb in labels if lb not in issue.labels]
        removed = [lb for lb in issue.labels if lb not in labels]
        for label, action in [(lb, "add") for lb in added] + [(lb, "remove") for lb in removed]:
            issue.label_events.append(LabelEvent(self._next("event"), user.id, now, label,
                                                 action))
        if added or removed:
            issue.labels, changed = labels, True
        event = updates.get("state_event")
        if event == "close" and issue.state == "opened":
            issue.state, issue.closed_at, issue.closed_by_id = "closed", now, user.id
            changed = True
        elif event == "reopen" and issue.state == "closed":
            issue.state, issue.closed_at, issue.closed_by_id = "opened", None, None
            changed = True
        for key in ("confidential", "discussion_locked", "due_date", "severity", "issue_type",
                    "assignee_ids"):
            if key in updates and updates[key] != getattr(issue, key):
                setattr(issue, key, updates[key])
                changed = True
                if key == "assignee_ids" and updates[key]:
                    names = ", ".join(f"@{self.users[u].username}" for u in updates[key])
                    system(f"assigned to {names}")
                elif key == "confidential" and updates[key]:
                    system("made the issue confidential")
        if changed:
            issue.updated_at = now

    def _mentions(self, project: Project, issue: Issue, text: str,
                  already: list[str] | None = None) -> None:
        """Record @all and group mentions (Participable mentions notify these members)."""
        # GitLab's only "everyone" mention is @all (doc/user/discussions/index.md, "Mentioning
        # all members"; GitLab.com disables it with the disable_all_mention flag, self-managed
        # keeps it); @group/subgroup notifies the group's members.  @here/@channel are Slack
        # syntax: GitLab reads them as (nonexistent) usernames, so they are not recorded.
        old = {m.lower() for m in already or []}
        for mention in dict.fromkeys(m.lower() for m in mentions(text)):
            if mention in old:
                continue
            if mention == "all" or mention in self.groups:
                self._mass_mentions.append((project.path, issue.iid, f"@{mention}"))

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
