"""Secrets never appear in messages: at most their last 4 characters."""

from chatops.errors import GitLabError, mask, redact, register_secret


def test_registered_secret_is_masked_everywhere() -> None:
    register_secret("glpat-SECRETSECRET1234")
    err = GitLabError("POST /x", 401, "bad token glpat-SECRETSECRET1234",
                      "token glpat-SECRETSECRET1234 expired")
    assert "glpat-SECRETSECRET1234" not in str(err)
    assert "…1234" in err.detail and "…1234" in err.hint


def test_tokens_in_urls_are_redacted_even_unregistered() -> None:
    text = redact("POST /trigger/pipeline?token=abcdef123&ref=main private_token=xyz")
    assert "abcdef123" not in text and "xyz" not in text


def test_mask_shows_last_four_only() -> None:
    assert mask("R0ut1ngKey0001") == "…0001"
    assert mask("abc") == "…"


def test_retryable_and_ambiguous() -> None:
    assert GitLabError("x", 503, "").retryable and GitLabError("x", 503, "").ambiguous
    assert GitLabError("x", 429, "").retryable and not GitLabError("x", 429, "").ambiguous
    assert not GitLabError("x", 400, "").retryable
    assert GitLabError("x", None, "timeout").ambiguous
