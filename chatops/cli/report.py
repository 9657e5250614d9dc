"""`chatops report` (pilot metrics) and `chatops feedback` (the 1/3/6-month feedback issue)."""

from __future__ import annotations

import calendar
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import click

from chatops import render
from chatops.audit import AuditLog
from chatops.cli import boundary, common
from chatops.cli.boundary import Finished
from chatops.config import Config
from chatops.core.labels import FEEDBACK
from chatops.core.model import marker, read_markers
from chatops.core.report import Period, build
from chatops.core.request import known_team
from chatops.errors import ConfigError, InputError
from chatops.reporting import as_format, cost, gather, period, report_services
from chatops.services import team_service_ids

MONTHS = {"1m": 1, "3m": 3, "6m": 6}
MASS_MENTIONS = frozenset({"all", "here", "channel", "everyone"})


def _cost_line(spent: dict[str, Any]) -> str:
    """The job log's line stating what the report cost (CSV output has no room for it)."""
    return (f"COST requests_gitlab={spent['requests_gitlab']} "
            f"requests_pagerduty={spent['requests_pagerduty']} seconds={spent['seconds']}")


@click.command()
@click.option("--since", help="A duration back from now: 24h, 30d, 12w (default 30d).")
@click.option("--from", "start", metavar="DATE", help="Start date (UTC), YYYY-MM-DD.")
@click.option("--to", "end", metavar="DATE", help="End date (UTC), YYYY-MM-DD.")
@click.option("--team", help="Only this team.")
@click.option("--format", "fmt", type=click.Choice(["md", "json", "csv"]), default="md",
              show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to a file instead of standard output.")
def report(since: str | None, start: str | None, end: str | None, team: str | None,
           fmt: str, output: Path | None) -> None:
    """The pilot's figures: pages, time to acknowledge and resolve, coverage, load."""

    def work() -> Finished:
        config, env = common.load()
        when = period(since, start, end, common.now())
        teams = [known_team(team, list(config.teams))] if team else list(config.teams)
        tracker, pd = common.tracker(config, env), common.pagerduty(config, env)
        started = time.monotonic()
        pages, marks = gather(config, tracker, pd, when, teams, env.gitlab_url,
                              service_ids=report_services(teams, team_service_ids(config, pd)))
        data = {**build(pages, marks, when, teams),
                "cost": cost(tracker, pd, started, time.monotonic())}
        print(_cost_line(data["cost"]), file=sys.stderr, flush=True)
        text = as_format(data, fmt, config)
        if output is None:
            sys.stdout.write(text)
            return Finished("", "ok", detail=f"escalations={len(pages)}")
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise InputError(f"Cannot write {output}: {exc.strerror}.",
                             "Give --output a writable file path.") from exc
        return Finished(f"Report written to {output}.", "ok", detail=f"escalations={len(pages)}")

    # Without --output the report itself is standard output: the RESULT line goes to stderr.
    boundary.run(work, result_to_stderr=output is None,
                 on_error=lambda exc: boundary.refused(f"REPORT FAILED: {exc}", exc),
                 on_crash=lambda: boundary.crashed("REPORT CRASHED (a bug): see the traceback."))


def milestone_period(config: Config, milestone: str) -> Period:
    """From the launch date to the milestone (1, 3 or 6 months later)."""
    if config.launch_date is None:
        raise ConfigError("launch_date is not set in chatops.toml.",
                          "Add e.g. launch_date = 2026-12-01 (the pilot's first day).")
    start = datetime(config.launch_date.year, config.launch_date.month, config.launch_date.day,
                     tzinfo=common.now().tzinfo)
    months = MONTHS[milestone]
    year, month = divmod(start.month - 1 + months, 12)
    year, month = start.year + year, month + 1
    day = min(start.day, calendar.monthrange(year, month)[1])  # 31 Aug + 1 month: 30 Sep
    end = start.replace(year=year, month=month, day=day)
    return Period(start, end, f"{months} month{'s' if months > 1 else ''} after launch")


@click.command()
@click.option("--milestone", type=click.Choice(list(MONTHS)), required=True)
def feedback(milestone: str) -> None:
    """Open the feedback issue of a milestone once (a rerun finds the existing one)."""
    audit = AuditLog("chatops-feedback")

    def work() -> Finished:
        config, env = common.load()
        when = milestone_period(config, milestone)
        if common.now() < when.end:
            raise InputError(f"The {milestone} milestone is {when.end:%Y-%m-%d}: its feedback "
                             "issue opens then, with the whole period's figures.",
                             "Schedule the job on or after that date.")
        tracker, pd = common.tracker(config, env), common.pagerduty(config, env)
        project = config.incident_project
        own = tracker.own_issues(project, when.start - timedelta(days=1),
                                 common.now() + timedelta(days=1))
        existing = [i for i in own if any(m.get("milestone") == milestone for m in
                                          read_markers(i.description, "feedback"))]
        if existing:
            audit.record("open-feedback", existing[0].web_url, "exists")
            return Finished(f"Feedback issue for {milestone} already exists: "
                            f"{existing[0].web_url}", "exists")
        teams = list(config.teams)
        started = time.monotonic()
        pages, marks = gather(config, tracker, pd, when, teams, env.gitlab_url,
                              service_ids=report_services(teams, team_service_ids(config, pd)))
        data = {**build(pages, marks, when, teams),
                "cost": cost(tracker, pd, started, time.monotonic())}
        print(_cost_line(data["cost"]), flush=True)
        # Who was on call in the period: PagerDuty's schedules, paged or not.
        shifts = pd.oncalls([t.escalation_policy_id for t in config.teams.values()],
                            when.start, min(when.end, common.now()))
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
        return Finished(f"Opened the {milestone} feedback issue: {issue.web_url}", "ok")

    boundary.run(work, on_error=lambda exc: boundary.refused(f"FEEDBACK FAILED: {exc}", exc),
                 on_crash=lambda: boundary.crashed("FEEDBACK CRASHED (a bug): see the "
                                                   "traceback."))
