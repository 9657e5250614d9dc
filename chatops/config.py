"""Configuration: the TOML file validated with pydantic, and the environment."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    ValidationError,
    field_validator,
    model_validator,
)

from chatops.errors import ConfigError, register_secret

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_CLOCK = re.compile(r"^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$")
_TEAM_KEY = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
_ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")


def _calendar_date(value: object) -> object:
    """A TOML date (or "YYYY-MM-DD"); never a number read as seconds since 1970."""
    if isinstance(value, bool | int | float):
        raise ValueError("must be a date such as 2026-12-25, not a number")
    return value


# Booleans are not numbers here (pydantic would read `true` as 1): strict ints and floats
# (a strict float still takes a TOML integer such as 5).
Int = Annotated[int, Strict()]
Seconds = Annotated[float, Strict()]
Day = Annotated[date, BeforeValidator(_calendar_date)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Coverage(_Strict):
    """The hours in which the team's second tier answers pages."""

    timezone: str = "UTC"
    days: list[Weekday] = ["mon", "tue", "wed", "thu", "fri"]
    start: str = "00:00"
    end: str = "24:00"
    exclude_dates: list[Day] = Field(default_factory=list)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r} (use an IANA name)") from exc
        return value

    @field_validator("start", "end")
    @classmethod
    def _clock(cls, value: str) -> str:
        if not _CLOCK.match(value):
            raise ValueError(f"{value!r} is not a time of day HH:MM (00:00 to 24:00)")
        return value

    @model_validator(mode="after")
    def _ordered(self) -> Coverage:
        if self.start >= self.end:
            raise ValueError(f"start {self.start} must be before end {self.end}")
        return self


class Team(_Strict):
    """One expert team that can be paged."""

    display_name: str = Field(min_length=1, max_length=80)
    routing_key_env: str
    escalation_policy_id: str = Field(pattern=r"^P[A-Z0-9]{5,13}$")
    labels: list[str] = Field(default_factory=list)
    ack_timeout_minutes: Int = Field(default=15, ge=1, le=240)
    # The response time promised to requesters: [shortest, longest] minutes.
    response_minutes: Annotated[list[Annotated[Int, Field(ge=1, le=24 * 60)]],
                                Field(min_length=2, max_length=2)] = [15, 30]
    fallback: str = Field(min_length=1, max_length=500)
    coverage: Coverage = Field(default_factory=Coverage)
    # The team's PagerDuty services; default: the services of escalation_policy_id.
    service_ids: list[Annotated[str, Field(pattern=r"^P[A-Z0-9]{5,13}$")]] = Field(
        default_factory=list)

    @field_validator("response_minutes")
    @classmethod
    def _ordered(cls, value: list[int]) -> list[int]:
        if value[0] > value[1]:
            raise ValueError(f"[{value[0]}, {value[1]}] must be [shortest, longest] minutes, "
                             f"e.g. [{value[1]}, {value[0]}]")
        return value

    @field_validator("routing_key_env")
    @classmethod
    def _env_name(cls, value: str) -> str:
        if not _ENV_NAME.match(value):
            raise ValueError(f"{value!r} is not an environment variable name")
        return value

    @field_validator("labels")
    @classmethod
    def _labels(cls, value: list[str]) -> list[str]:
        for label in value:
            if not label.strip() or "," in label:
                raise ValueError(f"label {label!r} is empty or contains a comma")
            if label.startswith("escalation::") or label in {"drill", "chatops-sync-lock",
                                                             "chatops-sync-state"}:
                raise ValueError(f"label {label!r} is reserved for chatops itself")
        return value


class Http(_Strict):
    """Time limits for remote calls, in seconds."""

    # Each request: connect + answer.
    timeout_seconds: Seconds = Field(default=5.0, gt=0, le=120)
    # Everything before the page goes out (on-call check, issue search and create):
    # when GitLab or the on-call look-up hangs, the page still leaves after this.
    lookup_budget_seconds: Seconds = Field(default=6.0, gt=0, le=120)
    # The PagerDuty trigger itself, retries included.
    pagerduty_budget_seconds: Seconds = Field(default=45.0, gt=0, le=600)
    # Labels and notes after the page.
    gitlab_budget_seconds: Seconds = Field(default=20.0, gt=0, le=600)


class Sync(_Strict):
    """The sync job."""

    # How far back each run reads PagerDuty log entries: at least twice the schedule
    # interval, so that one failed run loses nothing.
    window_minutes: Int = Field(default=60, ge=5, le=24 * 60)


class Config(_Strict):
    """The whole chatops configuration."""

    incident_project: str = Field(pattern=r"^[\w.-]+(/[\w.-]+)+$")
    teams: dict[str, Team] = Field(min_length=1)
    templates_dir: Path | None = None
    http: Http = Field(default_factory=Http)
    sync: Sync = Field(default_factory=Sync)
    # The pilot's launch: `chatops feedback` measures its 1, 3 and 6 month milestones from it.
    launch_date: Day | None = None
    # PagerDuty user name or email -> GitLab username, to mention on-callers in feedback.
    people: dict[str, str] = Field(default_factory=dict)
    # GitLab usernames whose chatops markers are trusted besides the token's own user:
    # list the bot users of earlier tokens so that a replaced token keeps the history.
    bot_usernames: list[Annotated[str, Field(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,254}$")]] = (
        Field(default_factory=list))

    @field_validator("people")
    @classmethod
    def _usernames(cls, value: dict[str, str]) -> dict[str, str]:
        for who, username in value.items():
            if not re.match(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$", username) or username in {
                    "all", "here", "channel"}:
                raise ValueError(f"people.{who}: {username!r} is not a GitLab username")
        return value

    @field_validator("teams")
    @classmethod
    def _team_keys(cls, value: dict[str, Team]) -> dict[str, Team]:
        for key in value:
            if not _TEAM_KEY.match(key):
                raise ValueError(f"team name {key!r} must be lower-case letters, digits, - or _")
        return value


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


def load_config(path: Path) -> Config:
    """Read and validate the TOML file; report every problem at once, by name."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
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
    try:
        config = Config.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"Configuration file {path} is invalid:\n{_problems(exc)}",
                          "Fix these keys and run again; nothing was done.") from exc
    if config.templates_dir is not None and not config.templates_dir.is_absolute():
        config = config.model_copy(update={"templates_dir": path.parent / config.templates_dir})
    return config


def _problems(exc: ValidationError) -> str:
    """One line per problem, each naming its key."""
    lines = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "(top level)"
        msg = ("unknown key" if err["type"] == "extra_forbidden"
               else err["msg"].removeprefix("Value error, "))
        lines.append(f"  - {where}: {msg}")
    return "\n".join(lines)


def require_env(names: list[tuple[str, str | None]]) -> None:
    """Raise one ConfigError naming every missing environment variable."""
    missing = [name for name, value in names if not value]
    if missing:
        raise ConfigError(
            "Missing environment variables: " + ", ".join(missing) + ".",
            "Set them as masked CI/CD variables (see README, 'Set-up'); nothing was done.",
        )
