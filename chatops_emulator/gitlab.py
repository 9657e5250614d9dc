"""GitLab REST v4 routes (projects, issues, notes, resource label events)."""

# Behaviour sources (gitlab-org/gitlab): lib/api/api.rb (catch-all 404 {"error":"404 Not
# Found"}, RecordNotFound -> {"message":"404 Not found"}), lib/api/helpers.rb (not_found!,
# unauthorized!, find_project!), lib/api/issues.rb (authenticate_non_get!, params, values),
# lib/api/notes.rb + helpers/notes_helpers.rb (authenticate!, 202 for command-only notes,
# "404 Issue Not Found" from find_noteable), lib/api/resource_label_events.rb; project labels
# (lib/api/labels.rb) are in gitlab_labels.py.

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from chatops_emulator import gitlab_faults
from chatops_emulator.core import Request, Response, json_response, text_response
from chatops_emulator.gitlab_issue_writes import create_issue, create_note, update_issue
from chatops_emulator.gitlab_issues import list_issues
from chatops_emulator.gitlab_labels import LabelRoutes
from chatops_emulator.gitlab_model import (
    Issue,
    Project,
    User,
    issue_json,
    label_event_json,
    note_json,
)
from chatops_emulator.gitlab_params import (
    ParamError,
    Params,
    ValidationError,
    issue_fields,
    paginate,
)
from chatops_emulator.gitlab_state import GitLabState

_HEADERS = [("Cache-Control", "max-age=0, private, must-revalidate"),
            ("Vary", "Origin, Accept-Encoding"), ("X-Content-Type-Options", "nosniff"),
            ("X-Frame-Options", "SAMEORIGIN")]


