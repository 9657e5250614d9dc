"""PagerDuty reads and writes for following escalations: incidents, log entries, resolve."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pagerduty

from chatops.adapters import pagerduty_parse as parse
from chatops.adapters.pagerduty import _iso
from chatops.adapters.pagerduty_report import PagerDutyReports
from chatops.core.history import Incident, LogEntry, parse_dedup_key


class PagerDutyDesk(PagerDutyReports):
    """The Pager port plus the incident reads and writes that sync, escalation and report need."""

    def open_incidents(self) -> list[Incident]:
        """Every triggered or acknowledged incident that a chatops page opened."""
        params: dict[str, Any] = {"statuses": ["triggered", "acknowledged"],
                                  "date_range": "all", "time_zone": "UTC"}
        items = self._list("/incidents", "incidents", params, self._http.lookup_budget_seconds,
                           cap=5000)
        found = [self._parsed("GET /incidents", parse.incident, item) for item in items]
        return [i for i in found if parse_dedup_key(i.incident_key) is not None]

    def log_entries(self, since: datetime, until: datetime) -> list[tuple[LogEntry, Incident]]:
        """Account-wide log entries in a window, with their chatops incidents."""
        # Whole seconds on the wire: round `until` up, or this second's entries are lost.
        params: dict[str, Any] = {"since": _iso(since), "until": _iso(until + timedelta(seconds=1)),
                                  "time_zone": "UTC", "is_overview": "false",
                                  "include": ["incidents"]}
        items = self._list("/log_entries", "log_entries", params,
                           self._http.lookup_budget_seconds, cap=10000)
        pairs = []
        for item in items:
            if not isinstance(item.get("incident"), dict) or "status" not in item["incident"]:
                continue  # not expanded: not an incident's entry
            incident = self._parsed("GET /log_entries", parse.incident, item["incident"])
            if parse_dedup_key(incident.incident_key) is not None:
                pairs.append((self._parsed("GET /log_entries", parse.log_entry, item), incident))
        return pairs

    def incident_by_id(self, incident_id: str) -> Incident:
        """One incident by id (PagerDutyError 404 when it does not exist)."""
        path = f"/incidents/{incident_id}"
        client, token = self._rest(f"GET {path}")

        def get() -> Incident:
            body = pagerduty.successful_response(client.get(path)).json()
            return parse.incident(body["incident"])

        return self._retry(lambda: self._call(f"GET {path}", token, get),
                           self._http.lookup_budget_seconds)

    def incident_log(self, incident_id: str) -> list[LogEntry]:
        """The whole log of one incident."""
        path = f"/incidents/{incident_id}/log_entries"
        params: dict[str, Any] = {"time_zone": "UTC", "is_overview": "false"}
        items = self._list(path, "log_entries", params, self._http.lookup_budget_seconds)
        return [self._parsed(f"GET {path}", parse.log_entry, item) for item in items]

    def resolve(self, incident_id: str, from_email: str, resolution: str) -> Incident:
        """Resolve an incident as the named PagerDuty user (From header)."""
        path = f"/incidents/{incident_id}"
        client, token = self._rest(f"PUT {path}")
        body: dict[str, Any] = {"incident": {"type": "incident_reference", "status": "resolved"}}
        if resolution:
            body["incident"]["resolution"] = resolution[:1000]

        def put() -> Incident:
            response = client.put(path, json=body, headers={"From": from_email})
            return parse.incident(pagerduty.successful_response(response).json()["incident"])

        # Setting a status is idempotent: repeating it after a timeout is safe.
        return self._retry(lambda: self._call(f"PUT {path}", token, put),
                           self._http.pagerduty_budget_seconds)

    def policy_services(self, policy_id: str) -> list[tuple[str, str, Any]]:
        """(id, name, incident_urgency_rule) of every service using an escalation policy."""
        # REST spec: EscalationPolicy.services lists the services that use the policy
        # (references); Service.incident_urgency_rule is on GET /services/{id}.
        policy = self._get_one(f"/escalation_policies/{policy_id}", "escalation_policy")
        found = []
        for ref in policy.get("services") or []:
            service = self._get_one(f"/services/{ref['id']}", "service")
            found.append((str(service["id"]), str(service.get("name") or service["id"]),
                          service.get("incident_urgency_rule")))
        return found

    def _get_one(self, path: str, key: str) -> dict[str, Any]:
        """One wrapped object (GET path -> {key: {...}})."""
        client, token = self._rest(f"GET {path}")

        def get() -> dict[str, Any]:
            body = pagerduty.successful_response(client.get(path)).json()
            if not isinstance(body.get(key), dict):
                raise ValueError(f"no {key!r} object")
            found: dict[str, Any] = body[key]
            return found

        with client:
            return self._retry(lambda: self._call(f"GET {path}", token, get),
                               self._http.lookup_budget_seconds)

    def known_user(self, email: str) -> bool:
        """True when PagerDuty has a user with exactly this email."""
        users = self._list("/users", "users", {"query": email},
                           self._http.lookup_budget_seconds, cap=100)
        return any(str(u.get("email", "")).lower() == email.lower() for u in users)

    def _parsed(self, endpoint: str, parser: Any, item: Any) -> Any:
        """Parse one object, reporting a malformed one as a PagerDutyError."""
        return self._call(endpoint, self._token or "", lambda: parser(item))
