"""Tests for the PagerDuty OpenAPI request validator in tests/support/pd_spec.py."""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from . import pd_spec
from .pd_spec import PagerDutySpec, skip_reason, spec_available

TOKEN = "Token token=y_NbAkKc66ryYTWUXYEu"  # PD's documented example key, not a secret
REST_HEADERS = {"Authorization": TOKEN, "Accept": "application/vnd.pagerduty+json;version=2"}
WRITE_HEADERS = {**REST_HEADERS, "Content-Type": "application/json", "From": "ops@example.com"}
EVENT_HEADERS = {"Content-Type": "application/json"}
ONCALLS_QUERY = [
    ("escalation_policy_ids[]", "P1"),
    ("earliest", "true"),
    ("time_zone", "UTC"),
    ("limit", "100"),
    ("offset", "0"),
]


@pytest.fixture(scope="module")
def spec() -> PagerDutySpec:
    """Return the loaded specs, or skip (naming the missing path) on a fresh clone."""
    if not spec_available():
        pytest.skip(skip_reason())
    return PagerDutySpec.load()


def trigger(**changes: Any) -> dict[str, Any]:
    """Return a valid Events v2 trigger body with top-level fields replaced by changes."""
    event: dict[str, Any] = {
        "routing_key": "e93facc04764012d7bfb002500d5d1a6",
        "event_action": "trigger",
        "dedup_key": "chatops/page/42",
        "payload": {
            "summary": "Paging the database experts from #ops",
            "source": "chatops",
            "severity": "critical",
            "timestamp": "2026-11-26T19:30:00+00:00",
            "component": "postgres",
            "group": "prod",
            "class": "page",
            "custom_details": {"requested_by": "alice", "channel": "#ops"},
        },
        "images": [{"src": "https://example.com/graph.png", "alt": "graph"}],
        "links": [{"href": "https://example.com/runbook", "text": "Runbook"}],
        "client": "ChatOps",
        "client_url": "https://gitlab.example.com/ops/chatops",
    }
    return event | changes


def send_event(spec: PagerDutySpec, event: dict[str, Any], **kw: bool) -> list[str]:
    """Validate an Events v2 enqueue request carrying event."""
    return spec.validate(
        "events", "POST", "/v2/enqueue", [], EVENT_HEADERS, json.dumps(event), **kw
    )


def get_oncalls(
    spec: PagerDutySpec, query: list[tuple[str, str]], headers: dict[str, str] = REST_HEADERS
) -> list[str]:
    """Validate a REST GET /oncalls request."""
    return spec.validate("rest", "GET", "/oncalls", query, headers, "")


def payload_schema(spec: PagerDutySpec) -> dict[str, Any]:
    """Return the Events v2 spec's schema for the trigger payload."""
    schema: dict[str, Any] = spec.apis["events"].doc["components"]["schemas"]["Payload"]
    return schema


