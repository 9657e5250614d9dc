"""Which @references GitLab renders as user and group mentions."""

from __future__ import annotations

import re

from chatops_emulator.gitlab_markdown import code_lines

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


# Banzai::Filter::References::UserReferenceFilter ignores text inside pre/code/a elements
# and HTML comments are not rendered, so code blocks (fenced and indented), code spans,
# links and comments are skipped.  User.reference_pattern (NAMESPACE_FORMAT_REGEX) never
# ends with ".", so "@all." is "@all" while "@all-hands" is another user.
def mentions(text: str) -> list[str]:
    """Return the @references GitLab would render as user/group mentions."""
    lines = text.replace("\r", "").split("\n")
    hidden = code_lines(lines)
    prose = "\n".join("" if index in hidden else line for index, line in enumerate(lines))
    visible = _ESCAPED.sub(" ", _NOT_RENDERED_AS_TEXT.sub(" ", prose))
    return [match.group(1).rstrip(".") for match in _MENTION.finditer(visible)]
