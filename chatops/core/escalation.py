"""Parse the escalation chat commands: status, resolve, cancel, list."""

from __future__ import annotations

from dataclasses import dataclass

from chatops.core.refs import IssueRef, parse_ref
from chatops.core.request import require_text
from chatops.errors import InputError

VERBS = ("status", "resolve", "cancel", "list")
USAGE = ("Usage: /chatops run escalation status REF | resolve REF [note] | "
         "cancel REF [reason] | list  (REF: issue URL, group/project#N or N)")


@dataclass(frozen=True)
class EscalationCommand:
    """One escalation command: verb, the issue it is about, and free text."""

    verb: str
    ref: IssueRef | None
    text: str = ""


def parse_command(verb: str, ref: str | None, text: str) -> EscalationCommand:
    """Validate a command given as separate words."""
    for part, what in ((verb, "command"), (ref or "", "issue reference"), (text, "text")):
        require_text(part, what)
    verb = verb.strip().lower()
    if verb not in VERBS:
        raise InputError(f"Unknown escalation command {verb!r}.", USAGE)
    if verb == "list":
        return EscalationCommand(verb, None)
    if not ref:
        raise InputError(f"'{verb}' needs the incident issue.", USAGE)
    return EscalationCommand(verb, parse_ref(ref), text.strip()[:1000])


def parse_escalation_input(chat_input: str) -> EscalationCommand:
    """Split CHAT_INPUT ('status 123', 'resolve 123 fixed by restart') into a command."""
    parts = require_text(chat_input, "command").strip().split(None, 2)
    if not parts:
        raise InputError("No escalation command given.", USAGE)
    return parse_command(parts[0], parts[1] if len(parts) > 1 else None,
                         parts[2] if len(parts) > 2 else "")
