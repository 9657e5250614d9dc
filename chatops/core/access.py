"""Who may act on which issue: the rule, without any I/O."""

from __future__ import annotations

from chatops.core.refs import IssueRef

# doc/api/members.md (Gitlab::Access): 10 Guest, 15 Planner, 20 Reporter, 30 Developer ...
REPORTER = 20
VERBS = {"page": "page on", "resolve": "resolve the pages of", "cancel": "cancel the pages of",
         "status": "read the pages of"}


def needs_role(ref: IssueRef, incident_project: str) -> bool:
    """Outside the incident project a requester needs a role in the issue's project."""
    return (ref.project or incident_project).lower() != incident_project.lower()


def allowed(access_level: int) -> bool:
    """At least Reporter (direct or inherited) in the issue's project."""
    return access_level >= REPORTER


def refusal(verb: str, ref: IssueRef, incident_project: str, who: str) -> tuple[str, str]:
    """The one refusal text: the same whether the issue or the project exists or not."""
    project = ref.project or incident_project
    message = (f"{who} may not {VERBS.get(verb, verb)} {project}#{ref.iid}: outside the "
               f"incident project ({incident_project}) chatops acts only for people with at "
               f"least the Reporter role in the issue's project, and GitLab does not list "
               f"{who} with that role in {project} (or there is no such project).")
    instead = (f"Page without --incident (chatops opens the incident issue in "
               f"{incident_project}), or ask" if verb == "page" else "Ask")
    hint = f"Nothing was changed. {instead} a Maintainer of {project} for the Reporter role."
    return message, hint


def unknown_requester(verb: str, ref: IssueRef, incident_project: str) -> tuple[str, str]:
    """The refusal when the job does not say who asked (no GITLAB_USER_ID)."""
    project = ref.project or incident_project
    message = (f"chatops may not {VERBS.get(verb, verb)} {project}#{ref.iid}: outside the "
               f"incident project ({incident_project}) it needs to know who asks, and "
               "GITLAB_USER_ID is not set.")
    hint = ("Nothing was changed. Run it from ChatOps (GitLab sets GITLAB_USER_ID) or set "
            "GITLAB_USER_ID to your GitLab user id"
            + (", or page without --incident." if verb == "page" else "."))
    return message, hint
