"""PagerDuty REST v2 writes: PUT /incidents/{id} and POST /incidents/{id}/notes."""

# Both need `From: <email of a PagerDuty user>` (OpenAPI spec header parameter, required).
# Refusals as the live service sends them: no From header -> 400 code 2016 "You must specify
# a user's email address in the \"From\" header to perform this action" (PagerDuty/pdpyras#78,
# quintoandar/airflow-pagerduty-plugin#1); a From that is not an email -> 400 code 1028
# 'Malformed "From" header' (PagerDuty/go-pagerduty#336); an email that is no user of the
# account -> 400 code 1008 "Requester User Not Found" with "errors": [] (dropbox/pygerduty#64).
# Resolving a resolved incident -> 400 code 1001 "Incident Already Resolved", an unknown
# assignee -> 1007 "Assigned To User Not Found", escalating to an empty level -> 1015
# (docs/REST-API/14-Errors.md table; the live service's exact wording for these three in v2
# is not documented, so they are approximations).  The spec documents 200 for a new note;
# the emulator answers 201 Created as the errors guide says creations do.

from __future__ import annotations

import json
import re
from typing import Any

from chatops_emulator.core import Request, Response, json_response, utcnow
from chatops_emulator.pagerduty_model import PdUser
from chatops_emulator.pagerduty_query import InvalidError, bad
from chatops_emulator.pagerduty_state import PagerDutyState

_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+$")
_NO_FROM = "You must specify a user's email address in the \"From\" header to perform this action"


def _error(code: int, message: str) -> InvalidError:
    return InvalidError(400, message, code, [])


def requester(state: PagerDutyState, request: Request) -> PdUser:
    """The user named by the From header, or the 400 the live API answers."""
    raw = request.header("from")
    if raw is None:
        raise _error(2016, _NO_FROM)
    email = raw.strip()
    if not _EMAIL.match(email):
        raise _error(1028, 'Malformed "From" header')
    with state.lock:
        user = next((u for u in state.users.values() if u.email.lower() == email.lower()), None)
    if user is None:
        raise _error(1008, "Requester User Not Found")
    return user


def _body(request: Request, key: str) -> dict[str, Any]:
    try:
        data = json.loads(request.text or "null")
    except ValueError as exc:
        raise bad("Could not parse the request body as JSON.") from exc
    inner = data.get(key) if isinstance(data, dict) else None
    if not isinstance(inner, dict):
        raise bad(f"{key.capitalize()} must be an object.")
    return inner


def handle_write(state: PagerDutyState, request: Request, seg: list[str]) -> Response:
    """Route a PUT or POST; unknown routes are 404 code 2100."""
    put = request.method == "PUT" and len(seg) == 2 and seg[0] == "incidents"
    note = request.method == "POST" and len(seg) == 3 and seg[::2] == ["incidents", "notes"]
    if not (put or note):
        raise InvalidError(404, "Not Found", 2100, [])
    user = requester(state, request)
    with state.lock:
        incident = state.incident_by_id(seg[1])
        if incident is None:
            raise InvalidError(404, "Not Found", 2100, ["Incident Not Found"])
        if note:
            content = _body(request, "note").get("content")
            if not isinstance(content, str) or not content.strip():
                raise bad("Content cannot be empty.")
            return json_response(201, {"note": state.add_note(incident.id, user.id, content)})
        _update(state, incident.id, user, _body(request, "incident"))
        return json_response(200, {"incident": state.incident_json(incident)})


def _update(state: PagerDutyState, incident_id: str, user: PdUser,
            fields: dict[str, Any]) -> None:
    """Apply the spec's updatable fields: status, resolution, escalation, assignments."""
    incident = state.incident_by_id(incident_id)
    assert incident is not None
    if fields.get("type") not in ("incident", "incident_reference"):
        raise bad("Type must be one of: incident, incident_reference.")
    status = fields.get("status")
    if status not in (None, "triggered", "acknowledged", "resolved"):
        raise _error(1003, "Invalid Status Provided")
    if fields.get("resolution") is not None and status != "resolved":
        raise bad("Resolution can only be given when resolving an incident.")
    if incident.status == "resolved" and status == "resolved":
        raise _error(1001, "Incident Already Resolved")
    if incident.status == "resolved" and status is not None:
        raise bad("Reopening a resolved incident is not emulated.")
    for key in ("title", "urgency"):
        if isinstance(fields.get(key), str):
            setattr(incident, key, fields[key])
    if fields.get("escalation_level") is not None:
        level = fields["escalation_level"]
        if not isinstance(level, int) or not state.oncall_users(incident.policy_id, level,
                                                                 utcnow()):
            raise _error(1015, "Escalation Policy Has No User On Call")
        state.escalate(incident.id, level, by_user_id=user.id)
    if fields.get("assignments"):
        ids = [a.get("assignee", {}).get("id") for a in fields["assignments"]
               if isinstance(a, dict)]
        if not ids or any(uid not in state.users for uid in ids):
            raise _error(1007, "Assigned To User Not Found")
        for uid in ids[:1]:
            state.reassign(incident.id, uid, by_user_id=user.id)
    if status == "acknowledged":
        state.acknowledge(incident.id, user.id, channel="api")
    elif status == "triggered" and incident.status == "acknowledged":
        state.unacknowledge(incident.id)
    elif status == "resolved":
        state.resolve(incident.id, user.id, resolution=fields.get("resolution"),
                      channel="api")
