"""Service urgency rules and the drill promise (drills are low urgency)."""

import pytest

from chatops.core.urgency import describe, drill_problem

SEVERITY = {"type": "constant", "urgency": "severity_based"}


@pytest.mark.parametrize("rule", [
    SEVERITY,
    {"type": "constant", "urgency": "low"},
    {"urgency": "severity_based"},  # type defaults to constant
    {"type": "use_support_hours", "during_support_hours": SEVERITY,
     "outside_support_hours": {"type": "constant", "urgency": "low"}},
])
def test_rules_that_keep_drills_low(rule: object) -> None:
    assert drill_problem(rule) is None


def test_constant_high_pages_drills_loudly() -> None:
    problem = drill_problem({"type": "constant", "urgency": "high"})
    assert problem is not None and "HIGH urgency" in problem


def test_support_hours_name_the_loud_part() -> None:
    rule = {"type": "use_support_hours", "during_support_hours": SEVERITY,
            "outside_support_hours": {"type": "constant", "urgency": "high"}}
    problem = drill_problem(rule)
    assert problem is not None and "outside support hours" in problem
    assert "during" not in problem
    both = drill_problem({"type": "use_support_hours"})
    assert both is not None and "during and outside" in both


@pytest.mark.parametrize("rule", [None, "high", {"type": "constant", "urgency": "medium"},
                                  {"type": "weird", "urgency": "low"}])
def test_unreadable_rules_are_reported(rule: object) -> None:
    problem = drill_problem(rule)
    assert problem is not None and "not readable" in problem


def test_describe() -> None:
    assert describe(SEVERITY) == ("by alert severity (critical and error high; warning and "
                                  "info low, so drills are low)")
    assert describe({"type": "constant", "urgency": "high"}) == "always high urgency (drills too)"
    assert describe({"urgency": "low"}) == ("always low urgency (real pages too: only "
                                            "low-urgency notification rules apply)")
    assert describe({"type": "use_support_hours", "during_support_hours": {"urgency": "high"},
                     "outside_support_hours": {"urgency": "low"}}) == (
        "during support hours always high urgency (drills too); outside them always low "
        "urgency (real pages too: only low-urgency notification rules apply)")
    assert describe({"urgency": "odd"}) == "unknown urgency 'odd'"
    assert describe({}) == "unknown"
    assert describe(None) == "unknown"
