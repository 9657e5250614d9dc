"""Dedup keys name the escalation they belong to."""

from chatops.core.history import (
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
