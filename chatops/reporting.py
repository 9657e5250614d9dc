"""Gather the pilot's facts from PagerDuty and GitLab, and render the report."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from chatops import render
from chatops.config import Config
from chatops.core.history import Incident, LogEntry, parse_dedup_key, parse_time
from chatops.core.model import read_markers
from chatops.core.ports import IssueTracker, PagerDutyPorts
from chatops.core.report import CSV_COLUMNS, Mark, Page, Period, marks_from_labels, page_from
from chatops.errors import InputError

T = TypeVar("T")
R = TypeVar("R")
LOOKBACK = timedelta(days=7)
_RELATIVE = re.compile(r"^(\d{1,4})([hdw])$")
WORKERS = 8  # concurrent reads: the request count grows linearly, the time much less


def period(since: str | None, start: str | None, end: str | None, now: datetime) -> Period:
    """--since 30d, or --from DATE --to DATE (UTC); default: the last 30 days."""
    if start or end:
        if since:
            raise InputError("Give either --since or --from/--to, not both.")
        begin = _date(start, "--from") if start else now - timedelta(days=30)
        # --to names the last day reported: it is included whole.
        finish = _date(end, "--to") + timedelta(days=1) if end and "T" not in end else (
            _date(end, "--to") if end else now)
        if begin >= finish:
            raise InputError(f"The period starts {begin:%Y-%m-%d} and ends before it.",
                             "Give --from before --to.")
        last = finish - timedelta(seconds=1)
        return Period(begin, finish, f"{begin:%Y-%m-%d} to {last:%Y-%m-%d}")
    match = _RELATIVE.match(since or "30d")
    if match is None:
        raise InputError(f"--since {since!r} is not a duration.", "Use e.g. 24h, 30d or 12w.")
    amount, unit = int(match.group(1)), match.group(2)
    delta = {"h": timedelta(hours=amount), "d": timedelta(days=amount),
             "w": timedelta(weeks=amount)}[unit]
    return Period(now - delta, now, f"last {amount}{unit}")


def _date(text: str, option: str) -> datetime:
    """A date or time in UTC."""
    try:
        return parse_time(text if "T" in text else f"{text}T00:00:00Z")
    except ValueError:
        raise InputError(f"{option} {text!r} is not a date (YYYY-MM-DD).") from None


def _parallel(fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
    """Map fn over items with a few threads, keeping the order."""
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return list(pool.map(fn, items))


def gather(config: Config, tracker: IssueTracker, pd: PagerDutyPorts, when: Period,
           teams: list[str], gitlab_url: str) -> tuple[list[Page], list[Mark]]:
    """Pages (PagerDuty incidents and logs) and marks (label history, refusals)."""
    incidents = [i for i in pd.incidents_created(when.start, when.end)
                 if (key := parse_dedup_key(i.incident_key)) and key.team in teams]
    # Issues opened a little before the period still own pages made inside it.
    own = tracker.own_issues(config.incident_project, when.start - LOOKBACK, when.end)
    requests = {issue.web_url: (issue, found[0]) for issue in own
                if (found := read_markers(issue.description, "request"))}
    by_key = {m.get("dedup_key", ""): (url, m.get("by", "")) for url, (_, m) in requests.items()}
    logs = _parallel(lambda i: pd.incident_log(i.id), incidents)
    as_of = min(when.end, datetime.now(UTC))
    pages = [_page(config, incident, log, by_key, gitlab_url, as_of)
             for incident, log in zip(incidents, logs, strict=True)]
    mine = [(issue, m) for issue, m in requests.values() if m.get("team") in teams]
    histories = _parallel(lambda pair: tracker.label_events(pair[0].ref), mine)
    marks = [mark for (issue, m), events in zip(mine, histories, strict=True)
             for mark in marks_from_labels(m["team"], issue.web_url, events,
                                           drill=issue.title.startswith("[DRILL]"),
                                           requester=_who(m))
             if when.start <= mark.at < when.end]
    marks += [m for m in _refusals(pd.change_events(when.start, when.end)) if m.team in teams]
    return pages, marks


def _who(fields: dict[str, str]) -> str:
    """The requester recorded in a marker ('-' when unknown)."""
    return "" if fields.get("by", "-") == "-" else fields.get("by", "")


def _page(config: Config, incident: Incident, log: list[LogEntry],
          by_key: dict[str, tuple[str, str]], gitlab_url: str, as_of: datetime) -> Page:
    """One page, linked to its issue, with its requester from chatops' own marker."""
    key = parse_dedup_key(incident.incident_key)
    assert key is not None
    url, by = by_key.get(incident.incident_key, ("", "-"))
    if key.issue:
        url = key.issue.url(gitlab_url)
    team = config.teams.get(key.team)
    return page_from(incident, log, key.team, team.ack_timeout_minutes if team else 15, url,
                     requester="" if by == "-" else by, as_of=as_of)


def _refusals(events: list[dict[str, Any]]) -> list[Mark]:
    """Refused requests, from the change events chatops leaves."""
    marks: dict[tuple[str, str], Mark] = {}
    for event in events:
        details = event.get("custom_details") or {}
        if isinstance(details, dict) and details.get("chatops") == "refused":
            mark = Mark(str(details.get("team", "")), "refused",
                        parse_time(event.get("timestamp")), str(details.get("job_url", "")),
                        str(details.get("requested_by", "")), str(details.get("reason", "")),
                        drill=bool(details.get("drill")))
            # A retried job refuses again: count each job (and team) once.
            marks.setdefault((mark.link or str(event.get("id")), mark.team), mark)
    return list(marks.values())


def as_format(data: dict[str, Any], fmt: str, config: Config) -> str:
    """The report as Markdown (tables + Mermaid), JSON or CSV."""
    if fmt == "json":
        return json.dumps(data, indent=2, sort_keys=False) + "\n"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for item in data["escalations"]:
            writer.writerow({k: str(v).lower() if isinstance(v, bool) else v
                             for k, v in item.items()})
        return out.getvalue()
    names = {key: team.display_name for key, team in config.teams.items()}
    return render.render("report.md.j2", {"r": data, "names": names}, config.templates_dir)
