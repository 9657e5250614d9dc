"""Golden transcripts (vcrpy) of the GitLab requests each page flow sends.

The cassettes under cassettes/ are the reviewed record of every GitLab request.
A change in what the flow sends (method, path, query or body) fails these tests;
re-record deliberately with CHATOPS_RECORD_CASSETTES=1 and review the diff.
Only GitLab traffic (requests) is recorded; PagerDuty goes to the emulator.
"""

from __future__ import annotations

import io
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import vcr

from chatops.adapters.gitlab import GitLabTracker
from chatops.adapters.pagerduty import PagerDutyPager
from chatops.audit import AuditLog
from chatops.cli.demo import DEMO_CONFIG
from chatops.config import parse_config
from chatops.core.model import Outcome
from chatops.core.request import Requester, build_request
from chatops.page.plan import PagePlan
from chatops.page.runner import PageRunner
from chatops_emulator import Emulator, Fault

CASSETTES = Path(__file__).parent / "cassettes"
NOW = datetime(2026, 11, 26, 14, 30, tzinfo=UTC)
RECORD = os.environ.get("CHATOPS_RECORD_CASSETTES") == "1"


def recorder() -> vcr.VCR:
    """Record GitLab only; match on everything but host and port (they change each run)."""

    def gitlab_only(request: Any) -> Any:
        # Applied when recording, when playing back and when loading the cassette.
        return request if urlsplit(request.uri).path.startswith("/api/v4/") else None

    return vcr.VCR(
        before_record_request=gitlab_only,
        cassette_library_dir=str(CASSETTES),
        record_mode="all" if RECORD else "none",
        match_on=["method", "path", "query", "body"],
        filter_headers=["PRIVATE-TOKEN", "Authorization", "User-Agent"],
        decode_compressed_response=True,
    )


def run_flow(emu: Emulator, message: str, incident: str | None = None) -> Outcome:
    """The page flow in-process with the real adapters and a fixed clock."""
    import tomllib

    config = parse_config(tomllib.loads(DEMO_CONFIG))
    env = emu.env()
    request = build_request("gitaly", message, incident, None, False, list(config.teams))
    who = Requester("sre-alice", "U0DEMOUSER", "C0DEMOCHAN",
                    "https://gitlab.example.com/gitlab-com/gl-infra/chatops/-/jobs/5150",
                    "https://gitlab.example.com", user_id="101")
    plan = PagePlan(config, request, who, lambda: NOW)
    tracker = GitLabTracker(env["GITLAB_URL"], env["GITLAB_TOKEN"], emu.ca_file, config.http,
                            clock=lambda: NOW)
    pager = PagerDutyPager(env["PAGERDUTY_API_URL"], env["PAGERDUTY_EVENTS_URL"],
                           env["PAGERDUTY_API_TOKEN"], emu.ca_file, config.http)
    audit = AuditLog("@sre-alice", io.StringIO(), lambda: NOW)
    result = PageRunner(plan, tracker, pager, env["PAGERDUTY_ROUTING_KEY_GITALY"], audit).run()
    assert result.flow.outcome is not None
    return result.flow.outcome


FLOWS: dict[str, tuple[list[tuple[str, str | None]], int | None, Outcome]] = {
    # name: (runs of (message, --incident), fault on the PagerDuty trigger, last outcome)
    "page_new_issue": ([("praefect is failing over on file-01", None)], None, Outcome.PAGED),
    "page_existing_incident": ([("replication stuck", "gitlab-org/gitaly#42")], None,
                               Outcome.PAGED),
    "page_repeated": ([("praefect is failing over", None), ("praefect is failing over", None)],
                      None, Outcome.ALREADY_PAGED),
    "page_failed": ([("praefect is failing over", None)], 400, Outcome.PAGE_FAILED),
}


@pytest.mark.parametrize("name", sorted(FLOWS))
def test_gitlab_requests_match_the_golden_transcript(name: str) -> None:
    runs, trigger_fault, outcome = FLOWS[name]
    cassette_file = CASSETTES / f"{name}.yaml"
    if not RECORD and not cassette_file.exists():
        pytest.fail(f"missing cassette {cassette_file}: record with CHATOPS_RECORD_CASSETTES=1")
    with Emulator.start() as emu, recorder().use_cassette(f"{name}.yaml") as cassette:
        if trigger_fault:
            emu.add_fault(Fault(service="pd-events", method="POST", path="/v2/enqueue",
                                status=trigger_fault, times=10))
        outcomes = [run_flow(emu, message, incident) for message, incident in runs]
    assert outcomes[-1] is outcome
    assert RECORD or cassette.all_played, "the flow sent fewer GitLab requests than the transcript"
    for secret in emu.secrets():
        assert secret not in cassette_file.read_text(encoding="utf-8")
