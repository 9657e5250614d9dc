"""Effects of the quick actions the emulator implements (a realistic subset)."""

# Conditions and effects follow lib/gitlab/quick_actions/issuable_actions.rb,
# issue_actions.rb and issue_and_merge_request_actions.rb in gitlab-org/gitlab: e.g. /close,
# /reopen, /title, /unlabel, /relabel and /lock need a persisted issue (so they do nothing in
# a new issue's description), /label only applies labels that already exist in the project,
# /assign keeps only the first user on the Free tier (no multiple assignees).  Every other
# known command is still extracted and stripped, but has no effect here.

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from chatops_emulator.core import utcnow
from chatops_emulator.gitlab_model import Issue, Label, Project, User
from chatops_emulator.quick_actions import Command

# IssuableSeverity::SEVERITY_QUICK_ACTION_PARAMS
_SEVERITIES = {
    "critical": ("s1", "1", "critical"), "high": ("s2", "2", "high"),
    "medium": ("s3", "3", "medium"), "low": ("s4", "4", "low"),
}
# Label.reference_pattern: ~123, ~name (incl. scoped a::b), ~"quoted name"
_LABEL_REF = re.compile(r'~"([^"]+)"|~([A-Za-z0-9_\-?.&:/]+)')
_NAME = re.compile(r'"([^"]+)"|(\S+)')


@dataclass
class Context:
    """What a quick action can see and the updates it produces."""

    project: Project
    issue: Issue
    user: User
    users: dict[int, User]
    persisted: bool
    updates: dict[str, Any] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)

    def labels(self, arg: str) -> list[Label]:
        """Find existing project labels referenced by a quick-action argument."""
        pattern = _LABEL_REF if "~" in arg else _NAME
        found: list[Label] = []
        for quoted, bare in pattern.findall(arg):
            name = quoted or bare
            label = self.project.labels.get(name)
            if label is None and name.isdigit():
                label = next((lb for lb in self.project.labels.values() if lb.id == int(name)),
                             None)
            if label is not None and label not in found:
                found.append(label)
        return found

    def find_users(self, arg: str) -> list[User]:
        """Resolve @usernames and "me"."""
        by_name = {user.username.lower(): user for user in self.users.values()}
        result: list[User] = []
        for token in re.split(r"[\s,]+", arg.strip()):
            word = token.lstrip("@").lower()
            user = self.user if word == "me" else by_name.get(word)
            if user is None and word and word != "and":
                self.messages.append(f"Failed to find users for @{word}")
            elif user is not None and user not in result:
                result.append(user)
        return result


def _due(arg: str) -> date | None:
    text = arg.strip().lower()
    today = utcnow().date()
    if text in ("today", "tomorrow"):
        return today + timedelta(days=text == "tomorrow")
    match = re.fullmatch(r"in (\d+) days?", text)
    if match:
        return today + timedelta(days=int(match.group(1)))
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _state(ctx: Context, cmd: Command) -> None:
    want = "opened" if cmd.name == "close" else "closed"
    if ctx.persisted and ctx.issue.state == want:
        ctx.updates["state_event"] = "close" if cmd.name == "close" else "reopen"
        verb = "Closed" if cmd.name == "close" else "Reopened"
        ctx.messages.append(f"{verb} this issue.")


def _title(ctx: Context, cmd: Command) -> None:
    if ctx.persisted and cmd.arg:
        ctx.updates["title"] = cmd.arg
        ctx.messages.append(f'Changed the title to "{cmd.arg}".')


def _label(ctx: Context, cmd: Command) -> None:
    labels = ctx.labels(cmd.arg)
    if labels:
        ctx.updates.setdefault("add_label_ids", []).extend(labels)
        ctx.messages.append("Added " + " ".join(f"~{lb.name}" for lb in labels) + " label(s).")


def _unlabel(ctx: Context, cmd: Command) -> None:
    if not (ctx.persisted and ctx.issue.labels):
        return
    if cmd.arg:
        ctx.updates.setdefault("remove_label_ids", []).extend(ctx.labels(cmd.arg))
    else:
        ctx.updates["label_ids"] = []
    ctx.messages.append("Removed labels.")


def _relabel(ctx: Context, cmd: Command) -> None:
    labels = ctx.labels(cmd.arg)
    if ctx.persisted and ctx.issue.labels and labels:
        ctx.updates["label_ids"] = labels
        ctx.messages.append("Replaced all labels.")


def _assign(ctx: Context, cmd: Command) -> None:
    users = ctx.find_users(cmd.arg)
    if users:
        ctx.updates["assignee_ids"] = [users[0].id]
        ctx.messages.append(f"Assigned @{users[0].username}.")


def _unassign(ctx: Context, cmd: Command) -> None:
    if ctx.issue.assignee_ids:
        keep = {u.id for u in ctx.find_users(cmd.arg)} if cmd.arg else set(ctx.issue.assignee_ids)
        ctx.updates["assignee_ids"] = [u for u in ctx.issue.assignee_ids if u not in keep]
        ctx.messages.append("Removed assignee(s).")


def _confidential(ctx: Context, cmd: Command) -> None:
    if not ctx.issue.confidential:
        ctx.updates["confidential"] = True
        ctx.messages.append("Made this issue confidential.")


def _due_cmd(ctx: Context, cmd: Command) -> None:
    when = _due(cmd.arg)
    if when is None:
        ctx.messages.append("Failed to set due date because the date format is invalid.")
    else:
        ctx.updates["due_date"] = when
        ctx.messages.append(f"Set the due date to {when:%b} {when.day}, {when.year}.")


def _remove_due(ctx: Context, cmd: Command) -> None:
    if ctx.persisted and ctx.issue.due_date:
        ctx.updates["due_date"] = None
        ctx.messages.append("Removed the due date.")


def _lock(ctx: Context, cmd: Command) -> None:
    locking = cmd.name == "lock"
    if ctx.persisted and bool(ctx.issue.discussion_locked) != locking:
        ctx.updates["discussion_locked"] = locking
        ctx.messages.append("Locked the discussion." if locking else "Unlocked the discussion.")


def _severity(ctx: Context, cmd: Command) -> None:
    if ctx.issue.issue_type != "incident":
        return
    wanted = cmd.arg.strip().lower()
    for name, aliases in _SEVERITIES.items():
        if wanted in aliases:
            ctx.updates["severity"] = name
            ctx.messages.append(f"Severity updated to {name.capitalize()}.")
            return
    ctx.messages.append("No severity matches the provided parameter")


def _promote(ctx: Context, cmd: Command) -> None:
    if ctx.issue.issue_type != "incident":
        ctx.updates["issue_type"] = "incident"
        ctx.messages.append("Issue has been promoted to incident")


_HANDLERS = {
    "close": _state, "reopen": _state, "title": _title, "label": _label, "labels": _label,
    "unlabel": _unlabel, "remove_label": _unlabel, "relabel": _relabel, "assign": _assign,
    "unassign": _unassign, "confidential": _confidential, "due": _due_cmd,
    "remove_due_date": _remove_due, "lock": _lock, "unlock": _lock, "severity": _severity,
    "promote_to_incident": _promote,
}


def interpret(ctx: Context, commands: list[Command]) -> Context:
    """Run the commands' conditions and collect their updates (like InterpretService)."""
    for command in commands:
        handler = _HANDLERS.get(command.name)
        if handler is not None:
            handler(ctx, command)
    return ctx
