"""Configuration validation: every problem at once, by name."""

from pathlib import Path

import pytest

from chatops.config import Environment, load_config, require_env
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
