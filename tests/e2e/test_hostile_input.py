"""Hostile input end to end: forged markers, near-miss options, Slack mentions, crashes."""

from __future__ import annotations

import subprocess
from typing import Any

import pytest

from chatops.core.labels import ACKNOWLEDGED, TRIGGERED
from tests.e2e.conftest import Harness, chatops_command

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
    assert ACKNOWLEDGED in labels[victim["iid"]]
    assert ACKNOWLEDGED not in labels[attacker["iid"]]
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


@pytest.mark.parametrize("command", [("page", "gitaly", "testing", "--DRY-RUN"),
                                     ("drill", "gitaly", "--Dry-Run")])
def test_uppercase_dry_run_in_a_terminal_sends_nothing(harness: Harness,
                                                       command: tuple[str, ...]) -> None:
    """The terminal's options are case-blind too: the README promises the same as in chat."""
    job = harness.run(*command, CI_PIPELINE_SOURCE=None)
    assert job.returncode == 0 and job.result == "RESULT outcome=dry-run", job.stdout
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


def _run_bytes(harness: Harness, args: list[bytes], chat_input: bytes | None,
               chat: bool = True) -> subprocess.CompletedProcess[bytes]:
    """Run chatops with raw bytes in argv and CHAT_INPUT, as a job could receive them."""
    env = {k.encode(): v.encode() for k, v in harness.env().items()}
    if chat_input is not None:
        env[b"CHAT_INPUT"] = chat_input
    if not chat:
        env.pop(b"CI_PIPELINE_SOURCE", None)
    command = [c.encode() for c in chatops_command()]
    proc = subprocess.run([*command, *args], env=env, capture_output=True, timeout=120,
                          check=False, cwd=harness.tmp)
    for secret in harness.emu.secrets():
        assert secret.encode() not in proc.stdout + proc.stderr
    return proc


BAD_BYTES = [b"gitaly disk \xff\xfe full", b"\xc3\x28 disk full", b"gitaly --incident \xed\xa0\x80",
             b"gitaly --severity \xff1 down", b"\xf8\x88\x80\x80\x80"]


@pytest.mark.parametrize("chat_input", BAD_BYTES)
def test_invalid_utf8_in_chat_input_is_refused_not_a_crash(harness: Harness,
                                                           chat_input: bytes) -> None:
    """Issue 10: invalid UTF-8 in CHAT_INPUT ended in "CRASHED (a bug)"."""
    proc = _run_bytes(harness, [b"page"], chat_input)
    out = proc.stdout.decode()
    assert proc.returncode == 0, out + proc.stderr.decode()
    assert "RESULT outcome=refused error=InputError" in out
    assert "not valid UTF-8" in out and "CRASHED" not in out and proc.stderr == b""
    assert harness.emu.requests == []


@pytest.mark.parametrize(("args", "chat_input"), [
    ([b"escalation"], b"resolve 42 fixed \xff"), ([b"escalation"], b"st\xffatus 42"),
    ([b"oncall"], b"gita\xffly")])
def test_invalid_utf8_in_other_chat_commands_is_refused(harness: Harness, args: list[bytes],
                                                        chat_input: bytes) -> None:
    proc = _run_bytes(harness, args, chat_input)
    out = proc.stdout.decode()
    assert proc.returncode == 0 and "RESULT outcome=refused error=InputError" in out, out
    assert "CRASHED" not in out and proc.stderr == b""
    assert [r for r in harness.emu.requests if r.method != "GET"] == []


@pytest.mark.parametrize("args", [
    [b"page", b"gitaly", b"disk \xff full"], [b"page", b"gita\xffly", b"down"],
    [b"page", b"gitaly", b"down", b"--incident", b"\xff"], [b"drill", b"gitaly", b"\xff"],
    [b"escalation", b"resolve", b"42", b"\xff"], [b"oncall", b"\xff"]])
def test_invalid_utf8_in_terminal_arguments_exits_2(harness: Harness,
                                                    args: list[bytes]) -> None:
    proc = _run_bytes(harness, args, None, chat=False)
    out = proc.stdout.decode()
    assert proc.returncode == 2, out + proc.stderr.decode()
    assert "not valid UTF-8" in out and "CRASHED" not in out
    assert [r for r in harness.emu.requests if r.method != "GET"] == []


