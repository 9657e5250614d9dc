"""GitLab issue lists: labels (AND), not[labels], scope and the global GET /issues."""

from __future__ import annotations

import requests

from chatops_emulator import Emulator

API = "/api/v4/projects/gitlab-com%2Fgl-infra%2Fproduction/issues"


def _titles(response: requests.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [issue["title"] for issue in response.json()]


def _seed(emu: Emulator, glapi: requests.Session) -> None:
    for title, labels in (("both", "incident,escalation::triggered"),
                          ("only incident", "incident"),
                          ("acked", "incident,escalation::acknowledged")):
        created = glapi.post(f"{emu.gitlab_url}{API}", json={"title": title, "labels": labels})
        assert created.status_code == 201


def test_project_list_label_filters(emu: Emulator, glapi: requests.Session) -> None:
    _seed(emu, glapi)
    url = f"{emu.gitlab_url}{API}"
    assert _titles(glapi.get(url, params={"labels": "incident,escalation::triggered"})) == [
        "both"]
    assert _titles(glapi.get(url, params={"labels": "incident",
                                          "not[labels]": "escalation::acknowledged"})) == [
        "only incident", "both"]
    assert _titles(glapi.get(url, params={"not[labels]": "escalation::triggered,"
                                                         "escalation::acknowledged"})) == [
        "only incident"]
    mine = glapi.get(url, params={"scope": "created_by_me", "state": "opened",
                                  "labels": "incident", "per_page": "20"})
    assert _titles(mine) == ["acked", "only incident", "both"]
    link = glapi.get(url, params={"not[labels]": "incident", "per_page": "1"}).headers["Link"]
    assert "not%5Blabels%5D=incident" in link


def test_global_issues_default_to_created_by_me(emu: Emulator,
                                                glapi: requests.Session) -> None:
    _seed(emu, glapi)
    url = f"{emu.gitlab_url}/api/v4/issues"
    mine = glapi.get(url)
    assert _titles(mine) == ["acked", "only incident", "both"]  # not alice's gitaly#42
    assert mine.headers["X-Total"] == "3"
    assert {i["project_id"] for i in mine.json()} == {7}
    every = _titles(glapi.get(url, params={"scope": "all"}))
    assert "Gitaly latency spike" in every and len(every) == 4
    filtered = glapi.get(url, params={"scope": "all", "labels": "incident",
                                      "not[labels]": "escalation::triggered",
                                      "state": "opened"})
    assert _titles(filtered) == ["acked", "only incident"]
    assert _titles(glapi.get(url, params={"state": "closed"})) == []
    anonymous = requests.Session()
    anonymous.trust_env, anonymous.verify = False, emu.ca_file
    denied = anonymous.get(url)
    assert (denied.status_code, denied.json()) == (401, {"message": "401 Unauthorized"})
    public = anonymous.get(url, params={"scope": "all"})
    assert _titles(public) == ["Gitaly latency spike"]  # the private project stays hidden
    assert glapi.get(url, params={"scope": "mine"}).status_code == 400
