"""JSON shapes of the PagerDuty records: references, incidents, log entries, notes, webhooks."""

# Shapes follow the REST OpenAPI spec (components/schemas Incident, LogEntry and its
# *LogEntry variants, Channel, AgentReference; the POST /incidents/{id}/notes 200 example) and
# PagerDuty/developer-docs docs/REST-API/13-Includes.md (an included model replaces the
# *_reference in place).  docs/tool-libraries/04-Retrieve-Incident-Details.md: the raw event
# data of a trigger entry's channel is only shown with include[]=channels (the spec's list
# example shows {"type": "api"} without it).  Webhook v3 payloads follow
# docs/webhooks/01-Overview.md ("Webhook Payload", "Event Data Types": incident and
# incident_note).

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, tzinfo
from typing import Any

from chatops_emulator.core import pd_time, utcnow
from chatops_emulator.pagerduty_model import (
    HTML_BASE,
    Incident,
    IncidentNote,
    LogEntry,
    PdUser,
    Service,
    ref,
    user_json,
)

# webhook event_type -> the log entry kind whose agent and time the event reports
WEBHOOK_KINDS = {
    "incident.triggered": "trigger", "incident.acknowledged": "acknowledge",
    "incident.unacknowledged": "unacknowledge", "incident.resolved": "resolve",
    "incident.escalated": "escalate", "incident.reassigned": "assign",
    "incident.annotated": "annotate", "incident.delegated": "delegate",
    "incident.reopened": "", "incident.priority_updated": "",
}


