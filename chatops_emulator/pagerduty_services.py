"""PagerDuty REST: GET /escalation_policies/{id} and GET /services/{id}; service urgency."""

# Shapes from the REST OpenAPI spec: EscalationPolicy.services ("the services that use this
# escalation policy", service references) and Service.incident_urgency_rule
# (IncidentUrgencyRule: type "constant" with urgency low | high | severity_based, or
# "use_support_hours" with during_support_hours / outside_support_hours rules; defaults
# constant / high). With severity_based urgency ("Dynamic notifications" in the service's
# settings, support.pagerduty.com/docs/configurable-service-settings), alerts of severity
# critical or error open high-urgency incidents and warning or info low-urgency ones.
# Support hours are not emulated: a use_support_hours rule acts as its
# during_support_hours rule (pagerduty_model.urgency_for).

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chatops_emulator.pagerduty_model import Service
from chatops_emulator.pagerduty_query import InvalidError

if TYPE_CHECKING:
    from chatops_emulator.pagerduty_state import PagerDutyState

def policy_json(state: PagerDutyState, pid: str) -> dict[str, Any]:
    """An EscalationPolicy with the services that use it (404 code 2100 if unknown)."""
    with state.lock:
        if pid not in state.policies:
            raise InvalidError(404, "Not Found", 2100, ["Escalation Policy Not Found"])
        services = [state.service_ref(s.id) for s in state.services.values()
                    if s.policy_id == pid]
        return {**state.policy_ref(pid), "type": "escalation_policy",
                "name": state.policies[pid], "description": None, "escalation_rules": [],
                "services": services, "num_loops": 0, "teams": [], "on_call_handoff_notifications":
                "if_has_services"}


def service_json(state: PagerDutyState, sid: str) -> dict[str, Any]:
    """A Service with its escalation policy and incident urgency rule."""
    with state.lock:
        service: Service | None = state.services.get(sid)
        if service is None:
            raise InvalidError(404, "Not Found", 2100, ["Service Not Found"])
        return {**state.service_ref(sid), "type": "service", "name": service.name,
                "description": None, "status": "active", "auto_resolve_timeout": None,
                "acknowledgement_timeout": None,
                "escalation_policy": state.policy_ref(service.policy_id),
                "incident_urgency_rule": dict(service.urgency_rule), "teams": [],
                "alert_creation": "create_alerts_and_incidents"}
