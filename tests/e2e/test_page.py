"""`chatops page` end to end: the installed CLI against the GitLab/PagerDuty emulator."""

from __future__ import annotations

import json

from chatops.cli.demo import DEMO_PROJECT
from chatops.core.labels import TRIGGERED
from chatops_emulator.seed import BOT_USER_ID
from tests.e2e.conftest import Harness

MESSAGE = "praefect is failing over on file-01"


def test_page_opens_incident_pages_oncall_and_replies(harness: Harness) -> None:
    job = harness.page(f"gitaly {MESSAGE}")
    assert job.returncode == 0, job.stderr
    assert job.result == "RESULT outcome=paged"
    (issue,) = harness.issues()
    assert issue["issue_type"] == "incident"
    assert {TRIGGERED, "group::gitaly"} <= set(issue["labels"])
    description = issue["description"]
    for expected in ("@sre-alice", "U0DEMOUSER", "C0DEMOCHAN", MESSAGE, "/-/jobs/5150",
                     "S2", "15-30 minutes", "dedup key"):
        assert expected in description
    (note,) = harness.notes(issue["iid"])
    assert "Paged Gitaly" in note["body"] and "Ada Lovelace" in note["body"]
    (incident,) = harness.emu.pagerduty.incidents
    assert f"[#{incident['incident_number']}]({incident['html_url']})" in note["body"]
    assert "U0DEMOUSER" in note["body"] and "S2" in note["body"]
    (event,) = harness.emu.pagerduty.events
    assert event["event_action"] == "trigger"
    assert issue["web_url"] in [link["href"] for link in event["links"]]
    assert event["dedup_key"] == f"chatops/gitlab-com/gl-infra/production/gitaly/{_key(event)}"
    assert len(event["payload"]["summary"]) <= 1024
    assert event["payload"]["custom_details"]["message"] == MESSAGE
    reply = job.reply
    assert reply.startswith("PAGED Gitaly (S2): Ada Lovelace (on call) was notified")
    assert f"PagerDuty incident #{incident['incident_number']} (triggered): " \
        f"{incident['html_url']}" in reply
    assert issue["web_url"] in reply and "15-30 minutes" in reply
    assert "/chatops run page" in reply
    actions = [line.split("action=")[1].split()[0] for line in job.audit]
    assert set(actions) == {"check-oncall", "find-issue", "open-issue", "trigger-page",
                            "find-incident", "label-issue", "comment-issue"}
    assert all(" outcome=" in line and " actor=@sre-alice " in line for line in job.audit)
    assert not any(line.startswith("AUDIT") for line in reply.splitlines())


def _key(event: dict[str, object]) -> str:
    return str(event["dedup_key"]).rsplit("/", 1)[1]


def test_terminal_arguments_keep_apostrophes_and_options(harness: Harness) -> None:
    job = harness.page("", "gitaly", "it's", "down", "--severity", "1",
                       CI_PIPELINE_SOURCE=None)
    assert job.returncode == 0, job.stdout + job.stderr
    assert "section_start" not in job.stdout  # not a chat job: plain output
    (event,) = harness.emu.pagerduty.events
    assert event["payload"]["severity"] == "critical"
    assert event["payload"]["custom_details"]["message"] == "it's down"


def test_multiline_chat_input_with_options(harness: Harness) -> None:
    job = harness.page('gitaly --severity 3 "it\'s slow"\nsecond line with `code`')
    assert job.result == "RESULT outcome=paged"
    (event,) = harness.emu.pagerduty.events
    assert event["payload"]["severity"] == "warning"
    assert event["payload"]["custom_details"]["message"] == '"it\'s slow"\nsecond line with `code`'


def test_unknown_team_changes_nothing_and_says_why(harness: Harness) -> None:
    job = harness.page(f"gitali {MESSAGE}")
    assert job.returncode == 0  # chat job: the reply carries the failure
    assert "NOT PAGED: Unknown team 'gitali'. Did you mean 'gitaly'?" in job.reply
    assert "Known teams: database, gitaly" in job.reply
    assert harness.emu.requests == []
    terminal = harness.page(f"gitali {MESSAGE}", CI_PIPELINE_SOURCE=None)
    assert terminal.returncode == 2


def test_empty_message_changes_nothing(harness: Harness) -> None:
    job = harness.page("gitaly")
    assert "No message given for gitaly" in job.reply
    assert harness.emu.requests == []


def test_nobody_on_call_sends_no_page_and_gives_fallback(harness: Harness) -> None:
    job = harness.page("database replication lag on db-main-01")
    assert job.result == "RESULT outcome=nobody-on-call"
    assert job.reply.startswith("NOT PAGED: nobody from Database is on call")
    assert "/devoncall" in job.reply and "the PagerDuty schedule has a gap" in job.reply
    assert harness.issues() == [] and harness.emu.pagerduty.events == []
    (kept,) = harness.records()  # the durable record of the refusal (issue #9 item 3)
    assert "record what=refused team=database" in kept["body"] and "by=sre-alice" in kept["body"]


def test_incident_option_comments_and_labels_existing_issue(harness: Harness) -> None:
    ref = f"{harness.emu.gitlab_url}/gitlab-org/gitaly/-/issues/42"
    job = harness.page(f"gitaly --incident {ref} replication stuck")
    assert job.result == "RESULT outcome=paged", job.stdout
    assert harness.issues() == []  # no new incident issue
    issue = harness.emu.gitlab.issue("gitlab-org/gitaly", 42)
    assert TRIGGERED in issue["labels"]
    (note,) = harness.notes(42, "gitlab-org/gitaly")
    assert "Paged Gitaly" in note["body"] and "replication stuck" in note["body"]
    (event,) = harness.emu.pagerduty.events
    assert event["dedup_key"] == "chatops/gitlab-org/gitaly#42/gitaly"
    assert issue["web_url"] in [link["href"] for link in event["links"]]


