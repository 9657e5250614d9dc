"""GitLab REST v4 emulation exercised with python-gitlab and plain requests."""

from __future__ import annotations

import re
from typing import Any

import gitlab
import pytest
import requests

from chatops_emulator import Emulator

PRODUCTION = "gitlab-com/gl-infra/production"
API = "/api/v4/projects/gitlab-com%2Fgl-infra%2Fproduction"


def _issue(glapi: requests.Session, emu: Emulator, **fields: object) -> dict[str, object]:
    response = glapi.post(f"{emu.gitlab_url}{API}/issues", json=fields)
    assert response.status_code == 201, response.text
    data: dict[str, object] = response.json()
    return data


def test_project_lookup_by_path_and_id(emu: Emulator, gl: gitlab.Gitlab) -> None:
    by_path = gl.projects.get(PRODUCTION)
    by_id = gl.projects.get(7)
    assert by_path.id == by_id.id == 7
    assert by_path.path_with_namespace == PRODUCTION
    assert by_path.web_url == f"{emu.gitlab_url}/{PRODUCTION}"
    assert by_path.namespace["full_path"] == "gitlab-com/gl-infra"
    with pytest.raises(gitlab.GitlabGetError) as err:
        gl.projects.get("gitlab-com/gl-infra/nope")
    assert err.value.response_code == 404


def test_error_bodies_match_gitlab(emu: Emulator, glapi: requests.Session) -> None:
    base = emu.gitlab_url
    anonymous = requests.Session()
    anonymous.trust_env, anonymous.verify = False, emu.ca_file
    missing = glapi.get(f"{base}/api/v4/projects/gitlab-org%2Fmissing")
    assert (missing.status_code, missing.json()) == (404, {"message": "404 Project Not Found"})
    bad_token = anonymous.get(f"{base}{API}", headers={"PRIVATE-TOKEN": "glpat-wrong"})
    assert (bad_token.status_code, bad_token.json()) == (401, {"message": "401 Unauthorized"})
    bearer = anonymous.get(f"{base}{API}", headers={"Authorization": "Bearer nope"})
    assert bearer.status_code == 401
    # Anonymous: a private project is invisible, writes need authentication.
    assert anonymous.get(f"{base}{API}/issues").json() == {"message": "404 Project Not Found"}
    assert anonymous.get(f"{base}/api/v4/projects/gitlab-org%2Fgitaly/issues").status_code == 200
    post = anonymous.post(f"{base}/api/v4/projects/2009/issues", json={"title": "x"})
    assert (post.status_code, post.json()) == (401, {"message": "401 Unauthorized"})
    notes = anonymous.get(f"{base}/api/v4/projects/2009/issues/42/notes")
    assert notes.status_code == 401
    assert glapi.get(f"{base}{API}/issues/999").json() == {"message": "404 Not found"}
    assert glapi.get(f"{base}{API}/issues/999/notes").json() == {
        "message": "404 Issue Not Found"}
    assert glapi.get(f"{base}{API}/nope").json() == {"error": "404 Not Found"}
    assert glapi.get(f"{base}{API}/issues/abc").json() == {"error": "issue_iid is invalid"}
    bearer_ok = anonymous.get(f"{base}{API}", headers={
        "Authorization": f"Bearer {emu.env()['GITLAB_TOKEN']}"})
    assert bearer_ok.status_code == 200


