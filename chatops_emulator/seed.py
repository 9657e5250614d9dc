"""Deterministic seed data (users, projects, tokens, escalation policies) for the emulator."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from chatops_emulator.core import utcnow
from chatops_emulator.gitlab_members import DEVELOPER, REPORTER

if TYPE_CHECKING:
    from chatops_emulator.gitlab_state import GitLabState
    from chatops_emulator.pagerduty_state import PagerDutyState

GITLAB_TOKEN = "glpat-emulator-bot-token-4f2a"  # noqa: S105 (fake credential)
PAGERDUTY_REST_TOKEN = "pd-emulator-rest-token-9c1d"  # noqa: S105
ROUTING_KEY_GITALY = "R0ut1ngKeyGitaly0000000000000001"
ROUTING_KEY_DATABASE = "R0ut1ngKeyDatabase00000000000002"

BOT_USER_ID = 100
REQUESTER_USER_ID = 101
INCIDENT_PROJECT = "gitlab-com/gl-infra/production"
GITALY_PROJECT = "gitlab-org/gitaly"

GITLAB_GROUPS = {
    "gitlab-com": "GitLab.com",
    "gitlab-com/gl-infra": "GitLab Infrastructure Team",
    "gitlab-org": "GitLab.org",
}
PRODUCTION_LABELS = (
    "incident", "severity::1", "severity::2", "severity::3", "severity::4",
    "escalation::triggered", "escalation::acknowledged", "Service::Gitaly",
    "Service::Database",
)


def seed_gitlab(state: GitLabState) -> None:
    """Create the GitLab users, groups, projects, members, labels and issue #42."""
    state.add_user(BOT_USER_ID, "chatops-bot", "ChatOps Bot", token=GITLAB_TOKEN, bot=True)
    state.add_user(REQUESTER_USER_ID, "sre-alice", "Alice SRE")
    for path, name in GITLAB_GROUPS.items():
        state.add_group(path, name)
    state.add_project(7, INCIDENT_PROJECT, "production", visibility="private",
                      description="Production incidents and changes")
    state.add_project(2009, GITALY_PROJECT, "Gitaly", visibility="public",
                      description="Gitaly is a Git RPC service")
    # A project access token's bot user is a direct member of its project (Reporter is what
    # the README asks for); alice inherits her roles from the groups.
    state.add_member(INCIDENT_PROJECT, BOT_USER_ID, REPORTER)
    state.add_member(GITALY_PROJECT, BOT_USER_ID, REPORTER)  # it labels --incident issues
    state.add_member("gitlab-com", REQUESTER_USER_ID, DEVELOPER)
    state.add_member("gitlab-org", REQUESTER_USER_ID, REPORTER)
    for name in PRODUCTION_LABELS:
        state.ensure_label(INCIDENT_PROJECT, name)
    for name in ("bug", "performance"):
        state.ensure_label(GITALY_PROJECT, name)
    state.seed_issue(
        GITALY_PROJECT,
        iid=42,
        title="Gitaly latency spike",
        description="p99 latency of FindCommit is above the SLO on gitaly-cny.",
        author_id=REQUESTER_USER_ID,
        labels=("performance",),
        created_at=utcnow() - timedelta(days=2),
    )


def seed_pagerduty(state: PagerDutyState) -> None:
    """Create the PagerDuty users, schedules, escalation policies and services."""
    now = utcnow()
    state.add_token(PAGERDUTY_REST_TOKEN)
    state.add_user("PUSRADA", "Ada Lovelace", "ada@example.com")
    state.add_user("PUSRGRC", "Grace Hopper", "grace@example.com")
    state.add_schedule("PSCHGIT", "Gitaly primary rotation")
    state.add_policy("PGITALY1", "Gitaly second tier")
    state.add_policy("PDBASE01", "Database second tier")
    state.set_oncalls(
        "PGITALY1",
        [
            (1, "PUSRADA", "Ada Lovelace", now - timedelta(hours=16), now + timedelta(hours=8),
             "PSCHGIT"),
            (2, "PUSRGRC", "Grace Hopper", None, None),
        ],
    )
    state.add_service("PSVCGIT", "Gitaly", "PGITALY1", ROUTING_KEY_GITALY)
    state.add_service("PSVCDB", "Database", "PDBASE01", ROUTING_KEY_DATABASE)
    # Both use "Dynamic notifications" (urgency by alert severity), as chatops' set-up asks,
    # so drills (severity info) are low urgency; a new service's default is constant high.
    for sid in ("PSVCGIT", "PSVCDB"):
        state.set_urgency_rule(sid, {"type": "constant", "urgency": "severity_based"})

