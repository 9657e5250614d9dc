"""Turn PagerDuty REST objects (incidents, log entries) into domain values.

Shapes per the official REST API v2 OpenAPI spec (components/schemas Incident,
LogEntry and its *LogEntry variants, Channel). Anything malformed raises
ValueError/KeyError/TypeError, which the adapter reports as a PagerDutyError.
"""

from __future__ import annotations

import re
from typing import Any

from chatops.adapters import pagerduty_events as events
from chatops.adapters.timestamps import parse_time as when
from chatops.core.incident import Incident, LogEntry

_LEVEL = re.compile(r"level (\d+)", re.I)
_KINDS = {"acknowledgement": "acknowledge"}


def _object(value: Any) -> dict[str, Any]:
    """value when it is a JSON object, else an empty one."""
    return value if isinstance(value, dict) else {}


def _summary(ref: Any) -> str:
    """The display name of a reference object."""
    return str(ref.get("summary") or ref.get("name") or "") if isinstance(ref, dict) else ""


def incident(item: dict[str, Any]) -> Incident:
    """An incident object (GET /incidents, /incidents/{id}, include[]=incidents)."""
    return Incident(
        id=str(item["id"]), number=int(item.get("incident_number") or 0),
        status=str(item["status"]), incident_key=str(item.get("incident_key") or ""),
        created_at=when(item["created_at"]), html_url=str(item.get("html_url") or ""),
        title=str(item.get("title") or item.get("summary") or ""),
        assignees=tuple(_summary(a.get("assignee")) for a in item.get("assignments") or []),
        changed_at=when(item["last_status_change_at"]) if item.get("last_status_change_at")
        else None,
        service_id=str(_object(item.get("service")).get("id") or ""),
    )


def alert_key(item: dict[str, Any]) -> str:
    """The de-duplication key of an alert (GET /incidents/{id}/alerts, schema Alert)."""
    return str(item.get("alert_key") or "")


def log_entry(item: dict[str, Any]) -> LogEntry:
    """A log entry, reduced to who did what, how and when."""
    kind = str(item["type"]).removesuffix("_reference").removesuffix("_log_entry")
    kind = _KINDS.get(kind, kind)
    channel = _object(item.get("channel"))
    notification = _object(channel.get("notification"))
    how = str(notification.get("type") or channel.get("type") or "")
    assignees = item.get("assignees") or []
    user = _summary(item.get("user")) or (_summary(assignees[0]) if assignees else "")
    level = _LEVEL.search(str(item.get("summary") or ""))
    text = str(channel.get("summary") or channel.get("content") or "") if kind == "annotate" \
        else ""
    # A trigger's channel carries the event's data only when asked with include[]=channels
    # (PagerDuty/developer-docs docs/tool-libraries/04-Retrieve-Incident-Details.md, "The
    # channel property of log entries"): for an Events API trigger the channel is the REST
    # spec's APIChannel (components/schemas/Channel, oneOf APIChannel: type "api", summary,
    # description, service_key, incident_key, and details, the event's custom details).
    facts = events.page_facts(channel.get("details")) if kind == "trigger" else None
    return LogEntry(
        id=str(item["id"]), kind=kind, at=when(item["created_at"]),
        incident_id=str((item.get("incident") or {}).get("id") or ""),
        agent=_summary(item.get("agent")), user=user,
        automatic=str(_object(item.get("agent")).get("type", "")).startswith("service"),
        channel=how.removesuffix("_notification"), level=int(level.group(1)) if level else None,
        text=text, facts=facts,
    )
