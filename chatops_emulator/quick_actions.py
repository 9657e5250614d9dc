"""Which text GitLab treats as quick actions and mentions, mirrored from GitLab's source."""

# Extraction follows gitlab-org/gitlab lib/gitlab/quick_actions/extractor.rb (markdown-aware
# version): Banzai::Pipeline::QuickActionPipeline + Filter::QuickActionFilter pick the
# top-level markdown paragraphs (``<p>`` children of the document) that have a line starting
# with "/"; only inside those paragraphs is the regex applied, which skips inline code
# (`` `.+?` `` across lines), HTML blocks, and needs "/command" at column 0, followed by a
# space + argument or end of line.  So: fenced/indented code, blockquotes (``>`` and GitLab's
# ``>>>`` fences), lists, headings (incl. setext), HTML blocks and comments, and lines with
# leading whitespace are never commands.  Commands are case-insensitive; noop commands (cc)
# are not extracted; unknown "/words" stay as text.

from __future__ import annotations

import re
from dataclasses import dataclass

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

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
_ATX = re.compile(r"^ {0,3}#{1,6}(?:[ \t]|$)")
_THEMATIC = re.compile(r"^ {0,3}(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$")
_SETEXT = re.compile(r"^ {0,3}(?:=+|-+)[ \t]*$")
_QUOTE = re.compile(r"^ {0,3}>")
_QUOTE_FENCE = re.compile(r"^>>>[ \t]*$")
_BULLET = re.compile(r"^ {0,3}[-+*](?:[ \t]+(\S.*)|[ \t]*)$")
_ORDERED = re.compile(r"^ {0,3}(\d{1,9})[.)](?:[ \t]+(\S.*)|[ \t]*)$")
_HTML_ENDS = (
    (re.compile(r"^ {0,3}<(?:script|pre|style|textarea)(?:\s|>|$)", re.I),
     re.compile(r"</(?:script|pre|style|textarea)>", re.I)),
    (re.compile(r"^ {0,3}<!--"), re.compile(r"-->")),
    (re.compile(r"^ {0,3}<\?"), re.compile(r"\?>")),
    (re.compile(r"^ {0,3}<![A-Za-z]"), re.compile(r">")),
    (re.compile(r"^ {0,3}<!\[CDATA\["), re.compile(r"\]\]>")),
)
_HTML_6 = re.compile(
    r"^ {0,3}</?(?:address|article|aside|base|basefont|blockquote|body|caption|center|col|"
    r"colgroup|dd|details|dialog|dir|div|dl|dt|fieldset|figcaption|figure|footer|form|frame|"
    r"frameset|h[1-6]|head|header|hr|html|iframe|legend|li|link|main|menu|menuitem|nav|"
    r"noframes|ol|optgroup|option|p|param|search|section|summary|table|tbody|td|tfoot|th|"
    r"thead|title|tr|track|ul)(?:\s|/?>|$)",
    re.I,
)
_HTML_7 = re.compile(
    r"^ {0,3}(?:<[A-Za-z][A-Za-z0-9-]*(?:\s+[A-Za-z_:][\w.:-]*(?:\s*=\s*(?:[^\s\"'=<>`]+|"
    r"'[^']*'|\"[^\"]*\"))?)*\s*/?>|</[A-Za-z][A-Za-z0-9-]*\s*>)\s*$"
)


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


def _html_kind(line: str, in_paragraph: bool) -> re.Pattern[str] | bool | None:
    for start, end in _HTML_ENDS:
        if start.match(line):
            return end
    if _HTML_6.match(line):
        return True
    if not in_paragraph and _HTML_7.match(line):
        return True
    return None


def _interrupts(line: str) -> bool:
    """Tell whether a line starts a block that may interrupt a paragraph (CommonMark)."""
    bullet, ordered = _BULLET.match(line), _ORDERED.match(line)
    return bool(
        _FENCE.match(line) or _ATX.match(line) or _THEMATIC.match(line) or _QUOTE.match(line)
        or (bullet and bullet.group(1))
        or (ordered and ordered.group(1) == "1" and ordered.group(2))
        or _html_kind(line, in_paragraph=True) is not None
    )


def _skip_fence(lines: list[str], i: int, fence: str) -> int:
    char, size = fence[0], len(fence)
    closing = re.compile(rf"^ {{0,3}}{re.escape(char)}{{{size},}}[ \t]*$")
    for j in range(i + 1, len(lines)):
        if closing.match(lines[j]):
            return j + 1
    return len(lines)


def _skip_quote(lines: list[str], i: int) -> int:
    lazy = True
    while i < len(lines):
        line = lines[i]
        if _QUOTE.match(line):
            lazy = bool(line.strip().lstrip(">").strip())
        elif not line.strip() or not lazy or _interrupts(line):
            return i
        i += 1
    return i


