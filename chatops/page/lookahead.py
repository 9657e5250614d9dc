"""A page's first two reads, sent before the configuration is validated.

Most of a page's time to trigger is start-up: python-gitlab alone takes about 0.15 s
of CPU to import, pydantic about 0.1 s (benchmarks/page_latency.py). The on-call
check and the issue look-up need only three raw values of the file (the incident
project, the team's escalation policy, the time limits), so they leave as soon as
python-gitlab is loaded, while the configuration is validated beside this process
(config_beside.py) and the rest of chatops loads. Both are reads: nothing is written
before the validated configuration agrees with every value they used (`matches`);
when it does not, their answers are dropped and the page asks again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any, TypeVar

from chatops.config import HTTP_LIMITS, Config, Environment, Http
from chatops.core import markers
from chatops.core.request import PageRequest, request_key

if TYPE_CHECKING:
    from chatops.adapters.gitlab import GitLabTracker
    from chatops.adapters.pagerduty_desk import PagerDutyDesk
    from chatops.core.model import Issue, OnCall

T = TypeVar("T")


class Lookahead:
    """The early reads of one page request, and the adapters that sent them."""

    def __init__(self, request: PageRequest, project: str, policy: str, http: Http,
                 bots: tuple[str, ...]) -> None:
        self.request, self.project, self.policy = request, project, policy
        self.http, self.bots = http, bots
        self.marker = markers.request_marker_prefix(
            request_key(request.team, request.message, None, request.drill))
        self.tracker: GitLabTracker | None = None
        self.pager: PagerDutyDesk | None = None
        self._answers: dict[tuple[str, ...], Future[Any]] = {}

    def start(self, env: Environment) -> None:
        """Send the on-call check, then the issue look-up, each as soon as its client library
        is loaded (`pagerduty` loads in a third of python-gitlab's time)."""
        if env.pagerduty_api_token:
            from chatops.adapters.pagerduty_desk import PagerDutyDesk

            pager = PagerDutyDesk(env.pagerduty_api_url, env.pagerduty_events_url,
                                  env.pagerduty_api_token, env.ca_bundle, self.http)
            pager.within(self.http.lookup_budget_seconds)
            self._send(("oncall", self.policy), lambda: pager.oncall(self.policy))
            self.pager = pager
        if env.gitlab_token:
            from chatops.adapters.gitlab import GitLabTracker

            tracker = GitLabTracker(env.gitlab_url, env.gitlab_token, env.ca_bundle, self.http,
                                    bot_usernames=self.bots)
            tracker.within(self.http.lookup_budget_seconds)
            self._send(("issue", self.project, self.marker),
                       lambda: tracker.find_by_marker(self.project, self.marker))
            self.tracker = tracker

    def _send(self, key: tuple[str, ...], read: Callable[[], T]) -> None:
        """Start one read in the background, on a daemon thread: a job that refuses (say, an
        invalid file) replies and exits at once, never waiting for reads it will not use."""
        answer: Future[T] = Future()

        def run() -> None:
            answer.set_running_or_notify_cancel()
            try:
                answer.set_result(read())
            except BaseException as exc:
                answer.set_exception(exc)

        threading.Thread(target=run, name=f"lookahead-{key[0]}", daemon=True).start()
        self._answers[key] = answer

    def matches(self, config: Config, request: PageRequest) -> bool:
        """Did the reads use exactly what the validated configuration and request say?"""
        team = config.teams.get(request.team)
        return (team is not None and request == self.request
                and config.incident_project == self.project
                and team.escalation_policy_id == self.policy
                and config.http == self.http and config.bot_usernames == self.bots)

    def issue(self, project: str, marker: str, read: Callable[[], Issue | None]) -> Issue | None:
        """The early issue look-up's answer (or its error) when it asked this; else read now."""
        return self._answer(("issue", project, marker), read)

    def oncall(self, policy: str, read: Callable[[], tuple[OnCall, ...]]) -> tuple[OnCall, ...]:
        """The early on-call check's answer (or its error) when it asked this; else read now."""
        return self._answer(("oncall", policy), read)

    def _answer(self, key: tuple[str, ...], read: Callable[[], T]) -> T:
        """An early answer, handed out once; a call with other arguments reads now."""
        future = self._answers.pop(key, None)
        return future.result() if future is not None else read()


def start(env: Environment, raw: Mapping[str, Any], request: PageRequest) -> Lookahead | None:
    """Send the first reads of a request from the raw file; None when it cannot be done early.

    Only a new request that can page qualifies (--incident first checks the requester's role;
    a dry run, a missing routing key or an overriding template that fails sends nothing, and
    overriding templates are checked once the file is validated); the raw values must have
    the types the schema will demand.
    """
    if request.dry_run or request.incident is not None or "templates_dir" in raw:
        return None
    team = raw.get("teams", {}).get(request.team) if isinstance(raw.get("teams"), dict) else None
    if not isinstance(team, dict) or not env.routing_keys.get(str(team.get("routing_key_env"))):
        return None
    project, policy = raw.get("incident_project"), team.get("escalation_policy_id")
    http, bots = _http(raw.get("http", {})), raw.get("bot_usernames", [])
    if not (isinstance(project, str) and isinstance(policy, str) and http is not None
            and _strings(bots)):
        return None
    ahead = Lookahead(request, project, policy, http, tuple(bots))
    ahead.start(env)
    return ahead


def _http(section: object) -> Http | None:
    """The time limits as written (the schema checks their ranges); None when malformed."""
    if not isinstance(section, dict) or not all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in section.values()):
        return None
    if not all(0 < v <= HTTP_LIMITS.get(k, 0) for k, v in section.items()):
        return None  # an unknown key or a value out of range: the schema will refuse it
    return Http(**{k: float(v) for k, v in section.items()})


def _strings(value: object) -> bool:
    """Is this a list of strings?"""
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def teams_in(raw: Mapping[str, Any]) -> Sequence[str]:
    """The team names of the raw file (only to read the request before validation)."""
    teams = raw.get("teams")
    return [str(name) for name in teams] if isinstance(teams, dict) else []
