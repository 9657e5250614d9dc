"""Template checks: every template a job may need renders, before anything is sent."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from itertools import product
from typing import TYPE_CHECKING, Any

from chatops import render
from chatops.config import Config
from chatops.core import compose
from chatops.core.escalation import PageFlow
from chatops.core.incident import Incident
from chatops.core.model import Issue, OnCall, Outcome, PageRecord
from chatops.core.request import PageRequest, Requester, build_request
from chatops.errors import ConfigError

if TYPE_CHECKING:
    from chatops.plan import PagePlan

# The page flow's templates get compose.common_context plus these.
_PAGE = frozenset({*compose.CONTEXT_KEYS, "incident_project", "gitlab_denied", "marker"})
# What each caller passes (runner.py, steering.py, follow.py + core/sync.py, reporting.py,
# cli/oncall.py, cli/report.py); a name outside these sets can only fail at run time.
VARIABLES: dict[str, frozenset[str]] = {
    "reply.txt.j2": _PAGE,
    "issue_description.md.j2": _PAGE,
    "note_paged.md.j2": _PAGE,
    "note_page_failed.md.j2": _PAGE,
    "note_queued.md.j2": _PAGE,
    "oncall_reply.txt.j2": frozenset({"rows", "problem", "now"}),
    "escalation_reply.txt.j2": frozenset({"now", "actor", "verb", "issue", "states", "closed",
                                          "failed", "rows", "queued", "dequeued", "stuck",
                                          "gitlab_problem", "label", "hidden"}),
    "note_closed.md.j2": frozenset({"now", "actor", "verb", "text", "closed", "dequeued",
                                    "marker"}),
    "note_log.md.j2": frozenset({"entry", "team", "incident", "elapsed", "within_target",
                                 "marker", "issue_ref"}),
    "note_overdue.md.j2": frozenset({"team", "team_key", "incident", "waited", "notified",
                                     "marker", "issue_ref"}),
    "note_delivered.md.j2": frozenset({"team", "now", "marker"}),
    "feedback.md.j2": frozenset({"milestone", "period", "report", "mentions", "unmapped",
                                 "marker"}),
    "report.md.j2": frozenset({"r", "names"}),
}
PAGE_TEMPLATES = ("reply.txt.j2", "issue_description.md.j2", "note_paged.md.j2",
                  "note_page_failed.md.j2", "note_queued.md.j2")
_SAMPLE_AT = datetime(2026, 11, 26, 14, 30, tzinfo=UTC)


def page_problems(config: Config, request: PageRequest, flow: PageFlow,
                  context: Callable[[PageFlow], dict[str, Any]]) -> list[str]:
    """Render each page template for every outcome the flow could reach, with sample data."""
    sample_issue = Issue(config.incident_project, 1, f"https://gitlab.example/{config.incident_project}"
                         "/-/issues/1", "Sample escalation", "opened", flow.team_labels)
    oncall = (OnCall(1, "Sample Person", _SAMPLE_AT + timedelta(hours=8)),
              OnCall(2, "Sample Backup", None))
    base = replace(flow, issue=sample_issue, dedup_key=flow.new_dedup_key,
                   incident=Incident("PSAMPLE", 1, "triggered", flow.new_dedup_key, _SAMPLE_AT,
                                     "https://pd.example/incidents/P1"),
                   prior=PageRecord(request.team, flow.new_dedup_key, "2026-11-26T14:30:00Z", ""),
                   gitlab_problem="GitLab sample problem", page_problem="PagerDuty sample problem",
                   record_problems=("note: sample problem",))
    jobs: list[tuple[str, PageFlow]] = []
    for outcome, known, drill in product([o for o in Outcome if o is not Outcome.DRY_RUN],
                                         (True, False), (False, True)):
        sample = replace(base, outcome=outcome, oncall=oncall if known else None,
                         oncall_problem="" if known else "sample on-call problem",
                         request=replace(base.request, drill=drill))
        if outcome is Outcome.PAGED_WITHOUT_ISSUE:
            sample = replace(sample, issue=None)
        jobs.append(("reply.txt.j2", sample))
    for name in PAGE_TEMPLATES[1:]:
        jobs += [(name, replace(base, oncall=oncall)), (name, replace(base, oncall=None))]
    problems: list[str] = []
    for name, sample in jobs:
        try:
            render.render(name, {**context(sample), "marker": "<!-- sample -->"},
                          config.templates_dir)
        except ConfigError as exc:
            if exc.message not in problems:
                problems.append(exc.message)
    return problems


def plan_problems(plan: PagePlan, shipped_too: bool = False) -> list[str]:
    """What would fail in a page plan's templates, for any outcome.

    The shipped templates alone are known good (tests render them all), so a page
    without templates_dir skips the check: it costs tens of milliseconds before the page.
    """
    if plan.config.templates_dir is None and not shipped_too:
        return []
    page = {name: names for name, names in VARIABLES.items() if name in PAGE_TEMPLATES}
    return (render.static_problems(plan.config.templates_dir, page, all_templates=False)
            or page_problems(plan.config, plan.request, plan.flow, plan.context))


def require(problems: list[str], hint: str) -> None:
    """Raise one ConfigError naming every template problem, if any."""
    if problems:
        raise ConfigError("Templates would fail:\n" + "\n".join(f"  - {p}" for p in problems),
                          hint)


def validate_templates(config: Config) -> None:
    """Every template chatops uses, for every team (`chatops check`)."""
    from chatops.plan import PagePlan  # the page flow's own context builder

    problems = render.static_problems(config.templates_dir, VARIABLES)
    if not problems:
        for team in config.teams:
            request = build_request(team, "sample", None, None, False, list(config.teams))
            who = Requester("sample", "U0", "C0", "", "https://gitlab.example")
            plan = PagePlan(config, request, who, lambda: _SAMPLE_AT, check_templates=False)
            problems += [p for p in plan_problems(plan, shipped_too=True) if p not in problems]
    require(problems, "Fix them (the shipped ones are in chatops/templates) or remove "
                      "templates_dir.")
