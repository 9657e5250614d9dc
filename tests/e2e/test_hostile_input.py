"""Hostile input end to end: forged markers, near-miss options, Slack mentions, crashes."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import Harness

# Every line break str.splitlines() knows, besides "\n".
BREAKS = ["\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]


def _request_marker(issue: dict[str, Any]) -> str:
    """The request marker line of an issue chatops opened."""
    (line,) = [ln for ln in str(issue["description"]).split("\n")
               if ln.startswith("<!-- chatops:v1 request ")]
    return line


@pytest.mark.parametrize("brk", ["\u2028", "\x85"])
def test_chat_text_cannot_redirect_someone_elses_escalation(harness: Harness, brk: str) -> None:
    """Issue 10: a copy of the victim's marker after U+2028 took over their escalation."""
    assert harness.page("gitaly praefect is failing over on file-01").result.endswith("paged")
    (victim,) = harness.issues()
    forged = _request_marker(victim)
    attack = harness.page(f"gitaly replica lag, see below{brk}{forged}")
    assert attack.result == "RESULT outcome=paged", attack.stdout
    attacker = next(i for i in harness.issues() if i["iid"] != victim["iid"])
    assert forged in attacker["description"]  # the text is kept, verbatim and inert
    key = forged.split(" dedup_key=")[1].split(" ")[0]
    (victim_incident,) = [i for i in harness.emu.pagerduty.incidents
                          if i["incident_key"] == key]
    harness.emu.pagerduty.acknowledge(str(victim_incident["id"]), "PUSRADA")

    sync = harness.run("sync")
    assert sync.result.startswith("RESULT outcome=ok"), sync.stdout + sync.stderr
    labels = {i["iid"]: i["labels"] for i in harness.issues()}
    assert "escalation::acknowledged" in labels[victim["iid"]]
    assert "escalation::acknowledged" not in labels[attacker["iid"]]
    assert not any("Acknowledged" in n["body"] for n in harness.notes(attacker["iid"]))
    listed = harness.run("escalation", chat_input="list")
    number = victim_incident["incident_number"]
    line = next(ln for ln in listed.reply.split("\n") if f"#{number})" in ln)
    assert victim["web_url"] in line and attacker["web_url"] not in line


def test_no_line_break_in_chat_text_makes_a_marker_line(harness: Harness) -> None:
    """Every line break (and \\r) in the message stays inside the indented quotation."""
    fake = "<!-- chatops:v1 paged team=gitaly dedup_key=chatops/x#1/gitaly at=1 job=- -->"
    text = "look".join(f"{brk}{fake}" for brk in BREAKS)
    assert harness.page(f"gitaly --incident gitlab-org/gitaly#42 {text}").result.endswith(
        "paged")
    bodies = [n["body"] for n in harness.notes(42, "gitlab-org/gitaly")]
    for body in bodies:
        for line in body.split("\n"):
            if "chatops/x#1" in line:
                assert line.startswith("    "), repr(line)
    status = harness.run("escalation", chat_input="status gitlab-org/gitaly#42")
    assert "chatops/x#1" not in status.reply and status.reply.count("- Gitaly:") == 1


def test_uppercase_dry_run_sends_nothing(harness: Harness) -> None:
    """Issue 10: `gitaly testing --DRY-RUN` paged for real at S2, high urgency."""
    job = harness.page("gitaly testing --DRY-RUN")
    assert job.returncode == 0 and job.result == "RESULT outcome=dry-run", job.stdout
    assert job.reply.startswith("DRY RUN: nothing was sent")
    assert harness.emu.requests == [] and harness.issues() == []


@pytest.mark.parametrize("typo", ["--dryrun", "--dry_run", "--drll", "--severty 1"])
def test_near_miss_option_is_refused_and_nothing_is_sent(harness: Harness, typo: str) -> None:
    job = harness.page(f"gitaly testing {typo}")
    assert job.returncode == 0 and job.result == "RESULT outcome=refused error=InputError"
    assert job.reply.startswith("NOT PAGED: Unknown option") and "did you mean" in job.reply
    assert harness.emu.requests == []


def test_technical_flags_in_the_message_still_page(harness: Harness) -> None:
    job = harness.page("gitaly git gc --aggressive hangs on file-01")
    assert job.result == "RESULT outcome=paged", job.stdout
    (event,) = harness.emu.pagerduty.events
    assert event["payload"]["custom_details"]["message"] == "git gc --aggressive hangs on file-01"


MENTIONS = ["<!channel>", "<!here>", "<!everyone>", "<!subteam^S0123ABC>", "<@U024BE7LH>"]


@pytest.mark.parametrize(("command", "chat_input"), [
    ("page", "{m} praefect down"), ("page", "gitaly --incident {m} praefect down"),
    ("oncall", "{m}"), ("escalation", "status {m}"), ("escalation", "{m} 42")])
def test_replies_never_echo_a_live_slack_mention(harness: Harness, command: str,
                                                  chat_input: str) -> None:
    """Issue 10: an unknown team `<!channel>` was echoed and notified the whole channel."""
    word = "".join(MENTIONS) + "@here"  # one word: a team name or a reference
    job = harness.run(command, chat_input=chat_input.format(m=word))
    assert job.returncode == 0, job.stdout + job.stderr
    reply = job.reply
    assert "<" not in reply and ">" not in reply, reply
    assert "@here" not in reply and "@\u200bhere" in reply
    for mention in MENTIONS:  # shown as typed, inert
        assert mention.replace("<", "&lt;").replace(">", "&gt;").lower() in reply.lower()
    assert harness.issues() == [] and harness.sent("pd-events") == []
