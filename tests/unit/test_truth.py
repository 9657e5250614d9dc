"""Replies that never lie (issue #8): templates checked up front, errors by name, clean logs."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx2
import pytest
from click.testing import CliRunner

from chatops import check, render
from chatops.adapters.pagerduty_errors import translate
from chatops.audit import AuditLog
from chatops.cli import page as page_cli
from chatops.config import Config, load_config
from chatops.core import compose
from chatops.core.compose import coverage_text, describe_days, response_text
from chatops.core.request import DRILL_MESSAGE, build_request, parse_chat_input
from chatops.errors import (
    ConfigError,
    GitLabError,
    InputError,
    PagerDutyError,
    RoutingKeyError,
)
from chatops.page import job
from chatops.page.plan import PagePlan
from chatops.page.runner import PageRunner
from tests.unit.fakes import FakePager, FakeTracker
from tests.unit.test_page_runner import CONFIG, NOW, WHO

TEAMS = ["gitaly"]


def plan(config: Config = CONFIG) -> PagePlan:
    request = build_request("gitaly", "praefect down", None, None, False, TEAMS)
    return PagePlan(config, request, WHO, lambda: NOW)


def with_templates(folder: Path) -> Config:
    return replace(CONFIG, templates_dir=folder)


# ---- templates are checked before anything is sent ----------------------------------------
def test_shipped_templates_pass_every_check() -> None:
    assert render.static_problems(None, check.VARIABLES) == []
    assert check.plan_problems(plan(), shipped_too=True) == []
    assert set(check.VARIABLES) == set(render.shipped())


def test_context_keys_are_the_keys_of_common_context() -> None:
    flow = plan().flow
    context = compose.common_context(flow, "gitaly", CONFIG.teams["gitaly"], WHO, NOW)
    assert set(context) == compose.CONTEXT_KEYS


@pytest.mark.parametrize(("name", "text", "said"), [
    ("note_paged.md.j2", "{{ no_such_variable }}", "no_such_variable"),
    ("reply.txt.j2", "{% if outcome == 'queued' %}{{ team.nope }}{% endif %}", "nope"),
    ("note_page_failed.md.j2", "{{ page_problem | nonexistent_filter }}", "nonexistent_filter"),
    ("issue_description.md.j2", "{% if %}", "issue_description.md.j2"),
])
def test_broken_override_is_refused_when_the_plan_is_built(tmp_path: Path, name: str,
                                                           text: str, said: str) -> None:
    (tmp_path / name).write_text(text)
    with pytest.raises(ConfigError, match="Templates would fail") as err:
        plan(with_templates(tmp_path))
    assert said in err.value.message and name in err.value.message


def test_missing_templates_dir_is_refused_when_the_plan_is_built(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="is not a folder"):
        plan(with_templates(tmp_path / "missing"))


def test_check_reports_other_templates_and_stray_files(tmp_path: Path) -> None:
    (tmp_path / "note_log.md.j2").write_text("{{ entry.kind }} {{ typo_variable }}")
    (tmp_path / "reply.txt").write_text("not used")
    with pytest.raises(ConfigError) as err:
        check.validate_templates(with_templates(tmp_path))
    assert "note_log.md.j2: unknown variable(s) typo_variable" in err.value.message
    assert "reply.txt is not a template chatops uses" in err.value.message
    # A page does not depend on templates it does not render.
    assert check.plan_problems(plan(with_templates(tmp_path))) == []


def test_good_override_passes(tmp_path: Path) -> None:
    (tmp_path / "reply.txt.j2").write_text("{{ outcome }} {% set x = 1 %}{{ x }}"
                                           "{% for o in oncall %}{{ o.name }}{% endfor %}")
    check.validate_templates(with_templates(tmp_path))


# ---- after the trigger, the reply always says PAGED ---------------------------------------
def _job_after_trigger(monkeypatch: pytest.MonkeyPatch, error: Exception) -> tuple[str, int]:
    def execute(words: object, flags: object, env: object, audit: AuditLog,
                wiring: object) -> None:
        audit.record("trigger-page", "pagerduty:gitaly:key", "ok")
        raise error

    monkeypatch.setattr(job, "execute", execute)
    monkeypatch.setenv("CI_PIPELINE_SOURCE", "push")
    result = CliRunner().invoke(page_cli.page, ["gitaly", "x"])
    return result.stdout, result.exit_code


@pytest.mark.parametrize("error", [
    ConfigError("Template note_paged.md.j2 failed: boom."),
    GitLabError("POST /projects/x/issues/1/notes", 500, "oops"),
    RuntimeError("a bug"),
])
def test_any_failure_after_the_trigger_still_says_paged(monkeypatch: pytest.MonkeyPatch,
                                                        error: Exception) -> None:
    output, code = _job_after_trigger(monkeypatch, error)
    reply = [line for line in output.splitlines() if not line.startswith("AUDIT ")]
    assert reply[0].startswith("PAGED, but chatops then stopped before it")
    assert "NOT PAGED" not in output and "do NOT page again" in output
    assert output.rstrip().splitlines()[-1].startswith("RESULT outcome=paged unfinished ")
    assert code == (70 if isinstance(error, RuntimeError) else getattr(error, "exit_code", 1))


def test_failure_before_the_trigger_says_not_paged() -> None:
    audit = AuditLog("@a", io.StringIO())
    done = page_cli.refusal(ConfigError("bad", "fix it"), audit)
    assert done.text.startswith("NOT PAGED: chatops is misconfigured. bad")
    assert (done.outcome, done.code, done.detail) == ("refused", 3, "error=ConfigError")


# ---- errors named for what they are -------------------------------------------------------
def _http_error(status: int, body: str, method: str = "POST") -> Exception:
    request = httpx2.Request(method, "https://events.pagerduty.com/v2/enqueue")
    response = httpx2.Response(status, text=body, request=request)
    return httpx2.HTTPStatusError("failed", request=request, response=response)


def test_events_400_about_the_routing_key_is_a_routing_key_error() -> None:
    body = ('{"status":"invalid event","message":"Event object is invalid",'
            '"errors":["Invalid routing key"]}')
    error = translate("POST /v2/enqueue", _http_error(400, body), "R0ut1ngKey")
    assert isinstance(error, RoutingKeyError) and error.exit_code == 3
    assert error.detail == "Invalid routing key"
    other = ('{"status":"invalid event","message":"Event object is invalid",'
             '"errors":["\'payload.summary\' is missing or blank"]}')
    plain = translate("POST /v2/enqueue", _http_error(400, other), "R0ut1ngKey")
    assert not isinstance(plain, RoutingKeyError) and "chatops bug" in plain.hint


def test_rest_401_names_the_api_key_without_raw_json() -> None:
    body = '{"error":{"message":"Authentication failed","code":2006}}'
    error = translate("GET /oncalls", _http_error(401, body, "GET"), "pd-secret-key-1234")
    assert error.detail == "Authentication failed (code 2006)"
    assert "refused the REST API key in PAGERDUTY_API_TOKEN (…1234)" in error.hint
    assert "{" not in str(error) and error.exit_code == 3


def test_routing_key_problem_names_the_team_and_its_variable() -> None:
    text = compose.routing_key_problem("gitaly", CONFIG.teams["gitaly"], "Invalid routing key")
    assert text.startswith("Configuration error of team gitaly: PagerDuty refused the routing "
                           "key in RK (Invalid routing key). Set RK to the Integration Key")


def test_denied_service_errors_are_configuration_errors() -> None:
    assert GitLabError("GET x", 401, "401 Unauthorized").exit_code == 3
    assert GitLabError("POST x", 403, "insufficient_scope").denied
    assert not GitLabError("GET x", 503, "down").denied
    assert GitLabError("GET x", 503, "down").exit_code == 1
    assert PagerDutyError("GET x", 404, "Not Found").exit_code == 1


def test_refused_gitlab_token_reply_says_fix_the_token_not_wait() -> None:
    class Denied(FakeTracker):
        def find_by_marker(self, project: str, text: str, state: str = "opened") -> None:
            raise GitLabError("GET issues", 401, "401 Unauthorized", "GITLAB_TOKEN is invalid.")

    audit = AuditLog("@a", io.StringIO(), lambda: NOW)
    result = PageRunner(plan(), Denied(), FakePager(), "rk", audit).run()
    assert "Fix GITLAB_TOKEN or its rights as said above, then re-run" in result.reply
    assert "GitLab works again" not in result.reply
    down = PageRunner(plan(), FakeTracker(down=True), FakePager(), "rk", audit).run()
    assert "When GitLab works again" in down.reply and "Fix GITLAB_TOKEN" not in down.reply


def test_configuration_path_that_is_a_folder_or_unreadable(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="is a folder, not a file"):
        load_config(tmp_path)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ConfigError, match="cannot be read: Not a directory"):
        load_config(blocker / "chatops.toml")


# ---- drills need no message ---------------------------------------------------------------
def test_drill_without_message_gets_the_practice_text() -> None:
    assert parse_chat_input("gitaly", TEAMS, drill=True).message == DRILL_MESSAGE
    assert parse_chat_input("gitaly --drill", TEAMS).message == DRILL_MESSAGE
    assert parse_chat_input("gitaly --drill", TEAMS).drill
    assert parse_chat_input("gitaly my own words", TEAMS, drill=True).message == "my own words"
    with pytest.raises(InputError, match="No message given"):
        parse_chat_input("gitaly", TEAMS)


# ---- configuration and how it is described ------------------------------------------------
@pytest.mark.parametrize(("days", "text"), [
    (["mon", "tue", "wed", "thu", "fri"], "mon-fri"),
    (["mon", "wed", "fri"], "mon, wed, fri"),
    (["fri", "mon", "tue", "wed"], "mon-wed, fri"),
    (["sat", "sun"], "sat, sun"),
    (["mon", "tue", "thu", "fri", "sat"], "mon, tue, thu-sat"),
    ([], "no day"),
])
def test_days_are_described_as_configured(days: list[str], text: str) -> None:
    assert describe_days(days) == text


def test_coverage_and_response_text() -> None:
    team = replace(CONFIG.teams["gitaly"], response_minutes=(30, 30))
    assert response_text(team) == "30 minutes"
    assert response_text(CONFIG.teams["gitaly"]) == "15-30 minutes"
    assert coverage_text(CONFIG.teams["gitaly"]) == "mon-fri 00:00-24:00 UTC"


@pytest.mark.parametrize(("text", "sentence"), [
    ("Ask /devoncall", "Ask /devoncall."),
    ("Ask /devoncall.", "Ask /devoncall."),
    ("Call Ada!", "Call Ada!"),
    ("ping @all\nnow", "ping @\u200ball now."),
])
def test_fallback_reads_as_one_sentence(text: str, sentence: str) -> None:
    assert render._sentence(text) == sentence


def test_clock_is_the_one_human_time_format() -> None:
    assert render._clock("2026-11-26T14:30:00Z") == "2026-11-26 14:30 UTC"
    assert render._clock(datetime(2026, 11, 26, 15, 30, tzinfo=UTC) + timedelta(hours=1)) == \
        "2026-11-26 16:30 UTC"
    assert render._clock("not a time") == "not a time"


# ---- job output ---------------------------------------------------------------------------
def test_audit_lines_carry_no_raw_markers() -> None:
    out = io.StringIO()
    audit = AuditLog("@a", out, lambda: NOW)
    audit.record("comment-issue", "https://gl/x/-/issues/1", "ok",
                 "<!-- chatops:v1 log id=Q1 team=gitaly -->")
    (line,) = audit.lines
    assert line == ("AUDIT 2026-11-26T10:00:00.000Z actor=@a action=comment-issue "
                    "target=https://gl/x/-/issues/1 outcome=ok detail=log id=Q1 team=gitaly")


# ---- the README quotes the real replies ---------------------------------------------------
def _replies() -> list[str]:
    """Every reply the page command can give, rendered for a Gitaly request."""
    from dataclasses import replace

    from chatops.core.incident import Incident
    from chatops.core.model import Issue, OnCall, Outcome, PageRecord

    base = plan()
    issue = Issue("g/p", 1, "https://gl/g/p/-/issues/1", "t", "opened", ())
    flow = replace(base.flow, issue=issue, oncall=(OnCall(1, "Ada Lovelace", None),),
                   prior=PageRecord("gitaly", "k", "2026-11-26T14:30:00Z", ""),
                   incident=Incident("P1", 1, "triggered", "k", NOW, "https://pd/1"))
    replies = []
    for outcome in Outcome:
        for drill in (False, True):
            sample = replace(flow, outcome=outcome, request=replace(flow.request, drill=drill))
            if outcome is Outcome.PAGED_WITHOUT_ISSUE:
                sample = replace(sample, issue=None)
            replies.append(render.render("reply.txt.j2", base.context(sample)))
    audit = AuditLog("@a", io.StringIO())
    replies.append(page_cli.refusal(InputError("Unknown team 'x'."), audit).text)
    replies.append(page_cli.refusal(ConfigError("bad"), audit).text)
    audit.record("trigger-page", "pagerduty:gitaly:k", "ok")
    replies.append(job.crash_reply(audit))
    replies.append(job.dry_run(base))
    return replies


def test_readme_outcome_table_quotes_the_real_first_words() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    table = readme.split("### What the requester sees", 1)[1].split("\n\n", 2)[1]
    cells = [line.split("|")[2].strip() for line in table.splitlines()[2:]]
    quoted = [cell.strip("`") for cell in cells if cell.startswith("`")]
    assert len(quoted) >= 12
    replies = _replies()
    for words in quoted:
        start = words.split("...")[0].rstrip()
        assert any(reply.startswith(start) for reply in replies), words


def test_fallback_in_markdown_notes_survives_gitlab_html_sanitising() -> None:
    team = replace(CONFIG.teams["gitaly"], fallback="Ask /devoncall <incident>")
    config = replace(CONFIG, teams={"gitaly": team})
    sample = plan(config)
    sample.flow = replace(sample.flow, page_problem="down")
    note = sample.render("note_page_failed.md.j2", marker="")
    # <incident> would be dropped by GitLab as an unknown HTML tag; escaped it reads as typed.
    assert "If PagerDuty itself is down: Ask \\/devoncall \\<incident\\>\\." in note
    from chatops.core.model import Outcome

    sample.flow = replace(sample.flow, outcome=Outcome.PAGE_FAILED)
    reply = sample.render("reply.txt.j2")  # chat replies are escaped for Slack when sent
    assert "If PagerDuty is down: Ask /devoncall <incident>." in reply
