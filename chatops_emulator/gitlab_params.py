"""Grape-style parameter handling and offset pagination for the GitLab emulator."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any
from urllib.parse import parse_qsl, quote_plus

from chatops_emulator.core import Request, parse_time

ISSUE_TYPES = ("issue", "incident", "test_case", "requirement", "task", "ticket")
SEVERITIES = ("unknown", "low", "medium", "high", "critical")
# Helpers::IssuesHelpers.update_params_at_least_one_of
UPDATE_ONE_OF = ("assignee_id", "assignee_ids", "confidential", "created_at", "description",
                 "discussion_locked", "due_date", "issue_type", "labels", "milestone_id",
                 "milestone", "state_event", "title", "add_labels", "remove_labels")
_TRUE = ("true", "1", "yes", "t", "y")
_FALSE = ("false", "0", "no", "f", "n")


class ParamError(Exception):
    """A Grape validation failure, rendered as 400 {"error": "..."}."""


class ValidationError(Exception):
    """A model validation failure, rendered as 400 {"message": {attribute: [...]}}."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


class Params:
    """Request parameters merged like Grape: path, query string and body (JSON or form)."""

    def __init__(self, request: Request, route: dict[str, Any]) -> None:
        self.values: dict[str, Any] = {}
        self.errors: list[str] = []
        self._merge(request.query)
        self.declared: dict[str, Any] = {**self.values, **route}
        if request.body:
            ctype = request.header("content-type") or ""
            if "json" in ctype:
                try:
                    data = json.loads(request.text)
                except ValueError as exc:
                    raise ParamError(f"There was a problem with the JSON: {exc}") from exc
                if isinstance(data, dict):
                    self.values.update(data)
            else:
                self._merge(parse_qsl(request.text, keep_blank_values=True))
        self.values.update(route)

    def _merge(self, pairs: list[tuple[str, str]]) -> None:
        for key, value in pairs:
            if key.endswith("[]"):
                bucket = self.values.setdefault(key[:-2], [])
                if isinstance(bucket, list):
                    bucket.append(value)
            else:
                self.values[key] = value

    def has(self, name: str) -> bool:
        """Tell whether the client sent a parameter."""
        return name in self.values

    def _keep(self, name: str, value: Any) -> Any:
        self.declared[name] = value
        return value

    def string(self, name: str, default: str | None = None, required: bool = False) -> Any:
        """A String param (numbers are coerced like Grape does)."""
        if name not in self.values or self.values[name] is None:
            if required:
                self.errors.append(f"{name} is missing")
            return self._keep(name, default) if default is not None else None
        value = self.values[name]
        if isinstance(value, (list, dict)):
            self.errors.append(f"{name} is invalid")
            return None
        text = value if isinstance(value, str) else json.dumps(value)
        return self._keep(name, text)

    def choice(self, name: str, values: tuple[str, ...], default: str | None = None) -> Any:
        """A String param restricted to values (Grape `values:`)."""
        value = self.string(name, default)
        if value is not None and value not in values:
            self.errors.append(f"{name} does not have a valid value")
            return default
        return value

    def integer(self, name: str, default: int | None = None) -> int | None:
        """An Integer param."""
        if name not in self.values or self.values[name] in (None, ""):
            return self._keep(name, default) if default is not None else None
        value = self.values[name]
        try:
            if isinstance(value, bool):
                raise ValueError
            number = int(value)
        except (TypeError, ValueError):
            self.errors.append(f"{name} is invalid")
            return default
        return int(self._keep(name, number))

    def boolean(self, name: str) -> bool | None:
        """A Boolean param."""
        if name not in self.values or self.values[name] is None:
            return None
        value = self.values[name]
        if isinstance(value, bool):
            return bool(self._keep(name, value))
        text = str(value).strip().lower()
        if text in _TRUE or text in _FALSE:
            return bool(self._keep(name, text in _TRUE))
        self.errors.append(f"{name} is invalid")
        return None

    def names(self, name: str) -> list[str] | None:
        """A comma-separated list (CommaSeparatedToArray); JSON arrays are accepted too."""
        if name not in self.values or self.values[name] is None:
            return None
        value = self.values[name]
        items = value if isinstance(value, list) else str(value).split(",")
        result = [str(item).strip() for item in items if str(item).strip()]
        return list(self._keep(name, list(dict.fromkeys(result))))

    def hash_names(self, outer: str, inner: str) -> list[str] | None:
        """A list inside a Hash param, e.g. not[labels]=a,b (query) or {"not": {...}}."""
        nested = self.values.get(outer)
        raw = nested.get(inner) if isinstance(nested, dict) else self.values.get(
            f"{outer}[{inner}]")
        if raw is None:
            return None
        items = raw if isinstance(raw, list) else str(raw).split(",")
        result = list(dict.fromkeys(str(i).strip() for i in items if str(i).strip()))
        self.declared[f"{outer}[{inner}]"] = ",".join(result)
        return result

    def integers(self, name: str) -> list[int] | None:
        """An integer array (CommaSeparatedToIntegerArray)."""
        raw = self.names(name)
        if raw is None:
            return None
        try:
            return list(self._keep(name, [int(item) for item in raw]))
        except ValueError:
            self.errors.append(f"{name} is invalid")
            return None

    def time(self, name: str) -> datetime | None:
        """A DateTime param."""
        raw = self.string(name)
        if raw is None:
            return None
        value = parse_time(raw)
        if value is None:
            self.errors.append(f"{name} is invalid")
        return value

    def check(self) -> None:
        """Raise the collected validation errors the way Grape joins them."""
        if self.errors:
            raise ParamError(", ".join(dict.fromkeys(self.errors)))


