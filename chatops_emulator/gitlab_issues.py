"""GitLab issue lists: GET /projects/:id/issues and the global GET /issues."""

# lib/api/issues.rb (gitlab-org/gitlab): both lists take labels (comma-separated, AND-ed,
# None/Any), not[labels] (optional :not, type: Hash; IssuableFinder drops issues carrying any
# of the negated labels), scope (created_by_me/assigned_to_me/all, dashes allowed) and state
# (default all).  The global list defaults to scope=created_by_me and calls `authenticate!
# unless params[:scope] == 'all'`; it lists the projects the user can see (gitlab_members).

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chatops_emulator.core import Request, Response, json_response
from chatops_emulator.gitlab_model import Issue, Project, User, issue_json
from chatops_emulator.gitlab_params import ISSUE_TYPES, Params, paginate
from chatops_emulator.gitlab_search import IssueFilter, sort_key
from chatops_emulator.gitlab_state import GitLabState

ISSUE_ORDER = ("created_at", "due_date", "label_priority", "milestone_due", "popularity",
               "priority", "relative_position", "title", "updated_at", "weight")
SCOPES = ("created_by_me", "created-by-me", "assigned_to_me", "assigned-to-me", "all")


def issue_filter(params: Params, user: User | None, scope: str) -> IssueFilter:
    """Read the shared list filters (scope relative to the token's user)."""
    me = user.id if user is not None else -1
    assignee = str(me) if scope == "assigned_to_me" else params.string("assignee_id")
    if params.boolean("with_labels_details") is None:
        params.declared["with_labels_details"] = False
    return IssueFilter(
        state=params.choice("state", ("opened", "closed", "all"), "all"),
        labels=params.names("labels"), not_labels=params.hash_names("not", "labels"),
        iids=params.integers("iids"),
        creator_id=me if scope == "created_by_me" else None,
        search=params.string("search"), scope=params.string("in"),
        issue_type=params.choice("issue_type", ISSUE_TYPES),
        confidential=params.boolean("confidential"), author_id=params.integer("author_id"),
        assignee=assignee, created_after=params.time("created_after"),
        created_before=params.time("created_before"),
        updated_after=params.time("updated_after"),
        updated_before=params.time("updated_before"),
    )


def list_issues(state: GitLabState, request: Request, ident: str | None, user: User | None,
                find_project: Callable[[str, User | None], Project],
                unauthorized: Callable[[], Exception]) -> Response:
    """One project's issues (ident) or every visible issue (ident None)."""
    params = Params(request, {"id": ident} if ident is not None else {})
    order = params.choice("order_by", ISSUE_ORDER, "created_at")
    sort = params.choice("sort", ("asc", "desc"), "desc")
    scope = params.choice("scope", SCOPES, "all" if ident is not None else "created_by_me")
    wanted = issue_filter(params, user, str(scope).replace("-", "_"))
    params.check()
    if ident is None and user is None and scope != "all":
        raise unauthorized()
    projects = [find_project(ident, user)] if ident is not None else None
    with state.lock:
        if projects is None:
            projects = [p for p in state.projects.values() if state.members.can_see(p, user)]
        pairs: list[tuple[Issue, Project]] = [
            (issue, project) for project in projects for issue in project.issues.values()
            if wanted.accepts(issue)]
        pairs.sort(key=lambda pair: sort_key(pair[0], order), reverse=sort == "desc")
        page, headers = paginate(pairs, params, request)
        data: list[dict[str, Any]] = [
            issue_json(issue, project, state.users, state.base_url, False)
            for issue, project in page]
    return json_response(200, data, headers)
