"""GitLab adapter: the IssueTracker port on python-gitlab.

python-gitlab's own retries are off (one attempt per call, `max_retries=0`);
chatops.adapters.retry applies the policy, and creates are re-checked before
they are ever repeated. Failures become GitLabError (gitlab_errors.py); their
Retry-After is read through a requests response hook because python-gitlab's
exceptions carry no headers.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from urllib.parse import quote

import gitlab
import gitlab.exceptions
import requests

from chatops.adapters import gitlab_parse as parse
from chatops.adapters import retry
from chatops.adapters.gitlab_errors import FAILURES, translate
from chatops.adapters.phase import Phase
from chatops.adapters.phase_session import PhaseAdapter
from chatops.adapters.tls import requests_verify
from chatops.config import Http
from chatops.core.markers import PREFIX, has_marker_line
from chatops.core.model import Issue
from chatops.core.refs import IssueRef

T = TypeVar("T")
ONCE: dict[str, Any] = {"obey_rate_limit": False, "retry_transient_errors": False,
                         "max_retries": 0}
RECENT_DAYS = 7  # how far back a retried or repeated request finds its issue


class GitLabTracker:
    """Issues, labels and notes through the GitLab REST API v4."""

    def __init__(self, url: str, token: str, ca_bundle: str | None, http: Http,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 bot_usernames: tuple[str, ...] = ()) -> None:
        self._token, self._http, self._clock = token, http, clock
        self._bots = frozenset(name.lower() for name in bot_usernames)
        self._user_id: int | None = None
        self._me_lock = threading.Lock()
        timeout = http.timeout_seconds
        self._last = threading.local()
        self._counting = threading.Lock()
        self.requests_sent = 0  # answered requests, for the report's stated cost
        self._phase = Phase()
        session = requests.Session()
        session.mount("https://", PhaseAdapter(self._phase))
        session.mount("http://", PhaseAdapter(self._phase))
        session.hooks["response"].append(self._remember)
        self._gl = gitlab.Gitlab(url, private_token=token, timeout=timeout, session=session,
                                 ssl_verify=requests_verify(ca_bundle),
                                 retry_transient_errors=False, user_agent="chatops")

    def within(self, seconds: float) -> None:
        """Start a phase: every later call, requests and retries, ends within seconds."""
        self._phase.start(seconds)

    def _remember(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        """Keep the last response of this thread (its Retry-After header); count it."""
        self._last.response = response
        with self._counting:
            self.requests_sent += 1

    def call(self, endpoint: str, fn: Callable[[], T]) -> T:
        """Run one python-gitlab call, translating failures to GitLabError."""
        self._last.response = None
        try:
            return fn()
        except FAILURES as exc:
            response = getattr(self._last, "response", None)
            raise translate(endpoint, exc, self._token, response) from None

    def handle(self, path: str) -> Any:
        """A project handle that makes no request."""
        return self._gl.projects.get(path, lazy=True)

    def _retry(self, fn: Callable[[], T], before_page: bool,
               recheck: Callable[[], T | None] | None = None) -> T:
        """Retry within the look-up budget (before the page) or the write budget (after)."""
        http = self._http
        budget = http.lookup_budget_seconds if before_page else http.gitlab_budget_seconds
        return retry.call(fn, self._phase.budget(budget), recheck=recheck,
                          attempt_seconds=self._phase.attempt_seconds(http.timeout_seconds))

    def find_by_marker(self, project: str, text: str, state: str = "opened") -> Issue | None:
        """The newest issue (in state) of the last RECENT_DAYS with a trusted marker line."""
        # No GET /user up front: before the page, only a found marker is worth that request.
        return self._retry(lambda: self._find(project, text, state), before_page=True)

    def _find(self, project: str, text: str, state: str = "opened") -> Issue | None:
        """Search the descriptions for the request's token, every page; check the marker line.

        Whoever created the issue (a replaced token is a new user): `search` + `in=description`
        (GET /projects/:id/issues, doc/api/issues.md "search", "in") finds the candidates; the
        exact marker line and a trusted author decide. Every page is read: no cap.
        """
        endpoint = f"GET /projects/{quote(project, safe='')}/issues?search"
        since = self._clock() - timedelta(days=RECENT_DAYS)
        token = text.split(" id=", 1)[-1].split()[0] if " id=" in text else text

        def look() -> Issue | None:
            # With query_parameters, python-gitlab sends only those (plus per_page).
            query = {"search": token, "in": "description", "state": state,
                     "created_after": since.strftime("%Y-%m-%dT%H:%M:%SZ"),
                     "order_by": "created_at", "sort": "desc"}
            for item in self.handle(project).issues.list(
                    query_parameters=query, per_page=100, iterator=True, **ONCE):
                issue = self._issue(project, item.attributes)
                if has_marker_line(issue.description, text):
                    return issue
            return None

        return self.call(endpoint, look)

    def labelled_issues(self, project: str, label: str) -> list[Issue]:
        """Open issues of a project that carry a label (every page), oldest first."""
        endpoint = f"GET /projects/{quote(project, safe='')}/issues?labels"
        query = {"labels": label, "state": "opened", "order_by": "created_at", "sort": "asc"}
        return self._every_issue(project, endpoint, query)

    def issues_updated(self, project: str, since: datetime) -> list[Issue]:
        """Every issue of a project updated since a time (every page); descriptions if trusted."""
        endpoint = f"GET /projects/{quote(project, safe='')}/issues?updated_after"
        query = {"state": "all", "order_by": "updated_at", "sort": "asc",
                 "updated_after": since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}
        return self._every_issue(project, endpoint, query)

    def _every_issue(self, project: str, endpoint: str, query: dict[str, str]) -> list[Issue]:
        """Every page of an issue listing (no cap), retried as one read."""

        def look() -> list[dict[str, Any]]:
            found = self.handle(project).issues.list(query_parameters=query, per_page=100,
                                                     iterator=True, **ONCE)
            return [item.attributes for item in found]

        found = self._retry(lambda: self.call(endpoint, look), before_page=False)
        return [self._issue(project, attrs) for attrs in found]

    def own_issues(self, project: str, since: datetime, until: datetime) -> list[Issue]:
        """Every issue a chatops bot created in a project in a time range (all pages)."""
        endpoint = f"GET /projects/{quote(project, safe='')}/issues?created_after"
        query = {"state": "all", "order_by": "created_at",
                 "sort": "asc", "created_after": since.astimezone(UTC).isoformat(),
                 "created_before": until.astimezone(UTC).isoformat()}

        def look() -> list[Issue]:
            found = self.handle(project).issues.list(query_parameters=query, per_page=100,
                                                     iterator=True, **ONCE)
            return [self._issue(project, item.attributes) for item in found
                    if self.trusted(item.attributes.get("author"))]

        self._me()  # before the authors are checked
        return self._retry(lambda: self.call(endpoint, look), before_page=False)

    def issues_labelled(self, project: str, label: str) -> list[Issue]:
        """Every issue of a project with a label, open or closed, oldest first (all pages)."""
        endpoint = f"GET /projects/{quote(project, safe='')}/issues?labels"
        query = {"labels": label, "state": "all", "order_by": "created_at", "sort": "asc"}

        def look() -> list[Issue]:
            found = self.handle(project).issues.list(query_parameters=query, per_page=100,
                                                     iterator=True, **ONCE)
            return [self._issue(project, item.attributes) for item in found]

        self._me()  # before the descriptions are read: their authors are checked
        return self._retry(lambda: self.call(endpoint, look), before_page=False)

    def own_notes(self, ref: IssueRef) -> list[str]:
        """Bodies of the notes trusted chatops users wrote on an issue, oldest first."""
        project = parse.project_path(ref)
        endpoint = f"GET /projects/{quote(project, safe='')}/issues/{ref.iid}/notes"
        issue = self.handle(project).issues.get(ref.iid, lazy=True)
        self._me()
        return self._retry(lambda: self.call(endpoint, lambda: self._note_bodies(issue)),
                           before_page=False)

    def access_level(self, project: str, user_id: int) -> int:
        """A user's access level in a project, inherited from groups included (0: none).

        GET /projects/:id/members/all/:user_id (doc/api/members.md, "including inherited
        and invited members"; lib/api/members.rb answers 404 for a non-member, and for a
        project this token cannot see).
        """
        endpoint = f"GET /projects/{quote(project, safe='')}/members/all/{user_id}"

        def look() -> int:
            try:
                member = self.handle(project).members_all.get(user_id, **ONCE)
            except gitlab.exceptions.GitlabGetError as exc:
                if exc.response_code == 404:
                    return 0
                raise
            level = member.attributes.get("access_level")
            state = member.attributes.get("state", "active")
            return int(level) if isinstance(level, int) and state == "active" else 0

        return self._retry(lambda: self.call(endpoint, look), before_page=True)

    def get_issue(self, ref: IssueRef) -> tuple[Issue, list[str]]:
        """The issue and the bodies of the notes chatops wrote on it, oldest first.

        Only what a chatops bot wrote (`trusted`) can carry chatops' markers: a marker
        typed by anyone else into a comment or a description is ignored.
        """
        project = parse.project_path(ref)
        base = f"/projects/{quote(project, safe='')}/issues/{ref.iid}"
        # Sequential on purpose: one session, one request at a time (the transcript
        # tests record it exactly). On a repeated request `me` is already known.
        issue = self._retry(lambda: self.call(f"GET {base}", lambda: self.handle(
            project).issues.get(ref.iid, **ONCE)), before_page=True)
        self._me()  # before the notes are read: their authors are checked
        notes = self._retry(lambda: self.call(f"GET {base}/notes", lambda: self._note_bodies(
            issue)), before_page=True)
        return self._issue(project, issue.attributes), notes

    def trusted(self, author: Any) -> bool:
        """The one trust rule for chatops markers: written by a chatops bot user.

        A bot is this token's own user or a username of `bot_usernames` (config), so a
        replaced project access token (a new bot user) keeps trusting the old one's
        markers once its username is listed. Every description and note body is read
        through this rule; a marker written by anyone else is ignored.
        """
        if not isinstance(author, dict):
            return False
        if str(author.get("username") or "").lower() in self._bots:
            return True
        return isinstance(author.get("id"), int) and author["id"] == self._me()

    def _issue(self, project: str, attrs: dict[str, Any]) -> Issue:
        """Our view of an issue; the description only when a trusted user wrote it."""
        found = parse.issue(project, attrs)
        if PREFIX in found.description and not self.trusted(attrs.get("author")):
            found = replace(found, description="")
        return found

    def _me(self) -> int:
        """The id of this token's user (GET /user, once)."""
        with self._me_lock:
            if self._user_id is None:
                user = self._retry(lambda: self.call("GET /user", lambda: self._gl.http_get(
                    "/user", **ONCE)), before_page=True)
                self._user_id = int(user["id"]) if isinstance(user, dict) else -1
            return self._user_id

    def _note_bodies(self, issue: Any) -> list[str]:
        """Bodies of the notes trusted users wrote on an issue, oldest first (all pages)."""
        notes = issue.notes.list(sort="asc", order_by="created_at", per_page=100,
                                 iterator=True, **ONCE)
        return [str(note.attributes.get("body") or "") for note in notes
                if self.trusted(note.attributes.get("author"))]

    def open_issue(self, project: str, title: str, description: str, labels: list[str],
                   marker: str, issue_type: str = "incident") -> Issue:
        """Create an issue (an incident by default); after an unclear failure, look first."""
        endpoint = f"POST /projects/{quote(project, safe='')}/issues"
        data = {"title": title, "description": description, "labels": ",".join(labels),
                "issue_type": issue_type}

        def create() -> Issue:
            created = self.handle(project).issues.create(data, **ONCE)
            return parse.issue(project, created.attributes)

        # The re-check is a single search: it shares the create's budget.
        return self._retry(lambda: self.call(endpoint, create), before_page=True,
                           recheck=lambda: self._find(project, marker))

    def set_labels(self, ref: IssueRef, add: list[str], remove: list[str]) -> None:
        """Add and remove labels in one idempotent update."""
        project = parse.project_path(ref)
        endpoint = f"PUT /projects/{quote(project, safe='')}/issues/{ref.iid}"
        data = {"add_labels": ",".join(add), "remove_labels": ",".join(remove)}
        self._retry(lambda: self.call(endpoint, lambda: self.handle(project).issues.update(
            ref.iid, data, **ONCE)), before_page=False)

    def add_note(self, ref: IssueRef, body: str, marker: str) -> None:
        """Comment on the issue; after an unclear failure, look before re-posting."""
        project = parse.project_path(ref)
        endpoint = f"POST /projects/{quote(project, safe='')}/issues/{ref.iid}/notes"
        issue = self.handle(project).issues.get(ref.iid, lazy=True)

        def posted() -> bool | None:
            self._me()
            bodies = self.call(f"GET {endpoint.removeprefix('POST ')}",
                                lambda: self._note_bodies(issue))
            return True if any(has_marker_line(b, marker) for b in bodies) else None

        self._retry(lambda: self.call(endpoint, lambda: bool(issue.notes.create(
            {"body": body}, **ONCE))), before_page=False, recheck=posted)
