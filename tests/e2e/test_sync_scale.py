"""Sync at scale (issue #11) and against the real services' modes (issue #9 items 2, 6, 7).

Escalations are seeded by the real page path (PagePlan/PageRunner with the real
adapters, in-process for speed), so issues carry real request markers and
PagerDuty real request dedup keys - more than one page of each listing.
"""

from __future__ import annotations

import io
import tomllib
from datetime import UTC, datetime, timedelta
from functools import partial

import requests

from chatops.adapters.gitlab import GitLabTracker
from chatops.adapters.pagerduty_desk import PagerDutyDesk
from chatops.audit import AuditLog
from chatops.config import parse_config
from chatops.core.cursor import SyncState, render_state
from chatops.core.labels import ACKNOWLEDGED, RESOLVED, SYNC_STATE, TRIGGERED
from chatops.core.model import marker
from chatops.core.request import Requester, build_request
from chatops.page.plan import PagePlan
from chatops.page.runner import PageRunner
from chatops_emulator.core import set_clock_offset
from chatops_emulator.gitlab_issue_writes import update_issue
from chatops_emulator.seed import ROUTING_KEY_GITALY
from tests.e2e.conftest import Harness

PROJECT = "gitlab-com/gl-infra/production"
KEYS = {"gitaly": ROUTING_KEY_GITALY}


def shifted_now(offset: timedelta) -> datetime:
    """The current time moved by offset (pages seeded in the past)."""
    return datetime.now(UTC) + offset


def page_in_process(harness: Harness, count: int, start: int = 0,
                    spread: timedelta = timedelta(0)) -> None:
    """`count` real pages to Gitaly, through the same code as `chatops page`.

    With `spread`, the pages arrive evenly over that much of the past (the emulated
    services' clock is shifted while seeding), as real pages do.
    """
    env = harness.emu.env()
    config = parse_config(tomllib.loads(harness.config.read_text()))
    tracker = GitLabTracker(env["GITLAB_URL"], env["GITLAB_TOKEN"], harness.emu.ca_file,
                            config.http)
    pager = PagerDutyDesk(env["PAGERDUTY_API_URL"], env["PAGERDUTY_EVENTS_URL"],
                          env["PAGERDUTY_API_TOKEN"], harness.emu.ca_file, config.http)
    for n in range(start, start + count):
        offset = -spread * (start + count - n) / count
        set_clock_offset(offset)
        team = "gitaly"  # the emulator's Database policy has nobody on call
        request = build_request(team, f"replication lag on file-{n:04d}", None, None, False,
                                list(config.teams))
        who = Requester("sre-alice", "U0", "C0", "", env["GITLAB_URL"])
        plan = PagePlan(config, request, who, partial(shifted_now, offset))
        try:
            result = PageRunner(plan, tracker, pager, KEYS[team],
                                AuditLog("t", io.StringIO())).run()
        finally:
            set_clock_offset(timedelta(0))
        assert result.flow.outcome is not None and result.flow.outcome.value == "paged"


def requests_made(harness: Harness) -> list[str]:
    return [f"{r.method} {r.path}" for r in harness.emu.requests]


def test_sync_cost_follows_change_past_one_page_of_everything(harness: Harness) -> None:
    count = 130  # more than one page of every listing; all inside the 60-minute window
    page_in_process(harness, count, spread=timedelta(minutes=50))
    harness.emu.clear_requests()
    first = harness.run("sync")
    assert first.returncode == 0, first.stdout[-3000:]
    assert f"incidents={count}" in first.result and "problems=0" in first.result
    assert len(harness.emu.requests) <= 3 * count + 10, len(harness.emu.requests)
    for issue in harness.issues():  # every issue was found: each has its notify note
        assert any("**Notified**" in n["body"] for n in harness.notes(issue["iid"])), issue
    harness.emu.clear_requests()
    quiet = harness.run("sync")  # every log entry is still inside the 60-minute window
    assert quiet.returncode == 0 and "incidents=0" in quiet.result, quiet.stdout
    assert len(harness.emu.requests) <= 12, requests_made(harness)
    incidents = harness.emu.pagerduty.incidents
    for incident in incidents[:3]:
        harness.emu.pagerduty.acknowledge(incident["id"], "PUSRADA")
    harness.emu.clear_requests()
    busy = harness.run("sync")
    assert "incidents=3" in busy.result and "labels_changed=3" in busy.result, busy.stdout
    assert len(harness.emu.requests) <= 12 + 5 * 3, requests_made(harness)


