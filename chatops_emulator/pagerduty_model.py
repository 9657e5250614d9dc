"""PagerDuty records and their REST v2 JSON shapes (per the official OpenAPI examples)."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

HTML_BASE = "https://chatops-emulator.pagerduty.com"


@dataclass
class PdUser:
    """A PagerDuty user."""

    id: str
    name: str
    email: str
    time_zone: str = "Etc/UTC"
    phone: str = "+1 555-0100"


@dataclass
class OnCall:
    """One on-call entry of an escalation policy level (start/end None: permanent)."""

    policy_id: str
    level: int
    user_id: str
    start: datetime | None
    end: datetime | None
    schedule_id: str | None = None

    def active(self, since: datetime, until: datetime) -> bool:
        """Tell whether the shift overlaps [since, until]."""
        return (self.start is None or self.start <= until) and (
            self.end is None or self.end >= since)


@dataclass
class Service:
    """A service with one Events API v2 integration (and the teams it belongs to)."""

    id: str
    name: str
    policy_id: str
    routing_key: str
    integration_id: str = ""
    teams: tuple[str, ...] = ()
    # Service.incident_urgency_rule; the spec's defaults (IncidentUrgencyType: type
    # "constant", urgency "high") unless a test or the seed sets another.
    urgency_rule: dict[str, Any] = field(default_factory=lambda: {"type": "constant",
                                                                  "urgency": "high"})

    def __post_init__(self) -> None:
        self.integration_id = self.integration_id or integration_id_for(self.id)


def integration_id_for(service_id: str) -> str:
    """A stable, PagerDuty-looking id (P + 6 characters) for a service's integration."""
    digest = hashlib.sha1(f"integration:{service_id}".encode(), usedforsecurity=False).digest()
    return "P" + base64.b32encode(digest).decode()[:6]


@dataclass
class ChangeEvent:
    """A change event accepted at /v2/change/enqueue; `body` is the event as sent."""

    id: str
    service_id: str
    integration_id: str
    received_at: datetime
    timestamp: datetime
    body: dict[str, Any]


@dataclass
class Alert:
    """An alert created by a trigger event; de-duplicated by (routing_key, dedup_key)."""

    dedup_key: str
    routing_key: str
    incident_id: str
    status: str
    created_at: datetime
    event: dict[str, Any]
    triggers: int = 1


@dataclass
class LogEntry:
    """An incident log entry; `extra` holds agent, channel and the type's own fields."""

    id: str
    kind: str
    incident_id: str
    created_at: datetime
    summary: str
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class IncidentNote:
    """A note added to an incident (POST /incidents/{id}/notes or the annotate helper)."""

    id: str
    user_id: str
    content: str
    created_at: datetime


@dataclass
class Incident:
    """An incident; `extra` leaves room for fields later features need."""

    id: str
    number: int
    title: str
    service_id: str
    policy_id: str
    created_at: datetime
    incident_key: str
    status: str = "triggered"
    urgency: str = "high"
    updated_at: datetime | None = None
    last_status_change_at: datetime | None = None
    resolved_at: datetime | None = None
    assignments: list[tuple[str, datetime]] = field(default_factory=list)
    acknowledgements: list[tuple[str | None, datetime]] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    log_entry_ids: list[str] = field(default_factory=list)
    notes: list[IncidentNote] = field(default_factory=list)
    level: int = 1
    status_by: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def ref(kind: str, oid: str, summary: str, api: str, html_path: str | None = None,
        collection: str | None = None) -> dict[str, Any]:
    """Build a *_reference object (id, type, summary, self, html_url)."""
    plural = collection or f"{kind}s"
    return {
        "id": oid, "type": f"{kind}_reference", "summary": summary,
        "self": f"{api}/{plural}/{oid}",
        "html_url": f"{HTML_BASE}/{html_path or plural}/{oid}",
    }


def user_json(user: PdUser, api: str) -> dict[str, Any]:
    """A full user object (include[]=users)."""
    return {
        "id": user.id, "type": "user", "summary": user.name, "name": user.name,
        "email": user.email, "time_zone": user.time_zone, "color": "green", "role": "user",
        "avatar_url": f"https://secure.gravatar.com/avatar/{_digest(user.email)}.png",
        "description": None, "invitation_sent": False, "job_title": None, "teams": [],
        "contact_methods": [], "notification_rules": [], "self": f"{api}/users/{user.id}",
        "html_url": f"{HTML_BASE}/users/{user.id}",
    }


def _digest(email: str) -> str:
    return hashlib.md5(email.strip().lower().encode(), usedforsecurity=False).hexdigest()


def error_body(message: str, code: int, errors: list[str] | None = None) -> dict[str, Any]:
    """PagerDuty REST error object: {"error": {"message", "code", "errors"?}}."""
    inner: dict[str, Any] = {"message": message, "code": code}
    if errors is not None and (errors or code < 2000):
        inner["errors"] = errors  # 1xxx incident errors carry "errors": [] (dropbox/pygerduty#64)
    return {"error": inner}


# Service urgency rules (pagerduty_services.py has the sources): severity_based opens
# critical/error alerts as high urgency, warning/info as low.
_HIGH_SEVERITIES = ("critical", "error")


def urgency_for(rule: dict[str, Any], severity: str) -> str:
    """The urgency of a new incident on a service with this rule, for an alert severity."""
    if rule.get("type") == "use_support_hours":
        rule = rule.get("during_support_hours") or {}
    urgency = str(rule.get("urgency") or "high")
    if urgency == "severity_based":
        return "high" if severity in _HIGH_SEVERITIES else "low"
    return urgency
