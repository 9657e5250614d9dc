"""A PagerDuty incident as a domain value: open or not, and the escalations it carries."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chatops.core.dedup import EscalationKey
from chatops.core.incident import OPEN, Incident

T0 = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(("status", "is_open"), [("triggered", True), ("acknowledged", True),
                                                 ("resolved", False), ("", False)])
def test_incident_is_open_while_triggered_or_acknowledged(status: str, is_open: bool) -> None:
    incident = Incident("P1", 3, status, "k", T0, "https://pd/P1")
    assert incident.open is is_open
    assert frozenset({"triggered", "acknowledged"}) == OPEN


def test_an_incident_key_names_its_escalation() -> None:
    incident = Incident("P1", 3, "triggered", "chatops/g/p#7/gitaly", T0, "https://pd/P1",
                        alert_keys=("chatops/g/p#8/db",))
    assert incident.keys == ("chatops/g/p#7/gitaly",)
    assert incident.escalations == (EscalationKey("gitaly", "g/p", 7),)


def test_a_keyless_incident_carries_its_alerts_escalations() -> None:
    incident = Incident("P1", 3, "triggered", "", T0, "https://pd/P1",
                        alert_keys=("chatops/g/p#8/db", "someone-else", "chatops/g/p/db/ab"))
    assert incident.keys == ("chatops/g/p#8/db", "someone-else", "chatops/g/p/db/ab")
    assert incident.escalations == (EscalationKey("db", "g/p", 8),
                                    EscalationKey("db", "g/p", None, "ab"))


def test_an_incident_of_another_tool_carries_no_escalation() -> None:
    assert Incident("P1", 3, "triggered", "PD-123", T0, "https://pd/P1").escalations == ()
    assert Incident("P1", 3, "triggered", "", T0, "https://pd/P1").keys == ()
