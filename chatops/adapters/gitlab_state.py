"""Sync's durable state in GitLab: the description of one labelled issue of the incident project.

Why an issue and not a CI/CD variable: writing project variables needs the Maintainer
role (doc/api/project_level_variables.md), while chatops' token has Reporter and
already writes issues. The description is read with the label listing (one request)
and replaced with one `PUT /projects/:id/issues/:iid` (doc/api/issues.md "Edit an
issue"); only a description written by a chatops bot (`GitLabTracker.trusted`) is
read, so nobody else can move the cursor. Writes happen under the sync lock.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from chatops.adapters import gitlab_parse as parse
from chatops.adapters.gitlab import ONCE, GitLabTracker
from chatops.core.cursor import TITLE
from chatops.core.labels import SYNC_STATE
from chatops.core.model import Issue


class GitLabStateStore:
    """Load and save one text in a dedicated issue (created on the first save)."""

    def __init__(self, tracker: GitLabTracker, project: str) -> None:
        self._tracker, self._project = tracker, project
        self._endpoint = f"/projects/{quote(project, safe='')}/issues"
        self._issue: Issue | None = None

    def load(self) -> str:
        """The saved text; empty when there is no state issue yet."""
        self._issue = self._lookup()
        return self._issue.description if self._issue else ""

    def _lookup(self) -> Issue | None:
        """The oldest open state issue a chatops bot created (every page is read)."""
        project = self._tracker.handle(self._project)
        query = {"labels": SYNC_STATE, "state": "opened", "order_by": "created_at", "sort": "asc"}

        def look() -> Issue | None:
            for item in project.issues.list(query_parameters=query, per_page=100,
                                            iterator=True, **ONCE):
                if self._tracker.trusted(item.attributes.get("author")):
                    return parse.issue(self._project, item.attributes)
            return None

        return self._tracker._retry(
            lambda: self._tracker.call(f"GET {self._endpoint}?labels={SYNC_STATE}", look),
            before_page=False)

    def save(self, text: str) -> None:
        """Replace the saved text (create the state issue the first time)."""
        project = self._tracker.handle(self._project)
        if self._issue is None:
            data: dict[str, Any] = {"title": TITLE, "description": text, "labels": SYNC_STATE,
                                    "confidential": True}

            def create() -> Issue:
                return parse.issue(self._project, project.issues.create(data, **ONCE).attributes)

            # An unclear failure is re-checked before any second create.
            self._issue = self._tracker._retry(
                lambda: self._tracker.call(f"POST {self._endpoint}", create),
                before_page=False, recheck=self._lookup)
            if self._issue.description.strip() == text.strip():
                return
        iid = self._issue.iid
        self._tracker._retry(lambda: self._tracker.call(
            f"PUT {self._endpoint}/{iid}",
            lambda: project.issues.update(iid, {"description": text}, **ONCE)),
            before_page=False)
