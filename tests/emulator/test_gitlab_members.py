"""GitLab membership: private projects, members/all (inherited), scoped labels per tier."""

from __future__ import annotations

from urllib.parse import quote

import pytest
import requests

from chatops_emulator import Emulator
from chatops_emulator.gitlab_members import GUEST, REPORTER
from chatops_emulator.seed import BOT_USER_ID, INCIDENT_PROJECT, REQUESTER_USER_ID

SECRET = "security/embargoed"


def _seed_private(emu: Emulator) -> None:
    state = emu.gitlab
    state.add_group("security", "Security")
    state.add_project(31337, SECRET, "embargoed", visibility="private")
    state.add_member(SECRET, BOT_USER_ID, REPORTER)
    state.add_user(102, "guest-gus", "Gus Guest")
    state.add_member("security", 102, GUEST)  # inherited through the group


def _get(emu: Emulator, path: str, token: str | None = None) -> requests.Response:
    headers = {"PRIVATE-TOKEN": token} if token else {}
    return requests.get(f"{emu.gitlab_url}/api/v4{path}", headers=headers, verify=emu.ca_file,
                        timeout=10)


def test_members_all_answers_inherited_levels_and_404_for_non_members(
        emu: Emulator, glapi: requests.Session) -> None:
    _seed_private(emu)
    base = f"{emu.gitlab_url}/api/v4/projects/{quote(SECRET, safe='')}/members"
    bot = glapi.get(f"{base}/all/{BOT_USER_ID}")
    assert bot.status_code == 200 and bot.json()["access_level"] == REPORTER
    assert bot.json()["username"] == "chatops-bot"
    gus = glapi.get(f"{base}/all/102")
    assert gus.status_code == 200 and gus.json()["access_level"] == GUEST
    assert glapi.get(f"{base}/102").status_code == 404  # not a direct member
    for uid in (REQUESTER_USER_ID, 999999):  # a non-member and nobody: the same answer
        answer = glapi.get(f"{base}/all/{uid}")
        assert (answer.status_code, answer.json()) == (404, {"message": "404 Not found"})
    production = f"{emu.gitlab_url}/api/v4/projects/{quote(INCIDENT_PROJECT, safe='')}"
    alice = glapi.get(f"{production}/members/all/{REQUESTER_USER_ID}")
    assert alice.json()["access_level"] == 30  # Developer of the gitlab-com group
    assert _get(emu, f"/projects/{quote(SECRET, safe='')}/members/all/100").status_code == 401


def test_private_project_is_404_to_non_members_like_a_missing_one(emu: Emulator) -> None:
    _seed_private(emu)
    emu.gitlab.add_user(103, "outsider", "Outsider", token="glpat-outsider-0000")
    emu.gitlab.seed_issue(SECRET, 7, "embargoed", "secret", BOT_USER_ID, (),
                          emu.gitlab.projects[31337].created_at)
    outsider = _get(emu, f"/projects/{quote(SECRET, safe='')}/issues/7", "glpat-outsider-0000")
    missing = _get(emu, f"/projects/{quote('security/nothing', safe='')}/issues/7",
                   "glpat-outsider-0000")
    assert outsider.status_code == missing.status_code == 404
    assert outsider.json() == missing.json() == {"message": "404 Project Not Found"}
    listed = _get(emu, "/issues?scope=all", "glpat-outsider-0000").json()
    assert all(issue["project_id"] != 31337 for issue in listed)
    bot = _get(emu, f"/projects/{quote(SECRET, safe='')}/issues/7", emu.env()["GITLAB_TOKEN"])
    assert bot.status_code == 200


@pytest.mark.parametrize("tier", ["free", "premium"])
def test_scoped_labels_are_exclusive_on_premium_only(tier: str) -> None:
    with Emulator.start(tier=tier) as emu:
        url = (f"{emu.gitlab_url}/api/v4/projects/{quote(INCIDENT_PROJECT, safe='')}/issues")
        session = requests.Session()
        session.headers["PRIVATE-TOKEN"] = emu.env()["GITLAB_TOKEN"]
        session.trust_env = False  # REQUESTS_CA_BUNDLE would override verify=
        session.verify = emu.ca_file
        created = session.post(url, data={"title": "t", "labels":
                                          "escalation::queued,escalation::triggered,x"}).json()
        iid = created["iid"]
        both = ["escalation::queued", "escalation::triggered", "x"]
        assert created["labels"] == (both if tier == "free" else ["escalation::triggered", "x"])
        session.put(f"{url}/{iid}", data={"labels": "escalation::queued,x"})
        added = session.put(f"{url}/{iid}", data={"add_labels": "escalation::acknowledged,"
                                                  "severity::2,team::a::b"}).json()["labels"]
        expected = (["escalation::acknowledged", "escalation::queued", "severity::2",
                     "team::a::b", "x"] if tier == "free" else
                    ["escalation::acknowledged", "severity::2", "team::a::b", "x"])
        assert added == expected
        # Removing, or re-adding a label already there, removes nothing else.
        kept = session.put(f"{url}/{iid}", data={"add_labels": "severity::2",
                                                 "remove_labels": "x"}).json()["labels"]
        assert kept == [lb for lb in expected if lb != "x"]
        events = emu.gitlab.label_events(INCIDENT_PROJECT, iid)
        removed = [e["label"]["name"] for e in events if e["action"] == "remove"]
        assert removed.count("escalation::queued") == (1 if tier == "premium" else 0)
