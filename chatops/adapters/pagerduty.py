"""PagerDuty adapter: who is on call (REST v2) and the trigger (Events API v2).

Built on PagerDuty's maintained `pagerduty` client. Its own retry loop is turned
off (one attempt per call) so that chatops.adapters.retry applies one bounded,
Retry-After-aware policy; vendor errors become PagerDutyError here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any, TypeVar

import httpx2
import pagerduty

from chatops.adapters import retry
from chatops.adapters.tls import ssl_context
from chatops.core.model import OnCall, PagerDutyIncident
from chatops.errors import PagerDutyError, mask

T = TypeVar("T")
_QUIET = logging.getLogger("chatops.vendor.pagerduty")
_QUIET.addHandler(logging.NullHandler())
_QUIET.propagate = False
_HINTS = {
    400: "PagerDuty rejected the request as invalid; report this as a chatops bug.",
    401: "The PagerDuty credential is invalid or revoked: check the masked CI/CD variable.",
    403: "The PagerDuty API token lacks access: it needs read access to on-calls.",
    404: "Not found: check the escalation_policy_id / routing key in chatops.toml.",
    429: "PagerDuty is rate limiting us; wait a minute before trying again.",
}


def _one_attempt(client: pagerduty.ApiClient) -> None:
    """Make the vendor client try exactly once and stay quiet; we retry ourselves."""
    client.retry = {status: 1 for status in (429, 500, 502, 503, 504)}
    client.max_http_attempts = -1
    client.max_network_attempts = 0
    client.log = _QUIET


def _retry_after(response: httpx2.Response | None) -> float | None:
    """Seconds from a Retry-After header, if any."""
    value = response.headers.get("retry-after") if response is not None else None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _translate(endpoint: str, exc: Exception, secret: str) -> PagerDutyError:
    """Turn a vendor or transport error into a PagerDutyError without secrets."""
    response = getattr(exc, "response", None)
    status = response.status_code if response is not None else None
    detail = response.text[:300] if response is not None else type(exc.__cause__ or exc).__name__
    hint = _HINTS.get(status or 0, "PagerDuty is unreachable or failing; "
                      "check https://status.pagerduty.com and page by hand if this persists.")
    if status == 401:
        hint = f"{hint} (credential {mask(secret)})"
    return PagerDutyError(endpoint, status, detail.replace(secret, mask(secret)), hint,
                          _retry_after(response))


class PagerDutyPager:
    """The Pager port, backed by PagerDuty's REST and Events APIs."""

    def __init__(self, api_url: str, events_url: str, api_token: str | None,
                 ca_bundle: str | None, timeout: float, budget: float) -> None:
        self._api_url, self._events_url = api_url, events_url
        self._token = api_token
        self._verify = ssl_context(ca_bundle)
        self._timeout, self._budget = timeout, budget

    def _call(self, endpoint: str, secret: str, fn: Callable[[], T]) -> T:
        """Run one vendor call, translating its failures."""
        try:
            return fn()
        except (pagerduty.Error, httpx2.HTTPError) as exc:
            raise _translate(endpoint, exc, secret) from None

    def _rest(self, endpoint: str) -> tuple[pagerduty.RestApiV2Client, str]:
        """A single-attempt REST client and its token."""
        if not self._token:
            raise PagerDutyError(endpoint, None, "PAGERDUTY_API_TOKEN is not set")
        client = pagerduty.RestApiV2Client(self._token, base_url=self._api_url,
                                           verify=self._verify)
        client.timeout = self._timeout  # type: ignore[assignment]  # httpx takes float seconds
        _one_attempt(client)
        return client, self._token

    def oncall(self, policy_id: str) -> tuple[OnCall, ...]:
        """Everyone on call now for the policy, lowest escalation level first."""
        client, token = self._rest("GET /oncalls")
        entries: list[dict[str, Any]] = []
        offset = 0
        with client:
            while True:
                page = retry.call(partial(self._oncall_page, client, policy_id, offset, token),
                                  self._budget)
                entries.extend(page.get("oncalls", []))
                if not page.get("more") or len(entries) >= 1000:
                    break
                offset = len(entries)
        return tuple(sorted(_oncalls(entries), key=lambda o: (o.level, o.name)))

    def _oncall_page(self, client: pagerduty.RestApiV2Client, policy_id: str, offset: int,
                     token: str) -> dict[str, Any]:
        """One page of GET /oncalls."""
        # The client turns list values into `name[]` parameters (PagerDuty's array form).
        params: dict[str, Any] = {"escalation_policy_ids": [policy_id], "earliest": "true",
                                  "time_zone": "UTC", "limit": 100, "offset": offset}

        def get() -> dict[str, Any]:
            response = pagerduty.successful_response(client.get("/oncalls", params=params))
            body = response.json()
            if not isinstance(body, dict) or not isinstance(body.get("oncalls"), list):
                raise PagerDutyError("GET /oncalls", response.status_code,
                                     "answer has no 'oncalls' list",
                                     "PagerDuty answered unexpectedly; page by hand.")
            return body

        return self._call("GET /oncalls", token, get)

    def incident(self, dedup_key: str) -> PagerDutyIncident | None:
        """The incident of a dedup key; None while PagerDuty has not created it yet."""
        client, token = self._rest("GET /incidents")
        params: dict[str, Any] = {"incident_key": dedup_key, "limit": 1}

        def get() -> list[Any]:
            response = pagerduty.successful_response(client.get("/incidents", params=params))
            found = response.json().get("incidents") if response.content else None
            return found if isinstance(found, list) else []

        with client:
            found = retry.call(lambda: self._call("GET /incidents", token, get),
                               min(self._budget, 10.0))
        if not found or not isinstance(found[0], dict):
            return None
        item = found[0]
        return PagerDutyIncident(str(item.get("id", "")), int(item.get("incident_number") or 0),
                                 str(item.get("html_url", "")), str(item.get("status", "")))

    def trigger(self, routing_key: str, event: dict[str, Any]) -> str:
        """Send a trigger event; re-sending the same dedup_key cannot page twice."""
        client = pagerduty.EventsApiV2Client(routing_key, base_url=self._events_url,
                                             verify=self._verify)
        client.timeout = self._timeout  # type: ignore[assignment]  # httpx takes float seconds
        _one_attempt(client)
        fields = {k: v for k, v in event.items() if k not in {"event_action", "dedup_key"}}

        def send() -> str:
            return str(client.send_event("trigger", dedup_key=event["dedup_key"], **fields))

        with client:
            return retry.call(lambda: self._call("POST /v2/enqueue", routing_key, send),
                              self._budget)


def _oncalls(entries: list[dict[str, Any]]) -> list[OnCall]:
    """Parse on-call entries, one per (level, person)."""
    seen: dict[tuple[int, str], OnCall] = {}
    for entry in entries:
        user = entry.get("user") or {}
        level = entry.get("escalation_level")
        if not isinstance(level, int):
            continue
        name = str(user.get("summary") or user.get("name") or user.get("id") or "unknown")
        end = entry.get("end")
        until = datetime.fromisoformat(end.replace("Z", "+00:00")) if end else None
        seen.setdefault((level, name), OnCall(level, name, until))
    return list(seen.values())
