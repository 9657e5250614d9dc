"""Does a service's incident urgency rule keep drills (severity info) at low urgency?"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# PagerDuty REST spec, Service.incident_urgency_rule (IncidentUrgencyRule): type
# "constant" with urgency low | high | severity_based, or "use_support_hours" with a rule
# for during_support_hours and one for outside_support_hours. With severity_based urgency
# ("Dynamic notifications", support.pagerduty.com/docs/configurable-service-settings)
# warning and info alerts open low-urgency incidents; chatops drills send severity info.


def _constant(rule: Any) -> str:
    """The urgency a constant rule gives an info alert: low, high or unknown."""
    if not isinstance(rule, Mapping) or rule.get("type", "constant") != "constant":
        return "unknown"
    urgency = rule.get("urgency")
    return {"low": "low", "severity_based": "low", "high": "high"}.get(str(urgency), "unknown")


_WORDS = {
    "high": "always high urgency (drills too)",
    "low": "always low urgency (real pages too: only low-urgency notification rules apply)",
    "severity_based": "by alert severity (critical and error high; warning and info low, "
                      "so drills are low)",
}


def _words(rule: Any) -> str:
    """One constant rule in words."""
    urgency = rule.get("urgency") if isinstance(rule, Mapping) else None
    return _WORDS.get(str(urgency), f"unknown urgency {urgency!r}" if urgency else "unknown")


def describe(rule: Any) -> str:
    """The rule in words, as check prints it."""
    if isinstance(rule, Mapping) and rule.get("type") == "use_support_hours":
        return (f"during support hours {_words(rule.get('during_support_hours'))}; outside "
                f"them {_words(rule.get('outside_support_hours'))}")
    return _words(rule)


def drill_problem(rule: Any) -> str | None:
    """Why drills would NOT be low urgency on a service with this rule; None when they are."""
    if isinstance(rule, Mapping) and rule.get("type") == "use_support_hours":
        parts = {when: _constant(rule.get(f"{when}_support_hours"))
                 for when in ("during", "outside")}
        loud = [when for when, urgency in parts.items() if urgency != "low"]
        if not loud:
            return None
        return (f"drills are not low urgency {' and '.join(loud)} support hours: set that "
                "urgency to 'Based on alert severity' or low")
    urgency = _constant(rule)
    if urgency == "low":
        return None
    if urgency == "high":
        return ("drills page at HIGH urgency (the service ignores alert severity): set the "
                "service's urgency to 'Dynamic notifications: based on alert severity'")
    return "the service's urgency rule is not readable: check that drills are low urgency"
