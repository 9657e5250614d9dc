"""Top-level markdown blocks as GitLab's CommonMark renderer sees them (paragraphs, code)."""

# Quick actions live only in top-level markdown paragraphs (gitlab-org/gitlab
# lib/gitlab/quick_actions/extractor.rb with Banzai::Pipeline::QuickActionPipeline +
# Filter::QuickActionFilter: the ``<p>`` children of the document); mentions are never read
# inside code blocks, <pre>/<script> blocks or HTML comments.  The block rules below are
# CommonMark's (fences, indented code, blockquotes and GitLab's ``>>>`` fences, lists,
# headings incl. setext, HTML blocks 1-7), see quick_actions.py and gitlab_mentions.py.

from __future__ import annotations

import re

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


def code_lines(lines: list[str]) -> set[int]:
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
