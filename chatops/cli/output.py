"""Job output: the chat_reply section GitLab sends to Slack, and the log around it."""

from __future__ import annotations

import sys
import time
import traceback
from typing import TextIO

from chatops.core.text import clean, slack_escape
from chatops.errors import redact

REPLY_LIMIT_BYTES = 3400  # GitLab sends at most 3.5 KB of the section to Slack


def fit(reply: str, limit: int = REPLY_LIMIT_BYTES) -> str:
    """Shorten a reply to what GitLab will deliver, saying so."""
    data = reply.encode()
    if len(data) <= limit:
        return reply
    note = "\n… (shortened; the full reply is in the job log)"
    cut = data[: limit - len(note.encode())].decode(errors="ignore")
    return cut.rsplit("\n", 1)[0] + note


def chat_reply(reply: str, stream: TextIO | None = None, chat: bool = True) -> None:
    """Print the reply; in a ChatOps job, inside the chat_reply section, escaped for Slack.

    Every reply passes here, so nothing echoed from input (a team name, a reference, a
    PagerDuty name, an error text) can notify anyone: chatops never means Slack markup.
    """
    out = stream or sys.stdout
    # Bytes that were not UTF-8 (lone surrogates) must not make printing the reply fail.
    text = redact(reply).rstrip("\n").encode("utf-8", "backslashreplace").decode("utf-8")
    if not chat:
        print(text, file=out, flush=True)
        return
    # No control character either: GitLab finds the section by `section_end:N:NAME\r\e[0K`
    # (gitlabhq lib/gitlab/regex.rb build_trace_section_regex), so echoed text could end it.
    text = slack_escape(clean(text))
    # GitLab drops the first line of the section: start it with a newline.
    out.write(f"section_start:{int(time.time())}:chat_reply\r\033[0K\n")
    out.write(fit(text) + "\n")
    out.write(f"section_end:{int(time.time())}:chat_reply\r\033[0K\n")
    out.flush()


def crash_report() -> str:
    """The current traceback with every secret masked."""
    return redact(traceback.format_exc())
