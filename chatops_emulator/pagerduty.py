"""PagerDuty REST v2 routes: on-calls, incidents, log entries, users, change events."""

# Shapes and errors come from the official REST OpenAPI spec (Oncall, Incident, LogEntry,
# Pagination; error object {"error": {"message", "code", "errors"}}) and PagerDuty/
# developer-docs docs/REST-API/{09-Pagination,14-Errors,04-Rate-Limits}.md: limit defaults to
# 25 and is capped at 100, `total` is null unless total=true, offset+limit may not exceed
# 10000 (400), 401 is code 2006 "Authentication failed", unknown resources 404 code 2100,
# 429 is {"error":{"message":"Rate Limit Exceeded","code":2020}} with ratelimit-* headers.
# GET /escalation_policies/{id} answers 404 for an unknown policy, while /oncalls only filters.
# GET /users?query= "shows only the records whose name matches" (spec); the official Python
# client's find(..., attribute="email") relies on it matching emails too.  GET /incidents
# filters created_at through pagerduty_query.incident_window (date_range/since/until rules
# and sources there); GET /change_events and /services/{id}/change_events live in
# pagerduty_changes.py.

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, tzinfo
from functools import partial
from typing import Any

from chatops_emulator.core import Request, Response, json_response, utcnow
from chatops_emulator.pagerduty_changes import list_change_events, one_change_event
from chatops_emulator.pagerduty_grouping import (
    incident_alerts,
    services_json,
)
from chatops_emulator.pagerduty_model import Incident, LogEntry, error_body, user_json
from chatops_emulator.pagerduty_oncalls import list_oncalls
from chatops_emulator.pagerduty_query import InvalidError, Query, bad, incident_window
from chatops_emulator.pagerduty_services import policy_json, service_json
from chatops_emulator.pagerduty_state import PagerDutyState
from chatops_emulator.pagerduty_write import handle_write

_STATUSES = ("triggered", "acknowledged", "resolved")
_OVERVIEW = ("trigger", "acknowledge", "resolve", "assign", "escalate", "reassign")


