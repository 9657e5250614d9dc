"""GitLab project labels API: CRUD, the atomic create (409), validation, 404s and auth."""

from __future__ import annotations

import threading
import time
from urllib.parse import quote

import gitlab
import pytest
import requests

from chatops_emulator import Emulator, gitlab_colors, gitlab_labels
from chatops_emulator.seed import GITALY_PROJECT, INCIDENT_PROJECT, PRODUCTION_LABELS

PROJECT = quote(INCIDENT_PROJECT, safe="")
NOT_FOUND = {"message": "404 Label Not Found"}


def _url(emu: Emulator, label: str | int | None = None) -> str:
    base = f"{emu.gitlab_url}/api/v4/projects/{PROJECT}/labels"
    return base if label is None else f"{base}/{quote(str(label), safe='')}"


def _names(emu: Emulator) -> list[str]:
    return [label["name"] for label in emu.gitlab.labels(INCIDENT_PROJECT)]


def test_crud_with_python_gitlab(emu: Emulator, gl: gitlab.Gitlab) -> None:
    project = gl.projects.get(INCIDENT_PROJECT)
    label = project.labels.create({"name": "chatops/lock", "color": "#808080",
                                   "description": "held by job-1 & co"})
    assert label.attributes["name"] == "chatops/lock"
    assert (label.color, label.text_color) == ("#808080", "#FFFFFF")
    assert (label.description, label.description_html) == ("held by job-1 & co",
                                                            "held by job-1 &amp; co")
    assert (label.priority, label.subscribed, label.is_project_label) == (None, False, True)
    assert "open_issues_count" not in label.attributes  # counts only with ?with_counts=true
    fetched = project.labels.get("chatops/lock")  # name URL-encoded (%2F) in the path
    assert fetched.id == label.id and fetched.description == "held by job-1 & co"
    label.new_name, label.color = "chatops-lock", "LightGray"  # CSS colour name
    label.save()  # python-gitlab: the deprecated PUT /projects/:id/labels with name=
    assert (label.name, label.color, label.text_color) == ("chatops-lock", "#D3D3D3",
                                                           "#333333")  # R+G+B > 500
    assert "chatops-lock" in _names(emu) and "chatops/lock" not in _names(emu)
    label.delete()
    with pytest.raises(gitlab.GitlabGetError) as err:
        project.labels.get("chatops-lock")
    assert err.value.response_code == 404
    assert "chatops-lock" not in _names(emu)


def test_get_update_by_id_and_priority(emu: Emulator, glapi: requests.Session) -> None:
    created = glapi.post(_url(emu), data={"name": "Lock", "color": "#abc", "priority": "3"})
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["color"], body["text_color"], body["priority"]) == ("#abc", "#333333", 3)
    by_id = glapi.get(_url(emu, body["id"]))
    assert by_id.status_code == 200 and by_id.json() == body
    updated = glapi.put(_url(emu, body["id"]), json={"description": "x", "priority": None})
    assert updated.status_code == 200
    assert (updated.json()["description"], updated.json()["priority"]) == ("x", None)
    assert updated.json()["id"] == body["id"] and updated.json()["name"] == "Lock"
    renamed = glapi.put(_url(emu, "Lock"), json={"new_name": "incident"})
    assert renamed.status_code == 400
    assert renamed.json() == {"message": {"title": ["has already been taken"]}}
    empty = glapi.put(_url(emu, "Lock"), json={})
    assert empty.status_code == 400
    assert empty.json()["error"] == ("new_name, color, description, priority, archived are "
                                     "missing, at least one parameter must be provided")


