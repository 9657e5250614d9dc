"""The audit trail: one line per action in the job log (time, actor, action, target, outcome)."""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TextIO

from chatops.errors import redact

# A hidden marker (`<!-- chatops:v1 log id=... -->`) is for issues, not for the log:
# the audit line keeps its fields, without the comment syntax.
_MARKER = re.compile(r"<!--\s*chatops:v1\s+(.*?)\s*-->")


def plain(text: str) -> str:
    """Text for one audit field: markers unwrapped, whitespace collapsed."""
    return " ".join(_MARKER.sub(r"\1", text).split())


class AuditLog:
    """Writes audit lines to the job log, secrets masked."""

    def __init__(self, actor: str, stream: TextIO | None = None,
                 clock: Callable[[], datetime] | None = None) -> None:
        self._actor = actor or "unknown"
        self._stream = stream or sys.stdout
        self._clock = clock or (lambda: datetime.now(UTC))
        self._lock = threading.Lock()
        self.lines: list[str] = []

    def record(self, action: str, target: str, outcome: str, detail: str = "") -> None:
        """Write one line: time actor action target outcome [detail]."""
        stamp = self._clock().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        line = (f"AUDIT {stamp} actor={self._actor} action={action} target={plain(target)} "
                f"outcome={outcome}")
        if detail:
            line += " detail=" + plain(detail)[:400]
        line = redact(line)
        with self._lock:
            self.lines.append(line)
            print(line, file=self._stream, flush=True)
