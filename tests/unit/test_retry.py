"""The retry policy: bounded, Retry-After aware, never repeats a create blindly."""

import pytest

from chatops.adapters import retry
from chatops.errors import GitLabError


class Flaky:
    """Fails with the given errors, then returns 'ok'."""

    def __init__(self, *errors: GitLabError) -> None:
        self.errors, self.calls = list(errors), 0

    def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


def test_retry_after_is_honoured() -> None:
    sleeps: list[float] = []
    fn = Flaky(GitLabError("POST /x", 429, "slow down", retry_after=7))
    assert retry.call(fn, budget=30, sleep=sleeps.append) == "ok"
    assert sleeps == [7.0] and fn.calls == 2


def test_retry_after_beyond_budget_gives_up_at_once() -> None:
    sleeps: list[float] = []
    fn = Flaky(GitLabError("POST /x", 429, "slow down", retry_after=120))
    with pytest.raises(GitLabError):
        retry.call(fn, budget=10, sleep=sleeps.append)
    assert sleeps == [] and fn.calls == 1


def test_client_errors_are_not_retried() -> None:
    fn = Flaky(GitLabError("POST /x", 400, "bad"))
    with pytest.raises(GitLabError):
        retry.call(fn, budget=30, sleep=lambda s: None)
    assert fn.calls == 1


def test_attempts_are_bounded() -> None:
    fn = Flaky(*[GitLabError("GET /x", 503, "down") for _ in range(20)])
    with pytest.raises(GitLabError):
        retry.call(fn, budget=1000, sleep=lambda s: None)
    assert fn.calls == retry.MAX_ATTEMPTS


def test_ambiguous_failure_rechecks_before_reposting() -> None:
    fn = Flaky(GitLabError("POST /issues", None, "ReadTimeout"))
    found = retry.call(fn, budget=30, recheck=lambda: "found", sleep=lambda s: None)
    assert found == "found" and fn.calls == 1


def test_recheck_not_used_after_rate_limit() -> None:
    checks: list[int] = []
    fn = Flaky(GitLabError("POST /issues", 429, "slow", retry_after=0))

    def recheck() -> str | None:
        checks.append(1)
        return None

    assert retry.call(fn, budget=30, recheck=recheck, sleep=lambda s: None) == "ok"
    assert checks == []  # a 429 was not applied: re-posting is safe


class Clock:
    """A fake monotonic clock that sleeping advances."""

    def __init__(self) -> None:
        self.now = 0.0

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_recheck_runs_at_once_even_when_backoff_would_exhaust_the_budget() -> None:
    # The flaky e2e case: 2 s per attempt, 2.5 s budget: any back-off before the
    # next attempt would pass the budget, yet the created issue must be found.
    clock = Clock()
    fn = Flaky(GitLabError("POST /issues", None, "ConnectionError"))
    found = retry.call(fn, budget=2.5, recheck=lambda: "found", sleep=clock.sleep,
                       attempt_seconds=2.0, clock=lambda: clock.now)
    assert found == "found" and fn.calls == 1 and clock.now == 0.0


def test_no_recheck_when_even_one_read_would_pass_the_budget() -> None:
    clock = Clock()
    checks: list[int] = []
    fn = Flaky(GitLabError("POST /issues", None, "ReadTimeout"))

    def slow_post() -> str:
        clock.now += 2.0  # the create used its whole timeout
        return fn()

    def recheck() -> str | None:
        checks.append(1)
        return None  # looked: nothing there

    with pytest.raises(GitLabError):
        retry.call(slow_post, budget=2.5, recheck=recheck,
                   sleep=clock.sleep, attempt_seconds=2.0, clock=lambda: clock.now)
    assert checks == [] and fn.calls == 1


def test_create_is_not_repeated_while_the_recheck_keeps_failing() -> None:
    fn = Flaky(GitLabError("POST /issues", 502, "bad gateway"))
    checks: list[int] = []

    def failing_recheck() -> str | None:
        checks.append(1)
        if len(checks) < 3:
            raise GitLabError("GET /issues", None, "ReadTimeout")
        return None  # at last a clear answer: not created

    result = retry.call(fn, budget=1000, recheck=failing_recheck, sleep=lambda s: None)
    assert result == "ok" and fn.calls == 2 and len(checks) == 3


def test_a_refused_recheck_stops_without_reposting() -> None:
    fn = Flaky(*[GitLabError("POST /issues", 502, "bad gateway") for _ in range(20)])

    def failing_recheck() -> str | None:
        raise GitLabError("GET /issues", 401, "unauthorized")

    with pytest.raises(GitLabError) as caught:
        retry.call(fn, budget=1000, recheck=failing_recheck, sleep=lambda s: None)
    assert caught.value.endpoint.startswith("GET")  # the 401 read is not retryable
    assert fn.calls == 1
