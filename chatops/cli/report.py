"""`chatops report`: the pilot's figures as Markdown, JSON or CSV."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from chatops.cli import boundary, common
from chatops.cli.boundary import Finished
from chatops.core.request import known_team
from chatops.report import as_format, cost_line, figures, period, write


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
        data = figures(config, tracker, pd, when, teams, env.gitlab_url)
        print(cost_line(data["cost"]), file=sys.stderr, flush=True)
        text = as_format(data, fmt, config)
        detail = f"escalations={len(data['escalations'])}"
        if output is None:
            sys.stdout.write(text)
            return Finished("", "ok", detail=detail)
        write(output, text)
        return Finished(f"Report written to {output}.", "ok", detail=detail)

    # Without --output the report itself is standard output: the RESULT line goes to stderr.
    boundary.run(work, result_to_stderr=output is None,
                 on_error=lambda exc: boundary.refused(f"REPORT FAILED: {exc}", exc),
                 on_crash=lambda: boundary.crashed("REPORT CRASHED (a bug): see the traceback."))