def test_missing_spec_dir_reports_the_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A missing spec dir makes spec_available() False and skip_reason() name the path."""
    missing = tmp_path / "shared" / "specs" / "pagerduty"
    monkeypatch.setattr(pd_spec, "SPEC_DIR", missing)
    assert spec_available() is False
    assert str(missing) in skip_reason()
    assert "skipped" in skip_reason()
    with pytest.raises(FileNotFoundError, match="not found"):
        PagerDutySpec.load()


def test_partial_spec_dir_names_the_missing_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """With only the events spec present the reason names the missing REST spec file."""
    (tmp_path / "events-v2-openapiv3.json").write_text("{}")
    monkeypatch.setattr(pd_spec, "SPEC_DIR", tmp_path)
    assert spec_available() is False
    assert "rest-openapiv3.json" in skip_reason()
    assert str(tmp_path) in skip_reason()


def fresh_module(monkeypatch: pytest.MonkeyPatch, env: str | None) -> ModuleType:
    """Import an independent copy of pd_spec with CHATOPS_PD_SPEC_DIR set to env (or unset)."""
    if env is None:
        monkeypatch.delenv("CHATOPS_PD_SPEC_DIR", raising=False)
    else:
        monkeypatch.setenv("CHATOPS_PD_SPEC_DIR", env)
    found = importlib.util.spec_from_file_location("pd_spec_fresh_copy", pd_spec.__file__)
    assert found is not None and found.loader is not None
    module = importlib.util.module_from_spec(found)
    monkeypatch.setitem(sys.modules, found.name, module)
    found.loader.exec_module(module)
    return module


def test_spec_dir_default_and_env_override(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """SPEC_DIR defaults to <repo>/../shared/specs/pagerduty and honours CHATOPS_PD_SPEC_DIR."""
    assert (pd_spec.REPO_ROOT / "pyproject.toml").is_file()
    default = fresh_module(monkeypatch, None).SPEC_DIR
    assert default == pd_spec.REPO_ROOT.parent / "shared" / "specs" / "pagerduty"
    overridden = fresh_module(monkeypatch, str(tmp_path)).SPEC_DIR
    assert overridden == tmp_path


def test_spec_files_are_not_copied_into_the_project() -> None:
    """The PagerDuty spec files live outside the repository and are never vendored into it."""
    names = set(pd_spec.SPEC_FILES.values())
    copies = []
    for root, dirs, files in os.walk(pd_spec.REPO_ROOT):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d != "node_modules"]
        copies += [Path(root, f) for f in files if f in names]
    assert copies == []


def test_load_is_cached(spec: PagerDutySpec) -> None:
    """Loading twice returns the same object, so a session pays the parse cost once."""
    assert PagerDutySpec.load() is spec


def test_valid_events_trigger(spec: PagerDutySpec) -> None:
    """A complete, well-formed trigger event validates clean."""
    assert send_event(spec, trigger()) == []


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (trigger(payload={"source": "chatops", "severity": "critical"}), "body.payload: 'summary'"),
        (
            trigger(payload={"summary": "s", "source": "x", "severity": "bad"}),
            "body.payload.severity",
        ),
        (trigger(event_action="page"), "body.event_action"),
        (trigger(links=[{"text": "no href"}]), "body.links[0]: 'href'"),
        (trigger(payload={**trigger()["payload"], "timestamp": "now"}), "body.payload.timestamp"),
    ],
    ids=["missing-summary", "bad-severity", "bad-action", "link-without-href", "bad-timestamp"],
)
def test_invalid_events_are_caught(
    spec: PagerDutySpec, event: dict[str, Any], expected: str
) -> None:
    """Each malformed trigger yields a problem pointing at the offending field."""
    problems = send_event(spec, event)
    assert any(p.startswith(expected) for p in problems), problems


def test_unknown_top_level_event_field(spec: PagerDutySpec) -> None:
    """An unknown top-level field fails exactly when the spec forbids it, always when closed."""
    root = spec.apis["events"].doc["paths"]["/enqueue"]["post"]["requestBody"]
    forbids = root["content"]["application/json"]["schema"].get("additionalProperties") is False
    assert bool(send_event(spec, trigger(severity="critical"))) is forbids
    closed = send_event(spec, trigger(severity="critical"), closed_objects=True)
    assert closed == ["body.severity: not declared by the events spec"]
    assert send_event(spec, trigger(), closed_objects=True) == []


def test_summary_length_follows_the_spec(spec: PagerDutySpec) -> None:
    """A too-long summary is caught iff the spec sets maxLength; no limit is invented."""
    limit = payload_schema(spec)["properties"]["summary"].get("maxLength")
    summary = "x" * ((limit or 1024) + 1)
    problems = send_event(spec, trigger(payload={**trigger()["payload"], "summary": summary}))
    assert bool(problems) is (limit is not None), problems


def test_pd_style_timestamps(spec: PagerDutySpec) -> None:
    """PD's own +HHMM offsets pass; a doubled zone designator still fails."""
    for stamp, ok in (
        ("2015-07-17T08:42:58.315+0000", True),
        ("2026-01-01T00:00:00+00:00Z", False),
    ):
        event = trigger(payload={**trigger()["payload"], "timestamp": stamp})
        assert (send_event(spec, event) == []) is ok, stamp


def test_valid_oncalls_request(spec: PagerDutySpec) -> None:
    """GET /oncalls with PD's `name[]` array params and proper headers validates clean."""
    assert get_oncalls(spec, ONCALLS_QUERY) == []
    assert get_oncalls(spec, [*ONCALLS_QUERY, ("escalation_policy_ids[]", "P2")]) == []


def test_oncalls_problems_are_caught(spec: PagerDutySpec) -> None:
    """Wrong Accept, unknown or non-array params, bad enums and bad types are all reported."""
    wrong_accept = get_oncalls(spec, ONCALLS_QUERY, {**REST_HEADERS, "Accept": "application/json"})
    assert len(wrong_accept) == 1 and wrong_accept[0].startswith("header Accept")
    assert get_oncalls(spec, [*ONCALLS_QUERY, ("bogus", "1")]) == [
        "query bogus: not a parameter of /oncalls"
    ]
    bare = get_oncalls(spec, [("escalation_policy_ids", "P1")])
    assert bare and "did you mean 'escalation_policy_ids[]'" in bare[0]
    bad_enum = get_oncalls(spec, [("include[]", "users"), ("include[]", "nope")])
    assert len(bad_enum) == 1 and "'nope' is not one of" in bad_enum[0]
    assert get_oncalls(spec, [("limit", "lots")]) == ["query limit: 'lots' is not a valid integer"]
    assert get_oncalls(spec, [("earliest", "yes")]) != []
    assert get_oncalls(spec, [("limit", "1"), ("limit", "2")]) != []


