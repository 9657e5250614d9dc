"""One time budget shared by every call of a phase of a job (e.g. all look-ups before the page).

A per-call budget lets N sequential calls take N budgets: with GitLab answering each
request in 4.5 s, a new issue (search, create) delayed the page by 9 s and --incident
(issue, /user, notes) by 13.5 s against a 6 s look-up budget. Within a phase every
retry decision and every request timeout is cut to what is left of ONE deadline.
"""

from __future__ import annotations

import time
from collections.abc import Callable

# No attempt starts with less than this left (or the request timeout, when shorter):
# a retry honouring a short Retry-After still fits, a hopeless one is not started.
MIN_ATTEMPT_SECONDS = 1.0


class Phase:
    """The deadline of the current phase, or none (each call then has its own budget)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._end: float | None = None

    def start(self, seconds: float) -> None:
        """From now on, every call ends within seconds (all calls together)."""
        self._end = self._clock() + seconds

    def left(self) -> float | None:
        """Seconds left in the phase; None outside any phase."""
        return None if self._end is None else self._end - self._clock()

    def budget(self, default: float) -> float:
        """The retry budget of a call starting now."""
        left = self.left()
        return default if left is None else min(default, max(0.0, left))

    def timeout(self, timeout: float) -> float:
        """One request's timeout, cut to what is left (never below 10 ms)."""
        left = self.left()
        return timeout if left is None else max(0.01, min(timeout, left))

    def attempt_seconds(self, timeout: float) -> float:
        """What one more attempt needs to be worth starting (see MIN_ATTEMPT_SECONDS)."""
        return timeout if self._end is None else min(timeout, MIN_ATTEMPT_SECONDS)
