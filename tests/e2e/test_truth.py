"""Every reply tells the truth (issue #8): errors named for what they are, found in time."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from chatops.core.labels import FAILED
from chatops_emulator import seed
from tests.e2e.conftest import Harness

MESSAGE = "praefect is failing over on file-01"
UTC_MINUTE = r"\d{4}-\d\d-\d\d \d\d:\d\d UTC"


def _templates(harness: Harness, files: dict[str, str], folder: str = "my-templates") -> Path:
    """Point templates_dir at a folder holding the given override files."""
    custom = harness.tmp / folder
    custom.mkdir(exist_ok=True)
    for name, text in files.items():
        (custom / name).write_text(text, encoding="utf-8")
    text = harness.config.read_text(encoding="utf-8")
    harness.config.write_text(f'templates_dir = "{folder}"\n' + text, encoding="utf-8")
    return custom


def _nothing_sent(harness: Harness) -> None:
    assert harness.issues() == [] and harness.emu.pagerduty.events == []
    assert harness.emu.requests == []


def test_template_with_unknown_variable_is_refused_before_anything_is_sent(
        harness: Harness) -> None:
    # Used only after the trigger: it used to say NOT PAGED once the page had gone out.
    _templates(harness, {"note_paged.md.j2": "Paged {{ team.name }} {{ no_such_variable }}\n"})
    job = harness.page(f"gitaly {MESSAGE}")
    assert job.reply.startswith("NOT PAGED: chatops is misconfigured. Templates would fail:")
    assert "note_paged.md.j2" in job.reply and "no_such_variable" in job.reply
    assert job.result == "RESULT outcome=refused error=ConfigError"
    _nothing_sent(harness)
    check = harness.run("check", CI_PIPELINE_SOURCE=None, PAGERDUTY_API_TOKEN=None)
    assert check.returncode == 3 and "no_such_variable" in check.stdout
    assert check.result == "RESULT outcome=refused error=ConfigError"


def test_template_failing_only_on_one_outcome_is_found_before_sending(harness: Harness) -> None:
    broken = "{% if outcome == 'page-failed' %}{{ team.no_such_field }}{% endif %}ok\n"
    _templates(harness, {"reply.txt.j2": broken})
    job = harness.page(f"gitaly {MESSAGE}")
    assert job.reply.startswith("NOT PAGED: chatops is misconfigured.")
    assert "reply.txt.j2" in job.reply and "no_such_field" in job.reply
    _nothing_sent(harness)


def test_missing_templates_dir_is_refused_before_anything_is_sent(harness: Harness) -> None:
    text = harness.config.read_text(encoding="utf-8")
    harness.config.write_text('templates_dir = "nowhere"\n' + text, encoding="utf-8")
    job = harness.page(f"gitaly {MESSAGE}")
    assert job.reply.startswith("NOT PAGED: chatops is misconfigured.")
    assert "nowhere is not a folder" in job.reply
    _nothing_sent(harness)
    check = harness.run("check", CI_PIPELINE_SOURCE=None, PAGERDUTY_API_TOKEN=None)
    assert check.returncode == 3 and "nowhere is not a folder" in check.stdout


def test_check_reports_a_misnamed_override_and_passes_a_good_one(harness: Harness) -> None:
    custom = _templates(harness, {"reply.j2": "typo in the name\n"})
    check = harness.run("check", CI_PIPELINE_SOURCE=None, PAGERDUTY_API_TOKEN=None)
    assert check.returncode == 3 and "reply.j2 is not a template chatops uses" in check.stdout
    (custom / "reply.j2").rename(custom / "reply.txt.j2")
    check = harness.run("check", CI_PIPELINE_SOURCE=None, PAGERDUTY_API_TOKEN=None)
    assert check.returncode == 0, check.stdout
    assert check.result == "RESULT outcome=ok schedules=not-checked"


@pytest.mark.parametrize(("key", "said"), [
    ("not-a-key", "Length of 'routing_key' is incorrect (should be 32 characters)"),
    ("Z" * 32, "Invalid routing key"),
])
def test_routing_key_refused_by_pagerduty_is_a_configuration_error_of_the_team(
        harness: Harness, key: str, said: str) -> None:
    job = harness.page(f"gitaly {MESSAGE}", PAGERDUTY_ROUTING_KEY_GITALY=key)
    assert job.result == "RESULT outcome=page-failed"
    assert job.reply.startswith("FAILED: the page to Gitaly did NOT go out. Configuration "
                                "error of team gitaly: PagerDuty refused the routing key in "
                                "PAGERDUTY_ROUTING_KEY_GITALY")
    assert said in job.reply and "Events API v2 integration" in job.reply
    assert "chatops bug" not in job.reply and '{"' not in job.reply
    assert len(harness.sent("pd-events", "POST")) == 1  # a 400 is not retried
    (issue,) = harness.issues()
    assert FAILED in issue["labels"]


def test_invalid_gitlab_token_says_so_and_the_page_still_goes_out(harness: Harness) -> None:
    job = harness.page(f"gitaly {MESSAGE}", GITLAB_TOKEN="glpat-wrong-token-9876")
    assert job.result == "RESULT outcome=paged-without-issue"
    assert "GITLAB_TOKEN is invalid or expired" in job.reply and "…9876" in job.reply
    assert "Fix GITLAB_TOKEN or its rights as said above, then re-run" in job.reply
    assert "GitLab works again" not in job.reply
    assert len(harness.emu.pagerduty.events) == 1


def test_read_only_gitlab_token_says_it_lacks_rights(harness: Harness) -> None:
    token = "glpat-read-only-token-5511"
    harness.emu.gitlab.add_read_only_token(seed.BOT_USER_ID, token)
    job = harness.page(f"gitaly {MESSAGE}", GITLAB_TOKEN=token)
    assert job.result == "RESULT outcome=paged-without-issue"
    assert "(HTTP 403): insufficient_scope" in job.reply
    assert "needs scope api (not read_api)" in job.reply
    assert "Fix GITLAB_TOKEN or its rights" in job.reply and "GitLab works again" not in job.reply
    assert harness.issues() == [] and len(harness.emu.pagerduty.events) == 1


def test_missing_gitlab_token_is_treated_like_an_invalid_one(harness: Harness) -> None:
    job = harness.page(f"gitaly {MESSAGE}", GITLAB_TOKEN=None)
    assert job.result == "RESULT outcome=paged-without-issue"
    assert job.reply.startswith("PAGED Gitaly (S2): Ada Lovelace (on call) was notified")
    assert "GITLAB_TOKEN is not set" in job.reply
    assert "Fix GITLAB_TOKEN or its rights as said above, then re-run" in job.reply
    assert len(harness.emu.pagerduty.events) == 1
    assert harness.sent("gitlab") == []


def test_refused_pagerduty_api_key_is_named_without_raw_json(harness: Harness) -> None:
    job = harness.page(f"gitaly {MESSAGE}", PAGERDUTY_API_TOKEN="pd-wrong-key-3141")
    assert job.result == "RESULT outcome=paged"  # the on-call check is optional
    assert "(HTTP 401): Authentication failed (code 2006)" in job.reply
    assert "PagerDuty refused the REST API key in PAGERDUTY_API_TOKEN (…3141)" in job.reply
    assert "{" not in job.reply
    oncall = harness.run("oncall", chat_input="gitaly", PAGERDUTY_API_TOKEN="pd-wrong-key-3141")
    assert "refused the REST API key in PAGERDUTY_API_TOKEN" in oncall.reply
    assert "{" not in oncall.reply


def test_escalation_status_with_a_bad_reference_is_a_usage_error(harness: Harness) -> None:
    job = harness.run("escalation", "status", "abc", CI_PIPELINE_SOURCE=None)
    assert job.returncode == 2, job.stdout + job.stderr
    assert job.stdout.startswith("NOTHING CHANGED: ")
    assert "Traceback" not in job.stdout + job.stderr
    assert job.result == "RESULT outcome=refused error=InputError"


def test_chatops_config_pointing_at_a_folder_is_a_configuration_error(harness: Harness) -> None:
    job = harness.page(f"gitaly {MESSAGE}", CHATOPS_CONFIG=str(harness.tmp))
    assert job.reply.startswith("NOT PAGED: chatops is misconfigured. Configuration path ")
    assert "is a folder, not a file" in job.reply and "CRASHED" not in job.reply
    assert job.result == "RESULT outcome=refused error=ConfigError"
    terminal = harness.run("check", CI_PIPELINE_SOURCE=None, CHATOPS_CONFIG=str(harness.tmp))
    assert terminal.returncode == 3 and "Traceback" not in terminal.stderr


def test_drill_needs_no_message_in_chat_or_terminal(harness: Harness) -> None:
    chat = harness.run("drill", chat_input="gitaly")
    assert chat.result == "RESULT outcome=paged", chat.stdout
    assert chat.reply.startswith("DRILL started: Ada Lovelace (on call) got a practice page")
    # The same drill again through `page --drill`: understood (no message needed), not re-paged.
    page_drill = harness.run("page", "--drill", chat_input="gitaly")
    assert page_drill.result == "RESULT outcome=already-paged", page_drill.stdout
    terminal = harness.run("drill", "gitaly", "failover", "practice", CI_PIPELINE_SOURCE=None)
    assert terminal.returncode == 0, terminal.stdout
    summaries = [e["payload"]["summary"] for e in harness.emu.pagerduty.events]
    assert len(summaries) == 2 and all(s.startswith("[DRILL] ") for s in summaries)
    assert all(e["payload"]["severity"] == "info" for e in harness.emu.pagerduty.events)
    assert "Practice page: please acknowledge in PagerDuty." in summaries[0]


def test_unknown_escalation_policy_is_reported_as_unknown(harness: Harness) -> None:
    text = harness.config.read_text(encoding="utf-8")
    harness.config.write_text(text.replace('"PGITALY1"', '"PUNKNOWN9"'), encoding="utf-8")
    job = harness.page(f"gitaly {MESSAGE}")
    # The routing key still reaches the service: the page goes out, the check is named.
    assert job.result == "RESULT outcome=paged", job.stdout
    assert "GET /escalation_policies/PUNKNOWN9 failed (HTTP 404)" in job.reply
    assert "Escalation policy PUNKNOWN9 is unknown to PagerDuty: fix escalation_policy_id in " \
        "chatops.toml" in job.reply
    assert "nobody" not in job.reply.lower()
    check = harness.run("check", CI_PIPELINE_SOURCE=None)
    assert check.returncode == 3
    assert "Unknown escalation policies" in check.stdout and "PUNKNOWN9" in check.stdout
    assert "GAP" not in check.stdout
    oncall = harness.run("oncall", chat_input="gitaly")
    assert "Gitaly: who is on call is unknown. Escalation policy PUNKNOWN9 is unknown to " \
        "PagerDuty" in oncall.reply
    assert "nobody on call" not in oncall.reply


def test_coverage_is_described_as_configured(harness: Harness) -> None:
    from datetime import UTC, datetime

    today = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[datetime.now(UTC).weekday()]
    days = [d for d in ("mon", "wed", "fri", "sun") if d != today][:3]
    harness.write_config(gitaly=days)
    job = harness.page(f"gitaly --when-covered {MESSAGE}")
    assert job.result == "RESULT outcome=queued", job.stdout
    assert f"({', '.join(days)} 00:00-24:00 UTC)" in job.reply


def test_already_paged_reply_gives_the_time_in_the_human_format(harness: Harness) -> None:
    harness.page(f"gitaly {MESSAGE}")
    again = harness.page(f"gitaly {MESSAGE}")
    assert again.result == "RESULT outcome=already-paged"
    assert re.search(rf"was paged for this at {UTC_MINUTE} and that escalation", again.reply)
    # (Slack escaping of the reply turns <incident> into &lt;incident&gt;)
    assert "Fallback: Ask the Developer Oncall: /devoncall &lt;incident&gt;." in again.reply


def test_job_log_has_no_raw_markers(harness: Harness) -> None:
    harness.page(f"gitaly {MESSAGE}")
    (incident,) = harness.emu.pagerduty.incidents
    harness.emu.pagerduty.acknowledge(incident["id"], "PUSRADA")
    sync = harness.run("sync")
    assert sync.result.startswith("RESULT outcome=ok"), sync.stdout
    assert any("action=comment-issue" in line for line in sync.audit)
    assert not any("<!--" in line or "-->" in line for line in sync.audit)


@pytest.mark.parametrize("args", [
    ("page",), ("drill",), ("oncall",), ("check",), ("escalation", "list"), ("sync",),
    ("webhook",), ("report",), ("feedback", "--milestone", "1m"),
])
def test_every_command_ends_with_its_result_line_even_on_failure(
        harness: Harness, args: tuple[str, ...]) -> None:
    job = harness.run(*args, chat_input="gitaly", CI_PIPELINE_SOURCE=None,
                      CHATOPS_CONFIG=str(harness.tmp / "missing.toml"), TRIGGER_PAYLOAD='{"event":'
                      '{"event_type":"incident.triggered","data":{"type":"incident",'
                      '"id":"PABC123"}}}')
    output = (job.stdout + job.stderr).rstrip().splitlines()
    assert re.fullmatch(r"RESULT outcome=(refused|error) error=ConfigError", output[-1]), \
        job.stdout + job.stderr
    assert job.returncode == 3
    assert "Traceback" not in job.stderr


def test_usage_errors_end_with_a_result_line(harness: Harness) -> None:
    job = harness.run("check", "--days", "0", CI_PIPELINE_SOURCE=None)
    assert job.returncode == 2 and "Invalid value for '--days'" in job.stderr
    assert job.result == "RESULT outcome=refused error=UsageError"
