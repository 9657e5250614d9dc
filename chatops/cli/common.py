"""What every command needs: the environment, the configuration, the adapters."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from chatops.config import Config, Environment, config_path, load_config, require_env
from chatops.errors import ConfigError

if TYPE_CHECKING:
    from chatops.adapters.gitlab import GitLabTracker
    from chatops.core.ports import PagerDutyPorts

_LOGIN = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,254}$")


def login(env: Environment) -> str:
    """The job user's GitLab login, when it looks like one (it becomes an @mention)."""
    value = env.ci.get("GITLAB_USER_LOGIN", "")
    return value if _LOGIN.match(value) else ""


def now() -> datetime:
    """The current time, in UTC."""
    return datetime.now(UTC)


def load() -> tuple[Config, Environment]:
    """The environment (secrets registered first) and the validated configuration."""
    env = Environment.read()
    return load_config(config_path()), env


def tracker(config: Config, env: Environment) -> GitLabTracker:
    """The GitLab adapter; GITLAB_TOKEN must be set."""
    from chatops.adapters.gitlab import GitLabTracker  # deferred: only real runs need it

    require_env([("GITLAB_TOKEN", env.gitlab_token)])
    assert env.gitlab_token is not None
    return GitLabTracker(env.gitlab_url, env.gitlab_token, env.ca_bundle, config.http,
                         bot_usernames=tuple(config.bot_usernames))


def pagerduty(config: Config, env: Environment, token_required: bool = True) -> PagerDutyPorts:
    """The PagerDuty adapter; the REST token is optional only for paging."""
    from chatops.adapters.pagerduty_desk import PagerDutyDesk

    if token_required:
        require_env([("PAGERDUTY_API_TOKEN", env.pagerduty_api_token)])
    return PagerDutyDesk(env.pagerduty_api_url, env.pagerduty_events_url,
                         env.pagerduty_api_token, env.ca_bundle, config.http)


class NoTracker:
    """The IssueTracker when GITLAB_TOKEN is not set: every call says so, nothing is sent."""

    def within(self, seconds: float) -> None:
        """No time budget to keep: nothing is ever sent."""

    def __getattr__(self, name: str) -> Callable[..., Any]:
        def refuse(*args: Any, **kwargs: Any) -> Any:
            raise ConfigError("GITLAB_TOKEN is not set, so no incident issue can be read or "
                              "written.", "Set GITLAB_TOKEN (a project access token, scope api, "
                              "role Reporter) as a masked CI/CD variable.")
        return refuse


def say(text: str) -> None:
    """Write a line to the job log now, before the job's end (which a refusal may take)."""
    print(text, flush=True)