def test_a_repeated_request_finds_its_issue_past_the_newest_100(harness: Harness) -> None:
    page_in_process(harness, 1)  # the request repeated below: the oldest issue
    page_in_process(harness, 110, start=1)
    job = harness.page("gitaly replication lag on file-0000")
    assert job.result == "RESULT outcome=already-paged", job.stdout
    assert len(harness.issues()) == 111  # no duplicate issue


def test_sync_state_is_trusted_only_from_a_chatops_bot(harness: Harness) -> None:
    page_in_process(harness, 2)
    assert harness.run("sync").returncode == 0
    # Someone else opens an issue with the state label and a cursor far in the future:
    # it must not make sync skip anything.
    future = render_state(SyncState(cursor=datetime.now(UTC) + timedelta(days=30)))
    harness.emu.gitlab.seed_issue(PROJECT, 900, "fake state", future, 101,
                                  (SYNC_STATE,), datetime.now(UTC) - timedelta(days=1))
    incident = harness.emu.pagerduty.incidents[0]
    harness.emu.pagerduty.acknowledge(incident["id"], "PUSRADA")
    job = harness.run("sync")
    assert "labels_changed=1" in job.result, job.stdout


def test_a_page_resolved_while_sync_was_down_is_caught_up_outside_the_incident_project(
        harness: Harness) -> None:
    job = harness.page("gitaly --incident gitlab-org/gitaly#42 praefect flaps")
    assert job.result == "RESULT outcome=paged", job.stdout
    assert harness.run("sync").returncode == 0
    (incident,) = harness.emu.pagerduty.incidents
    # Sync stops for hours; meanwhile the page is resolved (outside any 60-minute window).
    state = harness.sync_state()
    down_since = datetime.now(UTC) - timedelta(hours=4)
    gitlab = harness.emu.gitlab
    project = gitlab.project(PROJECT)
    update_issue(gitlab, project, project.issues[state["iid"]], gitlab.users[100],
                 {"description": render_state(SyncState(cursor=down_since))})
    harness.emu.pagerduty.resolve(incident["id"], "PUSRADA",
                                  at=down_since + timedelta(hours=1))
    caught = harness.run("sync")
    assert caught.result.startswith("RESULT outcome=ok"), caught.stdout
    labels = harness.emu.gitlab.issue("gitlab-org/gitaly", 42)["labels"]
    assert RESOLVED in labels and TRIGGERED not in labels


def test_grouped_incidents_without_a_key_are_followed_by_alert_keys(harness: Harness) -> None:
    harness.emu.pagerduty.grouping = "time"  # keyless incidents; new alerts join them
    first = harness.page("gitaly praefect is failing over on file-01")
    second = harness.page("gitaly and file-02 too")
    assert first.result == second.result == "RESULT outcome=paged"
    (incident,) = harness.emu.pagerduty.incidents  # the second page joined the first
    assert incident["incident_key"] is None
    issues = harness.issues()
    assert len(issues) == 2
    for issue in issues:  # the incident id is on each issue as soon as it is known
        assert any(f"incident={incident['id']}" in n["body"] for n in harness.notes(issue["iid"]))
    harness.emu.pagerduty.acknowledge(incident["id"], "PUSRGRC")
    job = harness.run("sync")
    assert job.returncode == 0 and "problems=0" in job.result, job.stdout
    for issue in harness.issues():
        assert ACKNOWLEDGED in issue["labels"], issue["labels"]
        assert any("**Acknowledged** by Grace Hopper" in n["body"]
                   for n in harness.notes(issue["iid"]))
    listing = harness.run("escalation", chat_input="list")
    assert listing.returncode == 0 and f"#{incident['incident_number']}" in listing.stdout
    assert any(issue["web_url"] in listing.stdout for issue in issues), listing.stdout
    harness.emu.pagerduty.resolve(incident["id"], "PUSRGRC")
    payload = harness.tmp / "payload.json"
    payload.write_text(__import__("json").dumps(harness.emu.pagerduty.webhook_payload(
        incident["id"], "incident.resolved")))
    hook = harness.run("webhook", TRIGGER_PAYLOAD=str(payload))
    assert hook.returncode == 0, hook.stdout
    for issue in harness.issues():
        assert RESOLVED in issue["labels"]


