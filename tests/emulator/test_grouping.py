"""Alert grouping modes, incident alerts, escalation policies and services (PagerDuty REST)."""

from __future__ import annotations

from typing import Any

import requests

from chatops_emulator import Emulator


def _rest(emu: Emulator, path: str, params: Any = None) -> Any:
    auth = f"Token token={emu.env()['PAGERDUTY_API_TOKEN']}"
    response = requests.get(f"{emu.pagerduty_api_url}{path}", params=params, verify=emu.ca_file,
                            headers={"Authorization": auth}, timeout=10)
    return response.status_code, response.json()


def _trigger(emu: Emulator, dedup_key: str) -> None:
    body = {"routing_key": emu.env()["PAGERDUTY_ROUTING_KEY_GITALY"], "event_action": "trigger",
            "dedup_key": dedup_key, "payload": {"summary": f"page {dedup_key}",
                                                "source": "chatops", "severity": "error"}}
    response = requests.post(f"{emu.pagerduty_events_url}/v2/enqueue", json=body,
                             verify=emu.ca_file, timeout=10)
    assert response.status_code == 202


def test_without_grouping_the_incident_carries_the_dedup_key(emu: Emulator) -> None:
    _trigger(emu, "k1")
    _trigger(emu, "k2")
    assert [i["incident_key"] for i in emu.pagerduty.incidents] == ["k1", "k2"]


def test_keyless_mode_incidents_have_no_key_but_alerts_do(emu: Emulator) -> None:
    emu.pagerduty.grouping = "keyless"
    _trigger(emu, "k1")
    _trigger(emu, "k2")
    first, second = emu.pagerduty.incidents
    assert first["incident_key"] is None and second["incident_key"] is None
    status, body = _rest(emu, f"/incidents/{first['id']}/alerts")
    assert status == 200 and [a["alert_key"] for a in body["alerts"]] == ["k1"]
    assert body["alerts"][0]["incident"]["id"] == first["id"] and body["more"] is False
    # incident_key= still finds the incident through its alert's key (REST spec).
    _, found = _rest(emu, "/incidents", {"incident_key": "k2", "date_range": "all"})
    assert [i["id"] for i in found["incidents"]] == [second["id"]]


def test_time_grouping_adds_a_new_key_to_the_open_incident(emu: Emulator) -> None:
    emu.pagerduty.grouping = "time"
    _trigger(emu, "k1")
    _trigger(emu, "k2")
    (incident,) = emu.pagerduty.incidents
    _, body = _rest(emu, f"/incidents/{incident['id']}/alerts")
    assert [a["alert_key"] for a in body["alerts"]] == ["k1", "k2"]
    _, one = _rest(emu, f"/incidents/{incident['id']}/alerts", {"alert_key": "k2"})
    assert [a["alert_key"] for a in one["alerts"]] == ["k2"]
    emu.pagerduty.resolve(incident["id"], "PUSRADA")
    _trigger(emu, "k3")  # nothing open to join: a new incident
    assert len(emu.pagerduty.incidents) == 2


def test_escalation_policy_and_services_name_each_other(emu: Emulator) -> None:
    status, body = _rest(emu, "/escalation_policies/PGITALY1")
    assert status == 200
    assert [s["id"] for s in body["escalation_policy"]["services"]] == ["PSVCGIT"]
    assert _rest(emu, "/escalation_policies/PNOSUCH1")[0] == 404
    _, services = _rest(emu, "/services", {"limit": 1})
    assert len(services["services"]) == 1 and services["more"] is True
    _, every = _rest(emu, "/services")
    assert {(s["id"], s["escalation_policy"]["id"]) for s in every["services"]} == {
        ("PSVCGIT", "PGITALY1"), ("PSVCDB", "PDBASE01")}
