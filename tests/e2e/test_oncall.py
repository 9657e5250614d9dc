"""`/chatops run oncall [TEAM]` and `chatops check` (issue #4)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.e2e.conftest import Harness


def test_oncall_lists_every_team_in_one_request(harness: Harness) -> None:
    job = harness.run("oncall", chat_input="")
    assert job.result == "RESULT outcome=ok", job.stdout + job.stderr
    assert job.reply.startswith("On call now (PagerDuty")
    assert "- Gitaly: L1 Ada Lovelace until " in job.reply and "L2 Grace Hopper" in job.reply
    assert "- Database: nobody on call, although this is inside coverage hours" in job.reply
    assert "/devoncall" in job.reply
    # One request for all teams; an empty list is told apart from an unknown policy id.
    assert [r.path for r in harness.sent("pd-rest")] == ["/oncalls",
                                                         "/escalation_policies/PDBASE01"]


def test_oncall_for_one_team_and_a_typo(harness: Harness) -> None:
    job = harness.run("oncall", chat_input="gitaly")
    assert "- Gitaly:" in job.reply and "Database" not in job.reply
    typo = harness.run("oncall", chat_input="gitali")
    assert "Did you mean 'gitaly'?" in typo.reply


def test_oncall_without_token_shows_configured_coverage(harness: Harness) -> None:
    job = harness.run("oncall", "gitaly", CI_PIPELINE_SOURCE=None, PAGERDUTY_API_TOKEN=None)
    assert job.returncode == 0
    assert "could not be read from PagerDuty (PAGERDUTY_API_TOKEN is not set)" in job.stdout
    assert "- Gitaly: inside coverage hours now" in job.stdout


def test_check_finds_a_gap_in_the_schedule(harness: Harness) -> None:
    now = datetime.now(UTC)
    harness.emu.pagerduty.set_oncalls("PGITALY1", [
        (1, "PUSRADA", "Ada Lovelace", now - timedelta(hours=1), now + timedelta(hours=2)),
        (1, "PUSRGRC", "Grace Hopper", now + timedelta(hours=4), None),
    ])
    harness.emu.pagerduty.set_oncalls("PDBASE01", [(1, "PUSRADA", "Ada Lovelace", None, None)])
    job = harness.run("check", "--days", "2")
    assert job.returncode == 1, job.stdout + job.stderr
    gaps = [ln for ln in job.stdout.splitlines() if ln.startswith("GAP ")]
    assert len(gaps) == 1 and gaps[0].startswith("GAP Gitaly: nobody on call at level 1")
    start = (now + timedelta(hours=2)).strftime("%H:%M")
    assert start in gaps[0]


def test_check_passes_when_schedules_cover_everything(harness: Harness) -> None:
    for policy in ("PGITALY1", "PDBASE01"):
        harness.emu.pagerduty.set_oncalls(policy, [(1, "PUSRADA", "Ada Lovelace", None, None)])
    job = harness.run("check", "--days", "3")
    assert job.returncode == 0, job.stdout
    assert job.stdout.startswith("Configuration OK: 2 team(s)")


def test_check_reports_config_errors_by_name(harness: Harness) -> None:
    harness.config.write_text(harness.config.read_text() + "\nbogus = 1\n")
    job = harness.run("check")
    assert job.returncode == 3 and "bogus: unknown key" in job.stdout


def test_check_reports_missing_routing_keys_and_tokens_in_a_pipeline(harness: Harness) -> None:
    # A merge request pipeline from an unprotected branch gets no protected variables.
    job = harness.run("check", CI_PIPELINE_SOURCE="merge_request_event",
                      PAGERDUTY_ROUTING_KEY_GITALY=None, PAGERDUTY_API_TOKEN=None)
    assert job.returncode == 3, job.stdout
    missing = [ln for ln in job.stdout.splitlines() if ln.startswith("MISSING ")]
    assert [ln.split(":")[0] for ln in missing] == ["MISSING PAGERDUTY_ROUTING_KEY_GITALY",
                                                    "MISSING PAGERDUTY_API_TOKEN"]
    assert "protected" in job.stdout and "CHECK FAILED" in job.stdout


def test_check_in_a_terminal_needs_the_routing_keys_but_not_the_api_token(
        harness: Harness) -> None:
    job = harness.run("check", CI_PIPELINE_SOURCE=None, PAGERDUTY_API_TOKEN=None)
    assert job.returncode == 0 and "schedules not compared" in job.stdout, job.stdout
    no_key = harness.run("check", CI_PIPELINE_SOURCE=None, PAGERDUTY_ROUTING_KEY_DATABASE=None)
    assert no_key.returncode == 3 and "MISSING PAGERDUTY_ROUTING_KEY_DATABASE" in no_key.stdout


def test_check_reports_each_service_urgency_rule_and_loud_drills(harness: Harness) -> None:
    for policy in ("PGITALY1", "PDBASE01"):
        harness.emu.pagerduty.set_oncalls(policy, [(1, "PUSRADA", "Ada Lovelace", None, None)])
    harness.emu.pagerduty.set_urgency_rule("PSVCDB", {"type": "constant", "urgency": "high"})
    job = harness.run("check", "--days", "2")
    assert "URGENCY Gitaly: service Gitaly (PSVCGIT): by alert severity (critical" in job.stdout
    assert ("URGENCY Database: service Database (PSVCDB): always high urgency (drills too)"
            in job.stdout)
    drills = [ln for ln in job.stdout.splitlines() if ln.startswith("DRILL ")]
    assert len(drills) == 1 and drills[0].startswith("DRILL Database: service Database")
    assert "HIGH urgency" in drills[0] and job.returncode == 1
    harness.emu.pagerduty.set_urgency_rule("PSVCDB", {
        "type": "use_support_hours",
        "during_support_hours": {"type": "constant", "urgency": "severity_based"},
        "outside_support_hours": {"type": "constant", "urgency": "low"}})
    fixed = harness.run("check", "--days", "2")
    assert fixed.returncode == 0 and "DRILL " not in fixed.stdout, fixed.stdout


def test_drill_is_low_urgency_only_on_a_severity_based_service(harness: Harness) -> None:
    harness.emu.pagerduty.set_oncalls("PDBASE01", [(1, "PUSRADA", "Ada Lovelace", None, None)])
    harness.emu.pagerduty.set_urgency_rule("PSVCDB", {"type": "constant", "urgency": "high"})
    harness.run("drill", "gitaly", CI_PIPELINE_SOURCE=None)
    harness.run("drill", "database", CI_PIPELINE_SOURCE=None)
    harness.page("gitaly a real page")
    urgencies = [(i["service"]["id"], i["urgency"]) for i in harness.emu.pagerduty.incidents]
    assert urgencies == [("PSVCGIT", "low"), ("PSVCDB", "high"), ("PSVCGIT", "high")]
