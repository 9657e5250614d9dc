"""chatops' hidden markers: one strict, table-driven grammar, written and read only here.

A marker is a whole line `<!-- chatops:v1 KIND key=value ... -->` of a text written by a
trusted chatops user (the adapter decides who is trusted). Lines are split on "\\n" only;
a CRLF line end (a browser's edit) is tolerated. `str.splitlines()` must never be used:
it also splits on U+2028, U+2029, U+0085, \\v, \\f, \\x1c-\\x1e and a lone \\r, all of which
chat text can carry inside one line of its indented (so inert) quotation.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import quote

PREFIX = "<!-- chatops:v1 "
SUFFIX = " -->"
# Each kind and the keys it may carry: a new kind or key is one line here. Keys are
# optional (older markers lack newer keys); an unknown kind or key voids the whole line.
KINDS: dict[str, frozenset[str]] = {
    "request": frozenset({"id", "team", "dedup_key", "by"}),
    # incident/number: the PagerDuty incident the page opened, recorded once known
    "paged": frozenset({"team", "dedup_key", "at", "job", "incident", "number"}),
    # chatops/delivery.py: a queued page about to be triggered (exactly once)
    "delivering": frozenset({"team", "dedup_key", "at"}),
    "failed": frozenset({"team", "dedup_key", "at", "job"}),
    # by: who queued it (delivery writes it into the page's facts); "-" when unknown
    "queued": frozenset({"team", "dedup_key", "at", "job", "severity", "drill", "by"}),
    "closed": frozenset({"id", "verb"}),
    "dequeued": frozenset({"team", "dedup_key", "verb"}),  # a queued request cancelled
    "log": frozenset({"id", "team", "incident"}),
    "overdue": frozenset({"id", "team"}),
    "feedback": frozenset({"milestone"}),
    # chatops/records.py: a request that did not page at once, and a month's record issue
    "record": frozenset({"what", "team", "at", "by", "link", "reason", "drill"}),
    "record_month": frozenset({"month"}),
    # chatops/core/cursor.py: sync's durable state
    "sync_state": frozenset({"cursor"}),
    "sync_applied": frozenset({"id", "at"}),
    "sync_retry": frozenset({"id", "since"}),
    "sync_services": frozenset({"team", "ids"}),
    "sync_services_read": frozenset({"at"}),
}
_SAFE = "_:/#.+%~-"
_VALUE = re.compile(r"[A-Za-z0-9_:/#.+%~-]+")  # ASCII only, never empty, never a space


def marker_value(value: str) -> str:
    """A value as a marker can carry it: itself when valid, else percent-encoded ('-' if empty)."""
    if _VALUE.fullmatch(value):
        return value
    return quote(value, safe=_SAFE.replace("%", ""), errors="replace") or "-"


def marker(kind: str, **fields: str) -> str:
    """The marker line of a known kind; unknown kinds or keys are a programming error."""
    keys = KINDS.get(kind)
    if keys is None:
        raise ValueError(f"unknown marker kind {kind!r}")
    if unknown := sorted(set(fields) - keys):
        raise ValueError(f"marker kind {kind!r} has no key {unknown[0]!r}")
    body = "".join(f" {key}={marker_value(value)}" for key, value in fields.items())
    return f"{PREFIX}{kind}{body}{SUFFIX}"


def parse_marker(line: str) -> tuple[str, dict[str, str]] | None:
    """(kind, fields) when one line is exactly a marker of the grammar; else None."""
    line = line.removesuffix("\r")
    if (len(line) <= len(PREFIX) + len(SUFFIX) or not line.startswith(PREFIX)
            or not line.endswith(SUFFIX)):
        return None
    kind, *pairs = line[len(PREFIX):-len(SUFFIX)].split(" ")
    keys = KINDS.get(kind)
    if keys is None:
        return None
    fields: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or key not in keys or key in fields or not _VALUE.fullmatch(value):
            return None
        fields[key] = value
    return kind, fields


def lines(text: str) -> list[str]:
    """A text's lines, split on "\\n" only."""
    return text.split("\n")


def read_markers(text: str, kind: str) -> list[dict[str, str]]:
    """All markers of one kind in a (trusted) text, as field dictionaries, in order."""
    found = []
    for line in lines(text):
        parsed = parse_marker(line)
        if parsed is not None and parsed[0] == kind:
            found.append(parsed[1])
    return found


def has_marker_line(text: str, start: str) -> bool:
    """Does a (trusted) text hold a marker line that starts with `start`?"""
    return any(line.startswith(start) and parse_marker(line) is not None for line in lines(text))


def search_token(key: str) -> str:
    """The token that identifies the issue a request opened."""
    return f"chatops-request-{key}"


def request_marker(key: str, team_key: str, dedup_key: str, by: str = "") -> str:
    """The hidden marker written into the description of an issue chatops opens."""
    return marker("request", id=search_token(key), team=team_key, dedup_key=dedup_key,
                  by=by or "-")


def request_marker_prefix(key: str) -> str:
    """How the request marker line of an issue starts (markers count only at line start)."""
    return request_marker(key, "", "").split(" team=", 1)[0] + " "


def page_marker(kind: str, team_key: str, dedup_key: str, now: datetime, job_url: str,
                **extra: str) -> str:
    """The hidden marker of a page ('paged', 'failed' or 'queued'), written into its note."""
    return marker(kind, **extra, team=team_key, dedup_key=dedup_key,
                  at=now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), job=job_url or "-")
