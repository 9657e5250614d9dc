"""PagerDuty adapter: who is on call (REST v2) and the trigger (Events API v2).

Built on PagerDuty's maintained `pagerduty` client. Its own retry loop is turned
off (one attempt per call) so that chatops.adapters.retry applies one bounded,
Retry-After-aware policy; vendor errors become PagerDutyError (pagerduty_errors.py).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import httpx2
import pagerduty

from chatops.adapters import pagerduty_events as events
from chatops.adapters import pagerduty_parse, retry
from chatops.adapters.pagerduty_errors import ListOverflowError, translate, unknown_policy_hint
from chatops.adapters.phase import Phase
from chatops.adapters.timestamps import utc_text
from chatops.adapters.tls import ssl_context
from chatops.config import Http
from chatops.core.incident import Incident
from chatops.core.model import OnCall
from chatops.core.page_events import PageEvent, Refusal
from chatops.errors import PagerDutyError

T = TypeVar("T")
_QUIET = logging.getLogger("chatops.vendor.pagerduty")
_QUIET.addHandler(logging.NullHandler())
_QUIET.propagate = False
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Seconds to wait before each look-up of a just-triggered incident: at most 0.3 s of
# waiting, so the job ends within about a second of the page. When the incident is not
# visible yet, the note names the dedup key and the sync job links the incident later.
_INCIDENT_POLL = (0.0, 0.3)


def _one_attempt(client: pagerduty.ApiClient) -> None:
    """Make the vendor client try exactly once and stay quiet; we retry ourselves."""
    client.retry = {status: 1 for status in (429, 500, 502, 503, 504)}
    client.max_http_attempts = -1
    client.max_network_attempts = 0
    client.log = _QUIET


class _SharedClient(pagerduty.RestApiV2Client):
    """The process's one REST client: `with client:` neither opens nor closes it."""

    def __enter__(self) -> _SharedClient:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


