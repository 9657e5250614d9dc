"""A requests transport adapter that keeps every request of a phase within its deadline.

python-gitlab hands requests its one fixed timeout on each call; this adapter, mounted
on the session python-gitlab uses, cuts it to what is left of the phase (and sends
nothing once the phase's budget is spent).
"""

from __future__ import annotations

from typing import Any

import requests
from requests.adapters import HTTPAdapter

from chatops.adapters.phase import Phase


class BudgetSpent(requests.exceptions.Timeout):
    """The phase's time budget ran out before this request could be sent."""


class PhaseAdapter(HTTPAdapter):
    """Cuts every request's timeout to what is left of the phase (python-gitlab passes
    its fixed timeout to requests on each call)."""

    def __init__(self, phase: Phase) -> None:
        super().__init__()
        self._phase = phase

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any
             ) -> requests.Response:
        """Send with the timeout cut to the phase; refuse when nothing is left."""
        left = self._phase.left()
        timeout = kwargs.get("timeout")
        if left is not None:
            if left <= 0:
                raise BudgetSpent("no time left in this phase's budget", request=request)
            kwargs["timeout"] = self._phase.timeout(timeout if isinstance(timeout, float | int)
                                                    else left)
        return super().send(request, *args, **kwargs)
