"""The durable record of requests that did not page at once (refused, queued, failed).

PagerDuty keeps change events for 90 days only (developer-docs
docs/events-API-v2/03-Change-Events.md, "Data Retention"), and an issue's label history
costs one request per issue. So GitLab is the system of record: each such request becomes
one note, with a hidden marker, on the month's "chatops record" issue of the incident
project. A report reads the record issues with one list request and their notes a page
(100 notes) at a time, whatever the number of escalations.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote, unquote

from chatops.core.escape import md_text, md_url
from chatops.core.labels import RECORD
from chatops.core.model import Issue, marker, read_markers
from chatops.core.ports import IssueTracker
from chatops.core.report import Mark

KINDS = {"refused": "Refused", "queued": "Queued", "failed": "Page failed"}


def month_of(moment: datetime) -> str:
    """The record month of a moment: YYYY-MM in UTC."""
    return moment.astimezone(UTC).strftime("%Y-%m")


def _pack(text: str) -> str:
    """A marker value: %-encoded so that it is one token of marker-safe characters."""
    packed = quote(text, safe=":/#").replace("~", "%7E")
    return {"": "-", "-": "%2D"}.get(packed, packed)


def _unpack(value: str) -> str:
    """The text a marker value holds."""
    return "" if value == "-" else unquote(value)


def record_marker(mark: Mark) -> str:
    """The hidden line that makes a record note readable and idempotent."""
    return marker("record", what=mark.kind, team=mark.team,
                  at=mark.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                  by=_pack(mark.requester), link=_pack(mark.link), reason=_pack(mark.reason),
                  drill=str(int(mark.drill)))


def note_body(mark: Mark) -> str:
    """A record note: one readable line (no mention, no link text from input) and the marker."""
    link = md_url(mark.link)
    parts = [f"**{KINDS.get(mark.kind, mark.kind)}**", f"team `{mark.team}`",
             f"{mark.at.astimezone(UTC):%Y-%m-%d %H:%M} UTC",
             f"requested by {md_text(mark.requester) or 'unknown'}"]
    if mark.reason:
        parts.append(f"reason: {md_text(mark.reason)}")
    if link:
        parts.append(f"[details]({link})")
    drill = " (drill)" if mark.drill else ""
    return " · ".join(parts) + drill + "\n\n" + record_marker(mark)


def _month_issue(tracker: IssueTracker, project: str, month: str) -> Issue:
    """The month's record issue, opened on first use."""
    for issue in tracker.issues_labelled(project, RECORD):
        if any(m.get("month") == month for m in read_markers(issue.description, "record_month")):
            return issue
    head = marker("record_month", month=month)
    description = (f"Requests to page a team that did not page at once in {month} (UTC): "
                   "refused for lack of coverage, queued until coverage starts, or failed. "
                   "One note per request, written by chatops; `chatops report` and the "
                   "feedback issues read them back. Please leave this issue as it is.\n\n"
                   + head)
    return tracker.open_issue(project, f"ChatOps record {month}: requests that did not page",
                              description, [RECORD], head, issue_type="issue")


def keep(tracker: IssueTracker, project: str, mark: Mark) -> str:
    """Write one record note; returns the record issue's URL."""
    issue = _month_issue(tracker, project, month_of(mark.at))
    tracker.add_note(issue.ref, note_body(mark), record_marker(mark))
    return issue.web_url


def read(tracker: IssueTracker, project: str, since: datetime, until: datetime) -> list[Mark]:
    """Every recorded request in [since, until), from the record issues of those months."""
    first, last = month_of(since), month_of(until)
    marks: dict[tuple[str, ...], Mark] = {}
    for issue in tracker.issues_labelled(project, RECORD):
        heads = read_markers(issue.description, "record_month")
        if not any(first <= h.get("month", "") <= last for h in heads):
            continue
        for body in tracker.own_notes(issue.ref):
            for fields in read_markers(body, "record"):
                mark = _mark(fields)
                if mark is not None and since <= mark.at < until:
                    marks.setdefault((mark.kind, mark.team, mark.link, fields["at"]), mark)
    return sorted(marks.values(), key=lambda m: m.at)


def _mark(fields: dict[str, str]) -> Mark | None:
    """A Mark from a record marker's fields (None when it is not whole)."""
    try:
        at = datetime.fromisoformat(fields["at"].replace("Z", "+00:00"))
        if fields["what"] not in KINDS or at.tzinfo is None:
            return None
        return Mark(fields["team"], fields["what"], at, _unpack(fields.get("link", "-")),
                    _unpack(fields.get("by", "-")), _unpack(fields.get("reason", "-")),
                    drill=fields.get("drill") == "1")
    except (KeyError, ValueError):
        return None
