"""Turn GitLab REST objects into domain values: issues, and the project of a reference."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from chatops.core.model import Issue
from chatops.core.refs import IssueRef
from chatops.errors import GitLabError


def project_path(ref: IssueRef) -> str:
    """The project path of a resolved reference."""
    if ref.project is None:
        raise ValueError(f"issue reference {ref} has no project; resolve it first")
    return ref.project


def issue(project: str, attrs: dict[str, Any]) -> Issue:
    """Our view of a GitLab issue JSON object."""
    try:
        return Issue(project=project, iid=int(attrs["iid"]), web_url=str(attrs["web_url"]),
                     title=str(attrs.get("title") or ""), state=str(attrs.get("state") or ""),
                     labels=tuple(attrs.get("labels") or ()),
                     description=str(attrs.get("description") or ""),
                     issue_type=str(attrs.get("issue_type") or ""))
    except (KeyError, TypeError, ValueError) as exc:
        raise GitLabError(f"/projects/{quote(project, safe='')}/issues", 200,
                          f"unexpected issue object: {exc}",
                          "GitLab answered unexpectedly; report this as a chatops bug.") from None
