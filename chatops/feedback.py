"""The pilot's feedback issue of a milestone (1, 3 or 6 months after launch), opened once."""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from chatops import render
from chatops.audit import AuditLog
from chatops.config import Config
from chatops.core.labels import FEEDBACK
from chatops.core.model import marker, read_markers
from chatops.core.ports import IssueTracker, PagerDutyPorts
from chatops.core.report import Period
from chatops.errors import ConfigError, InputError
from chatops.report import as_format, cost_line, figures
from chatops.result import JobResult

MONTHS = {"1m": 1, "3m": 3, "6m": 6}
MASS_MENTIONS = frozenset({"all", "here", "channel", "everyone"})


def milestone_period(config: Config, milestone: str) -> Period:
    """From the launch date to the milestone (1, 3 or 6 months later)."""
    if config.launch_date is None:
        raise ConfigError("launch_date is not set in chatops.toml.",
                          "Add e.g. launch_date = 2026-12-01 (the pilot's first day).")
    start = datetime(config.launch_date.year, config.launch_date.month, config.launch_date.day,
                     tzinfo=UTC)
    months = MONTHS[milestone]
    year, month = divmod(start.month - 1 + months, 12)
    year, month = start.year + year, month + 1
    day = min(start.day, calendar.monthrange(year, month)[1])  # 31 Aug + 1 month: 30 Sep
    end = start.replace(year=year, month=month, day=day)
    return Period(start, end, f"{months} month{'s' if months > 1 else ''} after launch")


def due_period(config: Config, milestone: str, now: datetime) -> Period:
    """The milestone's period, once it has ended (InputError before: the figures are partial)."""
    when = milestone_period(config, milestone)
    if now < when.end:
        raise InputError(f"The {milestone} milestone is {when.end:%Y-%m-%d}: its feedback "
                         "issue opens then, with the whole period's figures.",
                         "Schedule the job on or after that date.")
    return when


def open_feedback(config: Config, tracker: IssueTracker, pd: PagerDutyPorts, milestone: str,
                  when: Period, gitlab_url: str, clock: Callable[[], datetime],
                  audit: AuditLog, say: Callable[[str], None]) -> JobResult:
    """Open the milestone's feedback issue, unless a run before this one already did."""
    project = config.incident_project
    own = tracker.own_issues(project, when.start - timedelta(days=1),
                             clock() + timedelta(days=1))
    existing = [i for i in own if any(m.get("milestone") == milestone for m in
                                      read_markers(i.description, "feedback"))]
    if existing:
        audit.record("open-feedback", existing[0].web_url, "exists")
        return JobResult(f"Feedback issue for {milestone} already exists: "
                         f"{existing[0].web_url}", "exists")
    data = figures(config, tracker, pd, when, list(config.teams), gitlab_url)
    say(cost_line(data["cost"]))
    # Who was on call in the period: PagerDuty's schedules, paged or not.
    shifts = pd.oncalls([t.escalation_policy_id for t in config.teams.values()],
                        when.start, min(when.end, clock()))
    people = sorted({s.name for items in shifts.values() for s in items})
    body = render.render("feedback.md.j2", {
        "milestone": milestone, "period": when, "report": as_format(data, "md", config),
        # Never a mass mention, whatever the configuration says.
        "mentions": [config.people[p] for p in people if p in config.people
                     and config.people[p].lower() not in MASS_MENTIONS],
        "unmapped": [p for p in people if p not in config.people],
        "marker": marker("feedback", milestone=milestone)}, config.templates_dir)
    # A rerun finds the issue above; a create that times out is re-checked first.
    title = (f"ChatOps pilot feedback: {when.label} "
             f"({when.start:%Y-%m-%d} to {when.end:%Y-%m-%d})")
    feedback_marker = marker("feedback", milestone=milestone)
    issue = tracker.open_issue(project, title, body, [FEEDBACK], feedback_marker,
                               issue_type="issue")
    audit.record("open-feedback", issue.web_url, "ok")
    return JobResult(f"Opened the {milestone} feedback issue: {issue.web_url}", "ok")
