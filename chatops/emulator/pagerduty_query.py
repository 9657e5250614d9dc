"""Query parsing and errors shared by the PagerDuty REST routes."""

# Error bodies: REST OpenAPI spec components/responses + PagerDuty/developer-docs
# docs/REST-API/14-Errors.md (2001 Invalid Input Provided, 2004 bad since/until).

from __future__ import annotations

from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chatops.emulator.core import Request, json_response, parse_time
from chatops.emulator.pagerduty_model import error_body


class InvalidError(Exception):
    """A 400/404 to send back with a PagerDuty error body."""

    def __init__(self, status: int, message: str, code: int, errors: list[str]) -> None:
        super().__init__(message)
        self.response = json_response(status, error_body(message, code, errors))


def bad(*errors: str) -> InvalidError:
    return InvalidError(400, "Invalid Input Provided", 2001, list(errors))


class Query:
    """Rails-style query parameters (key[] repeated for arrays)."""

    def __init__(self, request: Request) -> None:
        self.single: dict[str, str] = {}
        self.arrays: dict[str, list[str]] = {}
        for key, value in request.query:
            if key.endswith("[]"):
                self.arrays.setdefault(key[:-2], []).append(value)
            else:
                self.single[key] = value

    def flag(self, name: str) -> bool:
        """A boolean parameter."""
        return self.single.get(name, "").lower() == "true"

    def number(self, name: str, default: int) -> int:
        """An integer parameter."""
        raw = self.single.get(name)
        if raw in (None, ""):
            return default
        try:
            return int(str(raw))
        except ValueError as exc:
            raise bad(f"{name.capitalize()} must be an integer.") from exc

    def time(self, name: str, default: datetime) -> datetime:
        """A date-time parameter."""
        raw = self.single.get(name)
        if raw is None:
            return default
        value = parse_time(raw)
        if value is None:
            raise InvalidError(400, "Invalid time values in 'since' and/or 'until' parameters",
                               2004, [f"{name} is not a valid date."])
        return value

    def zone(self) -> tzinfo | None:
        """The time_zone parameter (IANA names)."""
        raw = self.single.get("time_zone")
        if not raw:
            return None
        try:
            return ZoneInfo(raw)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise bad("Time zone is invalid.") from exc
