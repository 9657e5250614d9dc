"""The marker grammar: whole lines split on \\n, known kinds and keys, a strict value charset."""

from __future__ import annotations

import pytest

from chatops.core.markers import KINDS, has_marker_line, marker, parse_marker, read_markers

OURS = "<!-- chatops:v1 paged team=gitaly dedup_key=chatops/g/p#1/gitaly at=2026 job=- -->"


def test_our_marker_reads_back_with_its_fields_in_order() -> None:
    assert marker("paged", team="gitaly", dedup_key="chatops/g/p#1/gitaly", at="2026",
                  job="-") == OURS
    assert parse_marker(OURS) == ("paged", {"team": "gitaly", "dedup_key": "chatops/g/p#1/gitaly",
                                            "at": "2026", "job": "-"})
    assert parse_marker(OURS + "\r") is not None  # a CRLF line end (a browser's edit)


@pytest.mark.parametrize("line", [
    " " + OURS, OURS + " ", "    " + OURS, OURS + "\r\r", "\r" + OURS, "x" + OURS,
    OURS.replace("paged", "pagedx"), OURS.replace("paged", "PAGED"),
    OURS.replace(" team=", "  team="), OURS.replace(" team=", "\tteam="),
    OURS.replace("team=gitaly", "team=gitaly team=other"),  # a key twice
    OURS.replace("team=gitaly", "teams=gitaly"),  # an unknown key
    OURS.replace("team=gitaly", "team="), OURS.replace("team=gitaly", "team"),
    OURS.replace("team=gitaly", "team=gita\u2028ly"), OURS.replace("team=gitaly", "team=١٢"),
    OURS.replace("team=gitaly", "team=@here"), OURS.replace("team=gitaly", "team=a=b"),
    OURS.replace("chatops:v1", "chatops:v2"), OURS.replace(" -->", "-->"),
    OURS.replace("<!-- ", "<!--"), "<!-- chatops:v1  -->", "<!-- chatops:v1 -->",
    "<!-- chatops:v1 paged -->x -->"])
def test_anything_but_the_exact_format_is_no_marker(line: str) -> None:
    assert parse_marker(line) is None
    assert read_markers(f"a\n{line}\nb", "paged") == []


@pytest.mark.parametrize("brk", ["\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85",
                                 "\u2028", "\u2029"])
def test_lines_split_on_newline_only(brk: str) -> None:
    """Issue 10: str.splitlines() made a marker of the text after a U+2028."""
    assert read_markers(f"hello{brk}{OURS}", "paged") == []
    assert not has_marker_line(f"hello{brk}{OURS}", "<!-- chatops:v1 paged ")
    assert len(read_markers(f"hello{brk}x\n{OURS}", "paged")) == 1


def test_a_marker_without_fields_is_read() -> None:
    assert marker("feedback") == "<!-- chatops:v1 feedback -->"
    assert read_markers("<!-- chatops:v1 feedback -->", "feedback") == [{}]


def test_markers_of_other_kinds_are_not_returned() -> None:
    text = f"{OURS}\n{marker('log', id='Q1', team='gitaly')}"
    assert read_markers(text, "log") == [{"id": "Q1", "team": "gitaly"}]
    assert len(read_markers(text, "paged")) == 1 and read_markers(text, "overdue") == []


def test_has_marker_line_needs_a_whole_valid_marker() -> None:
    assert has_marker_line(f"x\n{OURS}\n", "<!-- chatops:v1 paged team=gitaly ")
    assert not has_marker_line(f"x\n{OURS[:-4]}\n", "<!-- chatops:v1 paged team=gitaly ")
    assert not has_marker_line(f"x\n{OURS}\n", "<!-- chatops:v1 paged team=database ")


def test_unknown_kinds_and_keys_cannot_be_written() -> None:
    with pytest.raises(ValueError, match="unknown marker kind"):
        marker("pagedx", team="gitaly")
    with pytest.raises(ValueError, match="no key 'teams'"):
        marker("paged", teams="gitaly")


@pytest.mark.parametrize(("value", "written"), [
    ("", "-"), ("a b", "a%20b"), ("x\n<!-- y", "x%0A%3C%21--%20y"), ("a%b c", "a%25b%20c"),
    ("é", "%C3%A9"), ("https://gl/-/jobs/1?x=1", "https://gl/-/jobs/1%3Fx%3D1")])
def test_values_outside_the_charset_are_written_percent_encoded(value: str,
                                                                written: str) -> None:
    line = marker("paged", job=value)
    assert line == f"<!-- chatops:v1 paged job={written} -->"
    assert parse_marker(line) == ("paged", {"job": written})


def test_every_kind_chatops_writes_is_in_the_table() -> None:
    assert set(KINDS) == {"request", "paged", "failed", "queued", "closed", "dequeued", "log",
                          "overdue", "feedback", "record", "record_month", "delivering",
                          "sync_state", "sync_applied", "sync_retry", "sync_services",
                          "sync_services_read"}