def test_authorization_is_checked_without_echoing_it(spec: PagerDutySpec) -> None:
    """A missing or malformed Authorization header is reported and the value never echoed."""
    bad = get_oncalls(spec, ONCALLS_QUERY, {**REST_HEADERS, "Authorization": "s3cr3t-key"})
    assert len(bad) == 1 and "Authorization" in bad[0] and "s3cr3t-key" not in bad[0]
    accept_only = {"Accept": REST_HEADERS["Accept"]}
    assert get_oncalls(spec, ONCALLS_QUERY, accept_only)[0].startswith("header Authorization")


def test_incident_writes(spec: PagerDutySpec) -> None:
    """PUT /incidents/{id} and POST notes need From and a body matching the schema."""
    ack = json.dumps({"incident": {"type": "incident_reference", "status": "acknowledged"}})
    assert spec.validate("rest", "PUT", "/incidents/PX1", [], WRITE_HEADERS, ack) == []
    no_from = {k: v for k, v in WRITE_HEADERS.items() if k != "From"}
    assert spec.validate("rest", "PUT", "/incidents/PX1", [], no_from, ack) == [
        "header From: missing (required)"
    ]
    bad = json.dumps({"incident": {"type": "incident_reference", "status": "closed"}})
    assert spec.validate("rest", "PUT", "/incidents/PX1", [], WRITE_HEADERS, bad) != []
    note = json.dumps({"note": {"content": "Paged from #ops"}})
    assert spec.validate("rest", "POST", "/incidents/PX1/notes", [], WRITE_HEADERS, note) == []
    empty = spec.validate("rest", "POST", "/incidents/PX1/notes", [], WRITE_HEADERS, "{}")
    assert empty == ["body: 'note' is a required property"]
    absent = spec.validate("rest", "POST", "/incidents/PX1/notes", [], WRITE_HEADERS, "")
    assert absent == ["body: missing, the spec requires a request body"]


def test_incident_and_log_entry_lists(spec: PagerDutySpec) -> None:
    """GET /incidents and /log_entries accept repeated array params and reject bad values."""
    query = [("statuses[]", "triggered"), ("statuses[]", "acknowledged"), ("include[]", "users")]
    assert spec.validate("rest", "GET", "/incidents", query, REST_HEADERS, "") == []
    bad = spec.validate("rest", "GET", "/incidents", [("statuses[]", "open")], REST_HEADERS, "")
    assert len(bad) == 1 and bad[0].startswith("query statuses[]")
    logs = [("since", "2026-11-26T00:00:00Z"), ("is_overview", "true"), ("include[]", "incidents")]
    assert spec.validate("rest", "GET", "/log_entries", logs, REST_HEADERS, "") == []
    yesterday = [("since", "yesterday")]
    assert spec.validate("rest", "GET", "/log_entries", yesterday, REST_HEADERS, "") != []


def test_routing_problems(spec: PagerDutySpec) -> None:
    """Unknown paths, undeclared methods and a missing /v2 prefix are reported."""
    assert "no such path" in spec.validate("rest", "GET", "/oncall", [], REST_HEADERS, "")[0]
    assert "allowed: GET" in spec.validate("rest", "DELETE", "/oncalls", [], REST_HEADERS, "")[0]
    body = json.dumps(trigger())
    unprefixed = spec.validate("events", "POST", "/enqueue", [], EVENT_HEADERS, body)
    assert unprefixed == ["POST /enqueue: events paths must start with /v2/"]
    assert spec.validate("pager", "POST", "/v2/enqueue", [], EVENT_HEADERS, body) != []


def post_only(schema: dict[str, Any]) -> dict[str, Any]:
    """Return a one-path OpenAPI document whose POST /things body uses schema."""
    body = {"content": {"application/json": {"schema": schema}}}
    return {"paths": {"/things": {"post": {"requestBody": body}}}}


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "object", "properties": {"id": {"readOnly": True}}, "required": ["id", "name"]},
        {"allOf": [{"properties": {"id": {"readOnly": True}}}, {"required": ["id", "name"]}]},
    ],
    ids=["same-schema", "sibling-allOf-branch"],
)
def test_readonly_properties_are_not_required_in_requests(schema: dict[str, Any]) -> None:
    """A required-but-readOnly property is not demanded of a request; others still are."""
    spec = PagerDutySpec({"t": pd_spec._Api("t", post_only(schema))})
    assert spec.validate("t", "POST", "/things", [], EVENT_HEADERS, '{"name": "n"}') == []
    assert spec.validate("t", "POST", "/things", [], EVENT_HEADERS, '{"id": "i"}') == [
        "body: 'name' is a required property"
    ]
