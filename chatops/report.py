"""Gather the pilot's facts from PagerDuty and GitLab, and render the report."""

from __future__ import annotations

import csv
import io
import json
import re
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from chatops import records, render
from chatops.config import Config
from chatops.core.escape import csv_cell
from chatops.core.incident import Incident, LogEntry
from chatops.core.model import Issue, read_markers
from chatops.core.ports import IssueTracker, PagerDutyPorts
from chatops.core.report import CSV_COLUMNS, Mark, Page, Period, build, page_from
from chatops.errors import InputError
from chatops.services import team_service_ids

LOOKBACK = timedelta(days=7)
GRACE = timedelta(days=7)  # log entries read past the period's end, for late acks/resolves
_RELATIVE = re.compile(r"^(\d{1,4})([hdw])$")


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
        return _time(text if "T" in text else f"{text}T00:00:00Z")
    except ValueError:
        raise InputError(f"{option} {text!r} is not a date (YYYY-MM-DD).") from None


def _time(value: Any) -> datetime:
    """An ISO 8601 time with a zone (an option, a change event's timestamp); else ValueError."""
    moment = datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        raise ValueError(f"time without a zone: {value!r}")
    return moment


def report_services(teams: list[str],
                    by_team: Mapping[str, Sequence[str]] | None = None) -> list[str] | None:
    """The PagerDuty services of the reported teams (services.team_service_ids gives them).

    None (no mapping, or no service found) means: read every service of the account and
    keep chatops' incidents by their dedup key.
    """
    if by_team is None:
        return None
    return sorted({sid for team in teams for sid in by_team.get(team, ())}) or None


def gather(config: Config, tracker: IssueTracker, pd: PagerDutyPorts, when: Period,
           teams: list[str], gitlab_url: str, service_ids: list[str] | None = None,
           now: datetime | None = None) -> tuple[list[Page], list[Mark]]:
    """Pages (PagerDuty incidents and logs) and marks (GitLab's record, change events).

    Two streams run at once, each serial: PagerDuty asks for one request at a time per
    token (docs/REST-API/04-Rate-Limits.md, "Make requests serially for a given
    authentication token"), and GitLab gets the same courtesy. service_ids narrows the
    PagerDuty reads to the teams' services (None: every service, filtered by dedup key).
    """
    moment = now or datetime.now(UTC)
    with ThreadPoolExecutor(max_workers=1) as pool:
        from_gitlab = pool.submit(_gitlab_side, config, tracker, when, teams)
        incidents, logs, refusals = _pagerduty_side(pd, when, teams, service_ids, moment)
        requests, marks = from_gitlab.result()
    by_key = {m.get("dedup_key", ""): url for url, (_, m) in requests.items()}
    as_of = min(when.end, moment)
    pages = [_page(config, incident, teams, logs.get(incident.id, []), by_key, gitlab_url,
                   as_of) for incident in incidents]
    seen = {(m.link, m.team) for m in marks if m.kind == "refused"}
    marks += [m for m in refusals if m.team in teams and (m.link, m.team) not in seen]
    return pages, marks


def _gitlab_side(config: Config, tracker: IssueTracker, when: Period, teams: list[str]
                 ) -> tuple[dict[str, tuple[Issue, dict[str, str]]], list[Mark]]:
    """chatops' issues of the period (their request markers) and the durable record."""
    # Issues opened a little before the period still own pages made inside it.
    own = tracker.own_issues(config.incident_project, when.start - LOOKBACK, when.end)
    requests = {issue.web_url: (issue, found[0]) for issue in own
                if (found := read_markers(issue.description, "request"))}
    marks = [m for m in records.read(tracker, config.incident_project, when.start, when.end)
             if m.team in teams]
    return requests, marks