def test_incident_that_does_not_exist_is_not_paged(harness: Harness) -> None:
    job = harness.page("gitaly --incident 999 still broken")
    assert job.result == "RESULT outcome=incident-not-found"
    assert "NOT PAGED: issue #999 was not found" in job.reply
    assert harness.emu.pagerduty.events == []


def test_dry_run_sends_nothing_and_shows_issue_and_event(harness: Harness) -> None:
    job = harness.page(f"gitaly --dry-run {MESSAGE}")
    assert job.result == "RESULT outcome=dry-run"
    assert harness.emu.requests == []
    assert "DRY RUN" in job.reply
    event_json = job.stdout.split("(routing_key added when sent) ---\n", 1)[1]
    event = json.loads(event_json.split("\nsection_start", 1)[0])
    assert event["payload"]["custom_details"]["message"] == MESSAGE
    assert "routing_key" not in event
    assert MESSAGE in job.stdout.split("--- incident issue description ---", 1)[1]
    # Reasons are never left blank: the dry run says it asked nothing and created nothing.
    assert "could not be checked (not asked in a dry run)" in job.stdout
    assert event["payload"]["custom_details"]["incident_issue"] == (
        "not created: a dry run creates nothing")


def test_missing_routing_key_sends_nothing(harness: Harness) -> None:
    job = harness.page(f"gitaly {MESSAGE}", GITLAB_TOKEN=None,
                       PAGERDUTY_ROUTING_KEY_GITALY=None)
    assert job.reply.startswith("NOT PAGED: chatops is misconfigured. Missing environment "
                                "variables: PAGERDUTY_ROUTING_KEY_GITALY.")
    assert job.result == "RESULT outcome=refused error=ConfigError"
    assert harness.emu.requests == []


def test_python_dash_m_and_help_work(harness: Harness) -> None:
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "chatops", "page", "--help"],
                         capture_output=True, text=True, check=True)
    assert "--incident" in out.stdout and "--dry-run" in out.stdout


def test_templates_dir_overrides_shipped_templates(harness: Harness) -> None:
    custom = harness.tmp / "my-templates"
    custom.mkdir()
    (custom / "reply.txt.j2").write_text("Custom reply: {{ outcome }} for {{ team.name }}.\n")
    text = harness.config.read_text(encoding="utf-8")
    harness.config.write_text('templates_dir = "my-templates"\n' + text, encoding="utf-8")
    job = harness.page(f"gitaly {MESSAGE}")
    assert job.reply == "Custom reply: paged for Gitaly."
    (issue,) = harness.issues()
    assert "What the requester said" in issue["description"]  # not overridden: shipped one


def test_plain_issue_instead_of_incident_is_reported(harness: Harness) -> None:
    # Guest role: GitLab silently ignores issue_type=incident (needs Reporter).
    harness.emu.gitlab.add_member(DEMO_PROJECT, BOT_USER_ID, 10)
    job = harness.page("gitaly praefect is failing over on file-01")
    assert job.result == "RESULT outcome=paged", job.stdout
    (issue,) = harness.issues()
    assert issue["issue_type"] == "issue"
    assert "GitLab opened it as a plain issue, not an incident" in job.reply
    assert "Reporter role on gitlab-com/gl-infra/production" in job.reply
    assert any("action=open-issue" in ln and "outcome=plain-issue" in ln for ln in job.audit)


def test_incident_issue_with_reporter_role_has_no_warning(harness: Harness) -> None:
    harness.emu.gitlab.add_member(DEMO_PROJECT, BOT_USER_ID, 20)
    job = harness.page("gitaly praefect is failing over on file-01")
    (issue,) = harness.issues()
    assert issue["issue_type"] == "incident"
    assert "plain issue" not in job.reply


def test_first_reads_leave_early_and_a_refused_config_writes_nothing(harness: Harness) -> None:
    """The on-call check and the issue look-up leave before the file is validated
    (chatops/page/lookahead.py); a file the schema refuses then stops the page before any write."""
    text = harness.config.read_text(encoding="utf-8")
    harness.config.write_text(text.replace('fallback = "', 'fallbak = "x"\nfallback = "', 1),
                              encoding="utf-8")
    job = harness.page(f"gitaly {MESSAGE}")
    assert job.result == "RESULT outcome=refused error=ConfigError"
    assert "fallbak: unknown key" in job.reply and "NOT PAGED" in job.reply
    sent = {(r.service, r.method) for r in harness.emu.requests}
    assert sent == {("gitlab", "GET"), ("pd-rest", "GET")}  # the two reads, nothing else
    assert harness.issues() == [] and harness.emu.pagerduty.events == []


def test_a_valid_page_uses_the_early_reads_once(harness: Harness) -> None:
    job = harness.page(f"gitaly {MESSAGE}")
    assert job.result == "RESULT outcome=paged"
    paths = [(r.service, r.method, r.path) for r in harness.emu.requests]
    assert paths.count(("pd-rest", "GET", "/oncalls")) == 1
    searches = [r for r in harness.emu.requests
                if r.method == "GET" and r.path.endswith("/issues")]
    assert len(searches) == 1
    trigger = next(r for r in harness.emu.requests if r.service == "pd-events")
    assert all(r.finished <= trigger.started for r in searches)
