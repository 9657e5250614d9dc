"""GitLab's answers to injected faults: Rack::Attack 429s and render_api_error! statuses."""

from __future__ import annotations

from datetime import timedelta
from http import HTTPStatus
from typing import Any

from chatops_emulator.core import Response, http_date, json_response, text_response, utcnow


def fault_response(status: int, retry_after: int | None, body: Any) -> Response:
    """429 like Rack::Attack on GitLab.com, other statuses like render_api_error!."""
    # doc/user/admin_area/settings/user_and_ip_rate_limits.md: plain-text "Retry later"
    # plus RateLimit-{Name,Limit,Observed,Remaining,Reset,ResetTime} and Retry-After
    # (sent here only when the Fault sets retry_after).
    if status == 429:
        now = utcnow()
        reset = now + timedelta(seconds=retry_after or 0)
        response = text_response(429, "Retry later\n")
        response.headers = [
            ("RateLimit-Name", "throttle_authenticated_api"), ("RateLimit-Limit", "2000"),
            ("RateLimit-Observed", "2001"), ("RateLimit-Remaining", "0"),
            ("RateLimit-Reset", str(int(reset.timestamp()))),
            ("RateLimit-ResetTime", http_date(reset)),
        ] + ([("Retry-After", str(retry_after))] if retry_after is not None else [])
    else:
        response = json_response(status, {"message": f"{status} {_phrase(status)}"})
        if retry_after is not None:
            response.headers.append(("Retry-After", str(retry_after)))
    if body is not None:
        response.body = json_response(status, body).body
        response.content_type = "application/json"
    return response


def _phrase(status: int) -> str:
    """The reason phrase of a status ("Error" for unknown ones)."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
