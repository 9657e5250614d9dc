"""In-memory PagerDuty: users, on-calls, services, incidents, alerts and log entries."""

# Event semantics follow developer.pagerduty.com "Send an Alert Event" (PagerDuty/
# developer-docs docs/events-API-v2/02-Trigger-Events.md): events for a dedup_key apply to
# the open alert with that key sent via the same routing_key; after it is resolved a trigger
# opens a new alert/incident and acknowledge/resolve are dropped; a trigger without dedup_key
# gets a generated key; the incident is assigned to whoever is on call at the first level of
# the service's escalation policy that has someone on call.

from __future__ import annotations

import copy
import threading
import uuid
from datetime import datetime, tzinfo
from typing import Any

from chatops.emulator.core import parse_time, pd_time, utcnow
from chatops.emulator.pagerduty_model import (
    HTML_BASE,
    Alert,
    Incident,
    LogEntry,
    OnCall,
    PdUser,
    Service,
    ref,
    user_json,
)

OnCallSpec = tuple[Any, ...]


class PagerDutyState:
    """Thread-safe PagerDuty data; the routes and the tests read it."""

    def __init__(self, api_base: str = "https://api.pagerduty.com") -> None:
        self.lock = threading.RLock()
        self.api_base = api_base
        self.tokens: set[str] = set()
        self.users: dict[str, PdUser] = {}
        self.schedules: dict[str, str] = {}
        self.policies: dict[str, str] = {}
        self.oncall_entries: list[OnCall] = []
        self.services: dict[str, Service] = {}
        self.routing: dict[str, str] = {}
        self.incident_list: list[Incident] = []
        self.log_entries: list[LogEntry] = []
        self._events: list[dict[str, Any]] = []
        self.change_events: list[dict[str, Any]] = []
        self._seq = 0

    # -- configuration -----------------------------------------------------------------
    def add_token(self, token: str) -> None:
        """Accept a REST API token."""
        with self.lock:
            self.tokens.add(token)

    def add_user(self, uid: str, name: str, email: str | None = None) -> PdUser:
        """Create or rename a user."""
        with self.lock:
            user = self.users.get(uid)
            if user is None:
                user = self.users[uid] = PdUser(uid, name, email or f"{uid.lower()}@example.com")
            user.name = name
            return user

    def add_schedule(self, sid: str, name: str) -> None:
        """Create a schedule."""
        with self.lock:
            self.schedules[sid] = name

    def add_policy(self, pid: str, name: str) -> None:
        """Create an escalation policy."""
        with self.lock:
            self.policies[pid] = name

    def add_service(self, sid: str, name: str, policy_id: str, routing_key: str) -> None:
        """Create a service and its Events API v2 integration key."""
        with self.lock:
            self.services[sid] = Service(sid, name, policy_id, routing_key)
            self.routing[routing_key] = sid

    def set_oncalls(self, policy_id: str, entries: list[OnCallSpec]) -> None:
        """Replace a policy's on-calls: (level, user_id, name, start, end[, schedule_id])."""
        with self.lock:
            self.oncall_entries = [o for o in self.oncall_entries if o.policy_id != policy_id]
            for level, uid, name, start, end, *rest in entries:
                self.add_user(uid, name)
                schedule = rest[0] if rest else None
                self.oncall_entries.append(OnCall(policy_id, int(level), uid, _when(start),
                                                  _when(end), schedule))

    # -- events ------------------------------------------------------------------------
    def _id(self, prefix: str, width: int) -> str:
        self._seq += 1
        return f"{prefix}{self._seq:0{width - 1}d}"

    def process_event(self, body: dict[str, Any]) -> str:
        """Apply a validated Events API v2 alert event; return its dedup_key."""
        with self.lock:
            self._events.append(copy.deepcopy(body))
            key, action = body["routing_key"], body["event_action"]
            dedup = body.get("dedup_key") or uuid.uuid4().hex
            alert = next((a for a in self._alerts() if a.routing_key == key
                          and a.dedup_key == dedup and a.status != "resolved"), None)
            now = utcnow()
            if action == "trigger" and alert is not None:
                alert.triggers += 1
            elif action == "trigger":
                self._open(self.services[self.routing[key]], dedup, body, now)
            elif alert is not None:
                incident = self.incident_by_id(alert.incident_id)
                if incident is not None:
                    self._transition(incident, alert, action, now)
            return str(dedup)

    def _alerts(self) -> list[Alert]:
        return [alert for incident in self.incident_list for alert in incident.alerts]

    def _open(self, service: Service, dedup: str, body: dict[str, Any], now: datetime) -> None:
        payload = body.get("payload") or {}
        incident = Incident(self._id("Q", 14), len(self.incident_list) + 1001,
                            str(payload.get("summary", "")), service.id, service.policy_id, now,
                            dedup, updated_at=now, last_status_change_at=now)
        incident.alerts.append(Alert(dedup, body["routing_key"], incident.id, "triggered", now,
                                     copy.deepcopy(body)))
        self.incident_list.append(incident)
        self._log(incident, "trigger", "Triggered through the API.", now,
                  channel={"type": "api", "summary": incident.title,
                           "details": payload.get("custom_details")})
        for level in sorted({o.level for o in self.oncall_entries
                             if o.policy_id == service.policy_id}):
            users = list(dict.fromkeys(o.user_id for o in self.oncall_entries
                                       if o.policy_id == service.policy_id
                                       and o.level == level and o.active(now, now)))
            if users:
                incident.assignments = [(uid, now) for uid in users]
                names = ", ".join(self.users[uid].name for uid in users)
                self._log(incident, "assign", f"Assigned to {names}.", now,
                          assignees=[self.user_ref(uid) for uid in users],
                          channel={"type": "auto"})
                for uid in users:
                    user = self.users[uid]
                    self._log(incident, "notify", f"Notified {user.name} by email.", now,
                              user=self.user_ref(uid), channel={
                                  "type": "notification", "notification": {
                                      "type": "email_notification", "status": "success",
                                      "address": user.email}})
                break

    def _transition(self, incident: Incident, alert: Alert, action: str, now: datetime) -> None:
        if action == "acknowledge" and incident.status == "triggered":
            incident.status = "acknowledged"
            incident.acknowledgements.append(now)
            self._log(incident, "acknowledge", "Acknowledged through the API.", now,
                      channel={"type": "api"}, acknowledgement_timeout=None)
        elif action == "resolve":
            alert.status = incident.status = "resolved"
            incident.resolved_at, incident.assignments = now, []
            self._log(incident, "resolve", "Resolved through the API.", now,
                      channel={"type": "api"})
        else:
            return
        incident.updated_at = incident.last_status_change_at = now

    def _log(self, incident: Incident, kind: str, summary: str, now: datetime,
             **extra: Any) -> None:
        entry = LogEntry(self._id("R", 26), kind, incident.id, now, summary, extra)
        self.log_entries.append(entry)
        incident.log_entry_ids.append(entry.id)

    # -- lookups and rendering ---------------------------------------------------------
    def incident_by_id(self, ident: str) -> Incident | None:
        """Find an incident by id or incident number."""
        with self.lock:
            return next((i for i in self.incident_list
                         if i.id == ident or str(i.number) == ident), None)

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

    def incident_json(self, incident: Incident, zone: tzinfo | None = None) -> dict[str, Any]:
        """An incident object shaped like the spec's Incident example."""
        api, service = self.api_base, self.service_ref(incident.service_id)
        counts = {s: sum(a.status == s for a in incident.alerts) for s in ("triggered",
                                                                          "resolved")}
        first = next(e for e in self.log_entries if e.id == incident.log_entry_ids[0])
        return {
            "id": incident.id, "type": "incident",
            "summary": f"[#{incident.number}] {incident.title}",
            "self": f"{api}/incidents/{incident.id}",
            "html_url": f"{HTML_BASE}/incidents/{incident.id}",
            "incident_number": incident.number, "title": incident.title,
            "description": incident.title, "created_at": pd_time(incident.created_at, zone),
            "updated_at": pd_time(incident.updated_at, zone), "status": incident.status,
            "incident_key": incident.incident_key, "service": service,
            "assignments": [{"at": pd_time(at, zone), "assignee": self.user_ref(uid)}
                            for uid, at in incident.assignments],
            "assigned_via": "escalation_policy",
            "last_status_change_at": pd_time(incident.last_status_change_at, zone),
            "last_status_change_by": service, "resolved_at": pd_time(incident.resolved_at, zone),
            "first_trigger_log_entry": self._entry_ref(first),
            "alert_counts": {"all": len(incident.alerts), **counts}, "is_mergeable": True,
            "incident_type": {"name": "incident_default"},
            "escalation_policy": self.policy_ref(incident.policy_id), "teams": [],
            "pending_actions": [],
            "acknowledgements": [{"at": pd_time(at, zone), "acknowledger": service}
                                 for at in incident.acknowledgements],
            "alert_grouping": None, "priority": None, "resolve_reason": None,
            "incidents_responders": [], "responder_requests": [], "urgency": incident.urgency,
            **incident.extra,
        }

    def _entry_ref(self, entry: LogEntry) -> dict[str, Any]:
        return {"id": entry.id, "type": f"{entry.kind}_log_entry_reference",
                "summary": entry.summary,
                "self": f"{self.api_base}/log_entries/{entry.id}?incident_id={entry.incident_id}",
                "html_url": f"{HTML_BASE}/incidents/{entry.incident_id}/log_entries/{entry.id}"}

    def log_entry_json(self, entry: LogEntry, zone: tzinfo | None = None) -> dict[str, Any]:
        """A log entry shaped like the spec's LogEntry example."""
        incident = self.incident_by_id(entry.incident_id)
        assert incident is not None
        service = self.service_ref(incident.service_id)
        return {
            **self._entry_ref(entry), "type": f"{entry.kind}_log_entry",
            "created_at": pd_time(entry.created_at, zone), "agent": service,
            "service": service,
            "incident": ref("incident", incident.id, f"[#{incident.number}] {incident.title}",
                            self.api_base),
            "teams": [], "contexts": [], "event_details": {"description": incident.title},
            **entry.extra,
        }

    def user_full(self, uid: str) -> dict[str, Any]:
        """A full user object."""
        return user_json(self.users[uid], self.api_base)

    # -- inspection for tests ----------------------------------------------------------
    @property
    def events(self) -> list[dict[str, Any]]:
        """Every accepted Events API body, as sent (routing_key included)."""
        with self.lock:
            return copy.deepcopy(self._events)

    @property
    def incidents(self) -> list[dict[str, Any]]:
        """Every incident in API form, oldest first."""
        with self.lock:
            return [self.incident_json(i) for i in self.incident_list]

    def routing_keys(self) -> list[str]:
        """All integration keys."""
        with self.lock:
            return list(self.routing)


def _when(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return parse_time(str(value))
