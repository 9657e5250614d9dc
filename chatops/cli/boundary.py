"""The one error boundary of the CLI: any job's end becomes a reply, a RESULT line, an exit code."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import NoReturn

import click

from chatops.cli.output import chat_reply, crash_report
from chatops.errors import ChatopsError, redact
from chatops.result import JobResult

# Exit codes (README, "What the requester sees"); chat jobs always exit 0, see `finish`.
EXIT_OK = 0
EXIT_FAILED = 1  # nobody was paged, or part of the job failed
EXIT_BAD_INPUT = 2  # InputError.exit_code
EXIT_CONFIG = 3  # ConfigError.exit_code
EXIT_CRASH = 70  # EX_SOFTWARE (sysexits.h): a bug
EXIT_TERMINATED = 143  # 128 + SIGTERM: GitLab stopped the job at its timeout


@dataclass(frozen=True)
class Finished:
    """How a job ended: the text for the requester, the RESULT outcome and the exit code."""

    text: str
    outcome: str
    code: int = EXIT_OK
    detail: str = ""  # appended to the RESULT line


def ended(result: JobResult) -> Finished:
    """The ending of an application job: a failed part exits 1, anything else 0."""
    return Finished(result.reply, result.outcome, EXIT_FAILED if result.failed else EXIT_OK,
                    result.detail)


def usage_error(exc: click.ClickException) -> NoReturn:
    """A wrong command line (click's own checks): its message, RESULT, exit 2."""
    exc.show()
    finish(Finished("", "refused", EXIT_BAD_INPUT, "error=UsageError"))


def chat_job() -> bool:
    """True inside a GitLab ChatOps job (its output goes back to Slack)."""
    return os.environ.get("CI_PIPELINE_SOURCE") == "chat"


def refused(text: str, exc: ChatopsError, outcome: str = "refused") -> Finished:
    """The ending of a job stopped by a ChatopsError: its exit code and class in RESULT."""
    return Finished(text, outcome, exc.exit_code, f"error={type(exc).__name__}")


def crashed(text: str) -> Finished:
    """The ending of a job stopped by a bug."""
    return Finished(text, "crashed", EXIT_CRASH)


def run(work: Callable[[], Finished], *, on_error: Callable[[ChatopsError], Finished],
        on_crash: Callable[[], Finished], reply: bool = False,
        result_to_stderr: bool = False) -> NoReturn:
    """Run a job; every ending, crash included, prints its text and one RESULT line."""
    try:
        done = work()
    except ChatopsError as exc:
        done = on_error(exc)
    except SystemExit as exc:  # the SIGTERM handler of sync/webhook: say so, keep the code
        code = exc.code if isinstance(exc.code, int) else EXIT_FAILED
        print(f"RESULT outcome=terminated exit={code}", flush=True)
        raise
    except Exception:
        print(crash_report(), file=sys.stderr, flush=True)
        done = on_crash()
    finish(done, reply=reply, result_to_stderr=result_to_stderr)


def finish(done: Finished, *, reply: bool = False, result_to_stderr: bool = False) -> NoReturn:
    """Print the text (as the chat reply for chat commands), the RESULT line, and exit."""
    chat = reply and chat_job()
    stream = sys.stderr if result_to_stderr else sys.stdout
    if done.text:
        if reply:
            chat_reply(done.text, chat=chat)
        else:
            print(redact(done.text).rstrip("\n"), file=stream, flush=True)
    line = f"RESULT outcome={done.outcome}" + (f" {done.detail}" if done.detail else "")
    print(line, file=stream, flush=True)
    # In a ChatOps job a failed job shows Slack only "Sorry, the build failed!", so the
    # reply carries the outcome and the job itself succeeds; RESULT is the truth.
    sys.exit(EXIT_OK if chat else done.code)
