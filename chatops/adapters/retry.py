"""One retry policy for every remote call: bounded, Retry-After/ratelimit-reset aware, create-safe.

Vendor guidance followed here:
- PagerDuty Events API v2: 429 and 5xx are to be retried with back-off
  (developer.pagerduty.com "Events API v2 Overview: response codes & retry logic",
  as quoted in PagerDuty/pdpyras#115; the `pagerduty` client's EventsApiV2Client
  retries 500/502/503/504 for the same reason). A trigger with the same dedup_key
  joins the open alert, so re-sending it cannot page twice.
- PagerDuty REST API: a 429 carries `ratelimit-reset`, the seconds until the limit
  resets (developer-docs docs/REST-API/04-Rate-Limits.md); the adapter passes it on
  as retry_after, and a reset beyond the phase budget ends the retries at once.
- GitLab: a 429 carries Retry-After / RateLimit-Reset; honour it (docs.gitlab.com
  "Rate limits on GitLab.com"; python-gitlab's own retry obeys the same header).
A POST that may have been applied (timeout, 5xx) is never repeated blindly: the
caller passes a `recheck` that looks for the result first.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

import tenacity

from chatops.errors import ServiceError

T = TypeVar("T")
MAX_ATTEMPTS = 6
_BASE_DELAY = 0.5
_MAX_DELAY = 8.0


def _retryable(exc: BaseException) -> bool:
    """Only service errors that may succeed on a second try are retried."""
    return isinstance(exc, ServiceError) and exc.retryable


def _wait(state: tenacity.RetryCallState) -> float:
    """Retry-After when the server gave one, else capped exponential back-off with jitter."""
    exc = state.outcome.exception() if state.outcome else None
    if isinstance(exc, ServiceError) and exc.retry_after is not None:
        return max(0.0, float(exc.retry_after))
    delay: float = min(_MAX_DELAY, _BASE_DELAY * 2 ** (state.attempt_number - 1))
    return delay * (0.5 + random.random() / 2)  # noqa: S311 - jitter, not crypto


def _stop(budget: float, attempt_seconds: float, elapsed: Callable[[], float]
          ) -> Callable[[tenacity.RetryCallState], bool]:
    """Stop after MAX_ATTEMPTS or when the wait plus one more attempt would pass the budget."""

    def stop(state: tenacity.RetryCallState) -> bool:
        if state.attempt_number >= MAX_ATTEMPTS:
            return True
        return elapsed() + state.upcoming_sleep + attempt_seconds > budget

    return stop


def call(
    fn: Callable[[], T],
    budget: float,
    recheck: Callable[[], T | None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    attempt_seconds: float = 0.0,
    clock: Callable[[], float] = time.monotonic,
) -> T:
    """Run fn, retrying transient failures within budget seconds.

    attempt_seconds is how long one attempt may take (the request timeout): no
    attempt starts that could end after the budget.

    When an attempt failed ambiguously (the server may have acted) and a recheck is
    given, the recheck runs at once (a read needs no back-off), budget permitting,
    and again before any later attempt until it has answered: a found result wins,
    and fn is never repeated while the first outcome is unknown. The back-off wait
    only delays a repeat of fn, so it can no longer crowd out the recheck.
    """
    start = clock()
    unsure = False

    def settle() -> T | None:
        nonlocal unsure
        assert recheck is not None
        found = recheck()  # a failure here leaves `unsure` set: the next attempt looks again
        unsure = False
        return found

    def attempt() -> T:
        nonlocal unsure
        if unsure:
            found = settle()
            if found is not None:
                return found
        try:
            return fn()
        except ServiceError as exc:
            if recheck is not None and exc.ambiguous:
                unsure = True
                if clock() - start + attempt_seconds <= budget:
                    try:
                        found = settle()
                    except ServiceError:
                        raise exc from None  # the create's failure is the one to report
                    if found is not None:
                        return found
            raise

    retrying = tenacity.Retrying(
        retry=tenacity.retry_if_exception(_retryable),
        wait=_wait,
        stop=_stop(budget, attempt_seconds, lambda: clock() - start),
        sleep=sleep,
        reraise=True,
    )
    return retrying(attempt)