class HaltError(Exception):
    """Stop handling with a ready response."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


def _error(status: int, message: Any, key: str = "message") -> HaltError:
    return HaltError(json_response(status, {key: message}))


class GitLabApp:
    """The GitLab REST v4 subset ChatOps uses."""

    service = "gitlab"
    server_header = "nginx"

    def __init__(self, state: GitLabState) -> None:
        self.state = state
        self._labels = LabelRoutes(state, self._project, self._need)

    def handle(self, request: Request) -> Response:
        """Route one request."""
        if not request.path.startswith("/api/"):
            return text_response(404, "<!DOCTYPE html><html><body>404</body></html>",
                                 "text/html; charset=utf-8")
        try:
            response = self._route(request)
        except HaltError as halt:
            response = halt.response
        except ParamError as exc:
            response = json_response(400, {"error": str(exc)})
        except ValidationError as exc:  # render_validation_error!
            response = json_response(400, {"message": exc.errors})
        response.headers = _HEADERS + response.headers
        return response

    def fault_response(self, status: int, retry_after: int | None, body: Any,
                       request: Request) -> Response:
        """429 like Rack::Attack on GitLab.com, other statuses like render_api_error!."""
        return gitlab_faults.fault_response(status, retry_after, body)

    # -- routing -----------------------------------------------------------------------
    def _route(self, request: Request) -> Response:
        seg, method = request.segments, request.method.upper()
        method = "GET" if method == "HEAD" else method
        if seg[:2] != ["api", "v4"]:
            raise _error(404, "404 Not Found", "error")
        user = self._user(request)
        route = seg[2:]
        if route == ["user"] and method == "GET":
            return json_response(200, self._need(user).json(self.state.base_url))
        if route == ["issues"] and method == "GET":
            return list_issues(self.state, request, None, user, self._project,
                               lambda: _error(401, "401 Unauthorized"))
        if len(route) < 2 or route[0] != "projects":
            raise _error(404, "404 Not Found", "error")
        sub, ident = route[2:], route[1]
        if sub == [] and method == "GET":
            project = self._project(ident, user)
            with self.state.lock:
                return json_response(200, project.json(self.state.base_url,
                                                       self.state.namespace(project)))
        if sub == ["issues"] and method in ("GET", "POST"):
            if method == "POST":
                return self._create_issue(request, ident, self._need(user))
            return list_issues(self.state, request, ident, user, self._project,
                               lambda: _error(401, "401 Unauthorized"))
        if len(sub) >= 2 and sub[0] == "issues":
            return self._issue_route(request, method, ident, sub[1], sub[2:], user)
        if sub[:1] == ["members"] and method == "GET" and (
                len(sub) == 2 or (len(sub) == 3 and sub[1] == "all")):
            member = self._need(user)  # before { authenticate! }
            params = Params(request, {"id": ident, "user_id": sub[-1]})
            uid = params.integer("user_id")
            params.check()
            project = self._project(ident, member)
            with self.state.lock:
                target = self.state.users.get(uid or 0)
                return self.state.members.answer(project, target, len(sub) == 3,
                                                 self.state.base_url)
        if sub[:1] == ["labels"]:  # gitlab_labels.py
            answer = self._labels.handle(request, method, ident, sub[1:], user)
            if answer is not None:
                return answer
        raise _error(404, "404 Not Found", "error")

    def _issue_route(self, request: Request, method: str, ident: str, iid_text: str,
                     rest: list[str], user: User | None) -> Response:
        key = "noteable_id" if rest == ["notes"] else (
            "eventable_id" if rest == ["resource_label_events"] else "issue_iid")
        if rest == [] and method in ("GET", "PUT"):
            if method == "PUT":
                self._need(user)
            params = Params(request, {"id": ident, key: iid_text})
            iid = params.integer(key)
            params.check()
            project = self._project(ident, user)
            issue = project.issues.get(iid or 0)
            if issue is None:
                raise _error(404, "404 Not found")
            if method == "GET":
                return json_response(200, self._issue(issue, project))
            return self._update_issue(params, project, issue, self._need(user))
        if rest in (["notes"], ["resource_label_events"]) and (
                method == "GET" or (rest == ["notes"] and method == "POST")):
            member = self._need(user)  # notes and label events call authenticate!
            params = Params(request, {"id": ident, key: iid_text})
            iid = params.integer(key)
            body = params.string("body", required=True) if method == "POST" else ""
            if method == "POST":
                params.boolean("internal")
            params.check()
            project = self._project(ident, member)
            issue = project.issues.get(iid or 0)
            if issue is None:
                raise _error(404, "404 Issue Not Found")
            if rest == ["resource_label_events"]:
                return self._label_events(request, params, project, issue)
            if method == "GET":
                return self._list_notes(request, params, project, issue)
            return self._create_note(params, project, issue, member, body)
        raise _error(404, "404 Not Found", "error")

    # -- auth and lookups ----------------------------------------------------------------
    def _user(self, request: Request) -> User | None:
        auth = request.header("authorization") or ""
        token = request.header("private-token") or (
            auth[7:].strip() if auth.lower().startswith("bearer ") else "")
        if not token:
            token = dict(request.query).get("private_token") or \
                dict(request.query).get("access_token") or ""
        if not token:
            return None  # an empty token is anonymous (gitlab-org/gitlab#36367)
        user = self.state.user_for_token(token)
        if user is None:
            raise _error(401, "401 Unauthorized")
        if token in self.state.read_only_tokens and request.method.upper() not in ("GET",
                                                                                   "HEAD"):
            # rack-oauth2 Bearer::Forbidden(:insufficient_scope, DEFAULT_DESCRIPTION, scope)
            # as raised by lib/api/api_guard.rb for Gitlab::Auth::InsufficientScopeError.
            raise HaltError(json_response(403, {
                "error": "insufficient_scope",
                "error_description": "The request requires higher privileges than provided "
                                     "by the access token.",
                "scope": "api"}))
        return user

    @staticmethod
    def _need(user: User | None) -> User:
        if user is None:
            raise _error(401, "401 Unauthorized")
        return user

    # lib/api/helpers.rb find_project!: invisible projects are "404 Project Not Found"
    # (private: members only, gitlab_members.py), the same answer as for a missing one.
    def _project(self, ident: str, user: User | None) -> Project:
        project = self.state.find_project(ident)
        if project is None or not self.state.members.can_see(project, user):
            raise _error(404, "404 Project Not Found")
        return project

    def _issue(self, issue: Issue, project: Project, subscribed: bool = True) -> dict[str, Any]:
        return issue_json(issue, project, self.state.users, self.state.base_url, subscribed)

    # -- issues --------------------------------------------------------------------------
    def _create_issue(self, request: Request, ident: str, user: User) -> Response:
        params = Params(request, {"id": ident})
        fields = issue_fields(params, create=True)
        project = self._project(ident, user)
        issue = create_issue(self.state, project, user, fields)
        with self.state.lock:
            return json_response(201, self._issue(issue, project))

    def _update_issue(self, params: Params, project: Project, issue: Issue,
                      user: User) -> Response:
        fields = issue_fields(params, create=False)
        fields.pop("issue_iid", None)
        update_issue(self.state, project, issue, user, fields)
        with self.state.lock:
            return json_response(200, self._issue(issue, project))

    # -- notes and label events ----------------------------------------------------------
    def _list_notes(self, request: Request, params: Params, project: Project,
                    issue: Issue) -> Response:
        order = params.choice("order_by", ("created_at", "updated_at"), "created_at")
        sort = params.choice("sort", ("asc", "desc"), "desc")
        kind = params.choice("activity_filter", ("all_notes", "only_comments",
                                                 "only_activity"), "all_notes")
        params.check()
        with self.state.lock:
            notes = [n for n in issue.notes if kind == "all_notes"
                     or (kind == "only_comments") != n.system]
            notes.sort(key=lambda n: (getattr(n, order), n.id), reverse=sort == "desc")
            page, headers = paginate(notes, params, request)
            data = [note_json(n, issue, project, self.state.users, self.state.base_url)
                    for n in page]
        return json_response(200, data, headers)

    def _create_note(self, params: Params, project: Project, issue: Issue, user: User,
                     body: str) -> Response:
        if not body.strip():
            raise _error(400, "400 Bad request - Note {:note=>[\"can't be blank\"]}")
        if len(body) > 1_000_000:
            raise _error(400, "400 Bad request - Note {:note=>[\"is too long (maximum is "
                              "1000000 characters)\"]}")
        note, ctx = create_note(self.state, project, issue, user, body,
                                bool(params.boolean("internal")))
        if note is None:  # only quick actions: Entities::NoteCommands, 202 Accepted
            changes = {k: ([lb.id for lb in v] if k.endswith("label_ids") else v)
                       for k, v in ctx.updates.items()}
            return json_response(202, {"commands_changes": _jsonable(changes),
                                       "summary": ctx.messages})
        with self.state.lock:
            return json_response(201, note_json(note, issue, project, self.state.users,
                                                self.state.base_url))

    def _label_events(self, request: Request, params: Params, project: Project,
                      issue: Issue) -> Response:
        with self.state.lock:
            page, headers = paginate(sorted(issue.label_events, key=lambda e: e.id), params,
                                     request)
            data = [label_event_json(e, issue, self.state.users, self.state.base_url)
                    for e in page]
        return json_response(200, data, headers)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value

