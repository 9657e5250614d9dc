"""GitLab project labels API: GET/POST /projects/:id/labels, GET/PUT/DELETE .../:label_id."""

# Behaviour sources (gitlab-org/gitlab):
# - lib/api/labels.rb: `before { authenticate! }` on every route (GET too: 401 before any
#   param check); list params with_counts (default false), include_ancestor_groups (default
#   true), search + pagination; the deprecated PUT/DELETE /projects/:id/labels take
#   `exactly_one_of :label_id, :name` (python-gitlab's ProjectLabel.save() uses that PUT).
# - lib/api/helpers/label_helpers.rb: find_label = find_by_id(id_or_title) ||
#   find_by_title(...) || not_found!('Label'); create_label checks find_by_title(params[:name])
#   and answers conflict!('Label already exists') (409) before building the model, then
#   prioritize!(priority) if priority; update_label: at_least_one_of new_name, color,
#   description, priority, archived; a priority key set to null unprioritizes; delete_label:
#   destroy_conditionally! -> 204 without body.
# - app/models/label.rb (+ concerns): title/description setters sanitize HTML
#   (Sanitize.clean + CGI.unescapeHTML, blank values kept as given), title stripped, then
#   validates color (ColorValidator), title presence, format /\A[^,]+\z/, uniqueness per
#   project, length <= 255; errors render as 400 {"message": {attribute: [...]}};
#   default order title asc; Label.search = fuzzy_search(query, [:title, :description]) with
#   min_chars_for_partial_matching 1 (every term is a case-insensitive substring, terms
#   AND-ed per column, columns OR-ed).
# - app/services/labels/{create,update}_service.rb: CSS colour names become hex
#   (Gitlab::Color.of, see gitlab_colors); UpdateService renames via new_name.
# - app/models/label_priority.rb: priority >= 0; prioritize! uses save!, so a negative one
#   raises after the label was saved: `rescue_from :all` answers 500 (lib/api/api.rb).
# - Label has_many :label_links, dependent: :destroy (the label leaves every issue, no
#   system note, no label event, updated_at untouched); resource_label_events.label_id is
#   ON DELETE SET NULL (db/migrate ..._create_resource_label_events.rb), so past events
#   keep `"label": null`.
# The emulator has no group labels; membership decides only who sees a project
# (gitlab_members.py): roles do not restrict writes (a Guest could create labels here).

from __future__ import annotations

import html
import re
from collections.abc import Callable

from chatops_emulator.core import Request, Response, json_response
from chatops_emulator.gitlab_colors import DEFAULT_COLOR, parse_color
from chatops_emulator.gitlab_model import Label, Project, User, label_json, label_order
from chatops_emulator.gitlab_params import Params, ValidationError, paginate
from chatops_emulator.gitlab_search import search_terms
from chatops_emulator.gitlab_state import GitLabState

UPDATE_ONE_OF = ("new_name", "color", "description", "priority", "archived")
# ActiveRecord casts a String id with String#to_i: leading blanks, a sign, then digits.
_TO_I = re.compile(r"\s*[+-]?\d+")
# Sanitize.clean (approximation): drop tags and comments, and the contents of the elements
# Sanitize removes entirely; text and entities survive (CGI.unescapeHTML decodes them).
_DROPPED = re.compile(r"<(script|style|iframe|noscript|svg|math|xmp|noembed|noframes)\b.*?"
                      r"(?:</\1\s*>|\Z)", re.I | re.S)
_TAG = re.compile(r"<!--.*?(?:-->|\Z)|</?[A-Za-z][^>]*>?", re.S)
_NOT_FOUND = {"message": "404 Label Not Found"}


def _sanitize(value: str) -> str:
    return html.unescape(_TAG.sub("", _DROPPED.sub("", value)))


def _title(value: str | None) -> str:
    """Label#title= (sanitize unless blank) followed by strip_whitespace_from_title."""
    text = value or ""
    return (_sanitize(text) if text.strip() else text).strip()


def find_label(project: Project, ident: str) -> Label | None:
    """Resolve an id or title the way find_label does."""
    match = _TO_I.match(ident)
    if match:
        wanted = int(match.group())
        found = next((lb for lb in project.labels.values() if lb.id == wanted), None)
        if found is not None:
            return found
    return project.labels.get(ident)


def _matches(label: Label, query: str) -> bool:
    terms = [t.lower() for t in search_terms(" ".join(query.split()))]
    columns = [c.lower() for c in (label.name, label.description) if c is not None]
    return not terms or any(all(t in col for t in terms) for col in columns)


def _validate(project: Project, label: Label | None, title: str | None,
              color: str | None) -> str | None:
    """Run the Label validations; return the colour to store (None: unchanged)."""
    errors: dict[str, list[str]] = {}
    stored = parse_color(color) if color is not None else None
    if color is not None and stored is None:
        errors["color"] = ["must be a valid color code"]
    if title is not None:
        messages = [] if title else ["can't be blank"]
        if not title or "," in title:
            messages.append("is invalid")
        other = project.labels.get(title)
        if other is not None and other is not label:
            messages.append("has already been taken")
        if len(title) > 255:
            messages.append("is too long (maximum is 255 characters)")
        if messages:
            errors["title"] = messages
    if errors:
        raise ValidationError(errors)
    return stored


def _rename(project: Project, label: Label, title: str) -> None:
    project.labels = {(title if lb is label else name): lb
                      for name, lb in project.labels.items()}
    label.name = title