def test_duplicate_name_is_409(emu: Emulator, gl: gitlab.Gitlab,
                               glapi: requests.Session) -> None:
    duplicate = glapi.post(_url(emu), json={"name": "incident", "color": "#FF0000"})
    assert (duplicate.status_code, duplicate.json()) == (409, {"message":
                                                              "Label already exists"})
    # The existence check comes before validation: a bad colour still answers 409.
    assert glapi.post(_url(emu), json={"name": "incident", "color": "bad"}).status_code == 409
    with pytest.raises(gitlab.GitlabCreateError) as err:
        gl.projects.get(INCIDENT_PROJECT).labels.create({"name": "incident", "color": "red"})
    assert err.value.response_code == 409
    # Another project's label of the same name does not conflict.
    other = f"{emu.gitlab_url}/api/v4/projects/{quote(GITALY_PROJECT, safe='')}/labels"
    assert glapi.post(other, json={"name": "incident", "color": "red"}).status_code == 201
    assert _names(emu).count("incident") == 1


def test_concurrent_creates_have_exactly_one_winner(emu: Emulator,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    # Slow down the colour check, which runs between the existence check and the insert:
    # without one critical section around both, every request would see "no such label".
    real = gitlab_colors.parse_color

    def slow(value: str) -> str | None:
        time.sleep(0.05)
        return real(value)

    monkeypatch.setattr(gitlab_labels, "parse_color", slow)
    workers = 6
    for round_ in range(3):
        name = f"mutex-{round_}"
        barrier = threading.Barrier(workers)
        statuses: list[int] = []
        bodies: list[dict[str, object]] = []

        def create(name: str = name, barrier: threading.Barrier = barrier,
                   statuses: list[int] = statuses, bodies: list[dict[str, object]] = bodies,
                   ) -> None:
            with requests.Session() as session:
                session.trust_env, session.verify = False, emu.ca_file
                session.headers["PRIVATE-TOKEN"] = emu.env()["GITLAB_TOKEN"]
                barrier.wait(timeout=10)
                response = session.post(_url(emu), json={"name": name, "color": "#808080"})
                statuses.append(response.status_code)
                bodies.append(response.json())

        threads = [threading.Thread(target=create) for _ in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert sorted(statuses) == [201] + [409] * (workers - 1), statuses
        assert bodies.count({"message": "Label already exists"}) == workers - 1
        assert _names(emu).count(name) == 1


def test_not_found(emu: Emulator, glapi: requests.Session) -> None:
    for method in ("GET", "PUT", "DELETE"):
        response = glapi.request(method, _url(emu, "no-such-label"), json={"color": "red"})
        assert (response.status_code, response.json()) == (404, NOT_FOUND), method
    assert glapi.get(_url(emu, 1)).json() == NOT_FOUND  # an unknown id
    gone = glapi.delete(_url(emu), data={"name": "no-such-label"})  # the deprecated route
    assert (gone.status_code, gone.json()) == (404, NOT_FOUND)
    missing = glapi.get(f"{emu.gitlab_url}/api/v4/projects/nobody%2Fnothing/labels")
    assert (missing.status_code, missing.json()) == (404, {"message": "404 Project Not Found"})


@pytest.mark.parametrize("color", ["#FFAA", "#FFAAFFFF", "FFAABB", "blurple", "", " "])
def test_bad_color_is_400(emu: Emulator, glapi: requests.Session, color: str) -> None:
    response = glapi.post(_url(emu), json={"name": "painted", "color": color})
    assert response.status_code == 400
    assert response.json() == {"message": {"color": ["must be a valid color code"]}}
    update = glapi.put(_url(emu, "incident"), json={"color": color})
    assert update.status_code == 400
    assert "painted" not in _names(emu)


def test_other_validation_errors(emu: Emulator, glapi: requests.Session) -> None:
    missing = glapi.post(_url(emu), json={"description": "x"})
    assert missing.json() == {"error": "name is missing, color is missing"}
    comma = glapi.post(_url(emu), json={"name": "a,b", "color": "red"})
    assert comma.json() == {"message": {"title": ["is invalid"]}}
    spaced = glapi.post(_url(emu), json={"name": " incident ", "color": "red"})
    assert spaced.json() == {"message": {"title": ["has already been taken"]}}
    assert glapi.post(_url(emu), json={"name": "p", "color": "red",
                                       "priority": "high"}).json() == {
        "error": "priority is invalid"}
    both = glapi.put(_url(emu), data={"name": "incident", "label_id": "1", "color": "red"})
    assert both.json() == {"error": "label_id, name are mutually exclusive"}


def test_authentication(emu: Emulator) -> None:
    with requests.Session() as anonymous:
        anonymous.trust_env, anonymous.verify = False, emu.ca_file
        gitaly = f"{emu.gitlab_url}/api/v4/projects/{quote(GITALY_PROJECT, safe='')}/labels"
        # lib/api/labels.rb authenticates every route, reads of a public project included.
        for method, url in (("GET", gitaly), ("GET", _url(emu)), ("POST", _url(emu)),
                            ("PUT", _url(emu, "incident")), ("DELETE", _url(emu, "incident"))):
            response = anonymous.request(method, url, json={"name": "x", "color": "red"})
            assert (response.status_code, response.json()) == (
                401, {"message": "401 Unauthorized"}), method
        bad = anonymous.post(_url(emu), json={"name": "x", "color": "red"},
                             headers={"PRIVATE-TOKEN": "glpat-wrong"})
        assert bad.status_code == 401
    assert "x" not in _names(emu) and "incident" in _names(emu)


def test_list_order_pagination_search_counts(emu: Emulator, glapi: requests.Session) -> None:
    url = _url(emu)
    created = glapi.post(url, json={"name": "Zeta", "color": "red", "description": "Paging"})
    assert created.status_code == 201
    first = glapi.get(url, params={"per_page": 4})
    assert first.headers["X-Total"] == str(len(PRODUCTION_LABELS) + 1)
    assert first.headers["X-Next-Page"] == "2" and len(first.json()) == 4
    every = glapi.get(url, params={"per_page": 100}).json()
    names = [label["name"] for label in every]
    assert names == sorted(names, key=lambda n: (n.lower(), n)) and names[-1] == "Zeta"
    severity = glapi.get(url, params={"search": "SEVERITY::"}).json()
    assert [label["name"] for label in severity] == [f"severity::{n}" for n in range(1, 5)]
    by_description = glapi.get(url, params={"search": "pag"}).json()
    assert [label["name"] for label in by_description] == ["Zeta"]
    assert glapi.post(f"{emu.gitlab_url}/api/v4/projects/{PROJECT}/issues",
                      json={"title": "t", "labels": "incident"}).status_code == 201
    counted = glapi.get(url, params={"with_counts": "true", "search": "incident"}).json()
    assert [(c["name"], c["open_issues_count"], c["closed_issues_count"]) for c in counted] == [
        ("incident", 1, 0)]
    assert "open_issues_count" not in every[0]


def test_delete_removes_label_from_issues(emu: Emulator, glapi: requests.Session) -> None:
    issues = f"{emu.gitlab_url}/api/v4/projects/{PROJECT}/issues"
    issue = glapi.post(issues, json={"title": "t", "labels": "incident,severity::2"}).json()
    events_before = emu.gitlab.label_events(INCIDENT_PROJECT, issue["iid"])
    deleted = glapi.delete(_url(emu, "severity::2"))
    assert (deleted.status_code, deleted.content) == (204, b"")
    after = emu.gitlab.issue(INCIDENT_PROJECT, issue["iid"])
    assert after["labels"] == ["incident"]
    assert after["updated_at"] == issue["updated_at"]  # label links go, the issue is untouched
    events = emu.gitlab.label_events(INCIDENT_PROJECT, issue["iid"])
    assert len(events) == len(events_before)  # no "removed" event is recorded
    assert sorted(str(e["label"] and e["label"]["name"]) for e in events) == [
        "None", "incident"]  # the old event's label is null (ON DELETE SET NULL)
    assert emu.gitlab.notes(INCIDENT_PROJECT, issue["iid"]) == []
    filtered = glapi.get(issues, params={"labels": "severity::2"}).json()
    assert filtered == []
    again = glapi.post(_url(emu), json={"name": "severity::2", "color": "red"})
    assert again.status_code == 201
    assert emu.gitlab.issue(INCIDENT_PROJECT, issue["iid"])["labels"] == ["incident"]
