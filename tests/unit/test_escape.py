"""Escaping for reports: Markdown cells, link targets, Mermaid labels, CSV cells (issue #10)."""

from __future__ import annotations

import csv
import io
import re
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chatops.core.escape import csv_cell, md_link, md_text, md_url, mermaid_label, one_line

PUNCT = set(string.punctuation)


def unescape(text: str) -> str:
    """Undo md_text's backslashes (what CommonMark renders)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)


@given(st.text())
def test_md_text_renders_back_to_the_one_line_text(text: str) -> None:
    assert unescape(md_text(text)) == one_line(text)


@given(st.text())
def test_md_text_leaves_no_unescaped_punctuation_and_no_line_break(text: str) -> None:
    out = md_text(text)
    assert "\n" not in out and "\r" not in out and "\u2028" not in out
    i = 0
    while i < len(out):
        if out[i] == "\\":
            assert i + 1 < len(out) and out[i + 1] in PUNCT
            i += 2
            continue
        assert out[i] not in PUNCT, (text, out)
        i += 1


@pytest.mark.parametrize(("name", "expected"), [
    ("a|b", r"a\|b"),
    ("[x](http://e)", r"\[x\]\(http\:\/\/e\)"),
    ("<img src=x>", r"\<img src\=x\>"),
    ("`code`", r"\`code\`"),
    ("@all ping", r"\@all ping"),  # GitLab keeps \@ literal: no mention
    ("line\nbreak\r\nthere", "line break there"),
    ("Ada Lovelace", "Ada Lovelace"),
])
def test_md_text_cases(name: str, expected: str) -> None:
    assert md_text(name) == expected


@given(st.text())
def test_md_url_never_leaves_the_parentheses(url: str) -> None:
    out = md_url("https://x/" + url)
    assert out.startswith("https://x/")
    assert not set(out) & set(" ()<>[]|`\"'\\\n\r\t")


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,x", "/relative",
                                 "", "http://[bad"])
def test_md_url_refuses_what_is_not_http(url: str) -> None:
    assert md_url(url) == ""


def test_md_link_encodes_a_closing_parenthesis() -> None:
    assert md_link("issue", "https://gl/a) [x](http://evil") == \
        "[issue](https://gl/a%29%20%5Bx%5D%28http://evil)"
    assert md_link("a]b", "ftp://x") == r"a\]b"


@given(st.text())
def test_mermaid_label_cannot_close_the_quote_or_start_markup(text: str) -> None:
    out = mermaid_label(text)
    assert not set(out) & set("\"'<>[](){};`\n\r|&") and len(out) <= 40


def test_mermaid_label_keeps_incident_numbers() -> None:
    assert mermaid_label("#123") == "#123"
    assert mermaid_label('x"]; click A call evil()') == "x click A call evil"


@pytest.mark.parametrize("cell", ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)",
                                  "\t=1", "\r=1", "  =1", "\uff1d1"])
def test_formula_cells_are_quoted(cell: str) -> None:
    assert csv_cell(cell) == "'" + cell


@given(st.text())
def test_csv_cells_never_start_a_formula_when_read_back(text: str) -> None:
    out = io.StringIO()
    csv.writer(out).writerow([csv_cell(text)])
    (cell,) = next(csv.reader(io.StringIO(out.getvalue()), strict=True)) or [""]
    assert not cell.lstrip(" ").startswith(("=", "+", "-", "@", "\t", "\r")) or \
        cell.startswith("'")


@pytest.mark.parametrize("value", [12, 3.5, -1.0, None, True, "Ada", "a=b"])
def test_other_cells_are_unchanged(value: object) -> None:
    assert csv_cell(value) == value
