"""Dedup keys name the escalation they belong to, spelled out exactly."""

from __future__ import annotations

import pytest

from chatops.core.dedup import (
    EscalationKey,
    dedup_key_for_issue,
    dedup_key_for_request,
    parse_dedup_key,
)
from chatops.core.refs import IssueRef


def test_issue_keys_round_trip() -> None:
    key = parse_dedup_key(dedup_key_for_issue("gitlab-org/gitaly", 42, "gitaly"))
    assert key == EscalationKey("gitaly", "gitlab-org/gitaly", 42)
    assert key is not None and key.issue == IssueRef("gitlab-org/gitaly", 42)


def test_request_keys_round_trip() -> None:
    key = parse_dedup_key(dedup_key_for_request("g/sub/p", "database", "0b8a606b476dbe4e"))
    assert key == EscalationKey("database", "g/sub/p", None, "0b8a606b476dbe4e")
    assert key is not None and key.issue is None


def test_foreign_keys_are_not_ours() -> None:
    for key in ("", "PD-123", "chatops/", "chatops/x", "chatops/g/p#x/gitaly"):
        assert parse_dedup_key(key) is None


def test_dedup_keys_are_spelled_exactly() -> None:
    assert dedup_key_for_request("g/p", "gitaly", "abc") == "chatops/g/p/gitaly/abc"
    assert dedup_key_for_issue("g/p", 7, "gitaly") == "chatops/g/p#7/gitaly"


@pytest.mark.parametrize(("key", "expected"), [
    ("chatops/g/p#7/gitaly", EscalationKey("gitaly", "g/p", 7)),
    ("chatops/a/b/c#12/db", EscalationKey("db", "a/b/c", 12)),
    ("chatops/a#b/c#3/db", EscalationKey("db", "a#b/c", 3)),
    ("chatops/g/p/gitaly/abc", EscalationKey("gitaly", "g/p", None, "abc")),
    ("chatops/g/sub/p/db/0b8a", EscalationKey("db", "g/sub/p", None, "0b8a")),
    ("chatops/p/gitaly/abc", EscalationKey("gitaly", "p", None, "abc")),
])
def test_parse_dedup_key(key: str, expected: EscalationKey) -> None:
    assert parse_dedup_key(key) == expected


@pytest.mark.parametrize("key", [
    "chatops/g/p#7/", "chatops//gitaly", "chatops/#7/gitaly", "chatops/g/p#/gitaly",
    "chatops/g/p#-1/gitaly", "chatops/gitaly/abc", "chatops//gitaly/abc", "chatops/g//abc",
    "xchatops/g/p#7/gitaly", "Chatops/g/p#7/gitaly", "/chatops/g/p#7/gitaly",
])
def test_malformed_keys_are_not_ours(key: str) -> None:
    assert parse_dedup_key(key) is None
