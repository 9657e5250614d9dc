"""PagerDuty incident histories: log entry helpers, account-wide log, users, webhooks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pagerduty
import pytest
import requests

from chatops_emulator import Emulator

T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)


def _get(emu: Emulator, path: str, params: Any = None) -> requests.Response:
    auth = f"Token token={emu.env()['PAGERDUTY_API_TOKEN']}"
    return requests.get(f"{emu.pagerduty_api_url}{path}", params=params, verify=emu.ca_file,
                        headers={"Authorization": auth}, timeout=10)


def _history(emu: Emulator) -> str:
    """A full incident life on the Gitaly service, one step a minute from T0."""
    pd = emu.pagerduty
    incident = pd.trigger("PSVCGIT", "praefect down", dedup_key="chatops-gitaly-7", at=T0)
    iid = incident["id"]
    step = [T0 + timedelta(minutes=n) for n in range(1, 9)]
    pd.notify(iid, "PUSRADA", "sms", at=step[0])
    pd.escalate(iid, 2, at=step[1])
    pd.acknowledge(iid, "PUSRGRC", at=step[2])
    pd.unacknowledge(iid, at=step[3])
    pd.reassign(iid, "PUSRADA", by_user_id="PUSRGRC", at=step[4])
    pd.annotate(iid, "PUSRADA", "failing over to file-02", at=step[5])
    pd.acknowledge(iid, "PUSRADA", at=step[6])
    pd.resolve(iid, "PUSRADA", at=step[7])
    return str(iid)


def test_trigger_opens_an_api_form_incident_with_assign_and_notify(emu: Emulator) -> None:
    incident = emu.pagerduty.trigger("PSVCGIT", "disk full", dedup_key="k-1", at=T0)
    (listed,) = emu.pagerduty.incidents
    assert listed["id"] == incident["id"] and listed["incident_key"] == "k-1"
    for key in ("incident_number", "title", "status", "created_at", "last_status_change_at",
                "html_url", "service", "escalation_policy", "assignments", "acknowledgements",
                "urgency"):
        assert key in listed, key
    assert listed["created_at"] == T0.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert [a["assignee"]["summary"] for a in listed["assignments"]] == ["Ada Lovelace"]
    log = _get(emu, f"/incidents/{incident['id']}/log_entries").json()["log_entries"]
    assert [e["type"] for e in log] == ["notify_log_entry", "assign_log_entry",
                                        "trigger_log_entry"]
    assert log[0]["user"]["id"] == "PUSRADA"
    assert log[0]["channel"]["notification"]["type"] == "email_notification"


def test_helpers_write_the_whole_history(emu: Emulator) -> None:
    iid = _history(emu)
    log = _get(emu, f"/incidents/{iid}/log_entries", {"limit": 100}).json()["log_entries"]
    kinds = [e["type"].removesuffix("_log_entry") for e in reversed(log)]
    assert kinds == ["trigger", "assign", "notify", "notify", "escalate", "notify",
                     "acknowledge", "unacknowledge", "assign", "notify", "annotate",
                     "acknowledge", "resolve"]
    by_kind = {e["type"]: e for e in reversed(log)}  # newest of each type
    sms = next(e for e in log if e["type"] == "notify_log_entry"
               and e["channel"]["notification"]["type"] == "sms_notification")
    assert sms["summary"] == "Notified Ada Lovelace by SMS."
    assert sms["created_at"] == (T0 + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    escalate = next(e for e in log if e["type"] == "escalate_log_entry")
    assert escalate["summary"] == "Escalated to level 2 due to timeout."
    assert [a["id"] for a in escalate["assignees"]] == ["PUSRGRC"]
    assert escalate["channel"] == {"type": "timeout"}
    assert by_kind["unacknowledge_log_entry"]["agent"]["type"] == "service_reference"
    reassign = by_kind["assign_log_entry"]
    assert reassign["summary"] == "Assigned to Ada Lovelace by Grace Hopper."
    assert reassign["agent"]["id"] == "PUSRGRC"
    note = by_kind["annotate_log_entry"]
    assert note["channel"] == {"type": "note", "summary": "failing over to file-02"}
    resolve = by_kind["resolve_log_entry"]
    assert (resolve["agent"]["id"], resolve["summary"]) == ("PUSRADA", "Resolved by Ada Lovelace.")
    incident = _get(emu, f"/incidents/{iid}").json()["incident"]
    assert (incident["status"], incident["assignments"]) == ("resolved", [])
    assert [a["acknowledger"]["id"] for a in incident["acknowledgements"]] == ["PUSRADA"]
    assert incident["last_status_change_by"]["id"] == "PUSRADA"
    with pytest.raises(ValueError):
        emu.pagerduty.resolve(iid)
    with pytest.raises(KeyError):
        emu.pagerduty.notify("QNOPE", "PUSRADA")


def test_account_log_entries_paginate_newest_first_with_included_incidents(
        emu: Emulator, pd_rest: pagerduty.RestApiV2Client) -> None:
    first = _history(emu)
    second = emu.pagerduty.trigger("PSVCGIT", "gitaly slow", at=T0 + timedelta(minutes=30))
    params = {"since": (T0 - timedelta(minutes=1)).isoformat(), "time_zone": "UTC",
              "until": (T0 + timedelta(hours=1)).isoformat(), "is_overview": "false",
              "include[]": "incidents", "limit": 5}
    pages, offset = [], 0
    while True:
        page = _get(emu, "/log_entries", {**params, "offset": offset}).json()
        pages.append(page)
        offset += page["limit"]
        if not page["more"]:
            break
    entries = [e for page in pages for e in page["log_entries"]]
    assert len(pages) == 4 and len(entries) == 16 and len({e["id"] for e in entries}) == 16
    stamps = [e["created_at"] for e in entries]
    assert stamps == sorted(stamps, reverse=True)
    assert entries[0]["incident"]["id"] == second["id"]
    full = entries[-1]["incident"]
    assert full["type"] == "incident" and full["id"] == first
    assert (full["incident_key"], full["status"]) == ("chatops-gitaly-7", "resolved")
    assert full["incident_number"] == 1001 and full["html_url"].endswith(f"/incidents/{first}")
    assert entries[-1]["channel"] == {"type": "api"}  # raw event data needs include[]=channels
    listed = list(pd_rest.iter_all("log_entries", params={**params, "limit": 100}))
    assert [e["id"] for e in listed] == [e["id"] for e in entries]
    plain = _get(emu, "/log_entries", {**params, "include[]": "channels", "limit": 100}).json()
    assert plain["log_entries"][-1]["incident"]["type"] == "incident_reference"
    assert plain["log_entries"][-1]["channel"]["summary"] == "praefect down"
    window = _get(emu, "/log_entries", {**params, "until": (T0 + timedelta(
        minutes=2, seconds=30)).isoformat(), "limit": 100}).json()["log_entries"]
    assert len(window) == 6  # ties (same second) keep the order they happened in
    assert [e["type"] for e in window][:2] == ["notify_log_entry", "escalate_log_entry"]
    emu.pagerduty.log_entries_newest_first = False
    oldest = _get(emu, f"/incidents/{first}/log_entries").json()["log_entries"]
    assert oldest[0]["type"] == "trigger_log_entry"


def test_incident_lists_filter_like_the_sync_job(emu: Emulator,
                                                 pd_rest: pagerduty.RestApiV2Client) -> None:
    done = _history(emu)
    live = emu.pagerduty.trigger("PSVCGIT", "still burning", dedup_key="chatops-gitaly-8")
    other = emu.pagerduty.trigger("PSVCDB", "db slow", dedup_key="chatops-db-1")
    open_params = {"statuses[]": ["triggered", "acknowledged"], "date_range": "all",
                   "time_zone": "UTC", "limit": 100}
    found = list(pd_rest.iter_all("incidents", params=open_params))
    assert {i["id"] for i in found} == {live["id"], other["id"]}
    by_service = _get(emu, "/incidents", {**open_params, "service_ids[]": "PSVCDB"}).json()
    assert [i["incident_key"] for i in by_service["incidents"]] == ["chatops-db-1"]
    by_key = _get(emu, "/incidents", {"incident_key": "chatops-gitaly-7",
                                      "date_range": "all"}).json()["incidents"]
    assert [i["id"] for i in by_key] == [done]
    recent = _get(emu, "/incidents", {"since": (T0 + timedelta(hours=1)).isoformat(),
                                      "until": datetime.now(UTC).isoformat()}).json()
    assert {i["id"] for i in recent["incidents"]} == {live["id"], other["id"]}


def _put(emu: Emulator, iid: str, body: Any, sender: str | None) -> requests.Response:
    headers = {"Authorization": f"Token token={emu.env()['PAGERDUTY_API_TOKEN']}"}
    if sender is not None:
        headers["From"] = sender
    return requests.put(f"{emu.pagerduty_api_url}/incidents/{iid}", json=body,
                        headers=headers, verify=emu.ca_file, timeout=10)


def test_put_resolve_needs_a_valid_from_and_refuses_twice(
        emu: Emulator, pd_rest: pagerduty.RestApiV2Client) -> None:
    iid = emu.pagerduty.trigger("PSVCGIT", "praefect down")["id"]
    body = {"incident": {"type": "incident_reference", "status": "resolved",
                         "resolution": "failed over"}}
    missing = _put(emu, iid, body, None)
    assert (missing.status_code, missing.json()) == (400, {"error": {
        "message": "You must specify a user's email address in the \"From\" header to "
                   "perform this action", "code": 2016}})
    malformed = _put(emu, iid, body, "Ada Lovelace")
    assert (malformed.status_code, malformed.json()["error"]["code"]) == (400, 1028)
    stranger = _put(emu, iid, body, "mallory@example.com")
    assert (stranger.status_code, stranger.json()) == (400, {"error": {
        "message": "Requester User Not Found", "code": 1008, "errors": []}})
    assert emu.pagerduty.incidents[0]["status"] == "triggered"
    resolved = pd_rest.rput(f"/incidents/{iid}", json=body["incident"],
                            headers={"From": "GRACE@example.com"})
    assert isinstance(resolved, dict) and resolved["status"] == "resolved"
    assert resolved["last_status_change_by"]["id"] == "PUSRGRC"
    entry = _get(emu, f"/incidents/{iid}/log_entries").json()["log_entries"][0]
    assert (entry["type"], entry["agent"]["id"]) == ("resolve_log_entry", "PUSRGRC")
    assert (entry["note"], entry["channel"]) == ("failed over", {"type": "api"})
    again = _put(emu, iid, body, "grace@example.com")
    assert (again.status_code, again.json()) == (400, {"error": {
        "message": "Incident Already Resolved", "code": 1001, "errors": []}})
    acked = _put(emu, emu.pagerduty.trigger("PSVCGIT", "x")["id"],
                 {"incident": {"type": "incident", "status": "acknowledged"}},
                 "ada@example.com")
    assert acked.json()["incident"]["acknowledgements"][0]["acknowledger"]["id"] == "PUSRADA"


def test_notes_need_from_and_make_annotate_entries(emu: Emulator,
                                                   pd_rest: pagerduty.RestApiV2Client) -> None:
    iid = emu.pagerduty.trigger("PSVCGIT", "praefect down")["id"]
    url = f"{emu.pagerduty_api_url}/incidents/{iid}/notes"
    auth = {"Authorization": f"Token token={emu.env()['PAGERDUTY_API_TOKEN']}"}
    anonymous = requests.post(url, json={"note": {"content": "hi"}}, headers=auth,
                              verify=emu.ca_file, timeout=10)
    assert (anonymous.status_code, anonymous.json()["error"]["code"]) == (400, 2016)
    created = requests.post(url, json={"note": {"content": "GitLab issue #12 opened"}},
                            headers={**auth, "From": "ada@example.com"}, verify=emu.ca_file,
                            timeout=10)
    assert created.status_code == 201
    note = created.json()["note"]
    assert (note["content"], note["user"]["id"]) == ("GitLab issue #12 opened", "PUSRADA")
    empty = requests.post(url, json={"note": {"content": " "}},
                          headers={**auth, "From": "ada@example.com"}, verify=emu.ca_file,
                          timeout=10)
    assert (empty.status_code, empty.json()["error"]["code"]) == (400, 2001)
    via_client = pd_rest.rpost(f"/incidents/{iid}/notes", json={"content": "second"},
                               headers={"From": "grace@example.com"})
    assert isinstance(via_client, dict) and via_client["user"]["id"] == "PUSRGRC"
    log = _get(emu, f"/incidents/{iid}/log_entries").json()["log_entries"]
    assert [e["channel"].get("summary") for e in log[:2]] == ["second",
                                                              "GitLab issue #12 opened"]
    assert [n["content"] for n in _get(emu, f"/incidents/{iid}/notes").json()["notes"]] == [
        "GitLab issue #12 opened", "second"]


def test_users_query_matches_names_and_emails(emu: Emulator,
                                              pd_rest: pagerduty.RestApiV2Client) -> None:
    by_email = _get(emu, "/users", {"query": "grace@example.com", "limit": 25}).json()
    assert [u["id"] for u in by_email["users"]] == ["PUSRGRC"]
    assert by_email["users"][0]["email"] == "grace@example.com" and by_email["more"] is False
    assert [u["name"] for u in _get(emu, "/users", {"query": "LOVE"}).json()["users"]] == [
        "Ada Lovelace"]
    assert _get(emu, "/users", {"query": "nobody@example.com"}).json()["users"] == []
    found = pd_rest.find("users", "ada@example.com", attribute="email")
    assert found is not None and found["id"] == "PUSRADA"


def test_deleted_incident_answers_404_everywhere(emu: Emulator) -> None:
    iid = _history(emu)
    emu.pagerduty.delete_incident(iid)
    for path in (f"/incidents/{iid}", f"/incidents/{iid}/log_entries"):
        gone = _get(emu, path)
        assert (gone.status_code, gone.json()) == (404, {"error": {
            "message": "Not Found", "code": 2100, "errors": ["Incident Not Found"]}})
    put = _put(emu, iid, {"incident": {"type": "incident_reference", "status": "resolved"}},
               "ada@example.com")
    assert put.status_code == 404
    assert _get(emu, "/log_entries", {"date_range": "all"}).json()["log_entries"] == []
    assert emu.pagerduty.incidents == []


def test_webhook_payload_has_the_v3_shape(emu: Emulator) -> None:
    iid = _history(emu)
    body = emu.pagerduty.webhook_payload(iid, "incident.acknowledged")
    event = body["event"]
    assert set(body) == {"event"}
    assert set(event) == {"id", "event_type", "resource_type", "occurred_at", "agent",
                          "client", "data"}
    assert (event["event_type"], event["resource_type"]) == ("incident.acknowledged",
                                                             "incident")
    assert event["agent"]["id"] == "PUSRADA" and event["client"] == {"name": "PagerDuty"}
    assert event["occurred_at"] == (T0 + timedelta(minutes=7)).strftime(
        "%Y-%m-%dT%H:%M:%S.000Z")
    data = event["data"]
    assert (data["id"], data["type"], data["number"]) == (iid, "incident", 1001)
    assert (data["incident_key"], data["status"]) == ("chatops-gitaly-7", "resolved")
    assert {"self", "html_url", "title", "service", "assignees", "escalation_policy",
            "urgency", "created_at"} <= set(data)
    note = emu.pagerduty.webhook_payload(iid, "incident.annotated")["event"]["data"]
    assert (note["type"], note["content"]) == ("incident_note", "failing over to file-02")
    assert note["incident"]["id"] == iid
    triggered = emu.pagerduty.webhook_payload(iid, "incident.triggered")["event"]
    assert triggered["agent"]["type"] == "service_reference" and triggered["client"] is None
    with pytest.raises(ValueError):
        emu.pagerduty.webhook_payload(iid, "service.updated")


def test_a_trigger_entry_carries_the_event_data_only_with_include_channels(
        emu: Emulator) -> None:
    """REST spec APIChannel: summary, description, incident_key, service_key, details."""
    key = emu.env()["PAGERDUTY_ROUTING_KEY_GITALY"]
    details = {"requested_by": "sre-alice", "drill": True, "team": "gitaly"}
    body = {"routing_key": key, "event_action": "trigger", "dedup_key": "chatops/g/p#3/gitaly",
            "payload": {"summary": "[DRILL] practice", "source": "chatops",
                        "severity": "info", "custom_details": details}}
    sent = requests.post(f"{emu.pagerduty_events_url}/v2/enqueue", json=body,
                         verify=emu.ca_file, timeout=10)
    assert sent.status_code == 202
    (incident,) = _get(emu, "/incidents", {"date_range": "all"}).json()["incidents"]
    path = f"/incidents/{incident['id']}/log_entries"
    bare = [e for e in _get(emu, path).json()["log_entries"] if e["type"] == "trigger_log_entry"]
    assert [e["channel"] for e in bare] == [{"type": "api"}]
    for found in (_get(emu, path, {"include[]": "channels"}).json()["log_entries"],
                  _get(emu, "/log_entries", {"include[]": "channels"}).json()["log_entries"]):
        (trigger,) = [e for e in found if e["type"] == "trigger_log_entry"]
        assert trigger["channel"] == {
            "type": "api", "summary": "[DRILL] practice", "description": "[DRILL] practice",
            "incident_key": "chatops/g/p#3/gitaly", "service_key": key, "details": details}


def test_a_seeded_trigger_keeps_the_event_it_is_given(emu: Emulator) -> None:
    event = {"dedup_key": "chatops/g/p#4/gitaly",
             "payload": {"summary": "seeded", "source": "chatops", "severity": "error",
                         "custom_details": {"drill": False}}}
    incident = emu.pagerduty.trigger("PSVCGIT", event=event, at=T0)
    assert (incident["title"], incident["incident_key"]) == ("seeded", "chatops/g/p#4/gitaly")
    path = f"/incidents/{incident['id']}/log_entries"
    (trigger,) = [e for e in _get(emu, path, {"include[]": "channels"}).json()["log_entries"]
                  if e["type"] == "trigger_log_entry"]
    assert trigger["channel"]["details"] == {"drill": False}
