"""What one sync or webhook run did, and what went wrong: the job's summary line."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class SyncReport:
    """What one sync or webhook run did, and what went wrong."""

    incidents: int = 0
    delivered: int = 0
    skipped: str = ""
    issues: int = 0
    notes: int = 0
    labels: int = 0
    problems: list[str] = field(default_factory=list)

    def line(self) -> str:
        """The summary line of the job log."""
        if self.skipped:
            return f"skipped: {self.skipped}"
        return (f"incidents={self.incidents} delivered={self.delivered} issues={self.issues} "
                f"notes_added={self.notes} "
                f"labels_changed={self.labels} problems={len(self.problems)}")