class PagerDutyRestApp:
    """The PagerDuty REST API v2 subset ChatOps uses."""

    service = "pd-rest"
    server_header = "nginx"

    def __init__(self, state: PagerDutyState) -> None:
        self.state = state

    def handle(self, request: Request) -> Response:
        """Authenticate and route one request."""
        # Authorization: Token token=<key> (docs/REST-API/02-Authentication.md).  The Accept
        # versioning header is recorded but not enforced: without it the version follows the
        # token, and new tokens get the latest, v2 (docs/REST-API/03-Versioning.md).
        auth = request.header("authorization") or ""
        token = auth[len("Token token="):] if auth.startswith("Token token=") else (
            auth[7:] if auth.startswith("Bearer ") else "")
        if token.strip() not in self.state.tokens:
            return json_response(401, error_body("Authentication failed", 2006))
        seg = request.segments
        try:
            if request.method in ("GET", "HEAD"):
                return self._get(request, seg, Query(request))
            if request.method in ("PUT", "POST"):
                return handle_write(self.state, request, seg)
        except InvalidError as exc:
            return exc.response
        return json_response(404, error_body("Not Found", 2100))

    def fault_response(self, status: int, retry_after: int | None, body: Any,
                       request: Request) -> Response:
        """429 as PagerDuty sends it (ratelimit-* headers, no Retry-After), else an error."""
        # developer-docs docs/REST-API/04-Rate-Limits.md "Reaching the limit": status 429,
        # ratelimit-limit: 960, ratelimit-remaining: 0, ratelimit-reset: <seconds until the
        # limit resets>, body {"error": {"message": "Rate Limit Exceeded", "code": 2020}}.
        # The fault's retry_after is the reset in seconds (20 when not given, as the doc's
        # example). PagerDuty sends no Retry-After header.
        if status == 429:
            reset = 20 if retry_after is None else retry_after
            response = json_response(429, error_body("Rate Limit Exceeded", 2020), [
                ("ratelimit-limit", "960"), ("ratelimit-remaining", "0"),
                ("ratelimit-reset", str(reset))])
        else:
            response = json_response(status, error_body(
                "An internal error has occurred. PagerDuty team has been notified.", 2000))
        if body is not None:
            response.body = json_response(status, body).body
        return response

    def _get(self, request: Request, seg: list[str], query: Query) -> Response:
        zone = query.zone()
        if seg == ["oncalls"]:
            return self._page("oncalls", list_oncalls(self.state, query, zone), query)
        if seg == ["incidents"]:
            return self._page("incidents", self._incidents(query), query,
                              lambda i: self.state.incident_json(i, zone))
        if seg == ["log_entries"]:
            with self.state.lock:
                entries = self._since_until(query, [(e.created_at, e) for e in
                                                    self.state.log_entries])
                return self._page("log_entries", self._entries(entries, query), query,
                                  self._entry_renderer(query, zone))
        if len(seg) == 2 and seg[0] == "services":
            return json_response(200, {"service": service_json(self.state, seg[1])})
        if seg == ["users"]:
            return self._page("users", self._users(query), query)
        if seg == ["change_events"] or (len(seg) == 3 and seg[::2] == ["services",
                                                                       "change_events"]):
            service = seg[1] if len(seg) == 3 else None
            return self._page("change_events", list_change_events(self.state, query, service),
                              query)
        if len(seg) == 2 and seg[0] == "change_events":
            return json_response(200, one_change_event(self.state, seg[1]))
        if seg == ["services"]:
            with self.state.lock:
                return self._page("services", services_json(self.state), query)
        if len(seg) == 2 and seg[0] == "escalation_policies":
            # GET /escalation_policies/{id}: 200 {"escalation_policy": ...} or 404 (REST spec,
            # "Get an escalation policy"). GET /oncalls?escalation_policy_ids[]= only filters
            # (spec: "showing only on-calls for the specified escalation policy IDs"), so an
            # unknown id there is an empty list, not an error; this route tells them apart.
            # The services that use the policy are listed (pagerduty_services.py).
            return json_response(200, {"escalation_policy": policy_json(self.state, seg[1])})
        if len(seg) == 3 and seg[0] == "incidents" and seg[2] == "alerts":
            with self.state.lock:
                incident = self.state.incident_by_id(seg[1])
                if incident is None:
                    raise InvalidError(404, "Not Found", 2100, ["Incident Not Found"])
                alerts = incident_alerts(self.state, incident, query.single,
                                         query.arrays.get("statuses", []), zone)
            return self._page("alerts", alerts, query)
        if len(seg) >= 2 and seg[0] == "incidents" and seg[2:] in ([], ["log_entries"],
                                                                   ["notes"]):
            with self.state.lock:
                incident = self.state.incident_by_id(seg[1])
                if incident is None:
                    raise InvalidError(404, "Not Found", 2100, ["Incident Not Found"])
                if seg[2:] == []:
                    return json_response(200, {"incident": self.state.incident_json(incident,
                                                                                   zone)})
                if seg[2:] == ["notes"]:  # not paginated (spec: {"notes": [...]})
                    return json_response(200, {"notes": [self.state.note_json(n, zone)
                                                         for n in incident.notes]})
                own = [(e.created_at, e) for e in self.state.log_entries
                       if e.incident_id == incident.id]
                entries = self._entries(self._since_until(query, own, default_all=True), query)
                return self._page("log_entries", entries, query,
                                  self._entry_renderer(query, zone))
        if len(seg) == 2 and seg[0] == "users" and seg[1] in self.state.users:
            return json_response(200, {"user": self.state.user_full(seg[1])})
        raise InvalidError(404, "Not Found", 2100, [])

    def _users(self, query: Query) -> list[dict[str, Any]]:
        wanted = query.single.get("query", "").strip().lower()
        with self.state.lock:
            found = [u for u in self.state.users.values() if not wanted
                     or wanted in u.name.lower() or wanted in u.email.lower()]
            found.sort(key=lambda u: (u.name.lower(), u.id))
            return [user_json(u, self.state.api_base) for u in found]

    def _page(self, key: str, items: list[Any], query: Query,
              render: Callable[[Any], Any] | None = None) -> Response:
        """One page of a classic list; only the page's items are rendered."""
        limit = min(query.number("limit", 25), 100)
        offset = query.number("offset", 0)
        if limit < 0 or offset < 0:
            raise bad("Offset and limit must be non-negative.")
        if offset + limit > 10000:
            raise bad("Offset + limit must not exceed 10000.")
        window = items[offset : offset + limit]
        with self.state.lock:
            rendered = [render(item) for item in window] if render else window
        return json_response(200, {key: rendered, "limit": limit, "offset": offset,
                                   "more": offset + len(window) < len(items),
                                   "total": len(items) if query.flag("total") else None})

    def _since_until(self, query: Query, items: list[tuple[datetime, Any]],
                     default_all: bool = False) -> list[Any]:
        if query.single.get("date_range") == "all" or (
                default_all and "since" not in query.single and "until" not in query.single):
            return [item for _, item in items]
        now = utcnow()
        since = query.time("since", now - timedelta(days=30))
        until = query.time("until", now + timedelta(seconds=1))
        if until < since:
            raise InvalidError(400, "Invalid Query Date Range", 2005, [])
        return [item for when, item in items if since <= when <= until]

    def _incidents(self, query: Query) -> list[Incident]:
        statuses = query.arrays.get("statuses", [])
        if any(status not in _STATUSES for status in statuses):
            raise bad("Statuses must be one of: triggered, acknowledged, resolved.")
        window = incident_window(query, query.zone())
        with self.state.lock:
            found = []
            for incident in self.state.incident_list:
                # Spec, parameter incident_key: also "incidents whose alerts have
                # alert_key matching the given incident key" (grouped incidents).
                key = query.single.get("incident_key")
                if (window and not window[0] <= incident.created_at <= window[1]) or (
                        statuses and incident.status not in statuses) or (
                        key and key != incident.incident_key
                        and key not in {a.dedup_key for a in incident.alerts}) or (
                        "service_ids" in query.arrays
                        and incident.service_id not in query.arrays["service_ids"]) or (
                        "user_ids" in query.arrays and not {u for u, _ in incident.assignments}
                        & set(query.arrays["user_ids"])):
                    continue
                found.append(incident)
            return _sorted(found, query)

    def _entries(self, entries: list[Any], query: Query) -> list[LogEntry]:
        if query.flag("is_overview"):
            entries = [e for e in entries if e.kind in _OVERVIEW]
        with self.state.lock:
            return sorted(entries, key=lambda e: (e.created_at, e.id),
                          reverse=self.state.log_entries_newest_first)

    def _entry_renderer(self, query: Query, zone: tzinfo | None
                        ) -> Callable[[LogEntry], dict[str, Any]]:
        include = frozenset(query.arrays.get("include", []))
        return lambda entry: self.state.log_entry_json(entry, zone, include)


