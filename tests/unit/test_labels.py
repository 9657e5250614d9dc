"""The labels chatops writes, spelled exactly as GitLab shows them (changes here must fail)."""

from __future__ import annotations

from chatops.core import labels


def test_escalation_labels_are_scoped_and_spelled_exactly() -> None:
    assert labels.ESCALATION_LABELS == ("escalation::triggered", "escalation::acknowledged",
                                        "escalation::resolved", "escalation::failed",
                                        "escalation::queued")
    assert labels.CANCELLED == "escalation::cancelled"
    assert (*labels.ESCALATION_LABELS, "escalation::cancelled") == labels.SYNC_LABELS
    assert all(lb.startswith(labels.ESCALATION_PREFIX) for lb in labels.SYNC_LABELS)
    assert labels.ESCALATION_PREFIX == "escalation::"


def test_each_status_has_its_summary_label() -> None:
    assert labels.BY_STATUS == {"triggered": "escalation::triggered",
                                "acknowledged": "escalation::acknowledged",
                                "resolved": "escalation::resolved"}


def test_plain_labels_are_spelled_exactly_and_unscoped() -> None:
    plain = (labels.DRILL, labels.WAITING, labels.SYNC_STATE, labels.SYNC_LOCK, labels.RECORD,
             labels.FEEDBACK)
    assert plain == ("drill", "chatops-queued", "chatops-sync-state", "chatops-sync-lock",
                     "chatops-record", "chatops-feedback")
    assert not any("::" in lb for lb in plain)
