"""The audit trail: one record per action (time, actor, action, target, outcome), one line each."""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TextIO

from chatops.errors import redact

# A hidden marker (`<!-- chatops:v1 log id=... -->`) is for issues, not for the log:
# the audit line keeps its fields, without the comment syntax.
_MARKER = re.compile(r"<!--\s*chatops:v1\s+(.*?)\s*-->")


def plain(text: str) -> str:
    """Text for one audit field: markers unwrapped, whitespace collapsed."""
    return " ".join(_MARKER.sub(r"\1", text).split())


@dataclass(frozen=True)
class AuditRecord:
    """One action as audited: its fields already plain and with secrets masked."""

    at: datetime
    actor: str
    action: str
    target: str
    outcome: str
    detail: str = ""

    @property
    def line(self) -> str:
        """The job-log line: AUDIT time actor= action= target= outcome= [detail=]."""
        stamp = self.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        line = (f"AUDIT {stamp} actor={self.actor} action={self.action} target={self.target} "
                f"outcome={self.outcome}")
        return line + " detail=" + self.detail if self.detail else line


class AuditLog:
    """Keeps audit records and writes each as a line to the job log, secrets masked."""

    def __init__(self, actor: str, stream: TextIO | None = None,
                 clock: Callable[[], datetime] | None = None) -> None:
        self._actor = redact(actor or "unknown")
        self._stream = stream or sys.stdout
        self._clock = clock or (lambda: datetime.now(UTC))
        self._lock = threading.Lock()
        self.records: list[AuditRecord] = []

    @property
    def lines(self) -> list[str]:
        """The lines written so far."""
        return [record.line for record in self.records]

    def record(self, action: str, target: str, outcome: str, detail: str = "") -> None:
        """Keep one record and write its line: time actor action target outcome [detail]."""
        entry = AuditRecord(self._clock(), self._actor, redact(action), redact(plain(target)),
                            redact(outcome), redact(plain(detail)[:400]) if detail else "")
        with self._lock:
            self.records.append(entry)
            print(entry.line, file=self._stream, flush=True)

    def happened(self, action: str, outcome: str = "ok") -> bool:
        """True when an action was recorded with this outcome in this job."""
        return any(r.action == action and r.outcome == outcome for r in self.records)
