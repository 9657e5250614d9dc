"""Issue references in every accepted form."""

import pytest

from chatops.core.refs import IssueRef, parse_ref
from chatops.errors import InputError


@pytest.mark.parametrize(("text", "expected"), [
    ("https://gitlab.com/gitlab-com/gl-infra/production/-/issues/123",
     IssueRef("gitlab-com/gl-infra/production", 123, "gitlab.com")),
    ("https://gitlab.com/gitlab-com/gl-infra/production/-/issues/incident/77",
     IssueRef("gitlab-com/gl-infra/production", 77, "gitlab.com")),
    ("gitlab-org/gitaly#42", IssueRef("gitlab-org/gitaly", 42)),
    ("42", IssueRef(None, 42)),
    ("#7", IssueRef(None, 7)),
])
def test_accepted_forms(text: str, expected: IssueRef) -> None:
    assert parse_ref(text) == expected


@pytest.mark.parametrize("text", ["", "abc", "0", "https://gitlab.com/a/b/-/merge_requests/1",
                                  "group#", "/etc/passwd#1"])
def test_rejected_forms(text: str) -> None:
    with pytest.raises(InputError, match="not an issue reference"):
        parse_ref(text)


def test_slack_link_form_and_path_prefixed_gitlab() -> None:
    ref = parse_ref("<https://host.example/gitlab/g/p/-/issues/5|g/p#5>")
    assert ref.resolve("x/y", "https://host.example/gitlab") == IssueRef("g/p", 5)
    assert ref.resolve("x/y", "https://host.example/gitlab").url(
        "https://host.example/gitlab") == "https://host.example/gitlab/g/p/-/issues/5"


def test_resolve_fills_project_and_rejects_other_instances() -> None:
    assert parse_ref("5").resolve("g/p", "https://gitlab.com") == IssueRef("g/p", 5)
    with pytest.raises(InputError, match="not on this GitLab"):
        parse_ref("https://other.example/g/p/-/issues/5").resolve("g/p", "https://gitlab.com")
