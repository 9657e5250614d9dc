"""PagerDuty REST v2 and Events API v2 emulation exercised with the official client."""

from __future__ import annotations

import re
import ssl
from datetime import UTC, datetime, timedelta
from typing import Any

import pagerduty
import pytest
import requests

from chatops_emulator import Emulator, Fault


def _rest(emu: Emulator, path: str, params: Any = None,
          token: str | None = None) -> requests.Response:
    auth = f"Token token={token or emu.env()['PAGERDUTY_API_TOKEN']}"
    return requests.get(f"{emu.pagerduty_api_url}{path}", params=params, verify=emu.ca_file,
                        headers={"Authorization": auth,
                                 "Accept": "application/vnd.pagerduty+json;version=2"},
                        timeout=10)


def _event(emu: Emulator, body: Any) -> requests.Response:
    return requests.post(f"{emu.pagerduty_events_url}/v2/enqueue", json=body,
                         verify=emu.ca_file, timeout=10)


def _trigger(emu: Emulator, **extra: Any) -> dict[str, Any]:
    body = {"routing_key": emu.env()["PAGERDUTY_ROUTING_KEY_GITALY"], "event_action": "trigger",
            "payload": {"summary": "praefect is failing", "source": "chatops",
                        "severity": "critical"}, **extra}
    return body


def test_oncalls_for_the_gitaly_policy(emu: Emulator, pd_rest: pagerduty.RestApiV2Client) -> None:
    oncalls = pd_rest.list_all("oncalls", params={"escalation_policy_ids": ["PGITALY1"]})
    ada, grace = oncalls
    assert (ada["escalation_level"], ada["user"]["id"], ada["user"]["summary"]) == (
        1, "PUSRADA", "Ada Lovelace")
    assert ada["user"]["type"] == "user_reference"
    assert ada["escalation_policy"]["id"] == "PGITALY1"
    assert ada["escalation_policy"]["type"] == "escalation_policy_reference"
    assert ada["schedule"]["type"] == "schedule_reference"
    end = datetime.fromisoformat(ada["end"].replace("Z", "+00:00"))
    assert timedelta(hours=7) < end - datetime.now(UTC) < timedelta(hours=9)
    assert (grace["escalation_level"], grace["schedule"], grace["start"], grace["end"]) == (
        2, None, None, None)
    sent = emu.requests[-1]
    assert ("escalation_policy_ids[]", "PGITALY1") in sent.query
    assert sent.headers["accept"] == "application/vnd.pagerduty+json;version=2"
    nobody = _rest(emu, "/oncalls", {"escalation_policy_ids[]": "PDBASE01"}).json()
    assert nobody == {"oncalls": [], "limit": 25, "offset": 0, "more": False, "total": None}


