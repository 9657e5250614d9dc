"""What one page request says and where it goes: the flow's start, texts and page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from chatops.config import Config
from chatops.core import compose, dedup, markers, request
from chatops.core.coverage import is_covered
from chatops.core.labels import DRILL
from chatops.core.page import PageFlow
from chatops.core.page_events import PageEvent
from chatops.core.request import PageRequest, request_key
from chatops.core.team import Team
from chatops.errors import InputError

ISSUE_TEMPLATE = "issue_description.md.j2"  # the one template needed before the page


class PagePlan:
    """What one request says and where it goes; renders without any I/O."""

    def __init__(self, config: Config, request: PageRequest, who: request.Requester,
                 clock: Callable[[], datetime], oncall_readable: bool = True,
                 check_templates: bool = True) -> None:
        self.config, self.request, self.who, self.clock = config, request, who, clock
        self.team: Team = config.teams[request.team]
        self.gitlab_denied = False  # GitLab refused the token (or none is set)
        self.key = request_key(request.team, request.message, request.incident, request.drill)
        self.target = (request.incident.resolve(config.incident_project, who.gitlab_url)
                       if request.incident else None)
        if request.when_covered and self.target and self.target.project != config.incident_project:
            raise InputError("--when-covered works for issues of the incident project "
                             f"({config.incident_project}) only: the sync job delivers from there.",
                             "Page without --when-covered, or queue a new incident.")
        new_key = (dedup.dedup_key_for_issue(self.target.project or "", self.target.iid,
                                               request.team) if self.target else
                   dedup.dedup_key_for_request(config.incident_project, request.team, self.key))
        labels = (*self.team.labels, DRILL) if request.drill else tuple(self.team.labels)
        self.flow = PageFlow(request=request, team_labels=labels,
                             new_dedup_key=new_key, oncall_readable=oncall_readable,
                             target_url=self.target.url(who.gitlab_url) if self.target else "",
                             covered=is_covered(self.team.coverage, clock()))
        if check_templates:  # a template failing after the trigger would make the reply lie
            from chatops import check  # Jinja2: only with templates_dir, else at warm()

            check.require(check.plan_problems(self), "Fix them or remove templates_dir "
                           "(`chatops check` shows this too); nothing was sent.")

    def context(self, flow: PageFlow | None = None) -> dict[str, Any]:
        """Template variables for the current state of the flow (or of a sample flow)."""
        ctx = compose.common_context(flow or self.flow, self.request.team, self.team, self.who,
                                     self.clock())
        ctx["incident_project"] = self.config.incident_project
        ctx["gitlab_denied"] = self.gitlab_denied
        return ctx

    def render(self, template: str, **extra: Any) -> str:
        """Render a template with the flow's context."""
        from chatops import render  # Jinja2 loads while the first look-ups are out (warm)

        return render.render(template, {**self.context(), **extra}, self.config.templates_dir)

    def warm(self) -> None:
        """Load Jinja2 and compile the issue template ahead of its use; overriding templates
        all compile now too, so that none fails after the trigger (shipped ones are tested)."""
        from chatops import render

        later = ("note_paged.md.j2", "reply.txt.j2") if self.config.templates_dir else ()
        render.prepare((ISSUE_TEMPLATE, *later), self.config.templates_dir)

    def title(self) -> str:
        """The incident issue title."""
        return compose.title(self.flow, self.team)

    def description(self) -> str:
        """The incident issue description, with its hidden request marker."""
        marker = markers.request_marker(self.key, self.request.team, self.flow.new_dedup_key,
                                        self.who.login)
        return self.render(ISSUE_TEMPLATE, marker=marker)

    def event(self) -> PageEvent:
        """The page for the current state: what the core decided to send."""
        return compose.page(self.flow, self.request.team, self.team, self.who, self.clock())

    def trigger_body(self) -> dict[str, Any]:
        """The page as PagerDuty's Events API v2 trigger spells it (what a dry run prints)."""
        from chatops.adapters.pagerduty_events import trigger_body  # pure: no client loaded

        return trigger_body(self.event())
