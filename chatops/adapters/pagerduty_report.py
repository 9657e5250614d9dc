"""PagerDuty reads for reports: incidents, log entries and change events in bulk, by time.

Pagination (PagerDuty/developer-docs docs/REST-API/09-Pagination.md): classic lists take
`limit` up to 100, and "the sum of the `offset` and `limit` parameters cannot exceed 10000,
or the REST API will respond with status 400"; past that, "constrain the results to under
10000 by using a filter". So every list here asks for `total=true` on its first page and
halves its time window until each part holds at most 10,000 items: nothing is capped.
GET /incidents refuses since/until ranges over 6 months (REST spec, rest-openapiv3.json
/incidents `since`: "Maximum range is 6 months"), so windows start at most 30 days long.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

import pagerduty

from chatops.adapters import pagerduty_events as events
from chatops.adapters import pagerduty_parse as parse
from chatops.adapters.pagerduty import PagerDutyPager
from chatops.adapters.timestamps import utc_text
from chatops.core.dedup import parse_dedup_key
from chatops.core.incident import Incident, LogEntry
from chatops.core.report import Mark
from chatops.errors import PagerDutyError

LIMIT = 100  # the largest page (09-Pagination.md)
MAX_RECORDS = 10_000  # offset + limit may not exceed this (09-Pagination.md)
SLICE = timedelta(days=30)
# Events API v2 "Send a Change Event" (docs/events-API-v2/03-Change-Events.md, "Data
# Retention"): "PagerDuty will only keep the last 90 days of Change Events".
CHANGE_EVENT_RETENTION = timedelta(days=90)


def _slices(since: datetime, until: datetime) -> list[tuple[datetime, datetime]]:
    """[since, until) cut into consecutive slices of at most SLICE."""
    cuts, start = [], since
    while start < until:
        cuts.append((start, min(start + SLICE, until)))
        start += SLICE
    return cuts


class PagerDutyReports(PagerDutyPager):
    """Bulk, time-windowed reads that cost what the period holds, not one per incident."""

    def incidents_created(self, since: datetime, until: datetime,
                          service_ids: list[str] | None = None) -> list[Incident]:
        """Every chatops incident created in [since, until), of these services if given."""
        params: dict[str, Any] = {"time_zone": "UTC"}
        if service_ids:
            params["service_ids"] = service_ids  # the client sends service_ids[]=...
        items: list[Any] = []
        for start, end in _slices(since, until):
            items += self.windowed("/incidents", "incidents", params, start, end)
        found = [self._parse("GET /incidents", parse.incident, item) for item in items]
        # Keyless incidents (alert grouping) are kept when the read is limited to the
        # teams' services: their alerts' keys tell whether they are chatops pages.
        unique = {i.id: i for i in found if parse_dedup_key(i.incident_key) is not None
                  or (service_ids and not i.incident_key)}
        return sorted((i for i in unique.values() if since <= i.created_at < until),
                      key=lambda i: i.created_at)

    def log_entries_between(self, since: datetime, until: datetime,
                            max_requests: int) -> list[LogEntry] | None:
        """Every log entry of the account in [since, until]; None when that would take more
        than max_requests requests (reading incident by incident is then cheaper)."""
        # include[]=channels: the trigger entries then carry the page's facts (requester,
        # drill) as chatops wrote them (pagerduty_parse.log_entry); same requests, larger pages.
        params: dict[str, Any] = {"time_zone": "UTC", "is_overview": "false",
                                  "include": ["channels"]}
        items = self.windowed("/log_entries", "log_entries", params, since, until,
                              max_requests=max_requests)
        if items is None:
            return None
        return [self._parse("GET /log_entries", parse.log_entry, item) for item in items]

    def refusals(self, since: datetime, until: datetime, now: datetime,
                 service_ids: list[str] | None = None) -> list[Mark]:
        """Refused requests recorded as change events, as far as PagerDuty keeps them."""
        start = max(since, now - CHANGE_EVENT_RETENTION)
        if start >= until:
            return []
        paths = [f"/services/{sid}/change_events" for sid in service_ids or []] or [
            "/change_events"]
        items: list[Any] = []
        for path in paths:
            for begin, end in _slices(start, until):
                items += self.windowed(path, "change_events", {}, begin, end)
        unique = list({str(e.get("id")): e for e in items if isinstance(e, dict)}.values())
        return self._call("GET /change_events", self._token or "",
                          lambda: events.refusals(unique))

    def windowed(self, path: str, key: str, params: dict[str, Any], since: datetime,
                 until: datetime, max_requests: int | None = None) -> Any:
        """Every item of a since/until list, splitting the window past 10,000 items.

        Serial on purpose: PagerDuty asks to "make requests serially for a given
        authentication token" (docs/REST-API/04-Rate-Limits.md, "Avoid hitting rate limits").
        With max_requests, returns None as soon as the first page's total shows that
        more requests would be needed.
        """
        client, token = self._rest(f"GET {path}")
        found: dict[str, Any] = {}
        pending, first = [(since, until)], True
        while pending:
            start, end = pending.pop()
            # Whole seconds on the wire: round `end` up, or its last second is lost.
            query = {**params, "since": utc_text(start),
                     "until": utc_text(end + timedelta(seconds=1))}
            page, more, total = self._get_page(client, token, path, key, query, 0)
            if first and max_requests is not None and total is not None and \
                    math.ceil(total / LIMIT) > max_requests:
                return None
            first = False
            if total is not None and total > MAX_RECORDS:
                if end - start <= timedelta(seconds=2):
                    raise PagerDutyError(f"GET {path}", 200, f"{total} items in one second",
                                         "PagerDuty cannot list them all; narrow the teams.")
                middle = start + (end - start) / 2
                pending += [(middle, end), (start, middle)]
                continue
            items = list(page)
            while more and page:
                if len(items) + LIMIT > MAX_RECORDS:
                    raise PagerDutyError(f"GET {path}", 200, "more than 10,000 items",
                                         "PagerDuty did not give a total to split the "
                                         "period by; report a shorter period.")
                page, more, _ = self._get_page(client, token, path, key, query, len(items))
                items += page
            for item in items:
                found[str(item.get("id")) if isinstance(item, dict) else repr(item)] = item
        return list(found.values())

    def _get_page(self, client: pagerduty.RestApiV2Client, token: str, path: str, key: str,
                  query: dict[str, Any], offset: int) -> tuple[list[Any], bool, int | None]:
        """One page of a classic list; the first one asks for the total."""
        params = {**query, "limit": LIMIT, "offset": offset}
        if offset == 0:
            params["total"] = "true"

        def get() -> tuple[list[Any], bool, int | None]:
            body = pagerduty.successful_response(client.get(path, params=params)).json()
            if not isinstance(body.get(key), list):
                raise ValueError(f"no {key!r} list")
            total = body.get("total")
            return body[key], bool(body.get("more")), total if isinstance(total, int) else None

        return self._retry(lambda: self._call(f"GET {path}", token, get),
                           self._http.lookup_budget_seconds)

    def _parse(self, endpoint: str, parser: Any, item: Any) -> Any:
        """Parse one object, reporting a malformed one as a PagerDutyError."""
        return self._call(endpoint, self._token or "", lambda: parser(item))
