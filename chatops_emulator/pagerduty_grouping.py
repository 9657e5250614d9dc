"""Alert grouping and the reads that go with it: incident alerts, escalation policies.

Modes of PagerDutyState.grouping, after PagerDuty's "Alert Grouping" and "Event
Orchestration" behaviour as the REST spec describes it (parameter `incident_key`:
"Incidents with child alerts do not have an incident key; querying by incident key
will return incidents whose alerts have alert_key matching the given incident key";
users see `incident_key` null, PagerDuty/pdpyras#44):
  "off"     each trigger opens an incident whose incident_key is its dedup key;
  "keyless" each trigger opens an incident with incident_key null (one child alert);
  "time"    keyless, and a trigger with a new dedup key on a service that has an
            open incident created in the last `grouping_minutes` joins that incident
            as another alert (time-based alert grouping) instead of opening one.
GET /incidents/{id}/alerts returns Alert objects (spec schema Alert: alert_key,
status, incident, service, body); GET /escalation_policies/{id} lists the policy's
`services` (spec schema EscalationPolicy, read-only ServiceReference list), and GET
/services names each service's `escalation_policy` (spec schema Service).
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from chatops_emulator.core import pd_time
from chatops_emulator.pagerduty_model import HTML_BASE, Alert, Incident

MODES = ("off", "keyless", "time")


def alert_json(state: Any, incident: Incident, alert: Alert, index: int,
               zone: tzinfo | None) -> dict[str, Any]:
    """One alert of an incident, shaped like the spec's Alert."""
    alert_id = f"{incident.id[:-2]}A{index:01d}"
    payload = alert.event.get("payload") or {}
    return {
        "id": alert_id, "type": "alert", "summary": str(payload.get("summary", "")),
        "self": f"{state.api_base}/alerts/{alert_id}",
        "html_url": f"{HTML_BASE}/alerts/{alert_id}",
        "created_at": pd_time(alert.created_at, zone), "status": alert.status,
        "alert_key": alert.dedup_key, "suppressed": False,
        "severity": str(payload.get("severity", "critical")),
        "service": state.service_ref(incident.service_id),
        "incident": {"id": incident.id, "type": "incident_reference",
                     "summary": f"[#{incident.number}] {incident.title}",
                     "self": f"{state.api_base}/incidents/{incident.id}",
                     "html_url": f"{HTML_BASE}/incidents/{incident.id}"},
        "body": {"type": "alert_body", "contexts": alert.event.get("links") or [],
                 "details": payload.get("custom_details") or {}},
    }


def incident_alerts(state: Any, incident: Incident, single: dict[str, str],
                    statuses: list[str], zone: tzinfo | None) -> list[dict[str, Any]]:
    """The alerts of an incident, filtered by alert_key and statuses[]."""
    key = single.get("alert_key")
    return [alert_json(state, incident, alert, n, zone)
            for n, alert in enumerate(incident.alerts)
            if (not key or alert.dedup_key == key) and (not statuses or alert.status in statuses)]


def services_json(state: Any) -> list[dict[str, Any]]:
    """GET /services: every service with its escalation policy (spec schema Service)."""
    return [{**state.service_ref(s.id), "type": "service", "name": s.name,
             "escalation_policy": state.policy_ref(s.policy_id), "status": "active",
             "teams": [], "integrations": []}
            for s in sorted(state.services.values(), key=lambda s: s.name.lower())]
