"""One deadline per phase: budgets and request timeouts are cut to what is left."""

from __future__ import annotations

from chatops.adapters.phase import MIN_ATTEMPT_SECONDS, Phase


class Clock:
    """A settable monotonic clock."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_outside_a_phase_every_call_keeps_its_own_budget() -> None:
    phase = Phase(Clock())
    assert phase.left() is None
    assert phase.budget(6.0) == 6.0 and phase.timeout(5.0) == 5.0
    assert phase.attempt_seconds(5.0) == 5.0


def test_within_a_phase_calls_share_one_deadline() -> None:
    clock = Clock()
    phase = Phase(clock)
    phase.start(6.0)
    clock.now += 4.5  # one slow request
    assert phase.left() == 1.5
    assert phase.budget(6.0) == 1.5 and phase.budget(1.0) == 1.0
    assert phase.timeout(5.0) == 1.5 and phase.timeout(0.5) == 0.5
    assert phase.attempt_seconds(5.0) == MIN_ATTEMPT_SECONDS
    assert phase.attempt_seconds(0.2) == 0.2
    clock.now += 2.0
    assert phase.budget(6.0) == 0.0 and phase.timeout(5.0) == 0.01


def test_a_new_phase_replaces_the_old_deadline() -> None:
    clock = Clock()
    phase = Phase(clock)
    phase.start(6.0)
    clock.now += 7.0
    phase.start(20.0)
    assert phase.left() == 20.0
