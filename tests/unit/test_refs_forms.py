"""Issue references: every accepted spelling, every refusal, resolution and printing."""

from __future__ import annotations

import pytest

from chatops.core.refs import IssueRef, parse_ref
from chatops.errors import InputError


@pytest.mark.parametrize(("text", "expected"), [
    ("http://gl.example/g/p/-/issues/3", IssueRef("g/p", 3, "gl.example")),
    ("https://gl.example/g/p/-/issues/3/", IssueRef("g/p", 3, "gl.example")),
    ("https://gl.example/g/sub.group/my-proj_1/-/work_items/12",
     IssueRef("g/sub.group/my-proj_1", 12, "gl.example")),
    ("https://gl.example:8443/g/p/-/issues/incident/9", IssueRef("g/p", 9, "gl.example:8443")),
    ("  <https://gl.example/g/p/-/issues/4>  ", IssueRef("g/p", 4, "gl.example")),
    ("<https://gl.example/g/p/-/issues/5|see here>", IssueRef("g/p", 5, "gl.example")),
    ("<https://gl.example/g/p/-/issues/6|g/p#6|more>", IssueRef("g/p", 6, "gl.example")),
    ("g/sub/p#10", IssueRef("g/sub/p", 10)),
    ("Xena/pX#3", IssueRef("Xena/pX", 3)),
    (" 12 ", IssueRef(None, 12)),
    ("#0012", IssueRef(None, 12)),
])
def test_more_accepted_forms(text: str, expected: IssueRef) -> None:
    assert parse_ref(text) == expected


@pytest.mark.parametrize("text", [
    "#0", "g/p#0", "https://gl.example/g/p/-/issues/0", "p#3", "g/p#3x", "g/p #3",
    "https://gl.example/p/-/issues/3", "https://gl.example/g/p/-/issues/3/notes",
    "https://gl.example/x/g/p/issues/3", "ftp://gl.example/g/p/-/issues/3",
    "gl.example/g/p/-/issues/3", "12a", "##1", "-1", "https://gl.example/g/p/-/issues/",
])
def test_more_rejected_forms(text: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_ref(text)
    assert caught.value.args[0] == f"{text!r} is not an issue reference."


def test_refusal_says_which_forms_work() -> None:
    with pytest.raises(InputError) as caught:
        parse_ref("nope")
    assert caught.value.hint == (
        "Use an issue or incident URL (…/-/issues/N or …/-/issues/incident/N), "
        "group/project#N, or N for an issue of the incident project.")


def test_resolve_keeps_a_given_project_and_drops_the_host() -> None:
    assert IssueRef("g/p", 3).resolve("x/y", "https://gl.example") == IssueRef("g/p", 3)
    ref = parse_ref("https://GL.example/g/p/-/issues/3")
    assert ref.resolve("x/y", "https://gl.example/") == IssueRef("g/p", 3)


def test_resolve_refuses_another_instance_naming_both_hosts() -> None:
    with pytest.raises(InputError) as caught:
        parse_ref("https://evil.example/g/p/-/issues/3").resolve("x/y", "https://gl.example")
    assert caught.value.args[0] == ("Issue g/p#3 is on evil.example, not on this GitLab "
                                    "(gl.example).")
    assert caught.value.hint == "Give an issue of the GitLab instance that runs ChatOps."


def test_resolve_strips_the_path_prefix_only_of_urls() -> None:
    url = parse_ref("https://h.example/gitlab/g/p/-/issues/5")
    assert url.resolve("x/y", "https://h.example/gitlab/") == IssueRef("g/p", 5)
    # Without a prefix nothing is stripped.
    assert url.resolve("x/y", "https://h.example") == IssueRef("gitlab/g/p", 5)
    # A short reference is a project path already, even when it starts like the prefix.
    short = parse_ref("gitlab/g/p#5")
    assert short.resolve("x/y", "https://h.example/gitlab") == IssueRef("gitlab/g/p", 5)
    # A project merely starting with the prefix's letters is not under it.
    under_x = parse_ref("https://h.example/X/g/p/-/issues/5")
    assert under_x.resolve("x/y", "https://h.example/X/") == IssueRef("g/p", 5)
    other = parse_ref("https://h.example/gitlabx/p/-/issues/5")
    assert other.resolve("x/y", "https://h.example/gitlab") == IssueRef("gitlabx/p", 5)


def test_url_and_str() -> None:
    ref = IssueRef("g/p", 5)
    assert ref.url("https://gl.example/") == "https://gl.example/g/p/-/issues/5"
    assert ref.url("https://gl.example") == "https://gl.example/g/p/-/issues/5"
    # Only slashes are trimmed, even when GitLab is served under a path ending in X.
    assert ref.url("https://gl.example/X/") == "https://gl.example/X/g/p/-/issues/5"
    assert str(ref) == "g/p#5"
    assert str(IssueRef(None, 5)) == "#5"
    assert str(IssueRef("", 5)) == "#5"
