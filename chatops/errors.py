"""The one error hierarchy of chatops; only the CLI catches these.

Our exception hierarchy (exit codes as the CLI boundary maps them):

* ChatopsError ................ 1
  + InputError ................ 2  the request cannot be acted upon
  |  + NotAllowedError              the requester may not act on that issue
  + ConfigError ............... 3  configuration file or environment
  + ServiceError .............. 1  a remote API failed (endpoint, status, hint);
  |                                 3 when it refused our credential (401/403)
     + GitLabError
     |  + NotFoundError             404 for a project or issue
     + PagerDutyError
        + RoutingKeyError ..... 3  a team's routing key refused: that team's config

Secrets registered with register_secret() never appear in any message: mask() shows
the last 4 characters at most.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable

_SECRETS: set[str] = set()
_LOCK = threading.Lock()


def register_secret(value: str | None) -> None:
    """Remember a secret so that every message and log line hides it."""
    if value and len(value) >= 4:
        with _LOCK:
            _SECRETS.add(value)


def mask(value: str) -> str:
    """Show a secret by its last 4 characters only."""
    return f"…{value[-4:]}" if len(value) > 4 else "…"


def redact(text: str, extra: Iterable[str] = ()) -> str:
    """Replace every registered secret in text by its masked form."""
    with _LOCK:
        secrets = sorted({*_SECRETS, *(s for s in extra if s)}, key=len, reverse=True)
    for secret in secrets:
        text = text.replace(secret, mask(secret))
    # URL-embedded trigger/private tokens that were never registered.
    return re.sub(r"((?:private_)?token=)[^&\s]+", r"\1[redacted]", text)


class ChatopsError(Exception):
    """Base of every error chatops raises on purpose."""

    exit_code = 1

    def __init__(self, message: str, hint: str = "") -> None:
        self.message = redact(message)
        self.hint = redact(hint)
        super().__init__(self.message)

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip()


class InputError(ChatopsError):
    """The request (chat text or arguments) cannot be acted upon."""

    exit_code = 2


class NotAllowedError(InputError):
    """The requester may not act on that issue (or it cannot be told whether they may)."""


class ConfigError(ChatopsError):
    """The configuration file or the environment is incomplete or wrong."""

    exit_code = 3


class ServiceError(ChatopsError):
    """A remote API (GitLab, PagerDuty) failed or answered unexpectedly."""

    service = "service"

    def __init__(
        self,
        endpoint: str,
        status: int | None,
        detail: str,
        hint: str = "",
        retry_after: float | None = None,
    ) -> None:
        self.endpoint = redact(endpoint)
        self.status = status
        # Server bodies can be multi-line HTML: one line, bounded.
        self.detail = " ".join(redact(detail).split())[:300]
        self.retry_after = retry_after
        where = f"{self.service} {self.endpoint}"
        what = f"HTTP {status}" if status is not None else "no response"
        end = "" if self.detail.endswith((".", "!", "?")) else "."
        super().__init__(f"{where} failed ({what}): {self.detail}{end}", hint)
        if self.denied:  # a wrong or too weak token is a configuration error, like a missing one
            self.exit_code = ConfigError.exit_code

    @property
    def denied(self) -> bool:
        """True when the service refused our credential (401) or its rights (403)."""
        return self.status in (401, 403)

    @property
    def retryable(self) -> bool:
        """True when repeating the same request may succeed (5xx, 429, network)."""
        return self.status is None or self.status == 429 or self.status >= 500

    @property
    def ambiguous(self) -> bool:
        """True when the server may have acted although we got no clean answer."""
        return self.status is None or self.status >= 500


class GitLabError(ServiceError):
    """GitLab REST API failure."""

    service = "GitLab"


class NotFoundError(GitLabError):
    """GitLab answered 404 for a project or issue."""


class PagerDutyError(ServiceError):
    """PagerDuty API failure."""

    service = "PagerDuty"


class RoutingKeyError(PagerDutyError):
    """The Events API refused a team's routing key: a configuration error of that team."""

    exit_code = ConfigError.exit_code
