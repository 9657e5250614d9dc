"""How an application job ended, before the CLI turns it into a reply, RESULT line and exit code."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class JobResult:
    """The reply, the RESULT outcome, whether part of the job failed, and RESULT's detail."""

    reply: str
    outcome: str
    failed: bool = False
    detail: str = ""