class LabelRoutes:
    """Serve /projects/:id/labels[/:label_id] for GitLabApp."""

    def __init__(self, state: GitLabState, find_project: Callable[[str, User | None], Project],
                 need: Callable[[User | None], User]) -> None:
        self.state, self._project, self._need = state, find_project, need

    def handle(self, request: Request, method: str, ident: str, rest: list[str],
               user: User | None) -> Response | None:
        """Answer a labels route, or None when the method/path is not one."""
        if len(rest) > 1 or method not in ("GET", "POST", "PUT", "DELETE") or (
                method == "POST" and rest):
            return None
        member = self._need(user)  # before { authenticate! }
        params = Params(request, {"id": ident, **({"name": rest[0]} if rest else {})})
        if method == "GET" and not rest:
            return self._list(request, params, ident, member)
        if method == "GET":
            params.boolean("include_ancestor_groups")
            params.check()
            project = self._project(ident, member)
            with self.state.lock:
                label = find_label(project, rest[0])
                if label is None:
                    return json_response(404, _NOT_FOUND)
                return json_response(200, label_json(label, project))
        if method == "POST":
            return self._create(params, ident, member)
        if method == "PUT":
            return self._update(params, ident, rest, member)
        key = rest[0] if rest else self._one_of(params)
        params.check()
        project = self._project(ident, member)
        with self.state.lock:
            label = find_label(project, key)
            if label is None:
                return json_response(404, _NOT_FOUND)
            self._delete(project, label)
        return Response(204, b"", content_type="application/json")

    def _list(self, request: Request, params: Params, ident: str, user: User) -> Response:
        with_counts = params.boolean("with_counts")
        params.boolean("include_ancestor_groups")
        params.declared.setdefault("with_counts", False)
        params.declared.setdefault("include_ancestor_groups", True)
        query = params.string("search")
        params.check()
        project = self._project(ident, user)
        with self.state.lock:
            labels = sorted(project.labels.values(), key=label_order)
            if query:
                labels = [label for label in labels if _matches(label, query)]
            page, headers = paginate(labels, params, request)
            data = [label_json(label, project, bool(with_counts)) for label in page]
        return json_response(200, data, headers)

    def _create(self, params: Params, ident: str, user: User) -> Response:
        name = params.string("name", required=True)
        color = params.string("color", required=True)
        description = params.string("description")
        archived = params.boolean("archived")
        priority = params.integer("priority")
        params.check()
        project = self._project(ident, user)
        # One critical section from the existence check to the insert: two concurrent
        # POSTs of one name give exactly one 201 and one 409 (the "create label" mutex).
        # Real GitLab is not atomic here: the unique index labels(project_id, title) WHERE
        # group_id IS NULL keeps one winner, but a loser that passed find_by_title gets 400
        # {"title":["has already been taken"]} or 500 (RecordNotUnique) instead of 409.
        with self.state.lock:
            if project.labels.get(name) is not None:
                return json_response(409, {"message": "Label already exists"})
            title = _title(name)
            stored = _validate(project, None, title, color)
            text = description if not description or not description.strip() else _sanitize(
                description)
            label = Label(self.state.next_id("label"), title, stored or DEFAULT_COLOR, text,
                          archived=bool(archived))
            project.labels[title] = label
            if priority is not None:  # `if priority`: 0 prioritizes too
                if priority < 0:
                    return json_response(500, {"message": "500 Internal Server Error"})
                label.priority = priority
            return json_response(201, label_json(label, project))

    def _update(self, params: Params, ident: str, rest: list[str], user: User) -> Response:
        fields = {name: params.string(name) for name in ("new_name", "color", "description")}
        archived = params.boolean("archived")
        priority = params.integer("priority")  # allow_blank: "" is null
        if not any(params.has(name) for name in UPDATE_ONE_OF):
            params.errors.append(", ".join(UPDATE_ONE_OF)
                                 + " are missing, at least one parameter must be provided")
        key = rest[0] if rest else self._one_of(params)
        params.check()
        project = self._project(ident, user)
        with self.state.lock:
            label = find_label(project, key)
            if label is None:
                return json_response(404, _NOT_FOUND)
            title = _title(fields["new_name"]) if params.has("new_name") else None
            stored = _validate(project, label, title, fields["color"])
            if title is not None and title != label.name:
                _rename(project, label, title)
            if params.has("color"):
                label.color = stored or DEFAULT_COLOR  # color: null reads back the default
            if params.has("description"):
                text = fields["description"]
                label.description = _sanitize(text) if text and text.strip() else text
            if archived is not None:
                label.archived = archived
            if params.has("priority"):
                if priority is not None and priority < 0:
                    return json_response(500, {"message": "500 Internal Server Error"})
                label.priority = priority
            return json_response(200, label_json(label, project))

    @staticmethod
    def _one_of(params: Params) -> str:
        """The deprecated routes' label_id/name params (`exactly_one_of :label_id, :name`)."""
        label_id, name = params.integer("label_id"), params.string("name")
        given = [key for key in ("label_id", "name") if params.has(key)]
        if len(given) != 1:
            params.errors.append("label_id, name " + (
                "are mutually exclusive" if given else
                "are missing, exactly one parameter must be provided"))
        return str(label_id) if label_id is not None else str(name or "")

    @staticmethod
    def _delete(project: Project, label: Label) -> None:
        del project.labels[label.name]
        for issue in project.issues.values():
            issue.labels = [lb for lb in issue.labels if lb is not label]
            for event in issue.label_events:
                if event.label is label:
                    event.label = None
