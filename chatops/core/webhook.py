"""Read the incident id out of a PagerDuty v3 webhook body: untrusted bytes, any shape.

The payload is only a hint (the trigger token is its sole authentication): chatops takes
the incident id from it and reads the truth from the PagerDuty REST API. Every malformed
body gets an InputError that says what is wrong; nothing else may escape from here.
"""

from __future__ import annotations

import json
import re
from typing import Any

from chatops.errors import InputError

# One v3 webhook body is one event: the incident's summary fields, a few KB
# (PagerDuty developer docs, "Webhooks v3 overview", event payload). Far larger is not
# PagerDuty, and is refused by size before it is read or parsed.
MAX_PAYLOAD_BYTES = 1_000_000
_INCIDENT_ID = re.compile(r"[A-Z0-9]{4,32}")
_HINT = "Run this job from the PagerDuty v3 webhook's pipeline trigger; nothing changed."


def too_large(size: int) -> InputError:
    """The refusal of a payload over the size limit."""
    return InputError(f"The webhook payload is {size} bytes; at most {MAX_PAYLOAD_BYTES} are "
                      "read (a PagerDuty v3 webhook is a few KB); nothing changed.", _HINT)


def incident_id(payload: bytes) -> str:
    """The incident id a webhook body names; InputError for anything else."""
    if len(payload) > MAX_PAYLOAD_BYTES:
        raise too_large(len(payload))
    try:
        body = json.loads(payload.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise InputError(f"The webhook payload is not UTF-8 text (byte {exc.start}); "
                         "nothing changed.", _HINT) from None
    except RecursionError:
        raise InputError("The webhook payload is nested too deeply to be a PagerDuty "
                         "webhook; nothing changed.", _HINT) from None
    except ValueError as exc:  # JSONDecodeError, and numbers too long to convert
        reason = exc.msg if isinstance(exc, json.JSONDecodeError) else "a number is too long"
        raise InputError(f"The webhook payload is not JSON ({reason}); nothing changed.",
                         _HINT) from None
    event = _field(body, "event")
    data = _field(event, "data")
    kind = _field(event, "event_type")
    if not isinstance(data, dict) or not isinstance(kind, str) or not kind.startswith(
            "incident."):
        raise InputError("The payload is not a PagerDuty v3 incident webhook (no "
                         "event.event_type incident.* with event.data); nothing changed.", _HINT)
    found = data.get("id") if data.get("type") == "incident" else _field(data.get("incident"),
                                                                       "id")
    if not isinstance(found, str) or not _INCIDENT_ID.fullmatch(found):
        shown = found[:40] if isinstance(found, str) else type(found).__name__
        raise InputError(f"The payload names no valid incident id ({shown!r}); nothing changed.",
                         _HINT)
    return found


def _field(value: Any, name: str) -> Any:
    """value[name] when value is an object, else None."""
    return value.get(name) if isinstance(value, dict) else None
