"""The TOML file's schema, validated with pydantic into config.py's plain values.

Imported only to validate: pydantic and its schema build cost a page about 0.1 s of
CPU before anything is sent (benchmarks/page_latency.py), so commands hold the plain
values of `chatops.config` and `chatops.core.team`, never these models.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Annotated, Any
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

from chatops import config
from chatops.core import team as core
from chatops.core.labels import (
    DRILL,
    ESCALATION_PREFIX,
    FEEDBACK,
    RECORD,
    SYNC_LOCK,
    SYNC_STATE,
    WAITING,
)
from chatops.core.team import Weekday
from chatops.errors import ConfigError

_CLOCK = re.compile(r"^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$")
_TEAM_KEY = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
_ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")
_POLICY = r"^P[A-Z0-9]{5,13}$"


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


# Every label chatops writes itself: a team's copy would be read as chatops' state.
_RESERVED = frozenset({DRILL, WAITING, SYNC_LOCK, SYNC_STATE, RECORD, FEEDBACK})


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# Every default is the plain value's own (core/team.py, config.py): one place for each.
_COVERAGE, _TEAM = core.Coverage(), core.Team("", "", "", "")
_HTTP, _SYNC, _LIMIT = config.Http(), config.Sync(), config.HTTP_LIMITS


class Coverage(_Strict):
    """The hours in which the team's second tier answers pages."""

    timezone: str = _COVERAGE.timezone
    days: list[Weekday] = list(_COVERAGE.days)
    start: str = _COVERAGE.start
    end: str = _COVERAGE.end
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
    escalation_policy_id: str = Field(pattern=_POLICY)
    labels: list[str] = Field(default_factory=list)
    ack_timeout_minutes: Int = Field(default=_TEAM.ack_timeout_minutes, ge=1, le=240)
    # The response time promised to requesters: [shortest, longest] minutes.
    response_minutes: Annotated[list[Annotated[Int, Field(ge=1, le=24 * 60)]],
                                Field(min_length=2, max_length=2)] = list(_TEAM.response_minutes)
    fallback: str = Field(min_length=1, max_length=500)
    coverage: Coverage = Field(default_factory=Coverage)
    # The team's PagerDuty services; default: the services of escalation_policy_id.
    service_ids: list[Annotated[str, Field(pattern=_POLICY)]] = Field(
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
            if label.startswith(ESCALATION_PREFIX) or label in _RESERVED:
                raise ValueError(f"label {label!r} is reserved for chatops itself")
        return value


class Http(_Strict):
    """Time limits for remote calls, in seconds."""

    # Each request: connect + answer.
    timeout_seconds: Seconds = Field(default=_HTTP.timeout_seconds, gt=0,
                                     le=_LIMIT["timeout_seconds"])
    # Everything before the page goes out (on-call check, issue search and create):
    # when GitLab or the on-call look-up hangs, the page still leaves after this.
    lookup_budget_seconds: Seconds = Field(default=_HTTP.lookup_budget_seconds, gt=0,
                                           le=_LIMIT["lookup_budget_seconds"])
    # The PagerDuty trigger itself, retries included.
    pagerduty_budget_seconds: Seconds = Field(default=_HTTP.pagerduty_budget_seconds, gt=0,
                                              le=_LIMIT["pagerduty_budget_seconds"])
    # Labels and notes after the page.
    gitlab_budget_seconds: Seconds = Field(default=_HTTP.gitlab_budget_seconds, gt=0,
                                           le=_LIMIT["gitlab_budget_seconds"])


class Sync(_Strict):
    """The sync job."""

    # How far back each run reads PagerDuty log entries: at least twice the schedule
    # interval, so that one failed run loses nothing.
    window_minutes: Int = Field(default=_SYNC.window_minutes, ge=5, le=24 * 60)


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


def validate(raw: dict[str, Any], path: Path) -> config.Config:
    """The plain configuration of a parsed TOML file; every problem at once, by name."""
    try:
        model = Config.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"Configuration file {path} is invalid:\n{_problems(exc)}",
                          "Fix these keys and run again; nothing was done.") from exc
    templates = model.templates_dir
    if templates is not None and not templates.is_absolute():
        templates = path.parent / templates
    return config.Config(
        incident_project=model.incident_project,
        teams={key: _team(value) for key, value in model.teams.items()},
        templates_dir=templates,
        http=config.Http(**model.http.model_dump()),
        sync=config.Sync(**model.sync.model_dump()),
        launch_date=model.launch_date,
        people=dict(model.people),
        bot_usernames=tuple(model.bot_usernames),
    )


def _team(model: Team) -> core.Team:
    """One team as the core's plain value."""
    hours = model.coverage
    coverage = core.Coverage(timezone=hours.timezone, days=tuple(hours.days), start=hours.start,
                             end=hours.end, exclude_dates=tuple(hours.exclude_dates))
    shortest, longest = model.response_minutes
    return core.Team(
        display_name=model.display_name, routing_key_env=model.routing_key_env,
        escalation_policy_id=model.escalation_policy_id, fallback=model.fallback,
        labels=tuple(model.labels), ack_timeout_minutes=model.ack_timeout_minutes,
        response_minutes=(shortest, longest), coverage=coverage,
        service_ids=tuple(model.service_ids),
    )


def _problems(exc: ValidationError) -> str:
    """One line per problem, each naming its key."""
    lines = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "(top level)"
        msg = ("unknown key" if err["type"] == "extra_forbidden"
               else err["msg"].removeprefix("Value error, "))
        lines.append(f"  - {where}: {msg}")
    return "\n".join(lines)
