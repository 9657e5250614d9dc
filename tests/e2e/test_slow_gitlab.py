"""A slow or failing GitLab: the page keeps its promise (issue #11).

The harness config gives each request 2 s and everything before the page 2.5 s;
these tests give the writes after the page 10 s. GitLab answers every request
after DELAY seconds (Fault without a status: the real answer, late).
"""

from __future__ import annotations

from chatops.core.labels import TRIGGERED
from chatops_emulator import Fault
from tests.e2e.conftest import Harness

MESSAGE = "gitaly praefect is failing over on file-01"
ISSUES = r"/api/v4/projects/[^/]+/issues$"
LOOKUP_BUDGET = 2.5
OVERHEAD = 0.6  # one trigger request, thread start-up, a loaded machine


def _slow_gitlab(harness: Harness, delay: float) -> None:
    """Every GitLab request answers after delay seconds; a longer write budget."""
    text = harness.config.read_text(encoding="utf-8")
    harness.config.write_text(text.replace("gitlab_budget_seconds = 4",
                                           "gitlab_budget_seconds = 10"), encoding="utf-8")
    harness.emu.add_fault(Fault(service="gitlab", method="*", path=".", status=None,
                                times=1000, delay=delay))


def _trigger_delay(harness: Harness) -> float:
    """Seconds from the job's first request to the trigger."""
    first = min(r.started for r in harness.emu.requests)
    (trigger,) = harness.sent("pd-events", "POST")
    return float(trigger.started - first)


def _incident_notes(harness: Harness) -> list[str]:
    """Contents of the notes on the one PagerDuty incident."""
    pd = harness.emu.pagerduty
    with pd.lock:
        (incident,) = pd.incident_list
        return [note.content for note in incident.notes]


def test_slow_gitlab_new_issue_pages_within_the_budget_then_opens_the_issue(
        harness: Harness) -> None:
    _slow_gitlab(harness, delay=1.8)  # search 1.8 s, then the create cannot finish in time
    job = harness.page(MESSAGE, PAGERDUTY_FROM_EMAIL="grace@example.com")
    assert _trigger_delay(harness) <= LOOKUP_BUDGET + OVERHEAD
    assert job.result == "RESULT outcome=paged", job.stdout
    assert "the page went out first and the issue was opened or found after it" in job.reply
    (issue,) = harness.issues()  # the unfinished create was looked for, not repeated
    assert len([r for r in harness.sent("gitlab", "POST") if r.path.endswith("/issues")]) == 1
    assert TRIGGERED in issue["labels"]
    assert issue["web_url"] in job.reply
    (note,) = harness.notes(issue["iid"])
    assert "Paged Gitaly" in note["body"]
    (event,) = harness.emu.pagerduty.events
    assert issue["web_url"] not in str(event)  # the trigger could not link it ...
    assert [issue["web_url"] in n for n in _incident_notes(harness)] == [True]  # ... the note does
    assert any(" action=link-issue " in line and "outcome=ok" in line for line in job.audit)


def test_slow_gitlab_incident_option_pages_within_the_budget_then_updates_the_issue(
        harness: Harness) -> None:
    _slow_gitlab(harness, delay=1.4)  # issue 1.4 s, /user and notes cannot finish in time
    job = harness.page("gitaly --incident gitlab-org/gitaly#42 replication stuck")
    assert _trigger_delay(harness) <= LOOKUP_BUDGET + OVERHEAD
    assert job.result == "RESULT outcome=paged", job.stdout
    assert "the page went out first and the issue was updated after it" in job.reply
    issue = next(i for i in harness.emu.gitlab.issues("gitlab-org/gitaly") if i["iid"] == 42)
    assert TRIGGERED in issue["labels"]
    assert any("Paged Gitaly" in n["body"] for n in harness.notes(42, "gitlab-org/gitaly"))
    assert harness.sent("pd-rest", "POST") == []  # the trigger already linked the issue


def test_short_retry_after_on_the_create_is_honoured_before_the_page(harness: Harness) -> None:
    text = harness.config.read_text(encoding="utf-8")  # the default look-up budget, 6 s
    harness.config.write_text(text.replace("lookup_budget_seconds = 2.5",
                                           "lookup_budget_seconds = 6"), encoding="utf-8")
    harness.emu.add_fault(Fault(service="gitlab", method="POST", path=ISSUES, status=429,
                                times=1, retry_after=1))
    job = harness.page(MESSAGE)
    assert job.result == "RESULT outcome=paged", job.stdout
    first, second = [r for r in harness.sent("gitlab", "POST") if r.path.endswith("/issues")]
    assert second.started - first.finished >= 0.95
    (issue,) = harness.issues()
    (event,) = harness.emu.pagerduty.events
    assert issue["web_url"] in [link["href"] for link in event["links"]]  # linked by the page
    assert "went out first" not in job.reply


def test_gitlab_failing_before_and_after_the_page_says_the_issue_is_still_missing(
        harness: Harness) -> None:
    harness.emu.add_fault(Fault(service="gitlab", method="*", path=".", status=503,
                                times=1000))
    job = harness.page(MESSAGE)
    assert job.result == "RESULT outcome=paged-without-issue"
    assert "GitLab failed again after the page" in job.reply
    assert "re-run the same command" in job.reply
    assert harness.sent("gitlab", "POST") == []  # never a create after a failed look-up
    assert len(harness.emu.pagerduty.events) == 1


def test_create_answered_too_late_is_found_after_the_page_not_created_twice(
        harness: Harness) -> None:
    text = harness.config.read_text(encoding="utf-8")
    harness.config.write_text(text.replace("gitlab_budget_seconds = 4",
                                           "gitlab_budget_seconds = 10"), encoding="utf-8")
    harness.emu.add_fault(Fault(service="gitlab", method="POST", path=ISSUES, status=None,
                                times=1, delay=4))  # created, but the answer comes too late
    job = harness.page(MESSAGE, PAGERDUTY_FROM_EMAIL="grace@example.com")
    assert job.result == "RESULT outcome=paged", job.stdout
    assert _trigger_delay(harness) <= LOOKUP_BUDGET + OVERHEAD
    (issue,) = harness.issues()
    assert len([r for r in harness.sent("gitlab", "POST") if r.path.endswith("/issues")]) == 1
    assert TRIGGERED in issue["labels"] and issue["web_url"] in job.reply
    assert [issue["web_url"] in n for n in _incident_notes(harness)] == [True]


def test_late_issue_without_a_pagerduty_user_says_the_incident_does_not_link_it(
        harness: Harness) -> None:
    harness.emu.add_fault(Fault(service="gitlab", method="POST", path=ISSUES, status=None,
                                times=1, delay=4))
    job = harness.page(MESSAGE)
    assert job.result == "RESULT outcome=paged", job.stdout
    assert "The PagerDuty incident does not link this issue" in job.reply
    assert "PAGERDUTY_FROM_EMAIL" in job.reply
    assert _incident_notes(harness) == []
