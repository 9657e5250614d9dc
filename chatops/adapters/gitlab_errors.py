"""GitLab's failures in our terms: python-gitlab and transport errors translated to GitLabError."""

from __future__ import annotations

import gitlab.exceptions
import requests

from chatops.adapters.phase_session import BudgetSpent
from chatops.errors import GitLabError, NotFoundError, mask

# Every failure of one python-gitlab call that translate() turns into a GitLabError.
FAILURES = (gitlab.exceptions.GitlabError, requests.RequestException,
            KeyError, TypeError, ValueError)
_HINTS = {
    401: "GITLAB_TOKEN is invalid or expired: renew the project/bot access token (scope api).",
    403: "GITLAB_TOKEN lacks the rights for this: it needs scope api (not read_api) and at "
         "least the Reporter role on the project.",
    404: "Project or issue not found, or the token cannot see it.",
    429: "GitLab is rate limiting us; wait a minute before retrying.",
}
_DOWN = "GitLab is unreachable or failing; check the GitLab status page."


def _retry_after(response: requests.Response | None) -> float | None:
    """Retry-After of a response, in seconds."""
    value = response.headers.get("Retry-After") if response is not None else None
    try:
        return float(value) if value else None
    except ValueError:
        return None


def translate(endpoint: str, exc: Exception, token: str,
              response: requests.Response | None) -> GitLabError:
    """Turn a failure of one call (its last response given) into a GitLabError without secrets."""
    if isinstance(exc, gitlab.exceptions.GitlabError):
        status = exc.response_code
        cls = NotFoundError if status == 404 else GitLabError
        hint = _HINTS.get(status or 0, _DOWN)
        if status == 401:
            hint = f"{hint} (token {mask(token)})"
        return cls(endpoint, status, str(exc.error_message), hint, _retry_after(response))
    if isinstance(exc, BudgetSpent):
        return GitLabError(endpoint, None, f"not sent: {exc}", _DOWN)
    if isinstance(exc, requests.RequestException):
        return GitLabError(endpoint, None, type(exc).__name__, _DOWN)
    return GitLabError(endpoint, 200, f"unexpected answer: {type(exc).__name__}",
                       "GitLab answered in a form chatops does not understand; "
                       "report this as a chatops bug.")
