"""Configuration: the TOML file as plain values (config_schema.py checks it); the environment."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from chatops.core.team import Team
from chatops.errors import ConfigError, register_secret

# The largest value of each time limit (config_schema.py refuses more; page/lookahead.py
# reads nothing early with more).
HTTP_LIMITS = {"timeout_seconds": 120.0, "lookup_budget_seconds": 120.0,
               "pagerduty_budget_seconds": 600.0, "gitlab_budget_seconds": 600.0}


@dataclass(frozen=True)
class Http:
    """Time limits for remote calls, in seconds."""

    # Each request: connect + answer.
    timeout_seconds: float = 5.0
    # Everything before the page goes out (on-call check, issue search and create):
    # when GitLab or the on-call look-up hangs, the page still leaves after this.
    lookup_budget_seconds: float = 6.0
    # The PagerDuty trigger itself, retries included.
    pagerduty_budget_seconds: float = 45.0
    # Labels and notes after the page.
    gitlab_budget_seconds: float = 20.0


@dataclass(frozen=True)
class Sync:
    """The sync job."""

    # How far back each run reads PagerDuty log entries: at least twice the schedule
    # interval, so that one failed run loses nothing.
    window_minutes: int = 60


@dataclass(frozen=True)
class Config:
    """The whole chatops configuration, validated."""

    incident_project: str
    teams: Mapping[str, Team]
    templates_dir: Path | None = None
    http: Http = field(default_factory=Http)
    sync: Sync = field(default_factory=Sync)
    # The pilot's launch: `chatops feedback` measures its 1, 3 and 6 month milestones from it.
    launch_date: date | None = None
    # PagerDuty user name or email -> GitLab username, to mention on-callers in feedback.
    people: Mapping[str, str] = field(default_factory=dict)
    # GitLab usernames whose chatops markers are trusted besides the token's own user:
    # list the bot users of earlier tokens so that a replaced token keeps the history.
    bot_usernames: tuple[str, ...] = ()


@dataclass(frozen=True)
class Environment:
    """What the process environment provides: endpoints, tokens, CI context."""

    gitlab_url: str
    gitlab_token: str | None = field(repr=False)
    pagerduty_api_url: str
    pagerduty_api_token: str | None = field(repr=False)
    pagerduty_events_url: str
    ca_bundle: str | None
    routing_keys: Mapping[str, str] = field(repr=False)  # the environment; keys by name
    ci: Mapping[str, str]

    @classmethod
    def read(cls, env: Mapping[str, str] | None = None) -> Environment:
        """Read (and register as secrets) everything chatops takes from env."""
        env = dict(os.environ if env is None else env)
        for name in ("GITLAB_TOKEN", "PAGERDUTY_API_TOKEN", "CI_JOB_TOKEN"):
            register_secret(env.get(name))
        ci_names = (
            "CI_PIPELINE_SOURCE", "CHAT_INPUT", "CHAT_CHANNEL", "CHAT_USER_ID",
            "GITLAB_USER_LOGIN", "GITLAB_USER_ID", "CI_PIPELINE_ID", "CI_JOB_ID", "CI_JOB_URL",
            "CI_SERVER_URL", "CI_PROJECT_PATH", "PAGERDUTY_FROM_EMAIL", "GITLAB_USER_EMAIL",
        )
        return cls(
            gitlab_url=(env.get("GITLAB_URL") or env.get("CI_SERVER_URL")
                        or "https://gitlab.com").rstrip("/"),
            gitlab_token=env.get("GITLAB_TOKEN") or None,
            pagerduty_api_url=(env.get("PAGERDUTY_API_URL") or "https://api.pagerduty.com").rstrip("/"),
            pagerduty_api_token=env.get("PAGERDUTY_API_TOKEN") or None,
            pagerduty_events_url=(env.get("PAGERDUTY_EVENTS_URL")
                                  or "https://events.pagerduty.com").rstrip("/"),
            ca_bundle=env.get("SSL_CERT_FILE") or env.get("REQUESTS_CA_BUNDLE") or None,
            routing_keys=env,
            ci={name: env[name] for name in ci_names if env.get(name)},
        )

    def routing_key(self, team: Team) -> str | None:
        """The team's Events API routing key, registered as a secret."""
        key = self.routing_keys.get(team.routing_key_env)
        register_secret(key)
        return key or None


def config_path(env: Mapping[str, str] | None = None) -> Path:
    """Where the configuration file is: CHATOPS_CONFIG or ./chatops.toml."""
    env = os.environ if env is None else env
    return Path(env.get("CHATOPS_CONFIG") or "chatops.toml")


def read_config_file(path: Path) -> dict[str, Any]:
    """The parsed TOML file, not yet validated; a ConfigError says what to fix."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(
            f"Configuration file {path} not found.",
            "Set CHATOPS_CONFIG to its path or run from the folder that holds chatops.toml.",
        ) from exc
    except IsADirectoryError as exc:
        raise ConfigError(
            f"Configuration path {path} is a folder, not a file.",
            "Set CHATOPS_CONFIG to the chatops.toml file itself (e.g. config/chatops.toml).",
        ) from exc
    except OSError as exc:  # permission denied, I/O error, ...
        raise ConfigError(f"Configuration file {path} cannot be read: {exc.strerror}.",
                          "Check the path in CHATOPS_CONFIG and the file's permissions.") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Configuration file {path} is not valid TOML: {exc}.",
                          "Fix the file (https://toml.io) and run again; nothing was done."
                          ) from exc


def load_config(path: Path) -> Config:
    """Read and validate the TOML file; report every problem at once, by name."""
    return parse_config(read_config_file(path), path)


def parse_config(raw: dict[str, Any], path: Path = Path("chatops.toml")) -> Config:
    """Validate a parsed configuration file (its folder anchors a relative templates_dir)."""
    from chatops import config_schema  # pydantic: only when a configuration is validated

    return config_schema.validate(raw, path)


def require_env(names: list[tuple[str, str | None]]) -> None:
    """Raise one ConfigError naming every missing environment variable."""
    missing = [name for name, value in names if not value]
    if missing:
        raise ConfigError(
            "Missing environment variables: " + ", ".join(missing) + ".",
            "Set them as masked CI/CD variables (see README, 'Set-up'); nothing was done.",
        )
