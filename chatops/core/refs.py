"""Issue references: URLs, group/project#N, or a bare N."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from chatops.errors import InputError

_PATH = r"[\w.-]+(?:/[\w.-]+)+"
_URL_PATH = re.compile(
    rf"^/(?P<project>{_PATH})/-/(?:issues|work_items)/(?:incident/)?(?P<iid>\d+)/?$")
_SHORT = re.compile(rf"^(?P<project>{_PATH})#(?P<iid>\d+)$")
_BARE = re.compile(r"^#?(?P<iid>\d+)$")


@dataclass(frozen=True)
class IssueRef:
    """An issue by project path (None: the incident project) and IID."""

    project: str | None
    iid: int
    host: str | None = None

    def resolve(self, default_project: str, gitlab_url: str) -> IssueRef:
        """The same reference with the project filled in, checked against our GitLab."""
        ours = urlsplit(gitlab_url)
        if self.host is not None and self.host.lower() != ours.netloc.lower():
            raise InputError(f"Issue {self} is on {self.host}, not on this GitLab "
                             f"({ours.netloc}).",
                             "Give an issue of the GitLab instance that runs ChatOps.")
        project = self.project or default_project
        prefix = ours.path.strip("/")  # GitLab served under a path, e.g. https://host/gitlab
        if self.host is not None and prefix and project.startswith(prefix + "/"):
            project = project[len(prefix) + 1:]
        return IssueRef(project, self.iid)

    def url(self, gitlab_url: str) -> str:
        """The issue's web address (for a resolved reference)."""
        return f"{gitlab_url.rstrip('/')}/{self.project}/-/issues/{self.iid}"

    def __str__(self) -> str:
        return f"{self.project}#{self.iid}" if self.project else f"#{self.iid}"


def parse_ref(text: str) -> IssueRef:
    """Parse an issue or incident URL, group/project#N, or N."""
    value = text.strip().strip("<>").split("|", 1)[0]  # Slack sends links as <url|text>
    host = None
    if value.startswith(("https://", "http://")):
        parts = urlsplit(value)
        host, match = parts.netloc, _URL_PATH.match(parts.path)
    else:
        match = _SHORT.match(value) or _BARE.match(value)
    if match is None or int(match.group("iid")) < 1:
        raise InputError(
            f"{text!r} is not an issue reference.",
            "Use an issue or incident URL (…/-/issues/N or …/-/issues/incident/N), "
            "group/project#N, or N for an issue of the incident project.",
        )
    groups = match.groupdict()
    return IssueRef(groups.get("project"), int(groups["iid"]), host)