def _pagerduty_side(pd: PagerDutyPorts, when: Period, teams: list[str],
                    service_ids: list[str] | None, now: datetime
                    ) -> tuple[list[Incident], dict[str, list[LogEntry]], list[Mark]]:
    """The period's chatops incidents, their logs, and the refusals PagerDuty still keeps."""
    # With alert grouping an incident has no incident_key: its alerts' keys name the
    # escalations (read only for keyless incidents of the teams' services).
    incidents = [i for i in map(lambda i: i if i.incident_key else pd.with_keys(i),
                                pd.incidents_created(when.start, when.end, service_ids))
                 if any(e.team in teams for e in i.escalations)]
    logs: dict[str, list[LogEntry]] = {}
    if incidents:
        # One bulk read of the period's log entries (plus a grace for late acknowledgements
        # and resolutions), unless reading incident by incident would cost less.
        end = min(now, when.end + GRACE)
        late = [i for i in incidents if (i.open and end < now)
                or (i.changed_at is not None and i.changed_at > end)]
        bulk = pd.log_entries_between(when.start, end, len(incidents) - len(late))
        if bulk is None:
            late = incidents
        wanted = {i.id for i in incidents} - {i.id for i in late}
        for entry in bulk or []:
            if entry.incident_id in wanted:
                logs.setdefault(entry.incident_id, []).append(entry)
        for incident in late:
            logs[incident.id] = pd.incident_log(incident.id)
    refusals = pd.refusals(when.start, when.end, now, service_ids)
    return incidents, logs, refusals


def _page(config: Config, incident: Incident, teams: list[str], log: list[LogEntry],
          by_key: dict[str, str], gitlab_url: str, as_of: datetime) -> Page:
    """One page, linked to its issue; its requester and drill are the facts of its trigger."""
    key = next(e for e in incident.escalations if e.team in teams)
    url = key.issue.url(gitlab_url) if key.issue else by_key.get(key.key, "")
    team = config.teams.get(key.team)
    return page_from(incident, log, key.team, team.ack_timeout_minutes if team else 15, url,
                     as_of=as_of)


def cost(tracker: object, pd: object, started: float, finished: float) -> dict[str, Any]:
    """What the report cost: requests sent to each service, and seconds."""
    def sent(adapter: object) -> int:
        value = getattr(adapter, "requests_sent", 0)
        return value if isinstance(value, int) else 0

    return {"requests_gitlab": sent(tracker), "requests_pagerduty": sent(pd),
            "seconds": round(finished - started, 1)}


def as_format(data: dict[str, Any], fmt: str, config: Config) -> str:
    """The report as Markdown (tables + Mermaid), JSON or CSV."""
    if fmt == "json":
        return json.dumps(data, indent=2, sort_keys=False) + "\n"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for item in data["escalations"]:
            writer.writerow({k: str(v).lower() if isinstance(v, bool) else csv_cell(v)
                             for k, v in item.items()})
        return out.getvalue()
    names = {key: team.display_name for key, team in config.teams.items()}
    return render.render("report.md.j2", {"r": data, "names": names}, config.templates_dir)


# The report job (`chatops report`; `chatops feedback` embeds the same figures).


def figures(config: Config, tracker: IssueTracker, pd: PagerDutyPorts, when: Period,
            teams: list[str], gitlab_url: str) -> dict[str, Any]:
    """The period's report of the teams' services, with what reading it cost."""
    started = time.monotonic()
    pages, marks = gather(config, tracker, pd, when, teams, gitlab_url,
                          service_ids=report_services(teams, team_service_ids(config, pd)))
    return {**build(pages, marks, when, teams),
            "cost": cost(tracker, pd, started, time.monotonic())}


def cost_line(spent: dict[str, Any]) -> str:
    """The job log's line stating what the report cost (CSV output has no room for it)."""
    return (f"COST requests_gitlab={spent['requests_gitlab']} "
            f"requests_pagerduty={spent['requests_pagerduty']} seconds={spent['seconds']}")


def write(output: Path, text: str) -> None:
    """Write the report to a file; an InputError says when it cannot be written."""
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"Cannot write {output}: {exc.strerror}.",
                         "Give --output a writable file path.") from exc
