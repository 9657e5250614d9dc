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
