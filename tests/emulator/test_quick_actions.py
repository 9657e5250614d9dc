"""Quick-action extraction cases taken from GitLab's own specs, plus API-level effects.

Cases mirror gitlab-org/gitlab spec/lib/gitlab/quick_actions/extractor_spec.rb and
spec/lib/banzai/pipeline/quick_action_pipeline_spec.rb.
"""

from __future__ import annotations

import pytest
import requests

from chatops_emulator import Emulator
from chatops_emulator.gitlab_mentions import mentions
from chatops_emulator.quick_actions import SHRUG, extract

API = "/api/v4/projects/gitlab-com%2Fgl-infra%2Fproduction"


@pytest.mark.parametrize(("text", "remaining", "names"), [
    ("/reopen\nworld", "world", ["reopen"]),
    ("hello\n/reopen\nworld", "hello\nworld", ["reopen"]),
    ("hello\n/reopen", "hello", ["reopen"]),
    ("hello\nworld /reopen", "hello\nworld /reopen", []),
    ("/assign @joe / @jane\nworld", "world", ["assign"]),
    ("hello\n/assign@joe\nworld", "hello\n/assign@joe\nworld", []),
    ('hello\n/labels ~foo ~"bar baz" label\nworld', "hello\nworld", ["labels"]),
    ("hello\n/PoWer @user.name\nworld", "hello\n/PoWer @user.name\nworld", []),
    ("hello\n/LaBeL ~x\nworld", "hello\nworld", ["label"]),
    ("hello\nworld\n/reopen\n/cc @x", "hello\nworld\n/cc @x", ["reopen"]),
    ("Hello\r\n```\r\nThis is some text\r\n/close\r\n/assign @user\r\n```\r\n\r\nWorld",
     "Hello\n```\nThis is some text\n/close\n/assign @user\n```\n\nWorld", []),
    ("Hello\r\n>>>\r\nThis is some text\r\n/close\r\n/assign @user\r\n>>>\r\n\r\nWorld",
     "Hello\n>>>\nThis is some text\n/close\n/assign @user\n>>>\n\nWorld", []),
    ("Hello\r\n<div>\r\nThis is some text\r\n/close\r\n/assign @user\r\n</div>\r\n\r\nWorld",
     "Hello\n<div>\nThis is some text\n/close\n/assign @user\n</div>\n\nWorld", []),
    ("<!-- HTML comment -->\n/close\n\n> a blockquote",
     "<!-- HTML comment -->\n> a blockquote", ["close"]),
    ("Lorem ipsum\n/close\n/lock\n\n>>>\n/unlock\n>>>\n\n/confidential",
     "Lorem ipsum\n>>>\n/unlock\n>>>", ["close", "lock", "confidential"]),
    ("> quoted\n/close", "> quoted\n/close", []),
    ("  /close", "  /close", []),
    ("- item\n/close", "- item\n/close", []),
    ("`inline\n/close\ncode`", "`inline\n/close\ncode`", []),
    ("/close\n---", "/close\n---", []),
    ("# /close", "# /close", []),
    ("x\n\n    /close", "x\n\n    /close", []),
    ("<!--\n/close\n-->", "<!--\n/close\n-->", []),
    ("/closed\n/close", "/closed", ["close"]),
    ("/unknown_command\n/close", "/unknown_command", ["close"]),
])
def test_extraction_matches_gitlab(text: str, remaining: str, names: list[str]) -> None:
    content, commands = extract(text)
    assert content == remaining
    assert [command.name for command in commands] == names


def test_substitution_and_mentions() -> None:
    content, commands = extract("hi\n/shrug whatever\nbye")
    assert content == f"hi\nwhatever {SHRUG}\nbye" and commands[0].name == "shrug"
    assert mentions("hey @all, `@all` <!-- @all --> [@all](x) foo@all @all. @all-hands") == [
        "all", "all", "all-hands"]
    # Indented and fenced code, <pre> and comments render as code or nothing: no mentions.
    quoted = "Said:\n\n    @all please look\n\n```\n@all\n```\n<pre>\n@all\n</pre>\n"
    assert mentions(quoted + "<!--\n@all\n-->\n\n- item\n\n    @all in a list") == ["all"]


def test_edited_description_runs_its_actions(emu: Emulator, glapi: requests.Session) -> None:
    created = glapi.post(f"{emu.gitlab_url}{API}/issues",
                         json={"title": "t", "description": "/label ~incident"}).json()
    assert created["labels"] == ["incident"] and created["description"] == ""
    url = f"{emu.gitlab_url}{API}/issues/{created['iid']}"
    edited = glapi.put(url, json={"description": "/lock\nnow locked"})
    assert edited.json()["discussion_locked"] is True
    assert edited.json()["description"] == "now locked"
    lines = [line for _, _, line in emu.gitlab.executed_quick_actions]
    assert lines == ["/label ~incident", "/lock"]


def test_api_assignees_and_severity_follow_free_tier(emu: Emulator,
                                                     glapi: requests.Session) -> None:
    created = glapi.post(f"{emu.gitlab_url}{API}/issues", json={
        "title": "t", "assignee_ids": [101, 100], "severity": "high"}).json()
    assert [a["username"] for a in created["assignees"]] == ["sre-alice"]
    assert created["severity"] == "UNKNOWN"  # severity only applies to incidents
    url = f"{emu.gitlab_url}{API}/issues/{created['iid']}"
    # Like GitLab, /severity checks the type before /promote_to_incident takes effect.
    same_note = glapi.post(f"{url}/notes", json={"body": "/promote_to_incident\n/severity S1"})
    assert same_note.status_code == 202
    assert glapi.get(url).json()["severity"] == "UNKNOWN"
    glapi.post(f"{url}/notes", json={"body": "/severity S1"})
    incident = emu.gitlab.issue("gitlab-com/gl-infra/production", int(created["iid"]))
    assert (incident["type"], incident["severity"]) == ("INCIDENT", "CRITICAL")
    before = incident["updated_at"]
    glapi.post(f"{url}/notes", json={"body": "a comment"})
    assert glapi.get(url).json()["updated_at"] >= before
    assert glapi.get(url).json()["user_notes_count"] == 1


def test_a_backslash_escaped_at_sign_mentions_nobody() -> None:
    # gitlabhq lib/banzai/filter/escaped_char_filter.rb: "\@username" stays literal.
    assert mentions(r"ping \@all please") == []
    assert mentions(r"a \\@all b") == ["all"]  # an escaped backslash, then a real mention
    assert mentions(r"\@ada and @bob") == ["bob"]
