"""`chatops check`'s work: variables the jobs need, coverage gaps and loud drills."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import pytest

from chatops.audit import AuditLog
from chatops.check import PROTECTED_HINT, check, missing_variables
from chatops.config import Environment, load_config
from chatops.core.model import OnCall
from chatops.core.ports import PagerDutyPorts
from chatops.errors import ConfigError

CONFIG = load_config(Path(__file__).parents[2] / "chatops.toml")
MONDAY = datetime(2026, 11, 30, 0, 0, tzinfo=UTC)
KEYS = {"PAGERDUTY_ROUTING_KEY_GITALY": "k1", "PAGERDUTY_ROUTING_KEY_DATABASE": "k2"}
LOW = {"type": "constant", "urgency": "low"}


@dataclass
class Desk:
    """Policies, level-1 shifts and service urgency rules, as PagerDuty would list them."""

    shifts: dict[str, tuple[OnCall, ...]] = field(default_factory=dict)
    rule: dict[str, Any] = field(default_factory=lambda: LOW)

    def policy_exists(self, policy_id: str) -> bool:
        return policy_id in ("PXXXXXX", "PYYYYYY")

    def oncalls(self, policy_ids: list[str], since: datetime | None = None,
                until: datetime | None = None) -> dict[str, tuple[OnCall, ...]]:
        return {p: self.shifts.get(p, ()) for p in policy_ids}

    def policy_services(self, policy_id: str) -> list[tuple[str, str, Any]]:
        return [("S" + policy_id, "svc-" + policy_id, self.rule)]


def run(env: Environment, desk: Desk | None = None) -> tuple[Any, list[str]]:
    """check over one day from Monday 00:00 UTC; what it said before its end."""
    said: list[str] = []

    def pagerduty() -> PagerDutyPorts:
        assert desk is not None, "PagerDuty was asked without a token"
        return cast("PagerDutyPorts", desk)

    result = check(CONFIG, env, 1, lambda: MONDAY, pagerduty,
                   AuditLog("test", clock=lambda: MONDAY), said.append)
    return result, said


def test_routing_keys_are_always_needed_tokens_only_in_a_pipeline() -> None:
    """On a laptop a missing token is fine; in the pipeline the check stands for the jobs."""
    env = Environment.read({"PAGERDUTY_ROUTING_KEY_GITALY": "k1"})
    assert [ln.split(":")[0] for ln in missing_variables(CONFIG, env, in_ci=False)] == [
        "MISSING PAGERDUTY_ROUTING_KEY_DATABASE"]
    assert [ln.split(":")[0] for ln in missing_variables(CONFIG, env, in_ci=True)] == [
        "MISSING PAGERDUTY_ROUTING_KEY_DATABASE", "MISSING PAGERDUTY_API_TOKEN",
        "MISSING GITLAB_TOKEN"]


def test_missing_variables_refuse_after_saying_the_configuration_is_fine() -> None:
    """The refusal names each variable and why a merge request pipeline may lack them."""
    with pytest.raises(ConfigError) as caught:
        run(Environment.read({"CI_PIPELINE_SOURCE": "push", **KEYS}))
    assert "MISSING PAGERDUTY_API_TOKEN" in caught.value.message
    assert caught.value.hint == PROTECTED_HINT


def test_without_a_token_schedules_are_not_compared() -> None:
    """Outside a pipeline, no PagerDuty token: OK, and RESULT says what was not checked."""
    result, said = run(Environment.read(KEYS))
    assert (result.outcome, result.failed) == ("ok", False)
    assert result.detail == "schedules=not-checked"
    assert said == [] and "not compared with coverage" in result.reply


def test_covered_hours_without_a_level_1_on_call_are_gaps() -> None:
    """Gitaly has someone all day; Database (08:00-18:00 Amsterdam) has nobody: one GAP."""
    desk = Desk(shifts={"PXXXXXX": (OnCall(1, "Ada", None),)})
    result, said = run(Environment.read({**KEYS, "PAGERDUTY_API_TOKEN": "t"}), desk)
    assert said and said[0].startswith("Configuration OK: 2 team(s)")
    gaps = [ln for ln in result.reply.splitlines() if ln.startswith("GAP")]
    assert len(gaps) == 1 and gaps[0].startswith(
        "GAP Database: nobody on call at level 1 Mon 2026-11-30 07:00 to Mon 2026-11-30 "
        "17:00 UTC")
    assert (result.outcome, result.failed, result.detail) == ("gaps", True,
                                                             "gaps=1 loud_drills=0")


def test_a_drill_that_would_wake_someone_fails_the_check() -> None:
    """Full coverage, but a high-urgency service: DRILL lines, outcome loud-drills."""
    everyone = (OnCall(1, "Ada", None),)
    desk = Desk(shifts={"PXXXXXX": everyone, "PYYYYYY": everyone},
                rule={"type": "constant", "urgency": "high"})
    result, _ = run(Environment.read({**KEYS, "PAGERDUTY_API_TOKEN": "t"}), desk)
    assert [ln.split(":")[0] for ln in result.reply.splitlines() if ln.startswith("DRILL")] == [
        "DRILL Gitaly", "DRILL Database"]
    assert (result.outcome, result.failed, result.detail) == ("loud-drills", True,
                                                             "gaps=0 loud_drills=2")


def test_all_covered_and_quiet_is_ok() -> None:
    """Someone at level 1 all the time, drills at low urgency: exit 0."""
    everyone = (OnCall(1, "Ada", None),)
    result, _ = run(Environment.read({**KEYS, "PAGERDUTY_API_TOKEN": "t"}),
                    Desk(shifts={"PXXXXXX": everyone, "PYYYYYY": everyone}))
    assert (result.outcome, result.failed, result.detail) == ("ok", False, "gaps=0 loud_drills=0")
    assert all(ln.startswith("URGENCY") for ln in result.reply.splitlines())