def test_set_oncalls_time_window_earliest_and_includes(emu: Emulator) -> None:
    now = datetime.now(UTC)
    emu.pagerduty.set_oncalls("PDBASE01", [
        (1, "PUSRDB1", "Edgar Codd", now - timedelta(hours=1), now + timedelta(hours=1)),
        (1, "PUSRDB1", "Edgar Codd", now + timedelta(days=1), now + timedelta(days=2)),
        (1, "PUSRDB2", "Barbara Liskov", now + timedelta(hours=1), now + timedelta(hours=9)),
    ])
    current = _rest(emu, "/oncalls", {"escalation_policy_ids[]": "PDBASE01"}).json()["oncalls"]
    assert [o["user"]["summary"] for o in current] == ["Edgar Codd"]
    window = {"escalation_policy_ids[]": "PDBASE01", "since": now.isoformat(),
              "until": (now + timedelta(days=3)).isoformat()}
    assert len(_rest(emu, "/oncalls", window).json()["oncalls"]) == 3
    earliest = _rest(emu, "/oncalls", {**window, "earliest": "true"}).json()["oncalls"]
    assert [o["user"]["id"] for o in earliest] == ["PUSRDB1", "PUSRDB2"]
    full = _rest(emu, "/oncalls", {"user_ids[]": "PUSRADA", "include[]": "users",
                                   "time_zone": "America/New_York"}).json()["oncalls"]
    assert full[0]["user"]["email"] == "ada@example.com" and full[0]["user"]["type"] == "user"
    assert re.search(r"-0[45]:00$", full[0]["end"])
    bad = _rest(emu, "/oncalls", {"since": "yesterday-ish"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == 2004


def test_classic_pagination(emu: Emulator) -> None:
    now = datetime.now(UTC)
    emu.pagerduty.set_oncalls("PDBASE01", [
        (level, f"PUSR{level:03d}", f"User {level}", now - timedelta(hours=1), None)
        for level in range(1, 8)])
    page = _rest(emu, "/oncalls", {"escalation_policy_ids[]": "PDBASE01", "limit": 3,
                                   "offset": 3, "total": "true"}).json()
    assert [o["escalation_level"] for o in page["oncalls"]] == [4, 5, 6]
    assert (page["limit"], page["offset"], page["more"], page["total"]) == (3, 3, True, 7)
    last = _rest(emu, "/oncalls", {"escalation_policy_ids[]": "PDBASE01", "offset": 6}).json()
    assert last["more"] is False and last["total"] is None
    assert _rest(emu, "/oncalls", {"limit": 500}).json()["limit"] == 100
    too_far = _rest(emu, "/oncalls", {"offset": 9990, "limit": 25})
    assert too_far.status_code == 400 and too_far.json()["error"]["code"] == 2001


def test_rest_auth_and_not_found(emu: Emulator, pd_rest: pagerduty.RestApiV2Client) -> None:
    denied = _rest(emu, "/oncalls", token="wrong")
    assert (denied.status_code, denied.json()) == (
        401, {"error": {"message": "Authentication failed", "code": 2006}})
    bad_client = pagerduty.RestApiV2Client("wrong", base_url=emu.pagerduty_api_url,
                                           verify=ssl.create_default_context(cafile=emu.ca_file))
    with pytest.raises(pagerduty.Error):
        bad_client.list_all("oncalls")
    missing = _rest(emu, "/incidents/QNOPE")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == 2100
    assert _rest(emu, "/nope").status_code == 404


def test_event_validation_errors(emu: Emulator) -> None:
    key = emu.env()["PAGERDUTY_ROUTING_KEY_GITALY"]
    cases = [
        ({**_trigger(emu), "routing_key": "R0ut1ngKeyUnknown000000000000099"},
         ["Invalid routing key"]),
        ({**_trigger(emu), "routing_key": "short-key"},
         ["Length of 'routing_key' is incorrect (should be 32 characters)",
          "'routing_key' cannot contain non-alphanumeric characters."]),
        ({**_trigger(emu), "payload": {"summary": "s"}},
         ["'payload.source' is missing or blank", "'payload.severity' is missing or blank"]),
        ({**_trigger(emu), "payload": {"summary": "s", "source": "x", "severity": "high"}},
         ["'payload.severity' is invalid (must be one of: critical, error, warning, info)"]),
        ({**_trigger(emu), "payload": {"summary": "s" * 1025, "source": "x",
                                       "severity": "info"}},
         ["'payload.summary' is too long (maximum is 1024 characters)"]),
        ({**_trigger(emu), "dedup_key": "d" * 256},
         ["'dedup_key' is too long (maximum is 255 characters)"]),
        ({**_trigger(emu), "links": [{"text": "no href"}], "images": [{"href": "x"}]},
         ["'links[0].href' is missing or blank", "'images[0].src' is missing or blank"]),
        ({"routing_key": key, "event_action": "resolve"}, ["'dedup_key' is missing or blank"]),
        ({"routing_key": key, "event_action": "escalate", "dedup_key": "x"},
         ["'event_action' is invalid (must be one of: trigger, acknowledge, resolve)"]),
    ]
    for body, errors in cases:
        response = _event(emu, body)
        assert response.status_code == 400
        assert response.json() == {"status": "invalid event",
                                   "message": "Event object is invalid", "errors": errors}
    garbage = requests.post(f"{emu.pagerduty_events_url}/v2/enqueue", data="{not json",
                            verify=emu.ca_file, timeout=10)
    assert garbage.status_code == 400 and garbage.json()["errors"] == ["JSON parse error"]
    assert emu.pagerduty.events == [] and emu.pagerduty.incidents == []


def test_event_lifecycle_and_dedup(emu: Emulator, pd_events: pagerduty.EventsApiV2Client,
                                   pd_rest: pagerduty.RestApiV2Client) -> None:
    accepted = _event(emu, _trigger(emu, dedup_key="chatops-gitaly-1"))
    assert (accepted.status_code, accepted.json()) == (202, {
        "status": "success", "message": "Event processed", "dedup_key": "chatops-gitaly-1"})
    assert pd_events.trigger("praefect still failing", "chatops",
                             dedup_key="chatops-gitaly-1") == "chatops-gitaly-1"
    (incident,) = emu.pagerduty.incidents
    assert incident["status"] == "triggered" and incident["alert_counts"]["all"] == 1
    assert incident["title"] == "praefect is failing"
    assert incident["service"]["id"] == "PSVCGIT"
    assert incident["escalation_policy"]["id"] == "PGITALY1"
    assert [a["assignee"]["id"] for a in incident["assignments"]] == ["PUSRADA"]
    pd_events.acknowledge("chatops-gitaly-1")
    fetched = pd_rest.rget(f"/incidents/{incident['id']}")
    assert isinstance(fetched, dict) and fetched["status"] == "acknowledged"
    assert fetched["acknowledgements"][0]["acknowledger"]["id"] == "PSVCGIT"
    pd_events.resolve("chatops-gitaly-1")
    pd_events.acknowledge("chatops-gitaly-1")  # dropped: the alert is resolved
    resolved = _rest(emu, f"/incidents/{incident['incident_number']}").json()["incident"]
    assert resolved["status"] == "resolved" and resolved["assignments"] == []
    assert resolved["resolved_at"] is not None
    pd_events.trigger("praefect failing again", "chatops", dedup_key="chatops-gitaly-1")
    by_key = _rest(emu, "/incidents", {"incident_key": "chatops-gitaly-1"}).json()
    assert [i["status"] for i in by_key["incidents"]] == ["resolved", "triggered"]
    open_only = _rest(emu, "/incidents", [("statuses[]", "triggered"),
                                          ("statuses[]", "acknowledged")]).json()
    assert [i["title"] for i in open_only["incidents"]] == ["praefect failing again"]
    assert len(emu.pagerduty.events) == 6
    assert {e["routing_key"] for e in emu.pagerduty.events} == {
        emu.env()["PAGERDUTY_ROUTING_KEY_GITALY"]}


def test_log_entries(emu: Emulator, pd_events: pagerduty.EventsApiV2Client) -> None:
    pd_events.trigger("disk full", "chatops", dedup_key="k1")
    pd_events.acknowledge("k1")
    pd_events.resolve("k1")
    incident_id = emu.pagerduty.incidents[0]["id"]
    entries = _rest(emu, f"/incidents/{incident_id}/log_entries").json()["log_entries"]
    assert [e["type"] for e in entries] == [
        "resolve_log_entry", "acknowledge_log_entry", "notify_log_entry",
        "assign_log_entry", "trigger_log_entry"]
    notify = entries[2]
    assert notify["user"]["id"] == "PUSRADA" and notify["incident"]["id"] == incident_id
    overview = _rest(emu, f"/incidents/{incident_id}/log_entries",
                     {"is_overview": "true"}).json()["log_entries"]
    assert "notify_log_entry" not in [e["type"] for e in overview]
    everything = _rest(emu, "/log_entries", {"total": "true"}).json()
    assert everything["total"] == 5
    first = emu.pagerduty.incidents[0]["first_trigger_log_entry"]
    assert first["type"] == "trigger_log_entry_reference"


def test_unstaffed_service_and_generated_dedup_key(emu: Emulator) -> None:
    body = {**_trigger(emu), "routing_key": emu.env()["PAGERDUTY_ROUTING_KEY_DATABASE"]}
    first, second = _event(emu, body).json(), _event(emu, body).json()
    assert re.fullmatch(r"[0-9a-f]{32}", first["dedup_key"])
    assert first["dedup_key"] != second["dedup_key"]
    incidents = emu.pagerduty.incidents
    assert len(incidents) == 2 and incidents[0]["service"]["id"] == "PSVCDB"
    assert incidents[0]["assignments"] == []


def test_dedup_is_scoped_to_the_routing_key(emu: Emulator) -> None:
    _event(emu, _trigger(emu, dedup_key="same"))
    other = {**_trigger(emu, dedup_key="same"),
             "routing_key": emu.env()["PAGERDUTY_ROUTING_KEY_DATABASE"]}
    _event(emu, other)
    _event(emu, {"routing_key": other["routing_key"], "event_action": "resolve",
                 "dedup_key": "same"})
    statuses = {i["service"]["id"]: i["status"] for i in emu.pagerduty.incidents}
    assert statuses == {"PSVCGIT": "triggered", "PSVCDB": "resolved"}


def test_rest_and_events_faults(emu: Emulator) -> None:
    emu.add_fault(Fault(service="pd-rest", path="/oncalls", status=429, retry_after=2))
    limited = _rest(emu, "/oncalls")
    assert limited.status_code == 429
    assert limited.json() == {"error": {"message": "Rate Limit Exceeded", "code": 2020}}
    assert limited.headers["ratelimit-remaining"] == "0"
    assert limited.headers["ratelimit-reset"] == "2"
    assert limited.headers["ratelimit-limit"] == "960"
    assert "Retry-After" not in limited.headers  # PagerDuty sends ratelimit-reset only
    emu.add_fault(Fault(service="pd-events", method="POST", path="enqueue", status=429,
                        retry_after=5))
    throttled = _event(emu, _trigger(emu))
    assert throttled.status_code == 429 and throttled.json()["status"] == "throttle event"
    assert not {"retry-after", "ratelimit-reset"} & {h.lower() for h in throttled.headers}
    emu.add_fault(Fault(service="pd-events", method="POST", path="enqueue", status=503,
                        apply_first=True))
    assert _event(emu, _trigger(emu)).status_code == 503
    assert len(emu.pagerduty.incidents) == 1


def test_unknown_policy_filters_oncalls_to_nothing_but_is_a_404_by_id(emu: Emulator) -> None:
    listed = _rest(emu, "/oncalls", [("escalation_policy_ids[]", "PUNKNOWN9")])
    assert listed.status_code == 200 and listed.json()["oncalls"] == []
    missing = _rest(emu, "/escalation_policies/PUNKNOWN9")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == 2100
    known = _rest(emu, "/escalation_policies/PGITALY1")
    assert known.status_code == 200
    policy = known.json()["escalation_policy"]
    assert policy["id"] == "PGITALY1" and policy["type"] == "escalation_policy"


def test_incidents_of_a_key_are_listed_oldest_first_unless_sorted(emu: Emulator) -> None:
    # A trigger after a resolve opens a new incident with the same key.
    _event(emu, _trigger(emu, dedup_key="k1"))
    _event(emu, {"routing_key": emu.env()["PAGERDUTY_ROUTING_KEY_GITALY"],
                 "event_action": "resolve", "dedup_key": "k1"})
    _event(emu, _trigger(emu, dedup_key="k1"))
    query = {"incident_key": "k1", "date_range": "all"}
    default = _rest(emu, "/incidents", query).json()["incidents"]
    assert [i["status"] for i in default] == ["resolved", "triggered"]
    newest = _rest(emu, "/incidents", {**query, "sort_by": "created_at:desc"}).json()
    assert [i["status"] for i in newest["incidents"]] == ["triggered", "resolved"]
    by_number = _rest(emu, "/incidents", {**query, "sort_by": "incident_number:desc"}).json()
    assert by_number["incidents"][0]["incident_number"] > by_number["incidents"][1][
        "incident_number"]
    for wrong in ("title:asc", "created_at:down", "created_at,incident_number,urgency"):
        refused = _rest(emu, "/incidents", {**query, "sort_by": wrong})
        assert refused.status_code == 400, wrong


def test_policy_services_and_urgency_rules(emu: Emulator) -> None:
    policy = _rest(emu, "/escalation_policies/PGITALY1").json()["escalation_policy"]
    assert [s["id"] for s in policy["services"]] == ["PSVCGIT"]
    assert policy["services"][0]["type"] == "service_reference"
    service = _rest(emu, "/services/PSVCGIT").json()["service"]
    assert service["incident_urgency_rule"] == {"type": "constant", "urgency": "severity_based"}
    assert service["escalation_policy"]["id"] == "PGITALY1"
    assert _rest(emu, "/services/PNOPE").status_code == 404
    assert _rest(emu, "/escalation_policies/PNOPE").json()["error"]["code"] == 2100
    # severity_based: info and warning alerts are low urgency, error and critical high
    for severity in ("info", "warning", "error", "critical"):
        body = _trigger(emu, dedup_key=severity)
        body["payload"]["severity"] = severity
        _event(emu, body)
    assert [i["urgency"] for i in emu.pagerduty.incidents] == ["low", "low", "high", "high"]
