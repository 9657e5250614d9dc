"""The audit trail: one line per action in the job log (time, actor, action, target, outcome)."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TextIO

from chatops.errors import redact


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
        line = (f"AUDIT {stamp} actor={self._actor} action={action} target={target} "
                f"outcome={outcome}")
        if detail:
            line += " detail=" + " ".join(detail.split())[:400]
        line = redact(line)
        with self._lock:
            self.lines.append(line)
            print(line, file=self._stream, flush=True)
