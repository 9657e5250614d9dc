"""Issue writes: create, edit and comment, with quick actions, label events and mentions."""

from __future__ import annotations

from typing import Any

from chatops_emulator.core import utcnow
from chatops_emulator.gitlab_actions import Context, interpret
from chatops_emulator.gitlab_members import REPORTER
from chatops_emulator.gitlab_mentions import mentions
from chatops_emulator.gitlab_model import Issue, LabelEvent, Note, Project, User
from chatops_emulator.gitlab_scoped import exclusive
from chatops_emulator.gitlab_state import GitLabState
from chatops_emulator.quick_actions import Command, extract


def create_issue(state: GitLabState, project: Project, user: User,
                 params: dict[str, Any]) -> Issue:
    """Create an issue; description quick actions run before it is persisted."""
    with state.lock:
        now = utcnow()
        description, commands = extract(params["description"] or "") \
            if params.get("description") is not None else (None, [])
        issue = Issue(state.next_id("issue"), project.next_iid, project.id, params["title"],
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
                and state.members.inherited(project.path, user.id) < REPORTER):
            issue.issue_type = "issue"
        if issue.issue_type != "incident":
            issue.severity = "unknown"  # severity only applies to incidents
        updates = _param_updates(state, project, params)
        updates.update(_run(state, project, issue, user, commands, persisted=False).updates)
        project.issues[issue.iid] = issue
        _apply(state, project, issue, user, updates, notes=False)
        issue.updated_at = issue.created_at
        _mentions(state, project, issue, f"{issue.title}\n{issue.description or ''}")
        return issue


def update_issue(state: GitLabState, project: Project, issue: Issue, user: User,
                 params: dict[str, Any]) -> Issue:
    """Apply a PUT; new quick actions in an edited description are executed."""
    with state.lock:
        updates = {k: v for k, v in params.items()
                   if k not in ("labels", "add_labels", "remove_labels", "assignee_ids")}
        if issue.issue_type != "incident" and updates.get("issue_type") != "incident":
            updates.pop("severity", None)
        updates.update(_param_updates(state, project, params))
        old_text = f"{issue.title}\n{issue.description or ''}"
        if params.get("description") is not None:
            text, commands = extract(params["description"])
            _, before = extract(issue.description or "")
            seen = {(c.name, c.arg) for c in before}
            fresh = [c for c in commands if (c.name, c.arg) not in seen]
            updates["description"] = text
            updates.update(_run(state, project, issue, user, fresh, persisted=True).updates)
        _apply(state, project, issue, user, updates, notes=True)
        new_text = f"{issue.title}\n{issue.description or ''}"
        _mentions(state, project, issue, new_text, already=mentions(old_text))
        return issue


def create_note(state: GitLabState, project: Project, issue: Issue, user: User, body: str,
                internal: bool = False) -> tuple[Note | None, Context]:
    """Add a comment; a body made only of quick actions creates no note (the API's 202)."""
    with state.lock:
        text, commands = extract(body)
        ctx = _run(state, project, issue, user, commands, persisted=True)
        note = None
        if text.strip():
            now = utcnow()
            note = Note(state.next_id("note"), text, user.id, now, now, internal=internal)
            issue.notes.append(note)
            issue.updated_at = now  # Note#touch_noteable
            _mentions(state, project, issue, text)
        _apply(state, project, issue, user, dict(ctx.updates), notes=True)
        return note, ctx


def _param_updates(state: GitLabState, project: Project,
                   params: dict[str, Any]) -> dict[str, Any]:
    """Turn the assignee and label params into updates (labels created as needed)."""
    updates: dict[str, Any] = {}
    if params.get("assignee_ids") is not None:
        # Free tier: one assignee (filter_assignees keeps the first); unknown ids dropped.
        updates["assignee_ids"] = [u for u in params["assignee_ids"] if u in state.users][:1]
    if params.get("labels") is not None:
        updates["label_ids"] = [state.project_label(project, n) for n in params["labels"]]
    if params.get("add_labels"):
        updates["add_label_ids"] = [state.project_label(project, n) for n in params["add_labels"]]
    if params.get("remove_labels"):
        updates["remove_label_ids"] = [project.labels[n] for n in params["remove_labels"]
                                       if n in project.labels]
    return updates


def _run(state: GitLabState, project: Project, issue: Issue, user: User,
         commands: list[Command], persisted: bool) -> Context:
    """Log and interpret quick actions; the returned context holds their updates."""
    for command in commands:
        state.record_quick_action(project, issue, command.line)
    ctx = Context(project, issue, user, state.users, persisted)
    return interpret(ctx, commands)


def _apply(state: GitLabState, project: Project, issue: Issue, user: User,
           updates: dict[str, Any], notes: bool) -> None:
    """Apply updates: fields, labels (with events), state; system notes when `notes`."""
    now, changed = utcnow(), False

    def system(text: str) -> None:
        if notes:
            issue.notes.append(Note(state.next_id("note"), text, user.id, now, now, True))

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
    if state.tier == "premium":
        order = [*updates.get("add_label_ids", []), *updates.get("label_ids", [])]
        labels = exclusive(labels, [lb for lb in labels if lb not in issue.labels], order)
    added = [lb for lb in labels if lb not in issue.labels]
    removed = [lb for lb in issue.labels if lb not in labels]
    for label, action in [(lb, "add") for lb in added] + [(lb, "remove") for lb in removed]:
        issue.label_events.append(LabelEvent(state.next_id("event"), user.id, now, label,
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
                names = ", ".join(f"@{state.users[u].username}" for u in updates[key])
                system(f"assigned to {names}")
            elif key == "confidential" and updates[key]:
                system("made the issue confidential")
    if changed:
        issue.updated_at = now


def _mentions(state: GitLabState, project: Project, issue: Issue, text: str,
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
        if mention == "all" or mention in state.groups:
            state.record_mass_mention(project, issue, f"@{mention}")
