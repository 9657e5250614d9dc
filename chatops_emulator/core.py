"""Shared request/response types and time helpers for the service emulator."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from email.utils import format_datetime
from typing import Any, Protocol
from urllib.parse import unquote


@dataclass
class Request:
    """One parsed HTTP request as handed to a service application."""

    service: str
    method: str
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]
    body: bytes
    base_url: str

    def header(self, name: str) -> str | None:
        """Return a request header by case-insensitive name."""
        return self.headers.get(name.lower())

    @property
    def text(self) -> str:
        """Return the body decoded as UTF-8 (lenient)."""
        return self.body.decode("utf-8", errors="replace")

    @property
    def segments(self) -> list[str]:
        """Return the percent-decoded path segments (a %2F stays inside its segment)."""
        return [unquote(part) for part in self.path.split("/") if part]


@dataclass
class Response:
    """An HTTP response produced by a service application."""

    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)
    content_type: str = "application/json"


class App(Protocol):
    """What a service application offers to the HTTPS server."""

    service: str
    server_header: str

    def handle(self, request: Request) -> Response:
        """Answer one request."""

    def fault_response(
        self, status: int, retry_after: int | None, body: Any, request: Request
    ) -> Response:
        """Build the service-specific response for an injected fault."""


def json_response(
    status: int, data: Any, headers: list[tuple[str, str]] | None = None
) -> Response:
    """Serialise data as a compact JSON response."""
    payload = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()
    return Response(status=status, body=payload, headers=list(headers or []))


def text_response(status: int, text: str, content_type: str = "text/plain") -> Response:
    """Build a plain-text (or HTML) response."""
    return Response(status=status, body=text.encode(), content_type=content_type)


# A test facility, not a service behaviour: seeding "in the past" (spread over an hour,
# as real pages arrive) shifts the emulated services' clock; 0 outside seeding.
_CLOCK_OFFSET = [timedelta(0)]


def set_clock_offset(offset: timedelta) -> None:
    """Make the emulated services live `offset` away from real time (0 to reset)."""
    _CLOCK_OFFSET[0] = offset


def utcnow() -> datetime:
    """Return the current (emulated) time as an aware UTC datetime."""
    return datetime.now(UTC) + _CLOCK_OFFSET[0]


def gitlab_time(value: datetime | None) -> str | None:
    """Format like GitLab's API: ISO 8601, milliseconds, trailing Z."""
    if value is None:
        return None
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def pd_time(value: datetime | None, zone: tzinfo | None = None) -> str | None:
    """Format like PagerDuty: seconds precision, Z for UTC or a numeric offset."""
    if value is None:
        return None
    if zone is None:
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.astimezone(zone).isoformat(timespec="seconds")


def http_date(value: datetime) -> str:
    """Format an RFC 2616 date (e.g. for RateLimit-ResetTime)."""
    return format_datetime(value.astimezone(UTC), usegmt=True)


def parse_time(text: str) -> datetime | None:
    """Parse an ISO 8601 timestamp or date; naive values are taken as UTC."""
    raw = text.strip()
    if not raw:
        return None
    if raw.endswith(("Z", "z")):
        raw = raw[:-1] + "+00:00"
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)
