"""A mutex between overlapping jobs: a GitLab project label that only one can create.

Creating a label whose name exists answers 409 (lib/api/labels.rb, "Label already
exists"), so "create" is an atomic test-and-set. The label's description holds
the holder and an expiry, so a crashed job's lock is taken over once it expires.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from chatops.adapters.gitlab import ONCE, GitLabTracker
from chatops.core.history import parse_time
from chatops.errors import GitLabError, NotFoundError

_EXPIRES = "expires="


class GitLabLock:
    """Acquire and release a named lock in a project."""

    def __init__(self, tracker: GitLabTracker, project: str, name: str, holder: str,
                 ttl: timedelta, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
                 ) -> None:
        self._tracker, self._project, self._name = tracker, project, name
        self._holder, self._ttl, self._clock = holder, ttl, clock
        self._endpoint = f"/projects/{quote(project, safe='')}/labels"

    def acquire(self) -> str | None:
        """Take the lock; on failure return who holds it (None when taken)."""
        for _ in range(2):
            if self._create():
                return None
            holder, expires = self._read()
            if expires is not None and expires > self._clock():
                return holder
            self.release()  # expired: its job died; take it over
        return "another job (it took the lock over first)"

    def release(self) -> None:
        """Give the lock back (a missing lock is fine)."""
        project = self._tracker.handle(self._project)
        with contextlib.suppress(NotFoundError):
            self._tracker.call(f"DELETE {self._endpoint}/{self._name}",
                                lambda: project.labels.delete(self._name, **ONCE))

    def _create(self) -> bool:
        """One atomic create; False when the label already exists."""
        until = (self._clock() + self._ttl).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        data = {"name": self._name, "color": "#808080",
                "description": f"chatops lock held by {self._holder} {_EXPIRES}{until}"}
        project = self._tracker.handle(self._project)
        try:
            self._tracker.call(f"POST {self._endpoint}",
                                lambda: project.labels.create(data, **ONCE))
        except GitLabError as exc:
            # 409 normally; a create that loses the race at the unique index answers
            # 400 "has already been taken" (labels_spec.rb): taken either way.
            if exc.status == 409 or (exc.status == 400 and "already been taken" in exc.detail):
                return False
            raise
        return True

    def _read(self) -> tuple[str, datetime | None]:
        """The current holder and expiry of the lock."""
        project = self._tracker.handle(self._project)
        try:
            label = self._tracker.call(f"GET {self._endpoint}/{self._name}",
                                        lambda: project.labels.get(self._name, **ONCE))
        except NotFoundError:
            return "nobody (released meanwhile)", None
        text = str(label.attributes.get("description") or "")
        holder = text.split(" held by ", 1)[-1].split(f" {_EXPIRES}", 1)[0]
        try:
            return holder, parse_time(text.rsplit(_EXPIRES, 1)[1])
        except (IndexError, ValueError):
            return holder, None
