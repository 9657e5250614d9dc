"""Escape untrusted text for the report's outputs: Markdown tables, Mermaid labels, CSV cells.

Names and titles come from PagerDuty and GitLab answers, and anyone who can rename a
PagerDuty user or send a change event chooses them. Each output format gets its own rule.
"""

from __future__ import annotations

import re
import string
from urllib.parse import quote, urlsplit

# CommonMark: "Any ASCII punctuation character may be backslash-escaped" (spec, section
# "Backslash escapes"), and GFM tables take `\|` as a literal pipe inside a cell. GitLab keeps
# the escape of its reference characters ($ % # & @ ! ~ ^) so that `\@all` or `\#12` is
# neither a mention nor a cross-reference (gitlabhq lib/banzai/filter/escaped_char_filter.rb,
# REFERENCE_CHARS). Escaping every punctuation character therefore leaves no link, image,
# HTML tag, code span, emphasis, table pipe, mention or reference in the text.
_PUNCTUATION = frozenset(string.punctuation)
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\u0085]")
# OWASP "CSV Injection" (owasp.org/www-community/attacks/CSV_Injection): a cell starting with
# = + - @ tab (0x09) or carriage return (0x0D) is run as a formula by spreadsheet programs;
# prefix such a cell with a single quote so it is read as text (also CWE-1236, ASVS 1.2.10).
# The full-width forms are included because some spreadsheet locales treat them the same.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# Mermaid: a quoted label ends at `"`, `#name;` is an entity code, `<...>` may be read as
# HTML and `[ ] ( ) { } ;` and newlines end statements (mermaid.js.org syntax reference,
# "Entity codes to escape characters"). Labels keep only letters, digits and a few signs;
# without `;` no `#...;` entity code can form.
_MERMAID_DROP = re.compile(r"[^\w .:#/+-]")
_URL_SAFE = "/:?=&%#.,_~+-"  # what stays literal in a link target; the rest is %-encoded


def one_line(text: str) -> str:
    """Control characters and every line break (also U+2028/U+2029) as single spaces."""
    return " ".join(_CONTROL.sub(" ", text).split())


def md_text(text: str) -> str:
    """Inline Markdown text, rendered literally: one line, every ASCII punctuation escaped."""
    return "".join("\\" + ch if ch in _PUNCTUATION else ch for ch in one_line(text))


def md_url(url: str) -> str:
    """A link target that cannot leave `(...)`: http(s) only, unsafe characters %-encoded.

    Returns "" for anything else (javascript:, data:, relative), so no link is made.
    """
    line = one_line(url).strip()
    try:
        scheme = urlsplit(line).scheme.lower()
    except ValueError:
        return ""
    if scheme not in ("http", "https"):
        return ""
    return quote(line, safe=_URL_SAFE)


def md_link(label: str, url: str) -> str:
    """[label](url) with both parts made safe; the bare label when the URL is unusable."""
    target = md_url(url)
    return f"[{md_text(label)}]({target})" if target else md_text(label)


def mermaid_label(text: str, limit: int = 40) -> str:
    """Text for a quoted Mermaid label: letters, digits, space and `.:#/+-` only."""
    return _MERMAID_DROP.sub("", one_line(text)).strip()[:limit]


def csv_cell(value: object) -> object:
    """A CSV value a spreadsheet shows as text: a formula-like string gets a leading quote."""
    if not isinstance(value, str):
        return value
    stripped = value.lstrip(" ")
    if stripped.startswith(_FORMULA_START):
        return "'" + value
    return value
