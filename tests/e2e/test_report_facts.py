"""The report's requester and drill come from the trigger's structured facts, not its words."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from chatops.adapters import pagerduty_events
from chatops.adapters.pagerduty import PagerDutyPager
from chatops.config import Http
from chatops.core.page_events import Link, PageEvent, PageFacts
from tests.e2e.conftest import Harness

ISSUE = "https://gitlab.example.com/gitlab-org/gitaly/-/issues/{}"


def _page(iid: int, facts: PageFacts) -> PageEvent:
    """A page as the core decides it (issue of the incident project, team Gitaly)."""
    return PageEvent("gitaly", "Gitaly", 2, facts, f"praefect {iid}",
                     f"chatops/gitlab-org/gitaly#{iid}/gitaly", datetime.now(UTC),
                     "https://gitlab.example.com", "15-30 minutes", ISSUE.format(iid),
                     (Link(ISSUE.format(iid), "Incident issue"),), ISSUE.format(iid))


@pytest.mark.parametrize("reworded", [False, True], ids=["as-spelled", "reworded"])
def test_rewording_the_summary_leaves_requester_and_drill_figures_alone(
        harness: Harness, monkeypatch: pytest.MonkeyPatch, reworded: bool) -> None:
    if reworded:  # no requester, no [DRILL]: a wording the old title parsing would misread
        monkeypatch.setattr(pagerduty_events, "summary",
                            lambda page: f"Escalation {page.message} [DRILL] (paged by x "
                                         "via ChatOps)" if not page.drill else page.message)
    env = harness.emu.env()
    pager = PagerDutyPager(env["PAGERDUTY_API_URL"], env["PAGERDUTY_EVENTS_URL"],
                           env["PAGERDUTY_API_TOKEN"], harness.emu.ca_file, Http())
    key = env["PAGERDUTY_ROUTING_KEY_GITALY"]
    pager.trigger(key, _page(1, PageFacts("sre-alice")))
    pager.trigger(key, _page(2, PageFacts("sre-bob", drill=True)))
    pager.trigger(key, _page(3, PageFacts("")))  # an unknown requester stays unknown
    titles = [i.title for i in harness.emu.pagerduty.incident_list]
    if reworded:  # the words did change: the drill unmarked, the others claim a wrong requester
        assert titles[1] == "praefect 2" and "paged by x" in titles[0] + titles[2]
    else:
        assert titles[1].startswith("[DRILL] ") and "(paged by sre-alice " in titles[0]

    job = harness.run("report", "--since", "1d", "--format", "json", CI_PIPELINE_SOURCE=None)
    assert job.returncode == 0, job.stderr
    data = json.loads(job.stdout)
    rows = sorted((r["incident_url"] != "", r["requester"], r["drill"])
                  for r in data["escalations"])
    assert rows == [(True, "", False), (True, "sre-alice", False), (True, "sre-bob", True)]
    assert data["total"]["pages"] == 2 and data["drills"]["pages"] == 1
    assert data["total"]["top_requesters"] == [["sre-alice", 1]]
