"""Turn PagerDuty REST objects (incidents, log entries, on-calls) into domain values.

Shapes per the official REST API v2 OpenAPI spec (components/schemas Incident,
LogEntry and its *LogEntry variants, Channel, Oncall). A malformed incident or log
entry raises ValueError/KeyError/TypeError, which the adapter reports as a
PagerDutyError; malformed on-call entries are skipped.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from chatops.adapters import pagerduty_events as events
from chatops.adapters.timestamps import parse_time as when
from chatops.core.incident import Incident, LogEntry
from chatops.core.model import OnCall

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


def oncalls(entries: list[Any], ranges: bool = False) -> list[OnCall]:
    """Parse on-call entries (malformed ones skipped): one per person and level, or per shift."""
    seen: dict[tuple[str, int, str, str], OnCall] = {}
    for entry in entries:
        user = entry.get("user") if isinstance(entry, dict) else None
        level = entry.get("escalation_level") if isinstance(entry, dict) else None
        if not isinstance(user, dict) or not isinstance(level, int):
            continue
        policy = entry.get("escalation_policy")
        policy_id = str(policy.get("id", "")) if isinstance(policy, dict) else ""
        name = str(user.get("summary") or user.get("name") or user.get("id") or "unknown")
        start = _time(entry.get("start"))
        key = (policy_id, level, name, str(start) if ranges else "")
        seen.setdefault(key, OnCall(level, name, _time(entry.get("end")), policy_id, start))
    return list(seen.values())


def _time(value: Any) -> datetime | None:
    """An ISO 8601 time, or None when absent or unreadable."""
    try:
        return when(value) if value else None
    except ValueError:
        return None