def _to_query(params: dict[str, Any]) -> str:
    """Ruby Hash#to_query: sorted keys, CGI escaping, arrays as key[]=v."""
    parts: list[str] = []
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, list):
            parts.extend(f"{quote_plus(key + '[]')}={quote_plus(_ruby(v))}" for v in value)
        else:
            parts.append(f"{quote_plus(key)}={quote_plus(_ruby(value))}")
    return "&".join(sorted(parts))


def _ruby(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


# Mirrors gitlab-org/gitlab lib/gitlab/pagination/offset_pagination.rb and
# offset_header_builder.rb (Kaminari): per_page default 20, max 100; x-next-page and
# x-prev-page are "" when absent (also when the page is out of range); x-total-pages is at
# least 1; Link lists prev/next when present, then first and last, built from all params
# (route params and defaults included, Hash#to_query) with page/per_page replaced and the
# per_page the client asked for.
def paginate(items: list[Any], params: Params, request: Request,
             ) -> tuple[list[Any], list[tuple[str, str]]]:
    """Slice a list and build GitLab's offset pagination headers."""
    page = params.integer("page", 1)
    asked = params.integer("per_page", 20)
    params.check()
    page, asked = 1 if page is None else page, 20 if asked is None else asked
    # lib/api/concerns/pagination_params.rb: except_values: [0], and with the
    # only_positive_pagination_values flag, page/per_page below 1 are rejected.
    if asked == 0:
        raise ParamError("per_page has a value not allowed")
    if page < 1 or asked < 1:
        raise ParamError(f"{'page' if page < 1 else 'per_page'} does not have a valid value")
    per_page = min(asked, 100)
    total = len(items)
    total_pages = (total + per_page - 1) // per_page
    out_of_range = page > total_pages
    next_page = page + 1 if page < total_pages and not out_of_range else None
    prev_page = page - 1 if page > 1 and not out_of_range else None
    last = max(total_pages, 1)
    base = request.base_url + request.path

    def href(number: int) -> str:
        query = dict(params.declared, page=number, per_page=asked)
        return f"{base}?{_to_query(query)}"

    links = []
    if prev_page:
        links.append(f'<{href(prev_page)}>; rel="prev"')
    if next_page:
        links.append(f'<{href(next_page)}>; rel="next"')
    links += [f'<{href(1)}>; rel="first"', f'<{href(last)}>; rel="last"']
    headers = [
        ("X-Per-Page", str(per_page)), ("X-Page", str(page)),
        ("X-Next-Page", str(next_page or "")), ("X-Prev-Page", str(prev_page or "")),
        ("Link", ", ".join(links)), ("X-Total", str(total)), ("X-Total-Pages", str(last)),
    ]
    start = (page - 1) * per_page
    return items[start : start + per_page], headers


def issue_fields(params: Params, create: bool) -> dict[str, Any]:
    """Validate POST/PUT issue params like lib/api/issues.rb + Issue model validations."""
    fields: dict[str, Any] = {
        "title": params.string("title", required=create),
        "description": params.string("description"),
        "labels": params.names("labels"),
        "add_labels": params.names("add_labels"),
        "remove_labels": params.names("remove_labels"),
        "issue_type": params.choice("issue_type", ISSUE_TYPES),
        "severity": params.choice("severity", SEVERITIES),
        "confidential": params.boolean("confidential"),
        "discussion_locked": params.boolean("discussion_locked"),
        "assignee_ids": params.integers("assignee_ids"),
        "due_date": params.string("due_date"),
    }
    single = params.integer("assignee_id")
    if single is not None and fields["assignee_ids"] is None:
        fields["assignee_ids"] = [single] if single else []
    if not create:
        fields["state_event"] = params.choice("state_event", ("reopen", "close"))
        if not any(params.has(name) for name in UPDATE_ONE_OF):
            params.errors.append(", ".join(UPDATE_ONE_OF)
                                 + " are missing, at least one parameter must be provided")
    params.check()
    errors: dict[str, list[str]] = {}
    if fields["title"] is not None:
        if not fields["title"].strip():
            errors["title"] = ["can't be blank"]
        elif len(fields["title"]) > 255:
            errors["title"] = ["is too long (maximum is 255 characters)"]
    if fields["description"] is not None and len(fields["description"]) > 1_048_576:
        errors["description"] = ["is too long (maximum is 1048576 characters)"]
    if fields["due_date"] == "":
        fields["due_date"] = None
    elif fields["due_date"]:
        try:
            fields["due_date"] = date.fromisoformat(fields["due_date"])
        except ValueError:
            errors["due_date"] = ["is invalid"]
    if errors:
        raise ValidationError(errors)
    return {k: v for k, v in fields.items() if v is not None or params.has(k)}