class PagerDutyRender:
    """Spec-shaped JSON for the records of PagerDutyState (a mixin)."""

    lock: threading.RLock
    api_base: str
    users: dict[str, PdUser]
    services: dict[str, Service]
    policies: dict[str, str]
    schedules: dict[str, str]
    incident_list: list[Incident]
    log_entries: list[LogEntry]

    def incident_by_id(self, ident: str) -> Incident | None:
        """Find an incident by id or incident number."""
        with self.lock:
            found: Incident | None = self._index("incidents", self.incident_list,
                                                 lambda i: i.id).get(ident)
            if found is not None:
                return found
            return next((i for i in self.incident_list
                         if i.id == ident or str(i.number) == ident), None)

    def _index(self, name: str, items: list[Any], key: Any) -> dict[str, Any]:
        """A dict of items by key, rebuilt when the list changed (a cache, not a state)."""
        caches: dict[str, tuple[int, int, dict[str, Any]]] = self.__dict__.setdefault(
            "_render_indexes", {})
        cached = caches.get(name)
        if cached is None or cached[:2] != (id(items), len(items)):
            cached = (id(items), len(items), {key(item): item for item in items})
            caches[name] = cached
        return cached[2]

    def user_ref(self, uid: str) -> dict[str, Any]:
        """A user_reference."""
        return ref("user", uid, self.users[uid].name, self.api_base)

    def service_ref(self, sid: str) -> dict[str, Any]:
        """A service_reference."""
        return ref("service", sid, self.services[sid].name, self.api_base, "service-directory")

    def policy_ref(self, pid: str) -> dict[str, Any]:
        """An escalation_policy_reference."""
        return ref("escalation_policy", pid, self.policies.get(pid, pid), self.api_base,
                   collection="escalation_policies")

    def schedule_ref(self, sid: str) -> dict[str, Any]:
        """A schedule_reference."""
        return ref("schedule", sid, self.schedules.get(sid, sid), self.api_base)

    def agent_ref(self, uid: str | None, incident: Incident) -> dict[str, Any]:
        """The user who acted, or the incident's service when the system did."""
        return self.user_ref(uid) if uid else self.service_ref(incident.service_id)

    def user_full(self, uid: str) -> dict[str, Any]:
        """A full user object."""
        return user_json(self.users[uid], self.api_base)

    def incident_json(self, incident: Incident, zone: tzinfo | None = None) -> dict[str, Any]:
        """An incident object shaped like the spec's Incident example."""
        api, service = self.api_base, self.service_ref(incident.service_id)
        counts = {s: sum(a.status == s for a in incident.alerts) for s in ("triggered",
                                                                          "resolved")}
        first = self._index("entries", self.log_entries, lambda e: e.id).get(
            incident.log_entry_ids[0]) or next(
            e for e in self.log_entries if e.id == incident.log_entry_ids[0])
        return {
            "id": incident.id, "type": "incident",
            "summary": f"[#{incident.number}] {incident.title}",
            "self": f"{api}/incidents/{incident.id}",
            "html_url": f"{HTML_BASE}/incidents/{incident.id}",
            "incident_number": incident.number, "title": incident.title,
            "description": incident.title, "created_at": pd_time(incident.created_at, zone),
            "updated_at": pd_time(incident.updated_at, zone), "status": incident.status,
            "incident_key": incident.incident_key or None, "service": service,
            "assignments": [{"at": pd_time(at, zone), "assignee": self.user_ref(uid)}
                            for uid, at in incident.assignments],
            "assigned_via": "escalation_policy",
            "last_status_change_at": pd_time(incident.last_status_change_at, zone),
            "last_status_change_by": self.agent_ref(incident.status_by, incident),
            "resolved_at": pd_time(incident.resolved_at, zone),
            "first_trigger_log_entry": self._entry_ref(first),
            "alert_counts": {"all": len(incident.alerts), **counts}, "is_mergeable": True,
            "incident_type": {"name": "incident_default"},
            "escalation_policy": self.policy_ref(incident.policy_id), "teams": [],
            "pending_actions": [],
            "acknowledgements": [{"at": pd_time(at, zone),
                                  "acknowledger": self.agent_ref(uid, incident)}
                                 for uid, at in incident.acknowledgements],
            "alert_grouping": None, "priority": None, "resolve_reason": None,
            "incidents_responders": [], "responder_requests": [], "urgency": incident.urgency,
            **incident.extra,
        }

    def _entry_ref(self, entry: LogEntry) -> dict[str, Any]:
        return {"id": entry.id, "type": f"{entry.kind}_log_entry_reference",
                "summary": entry.summary,
                "self": f"{self.api_base}/log_entries/{entry.id}?incident_id={entry.incident_id}",
                "html_url": f"{HTML_BASE}/incidents/{entry.incident_id}/log_entries/{entry.id}"}

    def log_entry_json(self, entry: LogEntry, zone: tzinfo | None = None,
                       include: frozenset[str] = frozenset()) -> dict[str, Any]:
        """A log entry shaped like the spec's LogEntry; include[] expands references."""
        incident = self.incident_by_id(entry.incident_id)
        assert incident is not None
        service = self.service_ref(incident.service_id)
        data: dict[str, Any] = {
            **self._entry_ref(entry), "type": f"{entry.kind}_log_entry",
            "created_at": pd_time(entry.created_at, zone), "agent": service,
            "channel": {"type": "auto"}, "service": service,
            "incident": ref("incident", incident.id, f"[#{incident.number}] {incident.title}",
                            self.api_base),
            "teams": [], "contexts": [], "event_details": {"description": incident.title},
            **entry.extra,
        }
        if entry.kind == "trigger" and "channels" not in include:
            data["channel"] = {"type": data["channel"]["type"]}
        if "incidents" in include:
            data["incident"] = self.incident_json(incident, zone)
        if "services" in include:
            data["service"] = {**service, "type": "service", "name": service["summary"]}
        return data

    def note_json(self, note: IncidentNote, zone: tzinfo | None = None) -> dict[str, Any]:
        """A note as POST/GET /incidents/{id}/notes render it."""
        return {"id": note.id, "user": self.user_ref(note.user_id),
                "channel": {"summary": "The PagerDuty website or APIs"},
                "content": note.content, "created_at": pd_time(note.created_at, zone),
                "updated_at": pd_time(note.created_at, zone)}

    def webhook_payload(self, incident_id: str, event_type: str) -> dict[str, Any]:
        """A Webhooks v3 body {"event": {...}} for an incident event, as PagerDuty posts it."""
        if event_type not in WEBHOOK_KINDS:
            raise ValueError(f"unsupported incident event type: {event_type}")
        with self.lock:
            incident = self.incident_by_id(incident_id)
            if incident is None:
                raise KeyError(incident_id)
            kind = WEBHOOK_KINDS[event_type]
            entry = next((e for e in reversed(self.log_entries)
                          if e.incident_id == incident.id and e.kind == kind), None)
            agent = entry.extra.get("agent", self.service_ref(incident.service_id)) \
                if entry else None
            when = entry.created_at if entry else utcnow()
            if event_type == "incident.annotated":
                if not incident.notes:
                    raise ValueError("incident.annotated needs a note on the incident")
                note = incident.notes[-1]
                data: dict[str, Any] = {
                    "incident": {**self._incident_ref(incident), "summary": incident.title},
                    "id": note.id, "content": note.content, "trimmed": False,
                    "type": "incident_note"}
            else:
                data = self._webhook_incident(incident)
        user_agent = bool(agent and agent["type"] == "user_reference")
        return {"event": {
            "id": str(uuid.uuid4()), "event_type": event_type, "resource_type": "incident",
            "occurred_at": _millis(when), "agent": agent,
            "client": {"name": "PagerDuty"} if user_agent else None, "data": data}}

    def _incident_ref(self, incident: Incident) -> dict[str, Any]:
        return ref("incident", incident.id, f"[#{incident.number}] {incident.title}",
                   self.api_base)

    def _webhook_incident(self, incident: Incident) -> dict[str, Any]:
        return {
            "id": incident.id, "type": "incident",
            "self": f"{self.api_base}/incidents/{incident.id}",
            "html_url": f"{HTML_BASE}/incidents/{incident.id}", "number": incident.number,
            "status": incident.status, "incident_key": incident.incident_key or None,
            "created_at": pd_time(incident.created_at), "title": incident.title,
            "service": self.service_ref(incident.service_id),
            "assignees": [self.user_ref(uid) for uid, _ in incident.assignments],
            "escalation_policy": self.policy_ref(incident.policy_id), "teams": [],
            "priority": None, "urgency": incident.urgency, "conference_bridge": None,
            "resolve_reason": None,
        }


def _millis(value: datetime) -> str:
    """ISO 8601 with milliseconds and Z, like webhook occurred_at."""
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
