"""Configuration validation: every problem at once, by name."""

from pathlib import Path

import pytest

from chatops.config import Environment, load_config, require_env
from chatops.core.labels import DRILL, FEEDBACK, RECORD, SYNC_LOCK, SYNC_STATE, WAITING
from chatops.errors import ConfigError

GOOD = """
incident_project = "g/p"
[teams.gitaly]
display_name = "Gitaly"
routing_key_env = "RK_GITALY"
escalation_policy_id = "PXXXXXX"
fallback = "ask devoncall"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "chatops.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_example_config_in_repository_is_valid() -> None:
    config = load_config(Path(__file__).parents[2] / "chatops.toml")
    assert set(config.teams) == {"gitaly", "database"}
    assert config.teams["database"].coverage.timezone == "Europe/Amsterdam"


def test_unknown_keys_and_bad_values_are_all_reported(tmp_path: Path) -> None:
    text = GOOD + ('colour = "red"\n[teams.gitaly.coverage]\nstart = "25:00"\n'
                   'timezone = "Mars/Base"\n')
    text = text.replace('fallback = "ask devoncall"',
                        'fallback = "x"\nlabel = ["typo"]\nlabels = ["escalation::mine"]')
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, text))
    message = err.value.message
    assert "reserved for chatops" in message
    for name in ("colour: unknown key", "teams.gitaly.label: unknown key",
                 "teams.gitaly.coverage.start", "teams.gitaly.coverage.timezone"):
        assert name in message


def test_missing_file_and_bad_toml_say_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found") as err:
        load_config(tmp_path / "nope.toml")
    assert "CHATOPS_CONFIG" in err.value.hint
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(write(tmp_path, "incident_project = "))


def test_missing_env_vars_are_named_together() -> None:
    with pytest.raises(ConfigError) as err:
        require_env([("GITLAB_TOKEN", None), ("RK_GITALY", ""), ("PRESENT_VAR", "x")])
    assert "GITLAB_TOKEN, RK_GITALY" in err.value.message and "PRESENT_VAR" not in err.value.message


def test_environment_defaults_follow_the_contract() -> None:
    env = Environment.read({"CI_SERVER_URL": "https://gitlab.example.com/"})
    assert env.gitlab_url == "https://gitlab.example.com"
    assert env.pagerduty_api_url == "https://api.pagerduty.com"
    assert env.pagerduty_events_url == "https://events.pagerduty.com"
    assert Environment.read({}).gitlab_url == "https://gitlab.com"
    assert Environment.read({"REQUESTS_CA_BUNDLE": "/ca.pem"}).ca_bundle == "/ca.pem"


@pytest.mark.parametrize(("setting", "said"), [
    ("response_minutes = [30, 15]",
     "response_minutes: [30, 15] must be [shortest, longest] minutes, e.g. [15, 30]"),
    ("response_minutes = [0, 15]",
     "response_minutes.0: Input should be greater than or equal to 1"),
    ("response_minutes = [-5, 15]", "response_minutes.0"),
    ("response_minutes = [15]", "response_minutes: List should have at least 2 items"),
    ("response_minutes = [true, 30]", "response_minutes.0: Input should be a valid integer"),
    ("ack_timeout_minutes = true", "ack_timeout_minutes: Input should be a valid integer"),
    ("ack_timeout_minutes = 0", "ack_timeout_minutes: Input should be greater than or equal to 1"),
    ("ack_timeout_minutes = 15.5", "ack_timeout_minutes: Input should be a valid integer"),
])
def test_team_numbers_are_validated_strictly(tmp_path: Path, setting: str, said: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, GOOD + setting + "\n"))
    assert f"teams.gitaly.{said}" in err.value.message


def test_booleans_and_numbers_elsewhere_are_not_mistaken(tmp_path: Path) -> None:
    text = GOOD.replace('incident_project = "g/p"', 'incident_project = "g/p"\n'
                        "launch_date = 20261201")
    text += "[teams.gitaly.coverage]\nexclude_dates = [1]\n[http]\ntimeout_seconds = true\n"
    text += "[sync]\nwindow_minutes = false\n"
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, text))
    for where in ("launch_date", "teams.gitaly.coverage.exclude_dates.0", "http.timeout_seconds",
                  "sync.window_minutes"):
        assert f"  - {where}: " in err.value.message


def test_integers_for_seconds_and_dates_as_toml_dates_are_fine(tmp_path: Path) -> None:
    text = GOOD + "response_minutes = [30, 30]\n[http]\ntimeout_seconds = 5\n"
    text = text.replace('incident_project = "g/p"', 'incident_project = "g/p"\n'
                        "launch_date = 2026-12-01")
    config = load_config(write(tmp_path, text))
    assert config.http.timeout_seconds == 5.0
    assert config.teams["gitaly"].response_minutes == (30, 30)


def test_bot_usernames_and_team_service_ids(tmp_path: Path) -> None:
    text = 'bot_usernames = ["chatops-bot", "project_7_bot_2"]\n' + GOOD + (
        'service_ids = ["PSVC001"]\n')
    config = load_config(write(tmp_path, text))
    assert config.bot_usernames == ("chatops-bot", "project_7_bot_2")
    assert config.teams["gitaly"].service_ids == ("PSVC001",)
    bad = 'bot_usernames = ["@all bot"]\n' + GOOD + 'service_ids = ["svc-1"]\n'
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, bad))
    assert "bot_usernames" in err.value.message and "service_ids" in err.value.message


@pytest.mark.parametrize("label", [SYNC_STATE, SYNC_LOCK, WAITING, RECORD, FEEDBACK, DRILL,
                                   "escalation::mine"])
def test_every_label_chatops_writes_is_reserved(tmp_path: Path, label: str) -> None:
    # A team label "chatops-queued" would tell sync that requests wait on every issue.
    text = GOOD.replace('fallback = "ask devoncall"', f'fallback = "x"\nlabels = ["{label}"]')
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, text))
    assert f"label '{label}' is reserved for chatops" in err.value.message
    assert load_config(write(tmp_path, GOOD.replace('fallback = "ask devoncall"', (
        'fallback = "x"\nlabels = ["chatops-queued-x", "group::gitaly"]'))))