def test_grouped_incident_of_another_service_is_never_read(harness: Harness) -> None:
    pd = harness.emu.pagerduty
    pd.grouping = "keyless"
    pd.add_policy("POTHER1", "Another team")
    pd.add_service("PSVCOTH", "Other", "POTHER1", "R0ut1ngKeyOther00000000000000003")
    foreign = pd.trigger("PSVCOTH", "not ours", dedup_key="chatops/gitlab-org/gitaly#42/gitaly")
    pd.acknowledge(foreign["id"], "PUSRADA")
    job = harness.run("sync")
    assert job.returncode == 0 and "incidents=0" in job.result, job.stdout
    assert not any(f"/incidents/{foreign['id']}/alerts" in r for r in requests_made(harness))


def test_a_replaced_token_keeps_the_history(harness: Harness) -> None:
    page_in_process(harness, 2)
    assert harness.run("sync").returncode == 0
    # The project access token is replaced: a new bot user with a new token.
    new_token = "glpat-emulator-second-bot-7e1b"
    harness.emu.gitlab.add_user(102, "project_7_bot_2", "ChatOps Bot 2", token=new_token,
                                bot=True)
    harness.emu.gitlab.add_member(PROJECT, 102, 20)  # Reporter, like the replaced token
    incident = harness.emu.pagerduty.incidents[0]
    harness.emu.pagerduty.acknowledge(incident["id"], "PUSRADA")
    untrusting = harness.run("sync", GITLAB_TOKEN=new_token)
    # Without the earlier bot listed, its markers are not trusted: nothing is touched.
    assert untrusting.returncode == 1 and "PROBLEM" in untrusting.stdout, untrusting.stdout
    assert ACKNOWLEDGED not in harness.issues()[0]["labels"]
    # The earlier bot is listed (top level, before any table).
    harness.config.write_text('bot_usernames = ["chatops-bot"]\n' + harness.config.read_text())
    job = harness.run("sync", GITLAB_TOKEN=new_token)
    assert job.returncode == 0 and "labels_changed=1" in job.result, job.stdout
    again = harness.page("gitaly replication lag on file-0000", GITLAB_TOKEN=new_token)
    assert again.result == "RESULT outcome=already-paged", again.stdout
    assert len(harness.issues()) == 2


def post_note(harness: Harness, token: str, body: str) -> None:
    response = requests.post(
        f"{harness.emu.gitlab_url}/api/v4/projects/gitlab-org%2Fgitaly/issues/42/notes",
        headers={"PRIVATE-TOKEN": token}, json={"body": body}, verify=harness.emu.ca_file,
        timeout=10)
    assert response.status_code == 201, response.text


def test_markers_count_only_from_listed_bots_and_the_tokens_own_user(harness: Harness) -> None:
    key = "chatops/gitlab-org/gitaly#42/gitaly"
    body = marker("paged", team="gitaly", dedup_key=key, at="2026-01-01T00:00:00Z", job="-")
    harness.emu.gitlab.add_user(103, "mallory", "Mallory", token="glpat-mallory-0001")
    post_note(harness, "glpat-mallory-0001", body)  # a person copies a marker
    harness.config.write_text('bot_usernames = ["old-bot"]\n' + harness.config.read_text())
    incident = harness.emu.pagerduty.trigger("PSVCGIT", "x", dedup_key=key)
    harness.emu.pagerduty.acknowledge(incident["id"], "PUSRADA")
    refused = harness.run("sync")
    assert refused.returncode == 1 and "records no page" in refused.stdout, refused.stdout
    post_note(harness, harness.emu.env()["GITLAB_TOKEN"], body)  # the token's own user
    harness.emu.pagerduty.annotate(incident["id"], "PUSRADA", "looking")
    job = harness.run("sync")
    assert job.returncode == 0 and "labels_changed=1" in job.result, job.stdout
