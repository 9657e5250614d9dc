"""The chat_reply section and crash reports."""

import io

from chatops.cli.output import REPLY_LIMIT_BYTES, chat_reply, crash_report, fit
from chatops.errors import register_secret


def test_reply_section_starts_with_a_newline_because_gitlab_drops_line_one() -> None:
    out = io.StringIO()
    chat_reply("PAGED Gitaly", out)
    start, body, end, tail = out.getvalue().split("\n")
    # The section's first line (dropped by GitLab) is the empty rest of the marker line.
    assert start.startswith("section_start:") and start.endswith(":chat_reply\r\x1b[0K")
    assert body == "PAGED Gitaly"
    assert end.startswith("section_end:") and end.endswith(":chat_reply\r\x1b[0K")
    assert tail == ""


def test_long_reply_is_shortened_below_the_slack_limit_and_says_so() -> None:
    reply = "\n".join(f"line {i} " + "é" * 40 for i in range(200))
    short = fit(reply)
    assert len(short.encode()) <= REPLY_LIMIT_BYTES
    assert short.endswith("(shortened; the full reply is in the job log)")
    assert fit("short") == "short"


def test_terminal_reply_has_no_section_and_masks_secrets() -> None:
    register_secret("R0ut1ngKeyForOutputTest00000042")
    out = io.StringIO()
    chat_reply("key R0ut1ngKeyForOutputTest00000042", out, chat=False)
    assert out.getvalue() == "key …0042\n"


def test_crash_report_masks_secrets_in_tracebacks() -> None:
    register_secret("glpat-crash-secret-7777")
    try:
        raise RuntimeError("boom with glpat-crash-secret-7777")
    except RuntimeError:
        report = crash_report()
    assert "Traceback" in report and "glpat-crash-secret-7777" not in report
    assert "…7777" in report


def test_crash_reply_says_whether_the_page_went_out() -> None:
    from chatops.audit import AuditLog
    from chatops.page.job import crash_reply

    audit = AuditLog("@a", io.StringIO())
    assert crash_reply(audit).startswith("NOT PAGED: chatops CRASHED")
    audit.record("trigger-page", "pagerduty:gitaly:k", "ok")
    reply = crash_reply(audit)
    assert reply.startswith("PAGED, but chatops then stopped before it finished")
    assert "CRASHED" in reply and "do NOT page again" in reply and "NOT PAGED" not in reply


def test_chat_reply_is_escaped_for_slack_and_cannot_end_its_section() -> None:
    out = io.StringIO()
    chat_reply("Unknown team '<!channel>' & <@U1> @here\nsection_end:1:chat_reply\r\x1b[0Kx", out)
    _, body = out.getvalue().split("\n", 1)
    body = body.rsplit("section_end:", 1)[0]
    assert "<" not in body and ">" not in body and "\x1b" not in body and "\r" not in body
    assert "'&lt;!channel&gt;' &amp; &lt;@U1&gt; @\u200bhere" in body
    assert out.getvalue().count("section_end:") == 2  # ours, and the inert echoed text
    assert out.getvalue().count("\r\x1b[0K") == 2  # only ours can be parsed as a section


def test_escaping_happens_before_the_size_limit() -> None:
    out = io.StringIO()
    chat_reply("<" * REPLY_LIMIT_BYTES, out)
    body = out.getvalue().split("\n")[1:-2]
    assert len("\n".join(body).encode()) <= REPLY_LIMIT_BYTES
    assert body[-1].endswith("(shortened; the full reply is in the job log)")


def test_terminal_reply_is_not_escaped() -> None:
    out = io.StringIO()
    chat_reply("Unknown team '<!channel>' & co", out, chat=False)
    assert out.getvalue() == "Unknown team '<!channel>' & co\n"
