"""Test helpers that write realistic incident histories (log entries) into PagerDutyState."""

# Entry types and fields follow the REST OpenAPI spec: NotifyLogEntry.user,
# Assign/EscalateLogEntry.assignees, AcknowledgeLogEntry.acknowledgement_timeout, LogEntry.note
# (PUT /incidents/{id} "resolution" is "added to the incident's 'Resolve' log entry as a
# note") and Channel (service agents: auto/api/timeout; user agents: website/sms/email/note;
# notification.type sms_/email_/phone_/push_notification, address null for push).  Summary
# wording is modelled on the web UI's timeline and is an approximation.  Resolving clears the
# assignments (PagerDuty/pagerduty-mcp-server log_entries tool docs); acknowledging as a user
# who is not assigned takes the incident over (hubot-archive/hubot-pager-me#125).

from __future__ import annotations

from datetime import datetime
from typing import Any

from chatops_emulator.core import pd_time, utcnow
from chatops_emulator.pagerduty_model import Incident, IncidentNote, LogEntry, OnCall
from chatops_emulator.pagerduty_render import PagerDutyRender

CHANNELS = {"sms": "SMS", "email": "email", "phone": "phone", "push": "push notification"}


class PagerDutyHistory(PagerDutyRender):
    """notify/escalate/acknowledge/... helpers; each returns the new entry in API form."""

    oncall_entries: list[OnCall]
    _seq: int
    _aux: int

    # -- plumbing ----------------------------------------------------------------------
    def _id(self, prefix: str, width: int) -> str:
        self._seq += 1
        return f"{prefix}{self._seq:0{width - 1}d}"

    def _aux_id(self, prefix: str) -> str:
        """Ids of notes and notifications (a separate counter keeps incident ids stable)."""
        self._aux += 1
        return f"{prefix}N{self._aux:05d}"

    def _log(self, incident: Incident, kind: str, summary: str, at: datetime,
             **extra: Any) -> LogEntry:
        entry = LogEntry(self._id("R", 26), kind, incident.id, at, summary, extra)
        self.log_entries.append(entry)
        incident.log_entry_ids.append(entry.id)
        return entry

    def _need(self, incident_id: str) -> Incident:
        incident = self.incident_by_id(incident_id)
        if incident is None:
            raise KeyError(f"no incident {incident_id}")
        return incident

    def _user_id(self, uid: str) -> str:
        if uid not in self.users:
            raise KeyError(f"no user {uid}")
        return uid

    def _status(self, incident: Incident, status: str, by: str | None, at: datetime) -> None:
        incident.status, incident.status_by = status, by
        incident.updated_at = incident.last_status_change_at = at

    def oncall_users(self, policy_id: str, level: int, at: datetime) -> list[str]:
        """Who is on call at one level of a policy at a moment."""
        return list(dict.fromkeys(o.user_id for o in self.oncall_entries
                                  if o.policy_id == policy_id and o.level == level
                                  and o.active(at, at)))

    def _assign(self, incident: Incident, users: list[str], at: datetime, kind: str,
                summary: str, by: str | None, notify: bool) -> LogEntry:
        incident.assignments = [(uid, at) for uid in users]
        incident.updated_at = at
        entry = self._log(incident, kind, summary, at, agent=self.agent_ref(by, incident),
                          channel={"type": "website"} if by else {
                              "type": "auto" if kind == "assign" else "timeout"},
                          assignees=[self.user_ref(uid) for uid in users])
        for uid in users if notify else []:
            self._notify(incident, uid, "email", at)
        return entry

    def _notify(self, incident: Incident, uid: str, channel: str, at: datetime) -> LogEntry:
        if channel not in CHANNELS:
            raise ValueError(f"channel must be one of {', '.join(CHANNELS)}")
        user = self.users[uid]
        address = {"sms": user.phone, "phone": user.phone, "email": user.email}.get(channel)
        ref = self.user_ref(uid)
        return self._log(
            incident, "notify", f"Notified {user.name} by {CHANNELS[channel]}.", at,
            agent=self.service_ref(incident.service_id), user=ref,
            channel={"type": "notification", "notification": {
                "id": self._aux_id("P"), "type": f"{channel}_notification",
                "started_at": pd_time(at), "address": address,
                "user": ref, "status": "success"}})

    def _entry(self, entry: LogEntry) -> dict[str, Any]:
        return self.log_entry_json(entry)

    # -- helpers for tests ---------------------------------------------------------------
    def notify(self, incident_id: str, user_id: str, channel: str = "email",
               at: datetime | None = None) -> dict[str, Any]:
        """A notify_log_entry: user_id was contacted by sms, email, phone or push."""
        with self.lock:
            incident = self._need(incident_id)
            return self._entry(self._notify(incident, self._user_id(user_id), channel,
                                            at or utcnow()))

    def escalate(self, incident_id: str, level: int, at: datetime | None = None,
                 by_user_id: str | None = None, notify: bool = True) -> dict[str, Any]:
        """An escalate_log_entry to a policy level (by timeout unless by_user_id)."""
        with self.lock:
            incident, when = self._need(incident_id), at or utcnow()
            users = self.oncall_users(incident.policy_id, level, when)
            if not users:
                raise ValueError(f"nobody is on call at level {level} of {incident.policy_id}")
            if incident.status == "resolved":
                raise ValueError("a resolved incident cannot be escalated")
            incident.level = level
            how = f"by {self.users[by_user_id].name}" if by_user_id else "due to timeout"
            entry = self._assign(incident, users, when, "escalate",
                                 f"Escalated to level {level} {how}.", by_user_id, notify)
            return self._entry(entry)

    def reassign(self, incident_id: str, user_id: str, by_user_id: str | None = None,
                 at: datetime | None = None, notify: bool = True) -> dict[str, Any]:
        """An assign_log_entry handing the incident to user_id."""
        with self.lock:
            incident, when = self._need(incident_id), at or utcnow()
            name = self.users[self._user_id(user_id)].name
            how = f" by {self.users[by_user_id].name}" if by_user_id else ""
            entry = self._assign(incident, [user_id], when, "assign",
                                 f"Assigned to {name}{how}.", by_user_id, notify)
            return self._entry(entry)

    def acknowledge(self, incident_id: str, user_id: str, at: datetime | None = None,
                    channel: str = "website") -> dict[str, Any]:
        """An acknowledge_log_entry by user_id; the incident becomes acknowledged."""
        with self.lock:
            incident, when = self._need(incident_id), at or utcnow()
            uid = self._user_id(user_id)
            if incident.status == "resolved":
                raise ValueError("a resolved incident cannot be acknowledged")
            self._status(incident, "acknowledged", uid, when)
            incident.acknowledgements = [a for a in incident.acknowledgements if a[0] != uid]
            incident.acknowledgements.append((uid, when))
            if uid not in {u for u, _ in incident.assignments}:
                incident.assignments = [(uid, when)]
            entry = self._log(incident, "acknowledge",
                              f"Acknowledged by {self.users[uid].name}.", when,
                              agent=self.user_ref(uid), channel={"type": channel},
                              acknowledgement_timeout=None)
            return self._entry(entry)

    def unacknowledge(self, incident_id: str, at: datetime | None = None) -> dict[str, Any]:
        """An unacknowledge_log_entry (acknowledgement timed out); back to triggered."""
        with self.lock:
            incident, when = self._need(incident_id), at or utcnow()
            if incident.status != "acknowledged":
                raise ValueError("only an acknowledged incident can be unacknowledged")
            self._status(incident, "triggered", None, when)
            incident.acknowledgements = []
            entry = self._log(incident, "unacknowledge", "Unacknowledged due to timeout.", when,
                              agent=self.service_ref(incident.service_id),
                              channel={"type": "timeout"})
            return self._entry(entry)

    def annotate(self, incident_id: str, user_id: str, text: str,
                 at: datetime | None = None) -> dict[str, Any]:
        """An annotate_log_entry (a note by user_id); the text is in channel.summary."""
        with self.lock:
            incident, when = self._need(incident_id), at or utcnow()
            uid = self._user_id(user_id)
            incident.notes.append(IncidentNote(self._aux_id("P"), uid, text, when))
            incident.updated_at = when
            entry = self._log(incident, "annotate", "Note added", when,
                              agent=self.user_ref(uid),
                              channel={"type": "note", "summary": text})
            return self._entry(entry)

    def resolve(self, incident_id: str, user_id: str | None = None, at: datetime | None = None,
                resolution: str | None = None, channel: str = "website") -> dict[str, Any]:
        """A resolve_log_entry by user_id (or the service, through the API)."""
        with self.lock:
            incident, when = self._need(incident_id), at or utcnow()
            if incident.status == "resolved":
                raise ValueError("the incident is already resolved")
            uid = self._user_id(user_id) if user_id else None
            self._status(incident, "resolved", uid, when)
            incident.resolved_at, incident.assignments = when, []
            for alert in incident.alerts:
                alert.status = "resolved"
            extra: dict[str, Any] = {"note": resolution} if resolution else {}
            summary = f"Resolved by {self.users[uid].name}." if uid else \
                "Resolved through the API."
            entry = self._log(incident, "resolve", summary, when,
                              agent=self.agent_ref(uid, incident),
                              channel={"type": channel if uid else "api"}, **extra)
            return self._entry(entry)

    def add_note(self, incident_id: str, user_id: str, content: str,
                 at: datetime | None = None) -> dict[str, Any]:
        """Add a note (annotate entry) and return the note object."""
        with self.lock:
            self.annotate(incident_id, user_id, content, at)
            return self.note_json(self._need(incident_id).notes[-1])

    def delete_incident(self, incident_id: str) -> None:
        """Forget an incident and its log entries (later lookups answer 404)."""
        with self.lock:
            incident = self._need(incident_id)
            self.incident_list.remove(incident)
            self.log_entries = [e for e in self.log_entries if e.incident_id != incident.id]
