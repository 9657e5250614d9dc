"""Who is on call now for each team, and whether its coverage holds now (`chatops oncall`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from chatops import render
from chatops.adapters.pagerduty_errors import unknown_policy_hint
from chatops.config import Config, Environment
from chatops.core.coverage import describe_start, is_covered, next_start
from chatops.core.model import OnCall
from chatops.core.ports import PagerDutyPorts
from chatops.core.request import known_team
from chatops.errors import ChatopsError


def asked_teams(config: Config, text: str) -> list[str]:
    """The team the first word names (InputError if unknown); no word: every team."""
    words = text.split()
    return [known_team(words[0], list(config.teams))] if words else list(config.teams)


def oncall_reply(config: Config, env: Environment, teams: list[str], now: datetime,
                 pagerduty: Callable[[], PagerDutyPorts]) -> str:
    """Who is on call now for each team, in one PagerDuty request."""
    policies = [config.teams[t].escalation_policy_id for t in teams]
    found: dict[str, tuple[OnCall, ...]] = {}
    unknown: set[str] = set()
    problem = "PAGERDUTY_API_TOKEN is not set"
    if env.pagerduty_api_token is not None:
        try:
            pd = pagerduty()
            found, problem = pd.oncalls(policies), ""
            # An empty list may also mean a policy id PagerDuty does not know.
            unknown = {p for p in policies if not found.get(p) and not pd.policy_exists(p)}
        except ChatopsError as exc:
            problem = str(exc)
    rows = [{"team": config.teams[key], "covered": is_covered(config.teams[key].coverage, now),
             "next": describe_start(next_start(config.teams[key].coverage, now), now),
             "oncall": found.get(config.teams[key].escalation_policy_id, ()),
             "unknown_policy": unknown_policy_hint(config.teams[key].escalation_policy_id)
             if config.teams[key].escalation_policy_id in unknown else ""} for key in teams]
    return render.render("oncall_reply.txt.j2", {"rows": rows, "problem": problem, "now": now},
                         config.templates_dir)
