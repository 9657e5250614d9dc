"""GitLab membership: who may see a project, and GET /projects/:id/members[/all]/:user_id."""

# Behaviour sources (gitlab-org/gitlab):
# - lib/api/members.rb: `before { authenticate! }`; GET ":id/members/:user_id" looks in the
#   source's direct members, GET ":id/members/all/:user_id" in find_all_members (direct plus
#   inherited from ancestor groups); both `find_source` first (an invisible project is
#   "404 Project Not Found") and then `members.find_by!(user_id:)`, whose RecordNotFound
#   lib/api/api.rb answers with 404 {"message": "404 Not found"}: a non-member and a
#   nonexistent user get the same answer.
# - doc/api/members.md: access levels (Gitlab::Access) 0 none, 5 minimal, 10 guest,
#   15 planner, 20 reporter, 30 developer, 40 maintainer, 50 owner; "including inherited"
#   returns, for a user with several memberships, only the one with the highest
#   access_level.  Entities::Member: id, username, name, state, avatar_url, web_url,
#   access_level, created_at, expires_at, membership_state ...
# - doc/user/public_access.md: a private project is visible only to its members (direct or
#   inherited); an internal one to every signed-in user; a public one to everyone.
#   ProjectPolicy: a guest may read the issues of a private project.

from __future__ import annotations

from typing import Any

from chatops_emulator.core import Response, gitlab_time, json_response, utcnow
from chatops_emulator.gitlab_model import Project, User

GUEST, REPORTER, DEVELOPER, MAINTAINER, OWNER = 10, 20, 30, 40, 50


class Membership:
    """Direct memberships of groups and projects, keyed by full path (case-insensitive)."""

    def __init__(self) -> None:
        self._direct: dict[str, dict[int, int]] = {}
        self._since = utcnow()

    def add(self, path: str, user_id: int, access_level: int) -> None:
        """Make a user a direct member of a group or project (the caller holds the lock)."""
        self._direct.setdefault(path.lower(), {})[user_id] = access_level

    def direct(self, path: str, user_id: int) -> int:
        """The user's direct access level in a group or project (0: none)."""
        return self._direct.get(path.lower(), {}).get(user_id, 0)

    def inherited(self, path: str, user_id: int) -> int:
        """The highest access level, direct or through an ancestor group (0: none)."""
        parts = path.lower().split("/")
        return max(self.direct("/".join(parts[:n]), user_id) for n in range(1, len(parts) + 1))

    def can_see(self, project: Project, user: User | None) -> bool:
        """Project visibility: public to all, internal to signed-in users, private to members."""
        if project.visibility == "public":
            return True
        if user is None:
            return False
        return project.visibility == "internal" or self.inherited(project.path, user.id) >= GUEST

    def answer(self, project: Project, user: User | None, deep: bool, base: str) -> Response:
        """GET /projects/:id/members[/all]/:user_id for an already visible project."""
        if user is None:
            return json_response(404, {"message": "404 Not found"})
        level = (self.inherited if deep else self.direct)(project.path, user.id)
        if level == 0:
            return json_response(404, {"message": "404 Not found"})
        data: dict[str, Any] = {**user.json(base), "access_level": level,
                                "created_at": gitlab_time(self._since), "expires_at": None,
                                "membership_state": "active"}
        return json_response(200, data)
