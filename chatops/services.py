"""The PagerDuty services of each team: configured, or those of its escalation policy."""

from __future__ import annotations

from chatops.config import Config
from chatops.core.ports import IncidentDesk


def team_service_ids(config: Config, desk: IncidentDesk) -> dict[str, tuple[str, ...]]:
    """Team -> service ids: the configured `service_ids`, else its policy's services.

    The policies' services come from one listing of GET /services (a few requests for
    the whole account), not one request per team.
    """
    policies = sorted({t.escalation_policy_id for t in config.teams.values() if not t.service_ids})
    by_policy = desk.services_by_policy(policies) if policies else {}
    return {name: tuple(team.service_ids) or by_policy.get(team.escalation_policy_id, ())
            for name, team in config.teams.items()}
