"""Who may act on which issue: the rule and its one refusal."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest

from chatops.access import authorise
from chatops.audit import AuditLog
from chatops.core import access
from chatops.core.refs import IssueRef
from chatops.errors import NotAllowedError
from tests.unit.fakes import FakeTracker

INCIDENTS = "gitlab-com/gl-infra/production"
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


def audit() -> AuditLog:
    return AuditLog("@sre-alice", io.StringIO(), lambda: NOW)


def test_the_rule() -> None:
    assert not access.needs_role(IssueRef(INCIDENTS, 1), INCIDENTS)
    assert not access.needs_role(IssueRef("GitLab-com/GL-infra/Production", 1), INCIDENTS)
    assert not access.needs_role(IssueRef(None, 1), INCIDENTS)
    assert access.needs_role(IssueRef("security/embargoed", 7), INCIDENTS)
    assert [access.allowed(level) for level in (0, 5, 10, 15, 20, 30, 50)] == [
        False, False, False, False, True, True, True]


def test_refusal_wording_does_not_depend_on_the_issue() -> None:
    one = access.refusal("page", IssueRef("s/e", 7), INCIDENTS, "@eve")
    other = access.refusal("page", IssueRef("s/e", 8), INCIDENTS, "@eve")
    assert one[0].replace("#7", "#8") == other[0] and one[1] == other[1]
    assert one[0].startswith("@eve may not page on s/e#7: ")
    assert access.refusal("cancel", IssueRef("s/e", 7), INCIDENTS, "@eve")[0].startswith(
        "@eve may not cancel the pages of s/e#7")


def test_authorise_asks_membership_only_outside_the_incident_project() -> None:
    tracker = FakeTracker(members={("s/e", 101): 20, ("s/g", 101): 10})
    log = audit()
    assert authorise(tracker, "page", IssueRef(INCIDENTS, 3), INCIDENTS, "", "", log) == ""
    assert tracker.calls == []
    assert authorise(tracker, "page", IssueRef("s/e", 7), INCIDENTS, "101", "alice", log) == ""
    assert tracker.calls == ["members"]
    for ref, uid in ((IssueRef("s/g", 7), "101"), (IssueRef("s/e", 7), "102"),
                     (IssueRef("s/none", 7), "101")):
        with pytest.raises(NotAllowedError) as refused:
            authorise(tracker, "resolve", ref, INCIDENTS, uid, "alice", log)
        assert refused.value.exit_code == 2 and "Reporter role" in refused.value.message
    with pytest.raises(NotAllowedError, match="GITLAB_USER_ID is not set"):
        authorise(tracker, "page", IssueRef("s/e", 7), INCIDENTS, "", "alice", log)
    assert tracker.calls == ["members"] * 4  # no id: GitLab is not even asked


def test_authorise_reports_a_gitlab_failure_instead_of_guessing() -> None:
    tracker = FakeTracker(down=True)
    problem = authorise(tracker, "page", IssueRef("s/e", 7), INCIDENTS, "101", "alice", audit())
    assert problem.startswith("could not check @alice's role in s/e: ")


def test_the_page_flow_without_a_requester_id_asks_and_sends_nothing() -> None:
    from chatops.core.model import Issue
    from tests.unit.fakes import FakePager
    from tests.unit.test_page_runner import CONFIG, WHO, run

    secret = Issue("s/e", 7, "https://gl/s/e/-/issues/7", "t", "opened", ())
    tracker, pager = FakeTracker(issues={("s/e", 7): secret}), FakePager()
    with pytest.raises(NotAllowedError):
        run(tracker, pager, incident="s/e#7")
    assert tracker.calls == [] and pager.events == []  # no user id: nothing asked or sent
    assert WHO.user_id == "" and CONFIG.incident_project == INCIDENTS


def test_runner_with_a_member_and_with_gitlab_down() -> None:
    from dataclasses import replace

    from chatops.core.model import Issue, Outcome
    from chatops.core.request import build_request
    from chatops.page.plan import PagePlan
    from chatops.page.runner import PageRunner
    from tests.unit.fakes import FakePager
    from tests.unit.test_page_runner import CONFIG, WHO

    secret = Issue("s/e", 7, "https://gl/s/e/-/issues/7", "t", "opened", ())

    def page(tracker: FakeTracker, pager: FakePager) -> Outcome | None:
        request = build_request("gitaly", "down", "s/e#7", None, False, ["gitaly"])
        plan = PagePlan(CONFIG, request, replace(WHO, user_id="101"), lambda: NOW)
        return PageRunner(plan, tracker, pager, "rk", audit()).run().flow.outcome

    member = FakeTracker(issues={("s/e", 7): secret}, members={("s/e", 101): 30})
    assert page(member, FakePager()) is Outcome.PAGED
    assert member.calls[:2] == ["members", "get"]
    outsider = FakeTracker(issues={("s/e", 7): secret})
    pager = FakePager()
    with pytest.raises(NotAllowedError):
        page(outsider, pager)
    assert outsider.calls == ["members"] and pager.events == []
    down, pager = FakeTracker(down=True), FakePager()
    assert page(down, pager) is Outcome.PAGED_WITHOUT_ISSUE
    assert down.calls == ["members"] and len(pager.events) == 1  # the issue never read


def test_refusal_texts_are_exact() -> None:
    """The words a refused requester reads, per verb (the hint differs for page)."""
    assert access.refusal("page", IssueRef("s/e", 7), INCIDENTS, "@eve") == (
        "@eve may not page on s/e#7: outside the incident project "
        "(gitlab-com/gl-infra/production) chatops acts only for people with at least the "
        "Reporter role in the issue's project, and GitLab does not list @eve with that role "
        "in s/e (or there is no such project).",
        "Nothing was changed. Page without --incident (chatops opens the incident issue in "
        "gitlab-com/gl-infra/production), or ask a Maintainer of s/e for the Reporter role.")
    assert access.refusal("status", IssueRef(None, 3), INCIDENTS, "@eve") == (
        "@eve may not read the pages of gitlab-com/gl-infra/production#3: outside the "
        "incident project (gitlab-com/gl-infra/production) chatops acts only for people with "
        "at least the Reporter role in the issue's project, and GitLab does not list @eve "
        "with that role in gitlab-com/gl-infra/production (or there is no such project).",
        "Nothing was changed. Ask a Maintainer of gitlab-com/gl-infra/production for the "
        "Reporter role.")
    assert access.refusal("resolve", IssueRef("s/e", 7), INCIDENTS, "@eve")[0].startswith(
        "@eve may not resolve the pages of s/e#7: ")
    assert access.refusal("reopen", IssueRef("s/e", 7), INCIDENTS, "@eve")[0].startswith(
        "@eve may not reopen s/e#7: ")


def test_unknown_requester_texts_are_exact() -> None:
    assert access.unknown_requester("page", IssueRef("s/e", 7), INCIDENTS) == (
        "chatops may not page on s/e#7: outside the incident project "
        "(gitlab-com/gl-infra/production) it needs to know who asks, and GITLAB_USER_ID is "
        "not set.",
        "Nothing was changed. Run it from ChatOps (GitLab sets GITLAB_USER_ID) or set "
        "GITLAB_USER_ID to your GitLab user id, or page without --incident.")
    assert access.unknown_requester("cancel", IssueRef(None, 2), INCIDENTS) == (
        "chatops may not cancel the pages of gitlab-com/gl-infra/production#2: outside the "
        "incident project (gitlab-com/gl-infra/production) it needs to know who asks, and "
        "GITLAB_USER_ID is not set.",
        "Nothing was changed. Run it from ChatOps (GitLab sets GITLAB_USER_ID) or set "
        "GITLAB_USER_ID to your GitLab user id.")
