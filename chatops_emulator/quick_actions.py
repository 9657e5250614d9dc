"""Which text GitLab treats as quick actions, mirrored from GitLab's source."""

# Extraction follows gitlab-org/gitlab lib/gitlab/quick_actions/extractor.rb (markdown-aware
# version): Banzai::Pipeline::QuickActionPipeline + Filter::QuickActionFilter pick the
# top-level markdown paragraphs (``<p>`` children of the document) that have a line starting
# with "/"; only inside those paragraphs is the regex applied, which skips inline code
# (`` `.+?` `` across lines), HTML blocks, and needs "/command" at column 0, followed by a
# space + argument or end of line.  So: fenced/indented code, blockquotes (``>`` and GitLab's
# ``>>>`` fences), lists, headings (incl. setext), HTML blocks and comments, and lines with
# leading whitespace are never commands.  Commands are case-insensitive; noop commands (cc)
# are not extracted; unknown "/words" stay as text.  The block rules are in gitlab_markdown.py.

from __future__ import annotations

import re
from dataclasses import dataclass

from chatops_emulator.gitlab_markdown import paragraphs

# Command names and aliases, from lib/gitlab/quick_actions/{issuable,issue,
# issue_and_merge_request,relate,work_item}_actions.rb and ee/ counterparts.
COMMANDS: tuple[str, ...] = (
    "close", "reopen", "title", "label", "labels", "unlabel", "remove_label",
    "relabel", "todo", "done", "subscribe", "unsubscribe", "react", "award", "severity",
    "confidential", "due", "remove_due_date", "board_move", "duplicate", "clone", "move",
    "create_merge_request", "zoom", "remove_zoom", "add_email", "remove_email",
    "convert_to_ticket", "promote_to_incident", "add_contacts", "remove_contacts",
    "timeline", "assign", "unassign", "milestone", "remove_milestone", "estimate",
    "estimate_time", "remove_estimate", "remove_time_estimate", "spend", "spent",
    "spend_time", "remove_time_spent", "lock", "unlock", "relate", "unrelate", "blocks",
    "blocked_by", "type", "set_parent", "remove_parent", "page", "weight", "clear_weight",
    "epic", "remove_epic", "iteration", "remove_iteration", "health_status",
    "clear_health_status", "status", "checkin_reminder", "copy_metadata", "merge", "approve",
    "unapprove", "draft", "ready", "rebase", "target_branch", "assign_reviewer", "reviewer",
    "request_review", "unassign_reviewer", "remove_reviewer", "tag",
)
SUBSTITUTIONS: tuple[str, ...] = ("shrug", "tableflip")
SHRUG = "¯\\＿(ツ)＿/¯"
TABLEFLIP = "(╯°□°)╯︵ ┻━┻"

@dataclass(frozen=True)
class Command:
    """One extracted quick action."""

    name: str
    arg: str
    line: str


def _regex() -> re.Pattern[str]:
    names = "|".join(re.escape(name) for name in COMMANDS)
    subs = "|".join(re.escape(name) for name in SUBSTITUTIONS)
    # Same alternatives as Extractor#commands_regex (Ruby flags "mix" == S | X | I here;
    # Ruby's ^/$ are always line anchors, hence re.M).
    return re.compile(
        rf"""
          (?P<inline_code>`.+?`)
        | (?P<html>^<[^>]+?>\n.+?\n</[^>]+?>$)
        | (?:^/(?P<cmd>{names})(?:[ ](?P<arg>[^\n]*))?(?:\s*\n|$))
        | (?:^/(?P<sub>{subs})(?:[ ](?P<sarg>[^\n]*))?(?:\s*\n|$))
        """,
        re.S | re.X | re.I | re.M,
    )


_COMMANDS_RE = _regex()


def _split_lines(content: str) -> list[str]:
    """Split like Ruby String#lines: each line keeps its trailing newline."""
    parts = content.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def _substitute(name: str, arg: str, text: str) -> str:
    value = SHRUG if name == "shrug" else TABLEFLIP
    replacement = f"{arg} {value}" if arg else value
    pattern = re.compile(rf"/{re.escape(name)}(?!\S) ?(.*)$", re.I | re.M)
    return pattern.sub(lambda _m: replacement, text, count=1)


def extract(content: str) -> tuple[str, list[Command]]:
    """Remove quick-action lines from content; return the new text and the commands found."""
    content = content.replace("\r", "")
    commands: list[Command] = []

    def replace(match: re.Match[str]) -> str:
        text = match.group(0)
        if match.group("cmd"):
            arg = (match.group("arg") or "").strip()
            line = f"/{match.group('cmd')}" + (f" {arg}" if arg else "")
            commands.append(Command(match.group("cmd").lower(), arg, line))
            return ""
        if match.group("sub"):
            name, arg = match.group("sub").lower(), (match.group("sarg") or "").strip()
            commands.append(Command(name, arg, text.strip()))
            return _substitute(name, arg, text)
        return text

    lines = _split_lines(content)
    for start, last in paragraphs([line.rstrip("\n") for line in lines]):
        end = last + 1 if last + 1 < len(lines) and lines[last + 1] == "\n" else last
        paragraph = _COMMANDS_RE.sub(replace, "".join(lines[start : end + 1]))
        for index in range(start, end + 1):
            lines[index] = ""
        lines[start] = paragraph
    return "".join(lines).rstrip(), commands