def test_create_incident_returns_realistic_issue(emu: Emulator, gl: gitlab.Gitlab) -> None:
    project = gl.projects.get(PRODUCTION, lazy=True)
    issue = project.issues.create({"title": "praefect is failing", "description": "Paged.",
                                   "labels": ["severity::2", "incident"],
                                   "issue_type": "incident"})
    assert (issue.iid, issue.project_id, issue.state) == (1, 7, "opened")
    assert issue.type == "INCIDENT" and issue.issue_type == "incident"
    assert issue.labels == ["incident", "severity::2"]
    assert issue.author["username"] == "chatops-bot"
    assert issue.web_url == f"{emu.gitlab_url}/{PRODUCTION}/-/issues/1"
    assert issue.references == {"short": "#1", "relative": "#1", "full": f"{PRODUCTION}#1"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", issue.created_at)
    assert issue.severity == "UNKNOWN" and issue.closed_at is None
    second = project.issues.create({"title": "another"})
    assert second.iid == 2 and second.type == "ISSUE" and second.id != issue.id
    assert emu.gitlab.issue(PRODUCTION, 1)["title"] == "praefect is failing"


def test_create_validation_errors(emu: Emulator, glapi: requests.Session) -> None:
    url = f"{emu.gitlab_url}{API}/issues"
    cases = [
        ({"description": "no title"}, {"error": "title is missing"}),
        ({"title": "  "}, {"message": {"title": ["can't be blank"]}}),
        ({"title": "x" * 256}, {"message": {"title": ["is too long (maximum is 255 characters)"]}}),
        ({"title": "x", "issue_type": "bug"}, {"error": "issue_type does not have a valid value"}),
        ({"title": "x", "description": "d" * 1_048_577},
         {"message": {"description": ["is too long (maximum is 1048576 characters)"]}}),
        ({"title": "x", "confidential": "maybe"}, {"error": "confidential is invalid"}),
    ]
    for body, expected in cases:
        response = glapi.post(url, json=body)
        assert (response.status_code, response.json()) == (400, expected)
    form = glapi.post(url, data={"title": "form encoded", "labels": "a, b,,a"})
    assert form.status_code == 201 and form.json()["labels"] == ["a", "b"]
    assert len(emu.gitlab.issues(PRODUCTION)) == 1


def test_offset_pagination_headers(emu: Emulator, glapi: requests.Session,
                                   gl: gitlab.Gitlab) -> None:
    for n in range(5):
        _issue(glapi, emu, title=f"issue {n}")
    response = glapi.get(f"{emu.gitlab_url}{API}/issues", params={"per_page": 2, "page": 2})
    headers = response.headers
    assert [i["iid"] for i in response.json()] == [3, 2]
    assert (headers["X-Page"], headers["X-Per-Page"], headers["X-Next-Page"],
            headers["X-Prev-Page"], headers["X-Total"], headers["X-Total-Pages"]) == (
        "2", "2", "3", "1", "5", "3")
    links = {rel: url for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', headers["Link"])}
    assert list(links) == ["prev", "next", "first", "last"]
    assert links["next"].startswith(f"{emu.gitlab_url}{API}/issues?")
    assert "page=3" in links["next"] and "page=3&per_page=2" in links["last"]
    assert "id=gitlab-com%2Fgl-infra%2Fproduction" in links["first"]
    last = glapi.get(f"{emu.gitlab_url}{API}/issues", params={"per_page": 2, "page": 3})
    assert last.headers["X-Next-Page"] == "" and len(last.json()) == 1
    beyond = glapi.get(f"{emu.gitlab_url}{API}/issues", params={"page": 9})
    assert beyond.json() == [] and beyond.headers["X-Prev-Page"] == ""
    assert glapi.get(f"{emu.gitlab_url}{API}/issues",
                     params={"per_page": 500}).headers["X-Per-Page"] == "100"
    default = glapi.get(f"{emu.gitlab_url}{API}/issues")
    assert default.headers["X-Per-Page"] == "20"
    zero = glapi.get(f"{emu.gitlab_url}{API}/issues", params={"per_page": 0})
    assert zero.json() == {"error": "per_page has a value not allowed"}
    assert glapi.get(f"{emu.gitlab_url}{API}/issues", params={"page": -1}).json() == {
        "error": "page does not have a valid value"}
    everything = gl.projects.get(7, lazy=True).issues.list(per_page=2, get_all=True)
    assert sorted(i.iid for i in everything) == [1, 2, 3, 4, 5]


def test_list_filters_and_order(emu: Emulator, glapi: requests.Session) -> None:
    _issue(glapi, emu, title="b first", labels="incident,severity::1")
    _issue(glapi, emu, title="a second", labels="incident")
    third = _issue(glapi, emu, title="c third")
    glapi.put(f"{emu.gitlab_url}{API}/issues/{third['iid']}", json={"state_event": "close"})
    url = f"{emu.gitlab_url}{API}/issues"

    def iids(**params: Any) -> list[int]:
        response = glapi.get(url, params=params)
        assert response.status_code == 200, response.text
        return [i["iid"] for i in response.json()]

    assert iids() == [3, 2, 1]
    assert iids(sort="asc") == [1, 2, 3]
    assert iids(order_by="title", sort="asc") == [2, 1, 3]
    assert iids(state="opened") == [2, 1] and iids(state="closed") == [3]
    assert iids(labels="incident,severity::1") == [1]
    assert iids(labels="None") == [3] and iids(labels="Any") == [2, 1]
    assert iids(**{"iids[]": [1, 3]}) == [3, 1]
    assert glapi.get(url, params={"state": "open"}).json() == {
        "error": "state does not have a valid value"}


def test_search_semantics(emu: Emulator, glapi: requests.Session) -> None:
    _issue(glapi, emu, title="Praefect is failing", description="Gitaly nodes unreachable")
    _issue(glapi, emu, title="Database replication lag", description="praefect unaffected")
    url = f"{emu.gitlab_url}{API}/issues"

    def titles(search: str, scope: str | None = None) -> list[str]:
        params: dict[str, str] = {"search": search, "sort": "asc"}
        if scope:
            params["in"] = scope
        return [i["title"] for i in glapi.get(url, params=params).json()]

    assert titles("praefect failing") == ["Praefect is failing"]
    assert titles("PRAEFECT") == ["Praefect is failing", "Database replication lag"]
    assert titles("praef") == ["Praefect is failing", "Database replication lag"]  # prefix
    assert titles("failing unreachable") == ["Praefect is failing"]  # across title+description
    assert titles("fails") == ["Praefect is failing"]  # stemmed
    assert titles("praefect", "title") == ["Praefect is failing"]
    assert titles('"replication lag"') == ["Database replication lag"]
    assert titles('"lag replication"') == []
    assert titles("praefect kubernetes") == []  # terms are AND-ed
    assert titles("is") == []  # stop words only


def test_update_labels_scoped_free_tier_and_label_events(emu: Emulator, gl: gitlab.Gitlab,
                                                        glapi: requests.Session) -> None:
    issue = gl.projects.get(7, lazy=True).issues.create(
        {"title": "t", "labels": ["escalation::triggered"]})
    url = f"{emu.gitlab_url}{API}/issues/{issue.iid}"
    response = glapi.put(url, json={"add_labels": "escalation::acknowledged"})
    # Scoped labels are Premium; on Free both labels of the scope stay.
    assert response.json()["labels"] == ["escalation::acknowledged", "escalation::triggered"]
    response = glapi.put(url, json={"remove_labels": "escalation::triggered,unknown"})
    assert response.json()["labels"] == ["escalation::acknowledged"]
    response = glapi.put(url, json={"labels": "", "state_event": "close"})
    assert response.json()["labels"] == [] and response.json()["state"] == "closed"
    assert response.json()["closed_by"]["username"] == "chatops-bot"
    events = glapi.get(f"{url}/resource_label_events", params={"per_page": 2})
    assert events.headers["X-Total"] == "4"
    assert [(e["action"], e["label"]["name"]) for e in events.json()] == [
        ("add", "escalation::triggered"), ("add", "escalation::acknowledged")]
    assert [e["action"] for e in emu.gitlab.label_events(PRODUCTION, issue.iid)] == [
        "add", "add", "remove", "remove"]
    empty = glapi.put(url, json={})
    assert empty.status_code == 400 and "at least one parameter must be provided" in empty.text
    assert glapi.put(url, json={"state_event": "reopen"}).json()["state"] == "opened"


def test_notes_create_list_and_validate(emu: Emulator, gl: gitlab.Gitlab,
                                        glapi: requests.Session) -> None:
    issue = gl.projects.get(7, lazy=True).issues.create({"title": "t"})
    first = issue.notes.create({"body": "first"})
    issue.notes.create({"body": "second"})
    assert first.noteable_iid == issue.iid and first.system is False
    url = f"{emu.gitlab_url}{API}/issues/{issue.iid}/notes"
    assert [n["body"] for n in glapi.get(url).json()] == ["second", "first"]
    asc = glapi.get(url, params={"sort": "asc", "per_page": "1"})
    assert asc.json()[0]["body"] == "first" and asc.headers["X-Total-Pages"] == "2"
    assert glapi.post(url, json={}).json() == {"error": "body is missing"}
    blank = glapi.post(url, json={"body": " "})
    assert blank.status_code == 400 and "can't be blank" in blank.json()["message"]
    assert glapi.get(f"{emu.gitlab_url}{API}/issues/{issue.iid}").json()[
        "user_notes_count"] == 2


def test_quick_actions_run_only_where_gitlab_runs_them(emu: Emulator,
                                                      glapi: requests.Session) -> None:
    description = "\n".join([
        "Reported from Slack:", "/label ~incident", "", "```", "/close", "```", "",
        "> /unlabel ~incident", "", "  /assign @sre-alice", "please /close this",
        "`/title inline`", "", "- /confidential", "", "<!-- /due tomorrow -->", "",
        "/label ~does-not-exist", "/cc @sre-alice", "/close",
    ])
    created = _issue(glapi, emu, title="t", description=description)
    assert created["labels"] == ["incident"] and created["state"] == "opened"
    assert created["confidential"] is False and created["assignees"] == []
    assert "/label ~incident" not in str(created["description"])
    assert "```\n/close\n```" in str(created["description"])
    assert "/cc @sre-alice" in str(created["description"])
    assert [line for _, _, line in emu.gitlab.executed_quick_actions] == [
        "/label ~incident", "/label ~does-not-exist", "/close"]
    url = f"{emu.gitlab_url}{API}/issues/{created['iid']}/notes"
    only_commands = glapi.post(url, json={"body": "/close\n/assign @sre-alice"})
    assert only_commands.status_code == 202
    assert only_commands.json()["commands_changes"] == {"state_event": "close",
                                                        "assignee_ids": [101]}
    issue = emu.gitlab.issue(PRODUCTION, int(str(created["iid"])))
    assert issue["state"] == "closed" and issue["assignees"][0]["username"] == "sre-alice"
    mixed = glapi.post(url, json={"body": "Reopening.\n/reopen"})
    assert mixed.status_code == 201 and mixed.json()["body"] == "Reopening."
    quoted = glapi.post(url, json={"body": "> /close\n\n`/close`\n\n    /close"})
    assert quoted.status_code == 201
    assert emu.gitlab.issue(PRODUCTION, int(str(created["iid"])))["state"] == "opened"


def test_mass_mentions_are_recorded(emu: Emulator, glapi: requests.Session) -> None:
    _issue(glapi, emu, title="t", description="cc @all and @here and @channel and `@all`")
    second = _issue(glapi, emu, title="@gitlab-com/gl-infra please look")
    glapi.post(f"{emu.gitlab_url}{API}/issues/{second['iid']}/notes",
               json={"body": "```\n@all\n```\nthanks @sre-alice, ping @ALL."})
    assert emu.gitlab.mass_mentions == [
        (PRODUCTION, 1, "@all"), (PRODUCTION, 2, "@gitlab-com/gl-infra"),
        (PRODUCTION, 2, "@all")]


def test_seeded_gitaly_issue(emu: Emulator, gl: gitlab.Gitlab) -> None:
    issue = gl.projects.get("gitlab-org/gitaly").issues.get(42)
    assert (issue.title, issue.state, issue.issue_type) == (
        "Gitaly latency spike", "opened", "issue")
    assert issue.references["full"] == "gitlab-org/gitaly#42"
    assert gl.projects.get(2009).issues.create({"title": "next"}).iid == 43


def test_scope_created_by_me_lists_only_the_token_users_issues(emu: Emulator) -> None:
    """GET /projects/:id/issues?scope=created_by_me filters on the token's user."""
    headers = {"PRIVATE-TOKEN": emu.env()["GITLAB_TOKEN"]}
    base = f"{emu.gitlab_url}/api/v4/projects/gitlab-org%2Fgitaly/issues"
    mine = requests.get(base, params={"scope": "created_by_me"}, headers=headers,
                        verify=emu.ca_file, timeout=10)
    every = requests.get(base, params={"scope": "all"}, headers=headers, verify=emu.ca_file,
                         timeout=10)
    assert mine.status_code == every.status_code == 200
    assert len(every.json()) >= 1 and mine.json() == []  # #42 was opened by someone else
    bad = requests.get(base, params={"scope": "everything"}, headers=headers,
                       verify=emu.ca_file, timeout=10)
    assert bad.status_code == 400


def test_read_api_token_may_read_but_not_write(emu: Emulator) -> None:
    emu.gitlab.add_read_only_token(100, "glpat-read-only-emu-0001")
    with requests.Session() as session:
        session.trust_env = False
        session.verify = emu.ca_file
        session.headers["PRIVATE-TOKEN"] = "glpat-read-only-emu-0001"
        project = "gitlab-com%2Fgl-infra%2Fproduction"
        read = session.get(f"{emu.gitlab_url}/api/v4/projects/{project}/issues", timeout=10)
        assert read.status_code == 200
        write = session.post(f"{emu.gitlab_url}/api/v4/projects/{project}/issues",
                             data={"title": "x"}, timeout=10)
        assert write.status_code == 403
        assert write.json() == {"error": "insufficient_scope", "error_description":
                                "The request requires higher privileges than provided by "
                                "the access token.", "scope": "api"}


def test_incident_type_needs_the_reporter_role(emu: Emulator, glapi: requests.Session) -> None:
    emu.gitlab.add_member(PRODUCTION, 100, 10)  # the token's user (chatops-bot) is a Guest
    plain = _issue(glapi, emu, title="x", issue_type="incident", severity="critical")
    assert (plain["issue_type"], plain["type"], plain["severity"]) == ("issue", "ISSUE",
                                                                      "UNKNOWN")
    emu.gitlab.add_member(PRODUCTION, 100, 20)
    incident = _issue(glapi, emu, title="y", issue_type="incident")
    assert incident["issue_type"] == "incident"
