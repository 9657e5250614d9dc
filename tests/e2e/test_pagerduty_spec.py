"""Every PagerDuty request of the e2e suite is validated against the official specs."""

import json

import pytest

from tests.e2e.conftest import Harness, validate_pagerduty_requests
from tests.support.pd_spec import skip_reason, spec_available


def test_pagerduty_specs_are_present_for_request_validation() -> None:
    """Without ../shared/specs the per-test validation is off: say so visibly."""
    if not spec_available():
        pytest.skip(skip_reason())
    from tests.support.pd_spec import PagerDutySpec

    problems = PagerDutySpec.load().validate(
        "rest", "GET", "/oncalls", [("escalation_policy_ids[]", "PGITALY1"), ("bogus", "1")],
        {"authorization": "Token token=x",
         "accept": "application/vnd.pagerduty+json;version=2"}, "")
    assert any("bogus" in p for p in problems), problems


def test_page_requests_validate_and_a_bad_request_would_not(harness: Harness) -> None:
    """The validator is live: our requests pass, a tampered copy fails."""
    if not spec_available():
        pytest.skip(skip_reason())
    harness.page("gitaly praefect is failing over on file-01")
    validate_pagerduty_requests(harness.emu)
    from tests.support.pd_spec import PagerDutySpec

    (event,) = harness.sent("pd-events", "POST")
    body = json.loads(event.body)
    body["payload"]["severity"] = "catastrophic"
    broken = json.dumps(body)
    problems = PagerDutySpec.load().validate("events", "POST", event.path, list(event.query),
                                             dict(event.headers), broken)
    assert problems, "the validator accepted an invalid severity"
