"""The GitLab labels chatops writes, each spelled here only."""

from __future__ import annotations

# The escalation:: label is one summary of the issue: on GitLab Premium/Ultimate scoped labels
# are exclusive (adding escalation::x removes every other escalation:: label server-side,
# docs.gitlab.com/user/project/labels/#scoped-labels), so no per-team state may rest on two
# of them coexisting. Each team's state lives in chatops' markers.
ESCALATION_PREFIX = "escalation::"
TRIGGERED = "escalation::triggered"
ACKNOWLEDGED = "escalation::acknowledged"
RESOLVED = "escalation::resolved"
FAILED = "escalation::failed"
QUEUED = "escalation::queued"
CANCELLED = "escalation::cancelled"  # a false alarm: set by `escalation cancel`, kept by sync
# The summaries a page sets; sync and the escalation commands may also set CANCELLED.
ESCALATION_LABELS = (TRIGGERED, ACKNOWLEDGED, RESOLVED, FAILED, QUEUED)
SYNC_LABELS = (*ESCALATION_LABELS, CANCELLED)
# The summary label of each PagerDuty incident status.
BY_STATUS = {"triggered": TRIGGERED, "acknowledged": ACKNOWLEDGED, "resolved": RESOLVED}

DRILL = "drill"  # not scoped: it must never replace an escalation:: label
# This plain (unscoped) label only tells sync where queued requests wait, whatever the
# summary label says.
WAITING = "chatops-queued"

# chatops' own bookkeeping issues and labels, never on an incident issue.
SYNC_STATE = "chatops-sync-state"  # the issue holding sync's cursor
SYNC_LOCK = "chatops-sync-lock"  # the project label that is sync's mutex
RECORD = "chatops-record"  # the issue recording requests that paged nobody
FEEDBACK = "chatops-feedback"  # an issue opened by `chatops feedback`
