"""Sync's durable cursor: what was already applied, kept as markers in one GitLab issue.

The state says: every PagerDuty log entry created before `cursor - OVERLAP` was
applied; the ids of applied entries created after that are listed, so the
overlap is re-read (late-indexed entries are not lost) without re-applying
anything. Incidents whose application failed are kept to retry. A crash before
the state is saved loses nothing: the next run re-reads from the old cursor and
the notes' own markers keep every write idempotent.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from chatops.core.model import marker, read_markers

# How far before the cursor each run reads again: PagerDuty lists a log entry some
# time after it happened (indexing); entries of this margin are de-duplicated by id.
OVERLAP = timedelta(minutes=2)
# A failing incident is retried on every run for this long, then reported as given up.
RETRY_FOR = timedelta(hours=24)
# The teams' services are read from PagerDuty again after this long.
SERVICES_FOR = timedelta(hours=6)
TITLE = "chatops sync state (do not edit)"


@dataclass(frozen=True)
class SyncState:
    """The cursor, the applied entries of the overlap, retries and the teams' services."""

    cursor: datetime | None = None
    applied: dict[str, datetime] = field(default_factory=dict)  # entry id -> created_at
    retry: dict[str, datetime] = field(default_factory=dict)  # incident id -> first failure
    services: dict[str, tuple[str, ...]] = field(default_factory=dict)  # team -> service ids
    services_at: datetime | None = None

    def read_since(self, now: datetime, window: timedelta) -> datetime:
        """Where this run starts reading log entries: the cursor's overlap, or the window."""
        return self.cursor - OVERLAP if self.cursor is not None else now - window

    def advanced(self, until: datetime, applied: dict[str, datetime],
                 failed: dict[str, datetime], fixed: set[str]) -> SyncState:
        """The state after a run that read everything up to until."""
        # PagerDuty takes whole seconds: the next read starts up to 1 s before its overlap.
        keep_from = until - OVERLAP - timedelta(seconds=1)
        seen = {k: v for k, v in {**self.applied, **applied}.items() if v >= keep_from}
        retry = {k: v for k, v in self.retry.items() if k not in fixed}
        for incident_id, at in failed.items():
            retry.setdefault(incident_id, at)
        return replace(self, cursor=until, applied=seen, retry=retry)

    def services_stale(self, teams: set[str], now: datetime) -> bool:
        """True when the teams' services must be read again."""
        return (self.services_at is None or now - self.services_at >= SERVICES_FOR
                or set(self.services) != teams)


def _time(text: str) -> datetime | None:
    """A marker time (written by _stamp, so with a zone), or None when unreadable."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _stamp(moment: datetime) -> str:
    """A UTC time as a marker value."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_state(text: str) -> SyncState:
    """Read the state from the state issue's description (unreadable parts are dropped)."""
    heads = read_markers(text, "sync_state")
    cursor = _time(heads[-1].get("cursor", "")) if heads else None
    applied = {m["id"]: at for m in read_markers(text, "sync_applied")
               if "id" in m and (at := _time(m.get("at", ""))) is not None}
    retry = {m["id"]: at for m in read_markers(text, "sync_retry")
             if "id" in m and (at := _time(m.get("since", ""))) is not None}
    services: dict[str, tuple[str, ...]] = {}
    for item in read_markers(text, "sync_services"):
        if "team" in item:
            ids = item.get("ids", "").split("+")
            services[item["team"]] = tuple(s for s in ids if s and s != "-")
    stamps = [_time(m.get("at", "")) for m in read_markers(text, "sync_services_read")]
    at = stamps[-1] if stamps else None
    return SyncState(cursor, applied, retry, services, at)


def render_state(state: SyncState) -> str:
    """The state issue's description: a human line, then one marker per line."""
    lines = ["This issue holds what `chatops sync` already applied. Do not edit or close it;",
             "deleting it makes the next sync start over from its window.", ""]
    if state.cursor is not None:
        lines.append(marker("sync_state", cursor=_stamp(state.cursor)))
    lines += [marker("sync_applied", id=i, at=_stamp(at))
              for i, at in sorted(state.applied.items(), key=lambda kv: (kv[1], kv[0]))]
    lines += [marker("sync_retry", id=i, since=_stamp(at)) for i, at in sorted(state.retry.items())]
    if state.services_at is not None:
        lines.append(marker("sync_services_read", at=_stamp(state.services_at)))
    lines += [marker("sync_services", team=team, ids="+".join(ids) or "-")
              for team, ids in sorted(state.services.items())]
    return "\n".join(lines) + "\n"
