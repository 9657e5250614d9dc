"""PagerDuty's failures in our terms: vendor errors translated to PagerDutyError, with hints."""

from __future__ import annotations

from typing import Any

import httpx2

from chatops.errors import PagerDutyError, RoutingKeyError, mask

_HINTS = {
    400: "PagerDuty rejected the request as invalid; report this as a chatops bug.",
    401: "The PagerDuty credential is invalid or revoked: check the masked CI/CD variable.",
    403: "The PagerDuty API key lacks access: it needs to read on-calls, incidents and "
         "log entries, and to write incidents for escalation resolve/cancel.",
    404: "Not found: check the escalation_policy_id / routing key in chatops.toml.",
    429: "PagerDuty is rate limiting us; wait a minute before trying again.",
}


class ListOverflowError(PagerDutyError):
    """A list longer than the reader allows (PagerDuty refuses offsets past 10,000)."""


def unknown_policy_hint(policy_id: str) -> str:
    """What to do about an escalation_policy_id PagerDuty does not know."""
    return (f"Escalation policy {policy_id} is unknown to PagerDuty: fix escalation_policy_id "
            "in chatops.toml (the P... id in the policy's URL).")


def _retry_after(response: httpx2.Response | None) -> float | None:
    """Seconds to wait before retrying a 429: Retry-After, else PagerDuty's ratelimit-reset.

    PagerDuty's REST API answers 429 with `ratelimit-limit`, `ratelimit-remaining` and
    `ratelimit-reset` ("the number of seconds until the limit is reset"), not Retry-After
    (PagerDuty/developer-docs docs/REST-API/04-Rate-Limits.md, "Rate limit headers" and
    "Reaching the limit"; support.pagerduty.com/docs/rest-api-rate-limits). The Events
    API documents only the status, "429 - Request Limit Exceeded"
    (docs/events-API-v2/05-Rate-Limits.md): there the capped back-off applies.
    """
    if response is None:
        return None
    for name in ("retry-after", *(("ratelimit-reset",) if response.status_code == 429 else ())):
        value = response.headers.get(name)
        try:
            if value is not None and float(value) >= 0:
                return float(value)
        except ValueError:
            continue
    return None


def _readable(response: httpx2.Response) -> str:
    """PagerDuty's error in words, not raw JSON.

    REST errors are {"error": {"message", "code", "errors"}} (REST spec, Errors; docs
    REST-API/14-Errors.md), Events API v2 errors {"status", "message", "errors"} (events-v2
    spec, 400 response; e.g. envato/pagerduty#70).
    """
    try:
        body = response.json()
    except ValueError:
        return response.text[:300]
    if not isinstance(body, dict):
        return response.text[:300]
    error: dict[str, Any] = body["error"] if isinstance(body.get("error"), dict) else body
    message = str(error.get("message") or body.get("status") or "").strip()
    code = error.get("code")
    errors = error.get("errors") if isinstance(error.get("errors"), list) else []
    # The errors say what is wrong; the message ("Event object is invalid") is generic then.
    text = "; ".join(str(e) for e in errors) if errors else message
    text += f" (code {code})" if code is not None else ""
    return text or response.text[:300]


def _refuses_routing_key(endpoint: str, status: int | None, detail: str) -> bool:
    """Whether an answer is an Events API 400 about the routing key.

    "Invalid routing key", "Length of 'routing_key' is incorrect", "'routing_key' cannot
    contain ...": robusta-dev/robusta#571, blockpane/tenderduty#10, envato/pagerduty#70.
    """
    return endpoint.startswith("POST /v2/") and status == 400 and (
        "routing_key" in detail or "routing key" in detail.lower())


def translate(endpoint: str, exc: Exception, secret: str) -> PagerDutyError:
    """Turn a vendor or transport error into a PagerDutyError without secrets."""
    response = getattr(exc, "response", None)
    status = response.status_code if response is not None else None
    detail = _readable(response) if response is not None else type(exc.__cause__ or exc).__name__
    detail = detail.replace(secret, mask(secret))
    if _refuses_routing_key(endpoint, status, detail):
        return RoutingKeyError(endpoint, status, detail,
                               "The team's routing key is not a valid Events API v2 "
                               f"integration key ({mask(secret)}).")
    hint = _HINTS.get(status or 0, "PagerDuty is unreachable or failing; "
                      "check https://status.pagerduty.com and page by hand if this persists.")
    if status == 401 and not endpoint.startswith("POST /v2/"):
        hint = ("PagerDuty refused the REST API key in PAGERDUTY_API_TOKEN "
                f"({mask(secret)}): it is invalid or revoked. Create a new key (Integrations → "
                "API Access Keys) and update the masked CI/CD variable.")
    elif status == 401:
        hint = f"{hint} (credential {mask(secret)})"
    wait = _retry_after(response)
    if status == 429 and wait is not None:
        hint = (f"PagerDuty is rate limiting this key; its limit resets in {wait:.0f} s "
                "(ratelimit-reset): try again after that.")
    return PagerDutyError(endpoint, status, detail, hint, wait)