def _skip_list(lines: list[str], i: int) -> int:
    blank = False
    i += 1
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            blank = True
        elif _BULLET.match(line) or _ORDERED.match(line) or line.startswith(("  ", "\t")):
            blank = False
        elif blank or _interrupts(line):
            return i
        i += 1
    return i


def _skip_html(lines: list[str], i: int, end: re.Pattern[str] | bool) -> int:
    if isinstance(end, re.Pattern):
        for j in range(i, len(lines)):
            if end.search(lines[j], 0 if j > i else 1):
                return j + 1
        return len(lines)
    while i < len(lines) and lines[i].strip():
        i += 1
    return i


def _block_end(lines: list[str], i: int) -> int | None:
    """Return the index after a non-paragraph block starting at i, or None for a paragraph."""
    line = lines[i]
    fence = _FENCE.match(line)
    if fence and not (fence.group(1)[0] == "`" and "`" in fence.group(2)):
        return _skip_fence(lines, i, fence.group(1))
    if _QUOTE_FENCE.match(line):
        for j in range(i + 1, len(lines)):
            if _QUOTE_FENCE.match(lines[j]):
                return j + 1
    if _QUOTE.match(line):
        return _skip_quote(lines, i)
    if _ATX.match(line) or _THEMATIC.match(line):
        return i + 1
    if _BULLET.match(line) or _ORDERED.match(line):
        return _skip_list(lines, i)
    if line.startswith(("    ", "\t")):
        while i < len(lines) and (not lines[i].strip() or lines[i].startswith(("    ", "\t"))):
            i += 1
        return i
    kind = _html_kind(line, in_paragraph=False)
    if kind is not None:
        return _skip_html(lines, i, kind)
    return None


def paragraphs(lines: list[str]) -> list[tuple[int, int]]:
    """Return (first, last) line indexes of top-level paragraphs with a line starting "/"."""
    found: list[tuple[int, int]] = []
    i = 0
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        end = _block_end(lines, i)
        if end is not None:
            i = max(end, i + 1)
            continue
        start, heading = i, False
        i += 1
        while i < len(lines) and lines[i].strip():
            if _SETEXT.match(lines[i]):
                heading, i = True, i + 1
                break
            if _interrupts(lines[i]):
                break
            i += 1
        if not heading and any(line.lstrip().startswith("/") for line in lines[start:i]):
            found.append((start, i - 1))
    return found


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


_MENTION = re.compile(
    r"(?<!\w)@([A-Za-z0-9_][A-Za-z0-9_.\-]*(?:/[A-Za-z0-9_][A-Za-z0-9_.\-]*)*)"
)
# A backslash-escaped ASCII punctuation character is literal text (CommonMark "Backslash
# escapes"); GitLab keeps escaped reference characters ($ % # & @ ! ~ ^) out of reference
# processing, "like \@username" (gitlabhq lib/banzai/filter/escaped_char_filter.rb), so
# `\@all` mentions nobody while `\\@all` (an escaped backslash, then @all) does.
_ESCAPED = re.compile(r"\\[!-/:-@\[-`{-~]")
_NOT_RENDERED_AS_TEXT = re.compile(
    r"^ {0,3}(```|~~~).*?^ {0,3}\1[ \t]*$|<!--.*?-->|(`+).+?\2|\[[^\]]*\]\([^)]*\)",
    re.S | re.M,
)


def _code_lines(lines: list[str]) -> set[int]:
    """Return indexes of lines in top-level code blocks, <pre>/<script> blocks or comments."""
    hidden: set[int] = set()
    i = 0
    while i < len(lines):
        line, start = lines[i], i
        if not line.strip():
            i += 1
            continue
        end = _block_end(lines, i)
        if end is not None:
            i = max(end, i + 1)
            fence, kind = _FENCE.match(line), _html_kind(line, in_paragraph=False)
            pre_or_comment = kind is _HTML_ENDS[0][1] or kind is _HTML_ENDS[1][1]
            if (fence and "`" not in fence.group(2)) or line.startswith(("    ", "\t")) \
                    or pre_or_comment:
                hidden.update(range(start, i))
            continue
        i += 1
        while i < len(lines) and lines[i].strip() and not _interrupts(lines[i]):
            i += 1
    return hidden


# Banzai::Filter::References::UserReferenceFilter ignores text inside pre/code/a elements
# and HTML comments are not rendered, so code blocks (fenced and indented), code spans,
# links and comments are skipped.  User.reference_pattern (NAMESPACE_FORMAT_REGEX) never
# ends with ".", so "@all." is "@all" while "@all-hands" is another user.
def mentions(text: str) -> list[str]:
    """Return the @references GitLab would render as user/group mentions."""
    lines = text.replace("\r", "").split("\n")
    hidden = _code_lines(lines)
    prose = "\n".join("" if index in hidden else line for index, line in enumerate(lines))
    visible = _ESCAPED.sub(" ", _NOT_RENDERED_AS_TEXT.sub(" ", prose))
    return [match.group(1).rstrip(".") for match in _MENTION.finditer(visible)]
