"""PagerDuty Events API v2: POST /v2/enqueue (alert events) and /v2/change/enqueue."""

# Sources: events-v2 OpenAPI spec (202 {"status","message","dedup_key"}; error object
# {"status","message","errors"}; JSON parse error example) and PagerDuty/developer-docs
# docs/events-API-v2/{01-Overview,02-Trigger-Events,05-Rate-Limits}.md (routing_key is the
# 32-character integration key, summary <= 1024 chars, dedup_key <= 255 chars, severity in
# critical/error/warning/info, images need src, links need href, 429 "Request Limit
# Exceeded").  Error strings seen from the live service: "Length of 'routing_key' is
# incorrect (should be 32 characters)", "'routing_key' cannot contain non-alphanumeric
# characters." (blockpane/tenderduty#10), "'payload.source' is missing or blank"
# (solana-foundation/solana-developer-platform#576) and, for a well-formed but unknown key,
# "Invalid routing key" (robusta-dev/robusta#571).  Wording of the other messages follows
# the same pattern and is an approximation.

from __future__ import annotations

import json
from typing import Any

from chatops_emulator.core import Request, Response, json_response, parse_time
from chatops_emulator.pagerduty_state import PagerDutyState

_ACTIONS = ("trigger", "acknowledge", "resolve")
_SEVERITIES = ("critical", "error", "warning", "info")


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _context(body: dict[str, Any], name: str, required: str) -> list[str]:
    items = body.get(name)
    if items is None:
        return []
    if not isinstance(items, list):
        return [f"'{name}' must be an array"]
    errors = []
    for index, item in enumerate(items):
        if not isinstance(item, dict) or _blank(item.get(required)):
            errors.append(f"'{name}[{index}].{required}' is missing or blank")
    return errors


def validate(body: dict[str, Any], known_keys: list[str], change: bool = False) -> list[str]:
    """Return the Events API validation errors for an event body (empty: valid)."""
    errors: list[str] = []
    key = body.get("routing_key")
    if _blank(key) or not isinstance(key, str):
        errors.append("'routing_key' is missing or blank")
    else:
        if len(key) != 32:
            errors.append("Length of 'routing_key' is incorrect (should be 32 characters)")
        if not key.isalnum():
            errors.append("'routing_key' cannot contain non-alphanumeric characters.")
        if not errors and key not in known_keys:
            errors.append("Invalid routing key")
    action = None if change else body.get("event_action")
    if not change and _blank(action):
        errors.append("'event_action' is missing or blank")
    elif not change and action not in _ACTIONS:
        errors.append("'event_action' is invalid (must be one of: trigger, acknowledge, "
                      "resolve)")
    dedup = body.get("dedup_key")
    if dedup is not None and not isinstance(dedup, str):
        errors.append("'dedup_key' must be a string")
    elif isinstance(dedup, str) and len(dedup) > 255:
        errors.append("'dedup_key' is too long (maximum is 255 characters)")
    if action in ("acknowledge", "resolve") and _blank(dedup):
        errors.append("'dedup_key' is missing or blank")
    if change or action == "trigger":
        errors += _payload(body.get("payload"), change)
        errors += _context(body, "links", "href") + _context(body, "images", "src")
    return errors


def _payload(payload: Any, change: bool) -> list[str]:
    if not isinstance(payload, dict) or not payload:
        return ["'payload' is missing or blank"]
    errors = []
    summary = payload.get("summary")
    if _blank(summary):
        errors.append("'payload.summary' is missing or blank")
    elif len(str(summary)) > 1024:
        errors.append("'payload.summary' is too long (maximum is 1024 characters)")
    if not change:
        if _blank(payload.get("source")):
            errors.append("'payload.source' is missing or blank")
        severity = payload.get("severity")
        if _blank(severity):
            errors.append("'payload.severity' is missing or blank")
        elif severity not in _SEVERITIES:
            errors.append("'payload.severity' is invalid (must be one of: critical, error, "
                          "warning, info)")
    stamp = payload.get("timestamp")
    if stamp is not None and (not isinstance(stamp, str) or parse_time(stamp) is None):
        errors.append("'payload.timestamp' is invalid")
    return errors


class PagerDutyEventsApp:
    """events.pagerduty.com."""

    service = "pd-events"
    server_header = "nginx"

    def __init__(self, state: PagerDutyState) -> None:
        self.state = state

    def handle(self, request: Request) -> Response:
        """Accept or reject one event."""
        change = request.path == "/v2/change/enqueue"
        if request.method != "POST" or request.path not in ("/v2/enqueue", "/v2/change/enqueue"):
            return json_response(404, {"status": "Not Found", "message": "Not Found"})
        try:
            body = json.loads(request.text)
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return json_response(400, {"status": "Unrecognized object",
                                       "message": "Event object format is unrecognized",
                                       "errors": ["JSON parse error"]})
        errors = validate(body, self.state.routing_keys(), change)
        if errors:
            return json_response(400, {"status": "invalid event",
                                       "message": "Event object is invalid", "errors": errors})
        if change:  # listed by GET /change_events (pagerduty_changes.py)
            self.state.record_change(body)
            return json_response(202, {"status": "success", "message": "Change event processed"})
        dedup = self.state.process_event(body)
        return json_response(202, {"status": "success", "message": "Event processed",
                                   "dedup_key": dedup})

    def fault_response(self, status: int, retry_after: int | None, body: Any,
                       request: Request) -> Response:
        """429 "throttle event" (no rate-limit headers) or a generic error object."""
        # The Events API v2 docs give only the status, "429 - Request Limit Exceeded", and
        # advise retrying ("3 times with each request being 30 seconds apart"); no
        # Retry-After or ratelimit-* header is documented (developer-docs
        # docs/events-API-v2/05-Rate-Limits.md), so none is sent: a fault's retry_after is
        # ignored here. The body follows the legacy Events API's "throttle event" answer,
        # so it is approximate.
        if status == 429:
            data: Any = {"status": "throttle event",
                         "message": "Requests for this service are arriving too quickly. "
                                    "Please retry later."}
        else:
            data = {"status": "error", "message": "Internal Server Error"}
        return json_response(status, data if body is None else body)
