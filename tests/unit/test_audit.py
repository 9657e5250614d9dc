"""The audit trail keeps structured records; the job log shows them as today's lines."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from chatops.audit import AuditLog, AuditRecord
from chatops.errors import register_secret
from chatops.page.job import page_sent

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


def audit() -> tuple[AuditLog, io.StringIO]:
    out = io.StringIO()
    return AuditLog("@sre-alice", out, lambda: NOW), out


def test_a_record_keeps_its_fields_and_prints_its_line() -> None:
    log, out = audit()
    log.record("trigger-page", "pagerduty:gitaly:chatops/g/p#7/gitaly", "FAILED",
               "POST /v2/enqueue answered 503\n  try again")
    (record,) = log.records
    assert record == AuditRecord(NOW, "@sre-alice", "trigger-page",
                                 "pagerduty:gitaly:chatops/g/p#7/gitaly", "FAILED",
                                 "POST /v2/enqueue answered 503 try again")
    line = ("AUDIT 2026-11-26T10:00:00.000Z actor=@sre-alice action=trigger-page "
            "target=pagerduty:gitaly:chatops/g/p#7/gitaly outcome=FAILED "
            "detail=POST /v2/enqueue answered 503 try again")
    assert record.line == line and log.lines == [line] and out.getvalue() == line + "\n"


def test_a_line_without_detail_ends_at_the_outcome() -> None:
    log, out = audit()
    log.record("open-issue", "https://gl/g/p/-/issues/7", "ok")
    assert out.getvalue() == ("AUDIT 2026-11-26T10:00:00.000Z actor=@sre-alice "
                              "action=open-issue target=https://gl/g/p/-/issues/7 outcome=ok\n")
    assert log.records[0].detail == ""


def test_records_hold_no_secret_and_details_are_cut_at_400() -> None:
    register_secret("glpat-AUDITSECRET9876")
    log, out = audit()
    log.record("load-issue", "https://gl/x?private_token=abc", "error",
               "token glpat-AUDITSECRET9876 refused " + "x" * 500)
    (record,) = log.records
    assert "glpat-AUDITSECRET" not in repr(record) and "glpat-AUDITSECRET" not in out.getvalue()
    assert record.target == "https://gl/x?private_token=[redacted]"
    assert record.detail.endswith("x") and len(record.detail) < 400


def test_the_page_went_out_only_when_the_trigger_was_accepted() -> None:
    log, _ = audit()
    assert not page_sent(log)
    log.record("trigger-page", "pagerduty:gitaly:k", "FAILED", "503")
    log.record("find-incident", "pagerduty:incident_key=k", "ok",
               "see action=trigger-page outcome=ok")  # the text is never parsed
    assert not page_sent(log) and log.happened("find-incident")
    log.record("trigger-page", "pagerduty:gitaly:k", "ok")
    assert page_sent(log) and not log.happened("trigger-page", "error")
