"""PagerDuty reads and writes for following escalations: incidents, log entries, resolve."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pagerduty

from chatops.adapters import pagerduty_parse as parse
from chatops.adapters.pagerduty_errors import ListOverflowError
from chatops.adapters.pagerduty_report import PagerDutyReports, _slices
from chatops.adapters.timestamps import utc_text
from chatops.core.incident import Incident, LogEntry

# PagerDuty answers 400 when offset + limit exceeds 10,000 (developer-docs
# docs/REST-API/09-Pagination.md): a longer time-windowed read is split in halves.
OFFSET_LIMIT = 10000


class PagerDutyDesk(PagerDutyReports):
    """The Pager port plus the incident reads and writes that sync, escalation and report need."""

    def open_incidents(self, service_ids: tuple[str, ...] = ()) -> list[Incident]:
        """Every triggered or acknowledged chatops incident (of these services, when given)."""
        params: dict[str, Any] = {"statuses": ["triggered", "acknowledged"],
                                  "date_range": "all", "time_zone": "UTC"}
        if service_ids:
            params["service_ids"] = list(service_ids)
        items = self._list("/incidents", "incidents", params, self._http.lookup_budget_seconds,
                           cap=OFFSET_LIMIT)
        found = [self._parsed("GET /incidents", parse.incident, item) for item in items]
        return [i for i in map(self.with_keys, found) if i.escalations]

    def team_services(self, policy_id: str) -> tuple[str, ...]:
        """The services of an escalation policy (GET /escalation_policies/{id}, `services`).

        The REST spec's EscalationPolicy object lists `services` (ServiceReference, read
        only): the services a team's pages land on, so reads can be limited to them.
        """
        path = f"/escalation_policies/{policy_id}"
        client, token = self._rest(f"GET {path}")

        def get() -> tuple[str, ...]:
            body = pagerduty.successful_response(client.get(path)).json()
            return tuple(str(s["id"]) for s in body["escalation_policy"]["services"])

        with client:
            return self._retry(lambda: self._call(f"GET {path}", token, get),
                               self._http.lookup_budget_seconds)

    def services_by_policy(self, policy_ids: list[str]) -> dict[str, tuple[str, ...]]:
        """The services of several escalation policies, from one listing of GET /services.

        Each Service object names its `escalation_policy` (REST spec, schema Service), so
        one paginated listing serves every team instead of one request per policy.
        """
        found: dict[str, list[str]] = {policy: [] for policy in policy_ids}
        for item in self._list("/services", "services", {}, self._http.lookup_budget_seconds,
                               cap=OFFSET_LIMIT):
            policy = str((item.get("escalation_policy") or {}).get("id") or "")
            if policy in found:
                found[policy].append(str(item["id"]))
        return {policy: tuple(ids) for policy, ids in found.items()}

    def with_keys(self, incident: Incident) -> Incident:
        """The incident with its alerts' keys when it has no key of its own (grouping)."""
        if incident.incident_key or incident.alert_keys:
            return incident
        path = f"/incidents/{incident.id}/alerts"
        items = self._list(path, "alerts", {}, self._http.lookup_budget_seconds,
                           cap=OFFSET_LIMIT)
        keys = tuple(dict.fromkeys(k for k in (parse.alert_key(i) for i in items) if k))
        return replace(incident, alert_keys=keys)

    def triggered_between(self, service_ids: tuple[str, ...], since: datetime,
                          until: datetime) -> list[Incident]:
        """Incidents still triggered that were created in [since, until] on these services."""
        if not service_ids:
            return []
        params: dict[str, Any] = {"statuses": ["triggered"], "service_ids": list(service_ids),
                                  "since": utc_text(since),
                                  "until": utc_text(until + timedelta(seconds=1)),
                                  "time_zone": "UTC"}
        items: list[Any] = []
        for start, end in _slices(since, until + timedelta(seconds=1)):
            params.update(since=utc_text(start), until=utc_text(end))
            items += self._list("/incidents", "incidents", dict(params),
                                self._http.lookup_budget_seconds, cap=OFFSET_LIMIT)
        return [self._parsed("GET /incidents", parse.incident, item) for item in items]

    def log_entries(self, since: datetime, until: datetime) -> list[tuple[LogEntry, Incident]]:
        """Account-wide log entries in [since, until], each with its incident, oldest first.

        GET /log_entries takes no service filter (REST spec: team_ids[] only), so the
        caller keeps the teams' services. More than 10,000 entries: the range is halved.
        """
        # Whole seconds on the wire: round `until` up, or this second's entries are lost.
        params: dict[str, Any] = {"since": utc_text(since),
                                  "until": utc_text(until + timedelta(seconds=1)),
                                  "time_zone": "UTC", "is_overview": "false",
                                  "include": ["incidents"]}
        try:
            items = self._list("/log_entries", "log_entries", params,
                               self._http.lookup_budget_seconds, cap=OFFSET_LIMIT)
        except ListOverflowError:
            if until - since < timedelta(seconds=2):
                raise
            middle = since + (until - since) / 2
            halves = {p[0].id: p for p in self.log_entries(since, middle)
                      + self.log_entries(middle, until)}
            return sorted(halves.values(), key=lambda p: (p[0].at, p[0].id))
        pairs = []
        for item in items:
            if not isinstance(item.get("incident"), dict) or "status" not in item["incident"]:
                continue  # not expanded: not an incident's entry
            incident = self._parsed("GET /log_entries", parse.incident, item["incident"])
            pairs.append((self._parsed("GET /log_entries", parse.log_entry, item), incident))
        return sorted(pairs, key=lambda p: (p[0].at, p[0].id))

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
        # include[]=channels: the trigger entries carry the page's facts (pagerduty_parse).
        params: dict[str, Any] = {"time_zone": "UTC", "is_overview": "false",
                                  "include": ["channels"]}
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