class PagerDutyPager:
    """The Pager port, backed by PagerDuty's REST and Events APIs."""

    def __init__(self, api_url: str, events_url: str, api_token: str | None,
                 ca_bundle: str | None, http: Http, sleep: Callable[[float], None] = time.sleep
                 ) -> None:
        self._api_url, self._events_url = api_url, events_url
        self._token = api_token
        self._verify = ssl_context(ca_bundle)
        self._http, self._timeout, self._sleep = http, http.timeout_seconds, sleep
        self._counting = threading.Lock()
        self.requests_sent = 0  # REST requests sent, for the report's stated cost
        self._phase = Phase()
        self._client: pagerduty.RestApiV2Client | None = None
        self._client_lock = threading.Lock()
        if api_token:  # built now, so the first look-up's thread only sends
            self._rest("REST API")

    def within(self, seconds: float) -> None:
        """Start a phase: every later REST call, requests and retries, ends within seconds."""
        self._phase.start(seconds)

    def _retry(self, fn: Callable[[], T], budget: float, phased: bool = True) -> T:
        """Retry within budget (and the phase's), never starting an attempt that could
        overrun it; each REST request's timeout is cut to what is left of the phase."""
        if not phased:  # the trigger has its own budget, whatever the phase
            return retry.call(fn, budget, attempt_seconds=self._timeout)

        def attempt() -> T:
            left = self._phase.left()
            if left is not None and left <= 0:
                raise PagerDutyError("REST API", None, "not sent: no time left in this "
                                     "phase's budget")
            if self._client is not None:
                self._client.timeout = self._phase.timeout(self._timeout)  # type: ignore[assignment]
            return fn()

        return retry.call(attempt, self._phase.budget(budget),
                          attempt_seconds=self._phase.attempt_seconds(self._timeout))

    def _call(self, endpoint: str, secret: str, fn: Callable[[], T]) -> T:
        """Run one vendor call (request and parsing), translating its failures."""
        try:
            return fn()
        except (pagerduty.Error, httpx2.HTTPError) as exc:
            raise translate(endpoint, exc, secret) from None
        except (ValueError, TypeError, KeyError, AttributeError, IndexError) as exc:
            raise PagerDutyError(endpoint, 200, f"unexpected answer: {type(exc).__name__}",
                                 "PagerDuty answered in a form chatops does not understand; "
                                 "report this as a chatops bug.") from None

    def _rest(self, endpoint: str) -> tuple[pagerduty.RestApiV2Client, str]:
        """The process's one single-attempt REST client (one connection pool, TLS
        sessions reused between calls) and its token."""
        if not self._token:
            raise PagerDutyError(endpoint, None, "PAGERDUTY_API_TOKEN is not set")
        with self._client_lock:
            if self._client is None:
                client = _SharedClient(self._token, base_url=self._api_url,
                                       verify=self._verify)
                client.timeout = self._timeout  # type: ignore[assignment]  # httpx: float s
                _one_attempt(client)
                client.event_hooks["request"].append(self._count)
                self._client = client
            return self._client, self._token

    def _count(self, request: httpx2.Request) -> None:
        """Count one REST request (for the report's stated cost)."""
        with self._counting:
            self.requests_sent += 1

    def _list(self, path: str, key: str, params: dict[str, Any], budget: float,
              cap: int = 1000) -> list[Any]:
        """Every item of a classic-paginated list (limit/offset/more), up to cap."""
        client, token = self._rest(f"GET {path}")
        items: list[Any] = []
        while True:
            query = {**params, "limit": 100, "offset": len(items)}

            def get(query: dict[str, Any] = query) -> tuple[list[Any], bool]:
                body = pagerduty.successful_response(client.get(path, params=query)).json()
                if not isinstance(body.get(key), list):
                    raise ValueError(f"no {key!r} list")
                return body[key], bool(body.get("more"))

            page, more = self._retry(lambda: self._call(f"GET {path}", token, get), budget)
            items.extend(page)
            if more and len(items) >= cap:
                raise ListOverflowError(f"GET {path}", 200, f"more than {cap} items",
                                        "Narrow the period (or the teams) and run again.")
            if not more or not page:
                return items

    def oncall(self, policy_id: str) -> tuple[OnCall, ...]:
        """Everyone on call now for the policy, lowest escalation level first.

        An empty list may also mean a policy id PagerDuty does not know (/oncalls only
        filters by it): that is checked, and reported as a configuration error.
        """
        found = self.oncalls([policy_id]).get(policy_id, ())
        if not found and not self.policy_exists(policy_id):
            raise PagerDutyError(f"GET /escalation_policies/{policy_id}", 404, "Not Found",
                                 unknown_policy_hint(policy_id))
        return found

    def oncalls(self, policy_ids: list[str], since: datetime | None = None,
                until: datetime | None = None) -> dict[str, tuple[OnCall, ...]]:
        """On-call entries of several policies in one request: now, or over a time range."""
        # The client turns list values into `name[]` parameters (PagerDuty's array form).
        params: dict[str, Any] = {"escalation_policy_ids": policy_ids, "time_zone": "UTC"}
        if since is not None and until is not None:
            params.update(since=utc_text(since), until=utc_text(until))
        else:
            params["earliest"] = "true"
        entries = self._list("/oncalls", "oncalls", params, self._http.lookup_budget_seconds,
                             cap=5000)
        found: dict[str, list[OnCall]] = {policy: [] for policy in policy_ids}
        for item in pagerduty_parse.oncalls(entries, ranges=since is not None):
            found.setdefault(item.policy, []).append(item)
        return {policy: tuple(sorted(items, key=lambda o: (o.level, o.since or _EPOCH, o.name)))
                for policy, items in found.items()}

    def policy_exists(self, policy_id: str) -> bool:
        """GET /escalation_policies/{id}: 404 means unknown (/oncalls would just be empty)."""
        path = f"/escalation_policies/{policy_id}"
        client, token = self._rest(f"GET {path}")

        def get() -> bool:
            response = client.get(path)
            if response.status_code == 404:
                return False
            return bool(pagerduty.successful_response(response).json()["escalation_policy"])

        return self._retry(lambda: self._call(f"GET {path}", token, get),
                           self._http.lookup_budget_seconds)

    def incident(self, dedup_key: str, wait: bool = True) -> Incident | None:
        """The CURRENT incident of a dedup key: the newest, open when one is open.

        A trigger after a resolve opens a NEW incident with the same key (developer-docs
        docs/events-API-v2/01-Overview.md, "dedup_key"), so a key can have several
        incidents. GET /incidents lists oldest first unless told otherwise (REST spec
        sort_by: "Sort direction defaults to ascending"; github/hubot-pager-me#58), so ask
        for the newest first. With wait (just after a trigger), poll briefly for an open
        one: events are processed asynchronously, and until the new incident exists the
        newest may still be the resolved earlier one.
        """
        client, token = self._rest("GET /incidents")
        # date_range=all: without it only recent incidents are searched (pdpyras#46).
        params: dict[str, Any] = {"incident_key": dedup_key, "date_range": "all",
                                  "sort_by": "created_at:desc", "limit": 1}

        def get() -> Incident | None:
            response = pagerduty.successful_response(client.get("/incidents", params=params))
            found = response.json()["incidents"]
            if not found:
                return None
            return pagerduty_parse.incident(found[0])

        newest: Incident | None = None
        for delay in _INCIDENT_POLL if wait else (0.0,):
            self._sleep(delay)
            newest = self._retry(lambda: self._call("GET /incidents", token, get),
                                 self._http.lookup_budget_seconds)
            if newest is not None and (not wait or newest.status != "resolved"):
                return newest
        return newest

    def note(self, incident_id: str, from_email: str, content: str) -> None:
        """Add a note to an incident (REST POST /incidents/{id}/notes, From: a PagerDuty
        user's email, required by the spec); after an unclear failure, look first."""
        path = f"/incidents/{incident_id}/notes"
        client, token = self._rest(f"POST {path}")

        def post() -> bool:
            body = {"note": {"content": content}}
            pagerduty.successful_response(client.post(path, json=body,
                                                      headers={"From": from_email}))
            return True

        def posted() -> bool | None:
            # GET /incidents/{id}/notes is not paginated (spec: {"notes": [...]}).
            notes = pagerduty.successful_response(client.get(path)).json()["notes"]
            return True if any(n.get("content") == content for n in notes) else None

        retry.call(lambda: self._call(f"POST {path}", token, post),
                   self._phase.budget(self._http.gitlab_budget_seconds),
                   recheck=lambda: self._call(f"GET {path}", token, posted),
                   attempt_seconds=self._phase.attempt_seconds(self._timeout))

    def record_change(self, routing_key: str, record: Refusal) -> None:
        """Send a change event (Events API v2 /v2/change/enqueue): it pages nobody."""
        client = pagerduty.EventsApiV2Client(routing_key, base_url=self._events_url,
                                             verify=self._verify)
        client.timeout = self._timeout  # type: ignore[assignment]  # httpx takes float seconds
        _one_attempt(client)
        event = events.change_body(record)

        def send() -> None:
            client.send_change_event(payload=event["payload"], links=event["links"])

        with client:
            # One attempt: the requester's reply waits for it, and it only feeds the metrics.
            self._retry(lambda: self._call("POST /v2/change/enqueue", routing_key, send),
                        self._timeout, phased=False)

    def trigger(self, routing_key: str, page: PageEvent) -> str:
        """Send a trigger event; re-sending the same dedup_key cannot page twice."""
        client = pagerduty.EventsApiV2Client(routing_key, base_url=self._events_url,
                                             verify=self._verify)
        client.timeout = self._timeout  # type: ignore[assignment]  # httpx takes float seconds
        _one_attempt(client)
        event = events.trigger_body(page)
        fields = {k: v for k, v in event.items() if k not in {"event_action", "dedup_key"}}

        def send() -> str:
            return str(client.send_event("trigger", dedup_key=event["dedup_key"], **fields))

        with client:
            return self._retry(lambda: self._call("POST /v2/enqueue", routing_key, send),
                               self._http.pagerduty_budget_seconds, phased=False)
