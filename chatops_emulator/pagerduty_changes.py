"""Change events: records from /v2/change/enqueue and their REST v2 reads (GET /change_events)."""

# Sources.  REST OpenAPI spec (/work/shared/specs/pagerduty/rest-openapiv3.json):
# GET /change_events, GET /services/{id}/change_events (params limit/offset/total, team_ids[],
# integration_ids[], since/until "as a UTC ISO 8601 datetime string. Will return an HTTP 400
# for non-UTC datetimes.") and GET /change_events/{id} ({"change_event": ...}, 404); schema
# ChangeEvent.  Every response example of the three lists the newer event first
# (08:42:58Z before 07:42:58Z), so the lists are newest first by `timestamp`; the examples'
# objects carry id (26 characters, ULID-like), summary, timestamp (UTC, whole seconds, Z),
# type "change_event", source, integration {"id", "type": "inbound_integration_reference"},
# services [{"id", "type": "service_reference"}] (references without summary/self/html_url),
# custom_details and links - and no routing_key or images, so neither is rendered here.
# PagerDuty/developer-docs docs/events-API-v2/03-Change-Events.md: payload.timestamp is "the
# time at which the emitting tool detected or generated the event" (the receipt time stands
# in when it is absent), only `links` are supported as context, and "PagerDuty will only
# keep the last 90 days of Change Events, as per our data retention guidelines" (section
# "Data Retention"): reads leave out events received more than `change_event_retention`
# (90 days by default; None keeps everything) before now.  Classic pagination as elsewhere
# (docs/REST-API/09-Pagination.md); the spec examples echo "limit": null and "offset": null,
# the emulator echoes the applied values as every other classic list does.  Set filters are
# intersected (docs/REST-API/07-Filtering.md).  Not documented, so approximations: since and
# until are inclusive, a time without an offset is taken as UTC, a non-UTC one is refused
# with the 2004 error of docs/REST-API/14-Errors.md, until < since is 2005 "Invalid Query
# Date Range", and neither bound has a default (everything retained is listed).

from __future__ import annotations

import copy
import secrets
import threading
from datetime import datetime, timedelta
from typing import Any

from chatops_emulator.core import parse_time, pd_time, utcnow
from chatops_emulator.pagerduty_model import ChangeEvent, Service
from chatops_emulator.pagerduty_query import InvalidError, Query

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RETENTION = timedelta(days=90)


def _ulid(at: datetime) -> str:
    """A 26-character ULID: 48 bits of milliseconds, 80 random bits, Crockford base32."""
    value = (int(at.timestamp() * 1000) << 80) | secrets.randbits(80)
    return "".join(_CROCKFORD[(value >> (5 * i)) & 31] for i in reversed(range(26)))


class PagerDutyChanges:
    """Change event records of PagerDutyState (a mixin)."""

    lock: threading.RLock
    services: dict[str, Service]
    routing: dict[str, str]
    change_events: list[dict[str, Any]]
    change_records: list[ChangeEvent]
    change_event_retention: timedelta | None = RETENTION

    def record_change(self, body: dict[str, Any], received: datetime | None = None
                      ) -> ChangeEvent:
        """Store a validated /v2/change/enqueue body on its routing key's service."""
        with self.lock:
            self.change_events.append(copy.deepcopy(body))
            service = self.services[self.routing[body["routing_key"]]]
            payload = body.get("payload") or {}
            received = received or utcnow()
            stamp = parse_time(str(payload["timestamp"])) if payload.get("timestamp") else None
            record = ChangeEvent(_ulid(received), service.id, service.integration_id, received,
                                 stamp or received, copy.deepcopy(body))
            self.change_records.append(record)
            return record

    def add_change_event(self, service_id: str, summary: str, at: datetime | None = None,
                         source: str | None = None, custom_details: Any = None,
                         links: list[dict[str, str]] | None = None) -> dict[str, Any]:
        """Record a change event on a service as the Events API would have at `at` (sent then,
        so it expires with the retention); return its API form."""
        with self.lock:
            payload: dict[str, Any] = {"summary": summary}
            if at is not None:
                payload["timestamp"] = at.isoformat()
            if source is not None:
                payload["source"] = source
            if custom_details is not None:
                payload["custom_details"] = custom_details
            body: dict[str, Any] = {"routing_key": self.services[service_id].routing_key,
                                    "payload": payload}
            if links is not None:
                body["links"] = links
            return self.change_event_json(self.record_change(body, received=at))

    def change_event_json(self, record: ChangeEvent) -> dict[str, Any]:
        """A change event shaped like the spec's ChangeEvent examples."""
        payload = record.body.get("payload") or {}
        return {
            "id": record.id, "summary": payload.get("summary"),
            "timestamp": pd_time(record.timestamp), "type": "change_event",
            "source": payload.get("source"),
            "integration": {"id": record.integration_id,
                            "type": "inbound_integration_reference"},
            "services": [{"id": record.service_id, "type": "service_reference"}],
            "custom_details": copy.deepcopy(payload.get("custom_details")),
            "links": copy.deepcopy(record.body.get("links") or []),
        }


def _utc(query: Query, name: str) -> datetime | None:
    raw = query.single.get(name)
    if raw is None:
        return None
    value = parse_time(raw)
    if value is None or value.utcoffset() != timedelta(0):
        raise InvalidError(400, "Invalid time values in 'since' and/or 'until' parameters",
                           2004, [f"{name} must be a UTC ISO 8601 date-time."])
    return value


def list_change_events(state: PagerDutyChanges, query: Query,
                       service_id: str | None = None) -> list[dict[str, Any]]:
    """GET /change_events and /services/{id}/change_events: filtered, newest first."""
    since, until = _utc(query, "since"), _utc(query, "until")
    if since is not None and until is not None and until < since:
        raise InvalidError(400, "Invalid Query Date Range", 2005, [])
    teams = set(query.arrays["team_ids"]) if "team_ids" in query.arrays else None
    integrations = set(query.arrays.get("integration_ids", []))
    with state.lock:
        if service_id is not None and service_id not in state.services:
            raise InvalidError(404, "Not Found", 2100, ["Service Not Found"])
        keep = state.change_event_retention
        oldest = utcnow() - keep if keep is not None else None
        found = [r for r in state.change_records
                 if service_id in (None, r.service_id)
                 and (oldest is None or r.received_at >= oldest)
                 and (since is None or since <= r.timestamp)
                 and (until is None or r.timestamp <= until)
                 and (not integrations or r.integration_id in integrations)
                 and (teams is None or teams & set(state.services[r.service_id].teams))]
        found.sort(key=lambda r: (r.timestamp, r.received_at), reverse=True)
        return [state.change_event_json(r) for r in found]


def one_change_event(state: PagerDutyChanges, event_id: str) -> dict[str, Any]:
    """GET /change_events/{id}: {"change_event": {...}} or 404."""
    with state.lock:
        keep = state.change_event_retention
        record = next((r for r in state.change_records if r.id == event_id), None)
        if record is None or (keep is not None and record.received_at < utcnow() - keep):
            raise InvalidError(404, "Not Found", 2100, ["Change Event Not Found"])
        return {"change_event": state.change_event_json(record)}
