"""`chatops check`: every template renders, variables are set, coverage has people on call."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from itertools import product
from typing import TYPE_CHECKING, Any

from chatops import render
from chatops.adapters.pagerduty_errors import unknown_policy_hint
from chatops.audit import AuditLog
from chatops.config import Config, Environment
from chatops.core import compose, urgency
from chatops.core.compose import coverage_text
from chatops.core.coverage import covered_windows, gaps
from chatops.core.incident import Incident
from chatops.core.model import Issue, OnCall, Outcome, PageRecord
from chatops.core.page import PageFlow
from chatops.core.ports import PagerDutyPorts
from chatops.core.request import PageRequest, Requester, build_request
from chatops.errors import ConfigError
from chatops.result import JobResult

if TYPE_CHECKING:
    from chatops.page.plan import PagePlan

# The page flow's templates get compose.common_context plus these.
_PAGE = frozenset({*compose.CONTEXT_KEYS, "incident_project", "gitlab_denied", "marker"})
# What each caller passes (page/runner.py, escalation.py, sync.py + core/sync.py, report.py,
# oncall.py, feedback.py); a name outside these sets can only fail at run time.
VARIABLES: dict[str, frozenset[str]] = {
    "reply.txt.j2": _PAGE,
    "issue_description.md.j2": _PAGE,
    "note_paged.md.j2": _PAGE,
    "note_page_failed.md.j2": _PAGE,
    "note_queued.md.j2": _PAGE,
    "oncall_reply.txt.j2": frozenset({"rows", "problem", "now"}),
    "escalation_reply.txt.j2": frozenset({"now", "actor", "verb", "issue", "states", "closed",
                                          "failed", "rows", "queued", "dequeued", "stuck",
                                          "gitlab_problem", "label", "hidden", "who_known",
                                          "unanswered"}),
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
    from chatops.page.plan import PagePlan  # the page flow's own context builder

    problems = render.static_problems(config.templates_dir, VARIABLES)
    if not problems:
        for team in config.teams:
            request = build_request(team, "sample", None, None, False, list(config.teams))
            who = Requester("sample", "U0", "C0", "", "https://gitlab.example")
            plan = PagePlan(config, request, who, lambda: _SAMPLE_AT, check_templates=False)
            problems += [p for p in plan_problems(plan, shipped_too=True) if p not in problems]
    require(problems, "Fix them (the shipped ones are in chatops/templates) or remove "
                      "templates_dir.")


def check(config: Config, env: Environment, days: int, clock: Callable[[], datetime],
          pagerduty: Callable[[], PagerDutyPorts], audit: AuditLog,
          say: Callable[[str], None]) -> JobResult:
    """Templates, variables, policies, then coverage gaps and drill urgency for `days` ahead."""
    validate_templates(config)
    lines = [f"Configuration OK: {len(config.teams)} team(s), incident project "
             f"{config.incident_project}; templates render."]
    missing = missing_variables(config, env, in_ci="CI_PIPELINE_SOURCE" in env.ci)
    if missing:
        say("\n".join(lines))
        audit.record("check-variables", "environment", "missing", str(len(missing)))
        raise ConfigError("Variables the jobs need are not set in this job:\n"
                          + "\n".join(missing), PROTECTED_HINT)
    if env.pagerduty_api_token is None:
        lines.append("PAGERDUTY_API_TOKEN is not set: escalation policies and schedules "
                     "not compared with coverage.")
        return JobResult("\n".join(lines), "ok", detail="schedules=not-checked")
    say("\n".join(lines))
    pd = pagerduty()
    unknown = [f"teams.{key}: {unknown_policy_hint(team.escalation_policy_id)}"
               for key, team in config.teams.items()
               if not pd.policy_exists(team.escalation_policy_id)]
    if unknown:
        raise ConfigError("Unknown escalation policies (PagerDuty answers 404):\n" +
                          "\n".join(f"  - {u}" for u in unknown),
                          "Schedules were not compared with coverage.")
    found = coverage_gaps(config, pd, clock(), days)
    rules, loud = drill_urgency(config, pd)
    audit.record("check-coverage", f"{days} days", "gaps" if found else "ok", f"{len(found)}")
    audit.record("check-drill-urgency", "services", "loud" if loud else "ok", f"{len(loud)}")
    text = "\n".join([*rules, *found, *loud])
    if found or loud:
        return JobResult(text, "gaps" if found else "loud-drills", failed=True,
                         detail=f"gaps={len(found)} loud_drills={len(loud)}")
    return JobResult(text, "ok", detail="gaps=0 loud_drills=0")


# GitLab passes protected CI/CD variables only to pipelines of protected branches and
# tags (docs.gitlab.com/ci/variables, "Protect a CI/CD variable"): a merge request
# pipeline from an unprotected branch runs without them, and must fail visibly.
PROTECTED_HINT = (
    "In a merge request pipeline "
    "from an unprotected branch, GitLab withholds protected CI/CD variables: push the "
    "change to a protected branch (for example a protected wildcard such as chatops/*) "
    "and open the merge request from there. Otherwise add them under Settings > CI/CD > "
    "Variables.")


def missing_variables(config: Config, env: Environment, in_ci: bool) -> list[str]:
    """A MISSING line per variable the jobs need but this environment lacks.

    Routing keys always (without one a team cannot be paged); in a pipeline also the
    tokens, because there the check stands for the deployed jobs.
    """
    lines = [f"MISSING {team.routing_key_env}: the Events API v2 routing key of "
             f"{team.display_name} (teams.{name}.routing_key_env)"
             for name, team in config.teams.items() if not env.routing_key(team)]
    if in_ci and env.pagerduty_api_token is None:
        lines.append("MISSING PAGERDUTY_API_TOKEN: the PagerDuty REST API key")
    if in_ci and env.gitlab_token is None:
        lines.append("MISSING GITLAB_TOKEN: the project or bot access token (scope api)")
    return lines


def drill_urgency(config: Config, desk: PagerDutyPorts) -> tuple[list[str], list[str]]:
    """Each team service's urgency rule, and a DRILL line where drills would not be low."""
    rules, loud = [], []
    for team in config.teams.values():
        for sid, name, rule in desk.policy_services(team.escalation_policy_id):
            rules.append(f"URGENCY {team.display_name}: service {name} ({sid}): "
                         f"{urgency.describe(rule)}")
            problem = urgency.drill_problem(rule)
            if problem:
                loud.append(f"DRILL {team.display_name}: service {name} ({sid}): {problem}")
    return rules, loud


def coverage_gaps(config: Config, desk: PagerDutyPorts, now: datetime, days: int) -> list[str]:
    """Covered hours of the next days with nobody on call at level 1, one line each."""
    until = now + timedelta(days=days)
    policies = [team.escalation_policy_id for team in config.teams.values()]
    shifts = desk.oncalls(policies, now, until)
    lines = []
    for team in config.teams.values():
        level1 = [(s.since or now, s.until or until) for s in
                  shifts.get(team.escalation_policy_id, ()) if s.level == 1]
        for start, end in gaps(covered_windows(team.coverage, now, until), level1):
            if end - start >= timedelta(minutes=1):
                start, end = start.astimezone(UTC), end.astimezone(UTC)
                lines.append(f"GAP {team.display_name}: nobody on call at level 1 "
                             f"{start:%a %Y-%m-%d %H:%M} to {end:%a %Y-%m-%d %H:%M} UTC "
                             f"(coverage {coverage_text(team)})")
    return lines
