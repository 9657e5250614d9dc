"""Change events: sent with the official Events client, read back through the REST API v2."""

from __future__ import annotations

import re
import ssl
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pagerduty
import requests

from chatops_emulator import Emulator

T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=6)
REDIS_KEY = "R0ut1ngKeyRedis00000000000000003"


def _events(emu: Emulator, key: str | None = None) -> pagerduty.EventsApiV2Client:
    return pagerduty.EventsApiV2Client(
        key or emu.env()["PAGERDUTY_ROUTING_KEY_GITALY"], base_url=emu.pagerduty_events_url,
        verify=ssl.create_default_context(cafile=emu.ca_file))


def _get(emu: Emulator, path: str, params: Any = None) -> requests.Response:
    return requests.get(f"{emu.pagerduty_api_url}{path}", params=params, verify=emu.ca_file,
                        headers={"Authorization":
                                 f"Token token={emu.env()['PAGERDUTY_API_TOKEN']}"},
                        timeout=10)


def _send(emu: Emulator, summary: str, at: datetime, key: str | None = None) -> None:
    _events(emu, key).send_change_event(payload={"summary": summary, "source": "ci",
                                                 "timestamp": at.isoformat()})


def _summaries(emu: Emulator, params: Any = None, path: str = "/change_events") -> list[str]:
    response = _get(emu, path, params)
    assert response.status_code == 200, response.text
    return [e["summary"] for e in response.json()["change_events"]]


def test_enqueued_change_event_is_listed_with_its_details(
        emu: Emulator, pd_rest: pagerduty.RestApiV2Client) -> None:
    details = {"build_state": "passed", "build_number": "2",
               "nested": {"stages": ["build", "deploy"], "ok": True, "retries": 0}}
    links = [{"href": "https://ci.example.com/build/2", "text": "Build 2"}]
    _events(emu).send_change_event(
        payload={"summary": "Deploy gitaly 16.4", "source": "deploy-pipeline",
                 "timestamp": "2020-07-17T08:42:58.315+0000", "custom_details": details},
        links=links)
    listed = pd_rest.list_all("change_events")
    assert len(listed) == 1
    event = listed[0]
    assert re.fullmatch(r"[0-9A-Z]{26}", event["id"])
    gitaly = emu.pagerduty.services["PSVCGIT"]
    assert event == {
        "id": event["id"], "summary": "Deploy gitaly 16.4", "timestamp": "2020-07-17T08:42:58Z",
        "type": "change_event", "source": "deploy-pipeline",
        "integration": {"id": gitaly.integration_id, "type": "inbound_integration_reference"},
        "services": [{"id": "PSVCGIT", "type": "service_reference"}],
        "custom_details": details, "links": links}
    assert re.fullmatch(r"P[A-Z2-7]{6}", gitaly.integration_id)
    assert pd_rest.rget(f"/change_events/{event['id']}") == event
    assert emu.pagerduty.change_events[0]["payload"]["custom_details"] == details


def test_without_timestamp_the_receipt_time_is_used(emu: Emulator) -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    _events(emu).send_change_event(payload={"summary": "config push"})
    event = _get(emu, "/change_events").json()["change_events"][0]
    stamp = datetime.fromisoformat(event["timestamp"].replace("Z", "+00:00"))
    assert before <= stamp <= datetime.now(UTC)
    assert event["links"] == []


def test_lists_are_newest_first_by_event_timestamp(emu: Emulator) -> None:
    _send(emu, "middle", T0 + timedelta(hours=1))
    _send(emu, "newest", T0 + timedelta(hours=2))
    _send(emu, "oldest", T0)  # sent last, but generated first
    assert _summaries(emu) == ["newest", "middle", "oldest"]
    assert _summaries(emu, path="/services/PSVCGIT/change_events") == [
        "newest", "middle", "oldest"]


def test_since_and_until_filter_on_the_timestamp(emu: Emulator) -> None:
    for hour in range(4):
        _send(emu, f"h{hour}", T0 + timedelta(hours=hour))
    z = "%Y-%m-%dT%H:%M:%SZ"
    assert _summaries(emu, {"since": (T0 + timedelta(hours=1)).strftime(z),
                            "until": (T0 + timedelta(hours=2)).strftime(z)}) == ["h2", "h1"]
    assert _summaries(emu, {"since": (T0 + timedelta(minutes=150)).isoformat()}) == ["h3"]
    assert _summaries(emu, {"until": (T0 + timedelta(minutes=30)).isoformat()}) == ["h0"]
    on_service = _summaries(emu, {"since": (T0 + timedelta(minutes=90)).strftime(z)},
                            "/services/PSVCGIT/change_events")
    assert on_service == ["h3", "h2"]