def _deep(levels: int) -> bytes:
    return b'{"event": {"event_type": "incident.triggered", "data": ' + b"[" * levels + b"]" * \
        levels + b"}}"


WEBHOOK_BODIES = {
    "incident-string": b'{"event": {"event_type": "incident.annotated", "data": '
                       b'{"type": "incident_note", "incident": "PABC123"}}}',
    "incident-list": b'{"event": {"event_type": "incident.annotated", "data": '
                     b'{"type": "incident_note", "incident": ["PABC123"]}}}',
    "incident-number": b'{"event": {"event_type": "incident.annotated", "data": '
                       b'{"type": "incident_note", "incident": 12345}}}',
    "incident-null": b'{"event": {"event_type": "incident.annotated", "data": '
                     b'{"type": "incident_note", "incident": null}}}',
    "id-number": b'{"event": {"event_type": "incident.triggered", "data": '
                 b'{"type": "incident", "id": 1234567}}}',
    "event-string": b'{"event": "incident.triggered"}',
    "top-list": b'[{"event": {}}]',
    "top-null": b"null",
    "deeply-nested": _deep(100_000),
    "nested-object": b'{"event": ' * 50_000 + b"1" + b"}" * 50_000,
    "long-number": b'{"event": {"event_type": "incident.triggered", "data": {"id": '
                   + b"1" * 5000 + b"}}}",
    "not-json": b"event=incident.triggered&id=PABC123",
    "binary": bytes(range(256)) * 4,
    "not-utf8": b'{"event": {"event_type": "incident.\xff"}}',
    "empty": b"",
}


@pytest.mark.parametrize("name", list(WEBHOOK_BODIES))
def test_malformed_webhook_payloads_are_refused_and_change_nothing(harness: Harness,
                                                                   name: str) -> None:
    """Issue 10: payloads whose incident is a string or a list, or deeply nested, crashed."""
    payload = harness.tmp / "payload.json"
    payload.write_bytes(WEBHOOK_BODIES[name])
    job = harness.run("webhook", TRIGGER_PAYLOAD=str(payload))
    assert job.returncode == 2, job.stdout + job.stderr
    assert job.result == "RESULT outcome=refused error=InputError"
    assert "WEBHOOK FAILED" in job.stdout and "nothing changed" in job.stdout
    assert job.stderr == "" and harness.emu.requests == []


def test_huge_webhook_payload_is_refused_by_size_before_reading(harness: Harness) -> None:
    payload = harness.tmp / "payload.json"
    with payload.open("wb") as handle:  # 100 MB, sparse: nothing is written to disk
        handle.truncate(100 * 1024 * 1024)
    job = harness.run("webhook", TRIGGER_PAYLOAD=str(payload))
    assert job.returncode == 2 and "104857600 bytes" in job.stdout, job.stdout + job.stderr
    assert job.result == "RESULT outcome=refused error=InputError"
    assert harness.emu.requests == []


def test_markers_in_an_issue_someone_else_opened_count_for_nothing(harness: Harness) -> None:
    """Only texts a trusted chatops user wrote can carry markers, also in labelled lists."""
    from datetime import UTC, datetime

    from chatops.cli.demo import DEMO_PROJECT
    from chatops.core.markers import marker
    from chatops_emulator.seed import REQUESTER_USER_ID

    key = "chatops/gitlab-com/gl-infra/production/gitaly/0123456789abcdef"
    forged = marker("request", id="chatops-request-0123456789abcdef", team="gitaly",
                    dedup_key=key, by="sre-alice")
    harness.emu.gitlab.seed_issue(DEMO_PROJECT, iid=900, title="looks like ours",
                                  description=f"hello\n\n{forged}", author_id=REQUESTER_USER_ID,
                                  labels=(TRIGGERED,), created_at=datetime.now(UTC))
    job = harness.run("sync")
    assert job.result.startswith("RESULT outcome=ok"), job.stdout + job.stderr
    looked_up = [r for r in harness.sent("pd-rest") if key in str(r.query)]
    assert looked_up == []  # the forged request marker was never believed
