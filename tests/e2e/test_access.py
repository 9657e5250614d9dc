"""Who may act on which issue (issue 10): Reporter or more in the issue's project."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chatops.core.labels import TRIGGERED
from chatops_emulator.gitlab_members import GUEST, REPORTER
from chatops_emulator.seed import BOT_USER_ID, REQUESTER_USER_ID
from tests.e2e.conftest import Harness

SECRET = "security/embargoed"


def seed_embargoed(harness: Harness) -> None:
    """A private project the bot may write to and the requester is not a member of."""
    state = harness.emu.gitlab
    state.add_group("security", "Security")
    state.add_project(31337, SECRET, "embargoed", visibility="private")
    state.add_member(SECRET, BOT_USER_ID, REPORTER)
    state.seed_issue(SECRET, 7, "Embargoed vulnerability", "Do not disclose.", BOT_USER_ID,
                     ("security",), datetime.now(UTC) - timedelta(days=1))


def gitlab_paths(harness: Harness) -> list[str]:
    return [f"{r.method} {r.path}" for r in harness.emu.requests if r.service == "gitlab"]


def untouched(harness: Harness) -> None:
    issue = harness.emu.gitlab.issue(SECRET, 7)
    assert issue["labels"] == ["security"]
    assert harness.emu.gitlab.notes(SECRET, 7) == []
    assert harness.emu.gitlab.label_events(SECRET, 7) == []
    assert harness.emu.pagerduty.events == []


def test_non_member_cannot_page_on_an_embargoed_issue_nor_learn_it_exists(
        harness: Harness) -> None:
    seed_embargoed(harness)
    replies, requests = [], []
    for iid in (7, 8):  # 8 does not exist
        harness.emu.clear_requests()
        job = harness.page(f"gitaly --incident {SECRET}#{iid} please look")
        assert job.result == "RESULT outcome=refused error=NotAllowedError", job.stdout
        replies.append(job.reply.replace(f"#{iid}", "#N"))
        requests.append(gitlab_paths(harness))
        untouched(harness)
    assert replies[0] == replies[1]
    assert replies[0].startswith("NOT PAGED: @sre-alice may not page on security/embargoed#N")
    assert "Reporter role" in replies[0] and "Nothing was changed" in replies[0]
    # Membership is asked first, and nothing else: the issue is never read.
    assert requests[0] == requests[1] == [
        f"GET /api/v4/projects/security%2Fembargoed/members/all/{REQUESTER_USER_ID}"]


def test_guest_is_refused_and_inherited_reporter_may_page(harness: Harness) -> None:
    seed_embargoed(harness)
    harness.emu.gitlab.add_member(SECRET, REQUESTER_USER_ID, GUEST)
    job = harness.page(f"gitaly --incident {SECRET}#7 please look")
    assert job.result == "RESULT outcome=refused error=NotAllowedError"
    untouched(harness)
    harness.emu.gitlab.add_member("security", REQUESTER_USER_ID, REPORTER)  # via the group
    job = harness.page(f"gitaly --incident {SECRET}#7 please look")
    assert job.result == "RESULT outcome=paged", job.stdout
    assert TRIGGERED in harness.emu.gitlab.issue(SECRET, 7)["labels"]


def test_without_gitlab_user_id_only_the_incident_project_is_open(harness: Harness) -> None:
    seed_embargoed(harness)
    harness.emu.gitlab.add_member(SECRET, REQUESTER_USER_ID, REPORTER)
    job = harness.page(f"gitaly --incident {SECRET}#7 please look", GITLAB_USER_ID=None)
    assert job.result == "RESULT outcome=refused error=NotAllowedError"
    assert "GITLAB_USER_ID is not set" in job.reply
    untouched(harness)
    inside = harness.page("gitaly praefect down", GITLAB_USER_ID=None)
    assert inside.result == "RESULT outcome=paged"
    assert not any(" action=authorise " in line for line in inside.audit)


def test_non_member_cannot_resolve_cancel_or_read_status(harness: Harness) -> None:
    seed_embargoed(harness)
    for verb in ("resolve", "cancel", "status"):
        replies = []
        for iid in (7, 8):
            harness.emu.clear_requests()
            job = harness.run("escalation", chat_input=f"{verb} {SECRET}#{iid} done")
            assert "error=NotAllowedError" in job.result, job.stdout
            replies.append(job.reply.replace(f"#{iid}", "#N"))
            assert gitlab_paths(harness) == [
                f"GET /api/v4/projects/security%2Fembargoed/members/all/{REQUESTER_USER_ID}"]
            assert [r for r in harness.emu.requests if r.service != "gitlab"] == []
            untouched(harness)
        assert replies[0] == replies[1]
        assert replies[0].startswith("NOTHING CHANGED: @sre-alice may not ")


def test_list_hides_escalations_of_projects_the_requester_cannot_read(harness: Harness) -> None:
    """An embargoed issue's escalation (its title carries the message) shows only to a
    Reporter of its project; the list says how many it left out, and asks once per project."""
    seed_embargoed(harness)
    harness.emu.gitlab.add_member(SECRET, REQUESTER_USER_ID, REPORTER)
    assert harness.page(f"gitaly --incident {SECRET}#7 embargoed CVE").result == (
        "RESULT outcome=paged")
    harness.page("gitaly praefect down", CI_PIPELINE_ID="2002")
    harness.emu.gitlab.add_member(SECRET, REQUESTER_USER_ID, GUEST)  # now only a Guest
    harness.emu.clear_requests()
    job = harness.run("escalation", chat_input="list")
    assert job.reply.startswith("Open escalations, oldest first (1):"), job.stdout
    assert "embargoed" not in job.reply and "security" not in job.reply
    assert ("1 other open escalation is not shown: its issue is in projects where you do not "
            "have the Reporter role.") in job.reply
    assert gitlab_paths(harness).count(
        f"GET /api/v4/projects/security%2Fembargoed/members/all/{REQUESTER_USER_ID}") == 1
    harness.emu.gitlab.add_member(SECRET, REQUESTER_USER_ID, REPORTER)
    shown = harness.run("escalation", chat_input="list")
    assert shown.reply.startswith("Open escalations, oldest first (2):")
    assert f"{SECRET}/-/issues/7" in shown.reply and "not shown" not in shown.reply
    alone = harness.run("escalation", chat_input="list", GITLAB_USER_ID=None)
    assert alone.reply.startswith("Open escalations, oldest first (1):")
    assert "chatops cannot check your role (GITLAB_USER_ID is not set" in alone.reply


def test_list_hides_a_request_key_of_a_project_the_requester_cannot_read(
        harness: Harness) -> None:
    """A request key (no issue number) names its project too: outside the incident
    project it shows only to a Reporter there, like an issue key."""
    seed_embargoed(harness)
    harness.emu.pagerduty.trigger("PSVCGIT", "[Gitaly] S2: embargoed CVE",
                                  dedup_key=f"chatops/{SECRET}/gitaly/0123456789abcdef")
    job = harness.run("escalation", chat_input="list")
    assert "embargoed" not in job.reply, job.stdout
    assert "1 other open escalation is not shown" in job.reply
    harness.emu.gitlab.add_member(SECRET, REQUESTER_USER_ID, REPORTER)
    shown = harness.run("escalation", chat_input="list")
    assert shown.reply.startswith("Open escalations, oldest first (1):"), shown.stdout
    assert f"chatops/{SECRET}/gitaly/" in shown.reply and "not shown" not in shown.reply
