"""A mutex between overlapping jobs: a GitLab project label that only one can create.

GitLab offers no compare-and-swap on labels (PUT /labels overwrites whatever is there), but
two of its answers are atomic and enough:
- creating a label whose name exists answers 409 "Label already exists" (lib/api/labels.rb,
  Labels::CreateService; a create that loses the race at the unique index on
  (project_id, title) answers 400 "has already been taken"): one creator wins;
- a label is deleted by its numeric id (DELETE /projects/:id/labels/:label_id, find_label
  tries the id before the title: lib/api/helpers/label_helpers.rb), and ids are never
  reused, so deleting a stale lock by the id that was read can never delete a newer lock.
A run takes over a stale lock (expired, unreadable, or expiring further away than the
lock's lifetime: a clock error or a forged label) by deleting exactly that label and
competing for the create like everyone else; it releases only the label it created.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from chatops.adapters.gitlab import ONCE, GitLabTracker
from chatops.adapters.timestamps import parse_time
from chatops.errors import GitLabError, NotFoundError

_EXPIRES = "expires="


@dataclass(frozen=True)
class Held:
    """The lock label as read: its id, holder and expiry (None when unreadable)."""

    id: int
    holder: str
    expires: datetime | None


class GitLabLock:
    """Acquire and release a named lock in a project."""

    def __init__(self, tracker: GitLabTracker, project: str, name: str, holder: str,
                 ttl: timedelta, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
                 ) -> None:
        self._tracker, self._project, self._name = tracker, project, name
        self._holder, self._ttl, self._clock = holder, ttl, clock
        self._endpoint = f"/projects/{quote(project, safe='')}/labels"
        self._mine: int | None = None  # the id of the label this run created
        self.taken_over: list[str] = []  # stale locks this run removed, for the job log

    def acquire(self) -> str | None:
        """Take the lock; on failure return who holds it and until when (None when taken)."""
        for _ in range(3):
            created = self._create()
            if created is not None:
                self._mine = created
                return None
            held = self._read()
            if held is None:
                continue  # released meanwhile: compete again
            now = self._clock()
            if held.expires is not None and now < held.expires <= now + self._ttl:
                until = held.expires.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
                return f"{held.holder}, until {until}"
            state = ("expired" if held.expires is not None and held.expires <= now else
                     "with an expiry beyond the lock's lifetime" if held.expires is not None
                     else "with an unreadable expiry")
            self.taken_over.append(f"label {self._name} (id {held.id}) held by {held.holder}, "
                                   f"{state}")
            self._delete(held.id)  # only that label: a newer lock has another id
        return "another job (it took the lock over first)"

    def release(self) -> None:
        """Give back the lock this run holds (nothing when it holds none)."""
        if self._mine is not None:
            self._delete(self._mine)
            self._mine = None

    def _delete(self, label_id: int) -> None:
        """Delete one label by id (a label already gone is fine)."""
        project = self._tracker.handle(self._project)
        with contextlib.suppress(NotFoundError):
            self._tracker.call(f"DELETE {self._endpoint}/{label_id}",
                                lambda: project.labels.delete(label_id, **ONCE))

    def _create(self) -> int | None:
        """One atomic create; the new label's id, None when the label already exists."""
        until = (self._clock() + self._ttl).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        data = {"name": self._name, "color": "#808080",
                "description": f"chatops lock held by {self._holder} {_EXPIRES}{until}"}
        project = self._tracker.handle(self._project)
        try:
            label = self._tracker.call(f"POST {self._endpoint}",
                                        lambda: project.labels.create(data, **ONCE))
        except GitLabError as exc:
            # 409 normally; a create that loses the race at the unique index answers
            # 400 "has already been taken" (labels_spec.rb): taken either way.
            if exc.status == 409 or (exc.status == 400 and "already been taken" in exc.detail):
                return None
            raise
        return int(label.attributes["id"])

    def _read(self) -> Held | None:
        """The current lock label, or None when there is none."""
        project = self._tracker.handle(self._project)
        try:
            label = self._tracker.call(f"GET {self._endpoint}/{self._name}",
                                        lambda: project.labels.get(self._name, **ONCE))
        except NotFoundError:
            return None
        text = str(label.attributes.get("description") or "")
        holder = text.split(" held by ", 1)[-1].split(f" {_EXPIRES}", 1)[0][:200]
        try:
            expires: datetime | None = parse_time(text.rsplit(_EXPIRES, 1)[1])
        except (IndexError, ValueError):
            expires = None
        return Held(int(label.attributes["id"]), holder, expires)