# GET /incidents order. REST spec (paths./incidents.get sort_by): "the field you wish to
# sort the results on (incident_number/created_at/resolved_at/urgency), as well as the
# direction (asc/desc) ... A maximum of two fields ... Sort direction defaults to
# ascending"; developer-docs docs/REST-API/08-Sorting.md: index endpoints have "a
# consistent default sort". Without sort_by the list is oldest first (github/hubot-pager-me
# #58, "Get the newest incidents rather than the oldest", switched to sort_by because the
# default order returned the oldest): created_at, then incident_number, ascending.
_SORTABLE = ("incident_number", "created_at", "resolved_at", "urgency")


def _sorted(found: list[Any], query: Query) -> list[Any]:
    """Incidents in PagerDuty's order: sort_by when given, else oldest first."""
    raw = query.single.get("sort_by") or ",".join(query.arrays.get("sort_by", []))
    fields = [part.strip() for part in raw.split(",") if part.strip()] or ["created_at"]
    if len(fields) > 2:
        raise bad("sort_by takes at most two fields.")
    ordered = sorted(found, key=lambda i: i.number)
    for spec in reversed(fields):  # stable sorts: the first field decides, the second breaks ties
        name, _, direction = spec.partition(":")
        if name not in _SORTABLE or direction not in ("", "asc", "desc"):
            raise bad(f"Invalid sort_by value: {spec}")
        ordered.sort(key=partial(_sort_key, name=name), reverse=direction == "desc")
    return ordered


def _sort_key(incident: Any, name: str) -> tuple[int, Any]:
    """A comparable key for one sortable field (unset values first)."""
    value = {"incident_number": incident.number, "created_at": incident.created_at,
             "resolved_at": incident.resolved_at,
             "urgency": incident.urgency}[name]
    return (0, "") if value is None else (1, value)