def test_bad_time_ranges_are_refused(emu: Emulator) -> None:
    _send(emu, "deploy", T0)
    local = (T0 + timedelta(hours=2)).astimezone(ZoneInfo("Asia/Tokyo")).isoformat()
    refused = _get(emu, "/change_events", {"since": local})
    assert refused.status_code == 400 and refused.json()["error"]["code"] == 2004
    inverted = _get(emu, "/change_events", {"since": T0.isoformat(),
                                            "until": (T0 - timedelta(hours=1)).isoformat()})
    assert inverted.status_code == 400 and inverted.json()["error"]["code"] == 2005
    garbage = _get(emu, "/services/PSVCGIT/change_events", {"until": "last tuesday"})
    assert garbage.status_code == 400


def test_classic_pagination(emu: Emulator) -> None:
    for minute in range(5):
        _send(emu, f"m{minute}", T0 + timedelta(minutes=minute))
    page = _get(emu, "/change_events", {"limit": 2, "offset": 1, "total": "true"}).json()
    assert [e["summary"] for e in page["change_events"]] == ["m3", "m2"]
    assert (page["limit"], page["offset"], page["more"], page["total"]) == (2, 1, True, 5)
    last = _get(emu, "/change_events", {"limit": 2, "offset": 4}).json()
    assert [e["summary"] for e in last["change_events"]] == ["m0"]
    assert (last["more"], last["total"]) == (False, None)
    too_far = _get(emu, "/change_events", {"limit": 100, "offset": 9950})
    assert too_far.status_code == 400


def test_service_lists_and_integration_and_team_filters(emu: Emulator) -> None:
    emu.pagerduty.add_service("PSVCRDS", "Redis", "PDBASE01", REDIS_KEY, team_ids=("PTEAMDB",))
    _send(emu, "gitaly deploy", T0)
    _send(emu, "db migration", T0 + timedelta(minutes=1),
          emu.env()["PAGERDUTY_ROUTING_KEY_DATABASE"])
    _send(emu, "redis failover", T0 + timedelta(minutes=2), REDIS_KEY)
    assert _summaries(emu, path="/services/PSVCDB/change_events") == ["db migration"]
    assert _summaries(emu) == ["redis failover", "db migration", "gitaly deploy"]
    database = emu.pagerduty.services["PSVCDB"].integration_id
    gitaly = emu.pagerduty.services["PSVCGIT"].integration_id
    assert database != gitaly
    assert _summaries(emu, {"integration_ids[]": [gitaly, database]}) == [
        "db migration", "gitaly deploy"]
    assert _summaries(emu, {"team_ids[]": "PTEAMDB"}) == ["redis failover"]
    assert _summaries(emu, {"team_ids[]": "PNOTEAM"}) == []
    assert _summaries(emu, {"integration_ids[]": gitaly},
                      "/services/PSVCRDS/change_events") == []


def test_unknown_ids_are_404(emu: Emulator) -> None:
    _send(emu, "deploy", T0)
    for path in ("/change_events/01NOTANEVENT0000000000000X", "/services/PNOPE/change_events"):
        missing = _get(emu, path)
        assert missing.status_code == 404 and missing.json()["error"]["code"] == 2100


def test_iter_history_of_the_official_client(emu: Emulator,
                                             pd_rest: pagerduty.RestApiV2Client) -> None:
    for hour in range(3):
        emu.pagerduty.add_change_event("PSVCDB", f"vacuum {hour}", at=T0 + timedelta(hours=hour),
                                       custom_details={"table": "ci_builds"})
    # iter_history sends total=true and since/until as %Y-%m-%dT%H:%M:%S%z (+0000).
    found = list(pd_rest.iter_history("/change_events", T0 + timedelta(minutes=30),
                                      T0 + timedelta(hours=3)))
    assert [e["summary"] for e in found] == ["vacuum 2", "vacuum 1"]
    assert all(e["custom_details"] == {"table": "ci_builds"} for e in found)


def test_change_events_older_than_90_days_are_gone(emu: Emulator) -> None:
    # developer-docs events-API-v2/03-Change-Events.md: "PagerDuty will only keep the last
    # 90 days of Change Events".
    now = datetime.now(UTC)
    old = emu.pagerduty.add_change_event("PSVCGIT", "sent 100 days ago",
                                         at=now - timedelta(days=100))
    emu.pagerduty.add_change_event("PSVCGIT", "sent 80 days ago", at=now - timedelta(days=80))
    assert _summaries(emu) == ["sent 80 days ago"]
    assert _summaries(emu, path="/services/PSVCGIT/change_events") == ["sent 80 days ago"]
    assert _get(emu, f"/change_events/{old['id']}").status_code == 404
    emu.pagerduty.change_event_retention = None  # the mode without retention
    assert _summaries(emu) == ["sent 80 days ago", "sent 100 days ago"]
