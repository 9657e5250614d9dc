"""The early reads: only for a new request that can page, used only when the config agrees."""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import replace
from typing import Any

import pytest

from chatops.config import Config, Environment, Http, parse_config
from chatops.core.model import OnCall
from chatops.core.refs import IssueRef
from chatops.core.request import PageRequest, build_request
from chatops.page import lookahead
from chatops.page.lookahead import Lookahead

RAW: dict[str, Any] = {
    "incident_project": "g/p",
    "bot_usernames": ["old-bot"],
    "http": {"timeout_seconds": 3, "lookup_budget_seconds": 4.5},
    "teams": {"gitaly": {"display_name": "Gitaly", "routing_key_env": "RK_GITALY",
                         "escalation_policy_id": "PGITALY1", "fallback": "ask"}},
}
CONFIG = parse_config(RAW)
# No tokens: nothing is sent, so these tests reach no service.
ENV = Environment.read({"RK_GITALY": "key"})
REQUEST = build_request("gitaly", "praefect down", None, None, False, ["gitaly"])


def raw(**changes: Any) -> dict[str, Any]:
    return {**RAW, **changes}


def test_a_new_request_is_read_early_with_the_raw_values() -> None:
    ahead = lookahead.start(ENV, RAW, REQUEST)
    assert ahead is not None
    assert (ahead.project, ahead.policy, ahead.bots) == ("g/p", "PGITALY1", ("old-bot",))
    assert ahead.http == Http(timeout_seconds=3.0, lookup_budget_seconds=4.5)
    assert ahead.marker.startswith("<!-- chatops:v1 request id=chatops-request-")
    assert ahead.tracker is None and ahead.pager is None  # no tokens: nothing sent
    assert ahead.matches(CONFIG, REQUEST)


@pytest.mark.parametrize(("request_", "raw_", "env"), [
    (replace(REQUEST, dry_run=True), RAW, ENV),
    (replace(REQUEST, incident=IssueRef("g/p", 7)), RAW, ENV),
    (REQUEST, RAW, Environment.read({})),  # no routing key: nothing can page
    (REQUEST, raw(incident_project=5), ENV),
    (REQUEST, raw(teams=[]), ENV),
    (REQUEST, raw(teams={"gitaly": {**RAW["teams"]["gitaly"], "escalation_policy_id": 1}}), ENV),
    (REQUEST, raw(http={"timeout_seconds": True}), ENV),
    (REQUEST, raw(http={"timeout_second": 3}), ENV),
    (REQUEST, raw(http=[]), ENV),
    (REQUEST, raw(bot_usernames="old-bot"), ENV),
    (REQUEST, raw(bot_usernames=[1]), ENV),
    (REQUEST, raw(templates_dir="templates"), ENV),  # checked before anything is sent
    (REQUEST, raw(http={"lookup_budget_seconds": 500}), ENV),  # the schema allows 120
    (REQUEST, raw(http={"timeout_seconds": 0}), ENV),
    (REQUEST, raw(http={"gitlab_budget_seconds": -1}), ENV),
])
def test_nothing_is_read_early_when_it_could_not_be_used(
        request_: PageRequest, raw_: dict[str, Any], env: Environment) -> None:
    assert lookahead.start(env, raw_, request_) is None


def test_defaults_apply_when_the_file_has_no_http_section() -> None:
    plain = {k: v for k, v in RAW.items() if k not in ("http", "bot_usernames")}
    ahead = lookahead.start(ENV, plain, REQUEST)
    assert ahead is not None and ahead.http == Http() and ahead.bots == ()
    assert ahead.matches(parse_config(plain), REQUEST)


@pytest.mark.parametrize("config", [
    replace(CONFIG, incident_project="g/other"),
    replace(CONFIG, http=Http()),
    replace(CONFIG, bot_usernames=()),
    replace(CONFIG, teams={"gitaly": replace(CONFIG.teams["gitaly"],
                                             escalation_policy_id="PELSE11")}),
    replace(CONFIG, teams={}),
])
def test_answers_are_dropped_when_the_validated_config_differs(config: Config) -> None:
    ahead = Lookahead(REQUEST, "g/p", "PGITALY1", CONFIG.http, ("old-bot",))
    assert ahead.matches(CONFIG, REQUEST)
    assert not ahead.matches(config, REQUEST)
    assert not ahead.matches(CONFIG, replace(REQUEST, message="something else"))


def test_an_answer_is_handed_out_once_and_only_for_the_same_question() -> None:
    ahead = Lookahead(REQUEST, "g/p", "PGITALY1", CONFIG.http, ())
    early: Future[Any] = Future()
    early.set_result((OnCall(1, "Ann", None),))
    ahead._answers[("oncall", "PGITALY1")] = early
    asked: list[str] = []

    def read_now() -> tuple[OnCall, ...]:
        asked.append("now")
        return ()

    assert ahead.oncall("POTHER11", read_now) == ()  # another policy: read now
    assert ahead.oncall("PGITALY1", read_now) == (OnCall(1, "Ann", None),)
    assert ahead.oncall("PGITALY1", read_now) == ()  # once only
    assert asked == ["now", "now"]


def test_an_early_error_is_raised_where_the_answer_is_used() -> None:
    ahead = Lookahead(REQUEST, "g/p", "PGITALY1", CONFIG.http, ())
    failed: Future[Any] = Future()
    failed.set_exception(TimeoutError("GitLab did not answer"))
    ahead._answers[("issue", "g/p", ahead.marker)] = failed
    with pytest.raises(TimeoutError, match="did not answer"):
        ahead.issue("g/p", ahead.marker, lambda: None)
    assert ahead.issue("g/p", ahead.marker, lambda: None) is None


def test_team_names_of_the_raw_file() -> None:
    assert lookahead.teams_in(RAW) == ["gitaly"]
    assert lookahead.teams_in(raw(teams="gitaly")) == []


def test_early_reads_never_keep_a_refusing_job_alive() -> None:
    """A read still out when the job ends (say, the file is refused and GitLab hangs) runs on
    a daemon thread: the reply leaves at once instead of after the lookup budget."""
    import threading

    ahead = Lookahead(REQUEST, "g/p", "PGITALY1", CONFIG.http, ())
    release = threading.Event()
    early = (OnCall(1, "Ann", None),)

    def slow() -> tuple[OnCall, ...]:
        release.wait(30)
        return early

    ahead._send(("oncall", "PGITALY1"), slow)
    (thread,) = [t for t in threading.enumerate() if t.name == "lookahead-oncall"]
    assert thread.daemon
    release.set()
    assert ahead.oncall("PGITALY1", lambda: ()) == early  # the early answer, once it came


def test_the_limits_read_early_are_the_schemas() -> None:
    from chatops.config import HTTP_LIMITS

    assert lookahead._http({"lookup_budget_seconds": HTTP_LIMITS["lookup_budget_seconds"]})
    assert lookahead._http({"pagerduty_budget_seconds": 600}) == Http(
        pagerduty_budget_seconds=600.0)
    assert lookahead._http({"pagerduty_budget_seconds": 601}) is None
