"""GitLab failures become GitLabError: by status, with a hint, Retry-After and no token."""

from __future__ import annotations

import gitlab.exceptions
import pytest
import requests

from chatops.adapters.gitlab_errors import FAILURES, translate
from chatops.adapters.phase_session import BudgetSpent
from chatops.errors import GitLabError, NotFoundError

TOKEN = "glpat-secret-token-9876"


def _answer(retry_after: str | None) -> requests.Response:
    """A response as the tracker's hook keeps it."""
    response = requests.Response()
    if retry_after is not None:
        response.headers["Retry-After"] = retry_after
    return response


def test_404_is_not_found() -> None:
    error = translate("GET /projects/g%2Fp/issues/7", gitlab.exceptions.GitlabGetError(
        "404 Issue Not Found", 404), TOKEN, None)
    assert type(error) is NotFoundError
    assert (error.status, error.detail) == (404, "404 Issue Not Found")
    assert "token cannot see it" in error.hint


def test_401_names_the_token_by_its_last_four_characters_only() -> None:
    error = translate("GET /user", gitlab.exceptions.GitlabAuthenticationError(
        "401 Unauthorized", 401), TOKEN, None)
    assert type(error) is GitLabError and error.status == 401
    assert error.hint.endswith("(token …9876)") and TOKEN not in str(error)


@pytest.mark.parametrize(("header", "wait"), [("7", 7.0), (None, None), ("soon", None)])
def test_429_carries_the_retry_after_of_the_last_response(header: str | None,
                                                          wait: float | None) -> None:
    error = translate("POST /projects/g%2Fp/issues", gitlab.exceptions.GitlabCreateError(
        "429 Too Many Requests", 429), TOKEN, _answer(header))
    assert error.retry_after == wait and "rate limiting" in error.hint


def test_a_spent_budget_is_named_as_not_sent() -> None:
    exc = BudgetSpent("no time left in this phase's budget")
    assert isinstance(exc, FAILURES)
    error = translate("GET /user", exc, TOKEN, _answer("7"))
    assert error.status is None and error.retry_after is None
    assert error.detail == "not sent: no time left in this phase's budget"
    assert "unreachable" in error.hint


def test_a_transport_failure_names_its_kind() -> None:
    error = translate("GET /user", requests.ConnectionError("refused"), TOKEN, None)
    assert (error.status, error.detail) == (None, "ConnectionError")


def test_an_unreadable_answer_is_a_chatops_bug() -> None:
    error = translate("GET /user", KeyError("id"), TOKEN, None)
    assert (error.status, error.detail) == (200, "unexpected answer: KeyError")
    assert "chatops bug" in error.hint
