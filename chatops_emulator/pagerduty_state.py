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
from datetime import datetime, timedelta
from typing import Any

from chatops_emulator.core import parse_time, utcnow
from chatops_emulator.pagerduty_changes import PagerDutyChanges
from chatops_emulator.pagerduty_history import PagerDutyHistory
from chatops_emulator.pagerduty_model import (
    Alert,
    ChangeEvent,
    Incident,
    LogEntry,
    OnCall,
    PdUser,
    Service,
    urgency_for,
)

OnCallSpec = tuple[Any, ...]


class PagerDutyState(PagerDutyHistory, PagerDutyChanges):
    """Thread-safe PagerDuty data; the routes read it, tests drive and inspect it."""

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
        self.change_events: list[dict[str, Any]] = []  # bodies as sent, for tests
        self.change_records: list[ChangeEvent] = []
        self._seq = 0
        self._aux = 0
        # Newest first, as this emulator has always listed them; PagerDuty's "Retrieve
        # Incident Details" guide implies oldest first for one incident's log: flip to test.
        self.log_entries_newest_first = True
        # Alert grouping mode and window (pagerduty_grouping.py says what each models).
        self.grouping = "off"
        self.grouping_minutes = 30

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

    def add_service(self, sid: str, name: str, policy_id: str, routing_key: str,
                    integration_id: str = "", team_ids: tuple[str, ...] = ()) -> None:
        """Create a service and its Events API v2 integration (id derived unless given)."""
        with self.lock:
            self.services[sid] = Service(sid, name, policy_id, routing_key, integration_id,
                                         tuple(team_ids))
            self.routing[routing_key] = sid

    def set_urgency_rule(self, sid: str, rule: dict[str, Any]) -> None:
        """Set a service's incident_urgency_rule (spec IncidentUrgencyRule)."""
        with self.lock:
            self.services[sid].urgency_rule = dict(rule)

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
            elif action == "trigger" and (group := self._group_into(key, now)) is not None:
                group.alerts.append(Alert(dedup, key, group.id, "triggered", now,
                                          copy.deepcopy(body)))
                group.updated_at = now
            elif action == "trigger":
                self._open(self.services[self.routing[key]], dedup, body, now)
            elif alert is not None:
                incident = self.incident_by_id(alert.incident_id)
                if incident is not None:
                    self._transition(incident, alert, action, now)
            return str(dedup)

    def trigger(self, service_id: str, title: str = "", dedup_key: str | None = None,
                at: datetime | None = None, event: dict[str, Any] | None = None
                ) -> dict[str, Any]:
        """Open an incident as an Events API trigger would (at a chosen time); API form.

        event: the trigger's body as a client sends it (its payload and dedup_key are used,
        so seeded incidents carry what a real page carries); else a bare one titled title.
        """
        with self.lock:
            service = self.services[service_id]
            given = copy.deepcopy(event) if event is not None else {
                "payload": {"summary": title, "source": "emulator", "severity": "critical"}}
            dedup = dedup_key or str(given.get("dedup_key") or "") or uuid.uuid4().hex
            body = {**given, "routing_key": service.routing_key, "event_action": "trigger",
                    "dedup_key": dedup}
            return self.incident_json(self._open(service, dedup, body, at or utcnow()))

    def _group_into(self, routing_key: str, now: datetime) -> Incident | None:
        """In "time" grouping, the open incident of the service a new alert joins."""
        if self.grouping != "time":
            return None
        service_id = self.routing[routing_key]
        window = timedelta(minutes=self.grouping_minutes)
        return next((i for i in reversed(self.incident_list) if i.service_id == service_id
                     and i.status != "resolved" and now - i.created_at <= window), None)

    def _alerts(self) -> list[Alert]:
        return [alert for incident in self.incident_list for alert in incident.alerts]

    def _open(self, service: Service, dedup: str, body: dict[str, Any],
              now: datetime) -> Incident:
        payload = body.get("payload") or {}
        number = max((i.number for i in self.incident_list), default=1000) + 1
        key = dedup if self.grouping == "off" else ""  # grouped incidents carry no key
        incident = Incident(self._id("Q", 14), number, str(payload.get("summary", "")),
                            service.id, service.policy_id, now, key, updated_at=now,
                            last_status_change_at=now)
        incident.urgency = urgency_for(service.urgency_rule, str(payload.get("severity", "")))
        incident.alerts.append(Alert(dedup, body["routing_key"], incident.id, "triggered", now,
                                     copy.deepcopy(body)))
        self.incident_list.append(incident)
        # The REST spec's APIChannel (components/schemas/Channel, oneOf "APIChannel": type
        # "api", summary "Same as description", service_key, description, incident_key
        # "Incident deduping string", details "Additional details of the incident"): an
        # Events API trigger's data, its custom_details as details. Rendered whole only
        # with include[]=channels (pagerduty_render.log_entry_json).
        self._log(incident, "trigger", "Triggered through the API.", now,
                  channel={"type": "api", "summary": incident.title,
                           "description": incident.title, "incident_key": dedup,
                           "service_key": body["routing_key"],
                           "details": payload.get("custom_details")})
        for level in sorted({o.level for o in self.oncall_entries
                             if o.policy_id == service.policy_id}):
            users = self.oncall_users(service.policy_id, level, now)
            if users:
                incident.level = level
                names = ", ".join(self.users[uid].name for uid in users)
                self._assign(incident, users, now, "assign", f"Assigned to {names}.", None,
                             notify=True)
                break
        return incident

    def _transition(self, incident: Incident, alert: Alert, action: str, now: datetime) -> None:
        if action == "acknowledge" and incident.status == "triggered":
            incident.status = "acknowledged"
            incident.acknowledgements.append((None, now))
            self._log(incident, "acknowledge", "Acknowledged through the API.", now,
                      channel={"type": "api"}, acknowledgement_timeout=None)
        elif action == "resolve":
            alert.status = incident.status = "resolved"
            incident.resolved_at, incident.assignments = now, []
            self._log(incident, "resolve", "Resolved through the API.", now,
                      channel={"type": "api"})
        else:
            return
        incident.status_by = None
        incident.updated_at = incident.last_status_change_at = now

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
