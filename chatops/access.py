"""Authorisation of a requester before chatops reads or writes an issue of another project."""

from __future__ import annotations

from typing import Protocol

from chatops.audit import AuditLog
from chatops.core import access
from chatops.core.refs import IssueRef
from chatops.errors import ChatopsError, NotAllowedError


class Members(Protocol):
    """The one GitLab read authorisation needs."""

    def access_level(self, project: str, user_id: int) -> int:
        """The user's access level in a project, inherited included (0: not a member)."""


def authorise(members: Members, verb: str, ref: IssueRef, incident_project: str,
              user_id: str, login: str, audit: AuditLog) -> str:
    """Raise NotAllowedError unless the requester may act on the issue; reads only membership.

    Runs before the issue is read, and every refusal (not a member, no such project) has
    the same wording, so a refusal never tells whether the issue exists. Returns "" when
    allowed, or the problem when GitLab could not answer: the caller must then leave the
    issue alone (and may still page).
    """
    if not access.needs_role(ref, incident_project):
        return ""
    project = ref.project or incident_project
    who = f"@{login}" if login else "the requester"
    if not user_id.isdigit():
        audit.record("authorise", project, "refused", "GITLAB_USER_ID is not set")
        raise NotAllowedError(*access.unknown_requester(verb, ref, incident_project))
    try:
        level = members.access_level(project, int(user_id))
    except ChatopsError as exc:
        audit.record("authorise", project, "error", str(exc))
        return f"could not check {who}'s role in {project}: {exc.message}"
    if not access.allowed(level):
        audit.record("authorise", project, "refused", f"user {user_id} access_level={level}")
        raise NotAllowedError(*access.refusal(verb, ref, incident_project, who))
    audit.record("authorise", project, "ok", f"user {user_id} access_level={level}")
    return ""
