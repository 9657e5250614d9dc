"""Faithful local emulation of the GitLab and PagerDuty APIs ChatOps talks to."""

from chatops_emulator.emulator import Emulator
from chatops_emulator.gitlab_state import GitLabState
from chatops_emulator.pagerduty_state import PagerDutyState
from chatops_emulator.server import Fault, RecordedRequest

__all__ = ["Emulator", "Fault", "GitLabState", "PagerDutyState", "RecordedRequest"]
