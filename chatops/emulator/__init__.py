"""Faithful local emulation of the GitLab and PagerDuty APIs ChatOps talks to."""

from chatops.emulator.emulator import Emulator
from chatops.emulator.gitlab_state import GitLabState
from chatops.emulator.pagerduty_state import PagerDutyState
from chatops.emulator.server import Fault, RecordedRequest

__all__ = ["Emulator", "Fault", "GitLabState", "PagerDutyState", "RecordedRequest"]
