"""Validate requests sent to GitLab against GitLab's official OpenAPI description (tests only).

The document is gitlabhq's doc/api/openapi/openapi_v3.yaml, read in place from
../shared/specs/gitlab/ (see SOURCE.md there; never copied into this project). Parsing
its 3 MB of YAML takes seconds, so the parsed form is cached as JSON in the system temp
directory, keyed by the file's sha256. Validation reuses the PagerDuty validator's
machinery (routing, parameter and body checks); GitLab's own rules are here.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import yaml

from chatops.core.labels import SYNC_LOCK
from tests.support.pd_spec import Problems, _Api, _Call, _media

REPO_ROOT = Path(__file__).resolve().parents[2]
SPEC_FILE = Path(os.environ.get("CHATOPS_GITLAB_SPEC") or
                 REPO_ROOT.parent / "shared" / "specs" / "gitlab" / "openapi_v3.yaml")
# python-gitlab authenticates with the PRIVATE-TOKEN header (private_token=); the spec's
# security schemes name only bearer and OAuth 2, so either form is accepted.
_AUTH = re.compile(r"^Bearer \S+$")

# Endpoints chatops uses that the spec does not describe (path or method missing), as
# (method, path regex) -> why. Requests to them are checked by the emulator's own
# parameter rules only, and test_gitlab_spec.py lists them in the test summary; a request
# to any other undescribed endpoint fails the test. Empty today: every endpoint the e2e
# suite sends to is described (ENDPOINTS below).
UNDESCRIBED: dict[tuple[str, str], str] = {}

# Every GitLab endpoint chatops calls (adapters/gitlab.py, adapters/gitlab_lock.py), as
# a request path of the emulated project.
_P = "/api/v4/projects/gitlab-com%2Fgl-infra%2Fproduction"
ENDPOINTS = [
    ("GET", "/api/v4/user"), ("GET", f"{_P}/issues"), ("POST", f"{_P}/issues"),
    ("GET", f"{_P}/issues/1"), ("PUT", f"{_P}/issues/1"), ("GET", f"{_P}/issues/1/notes"),
    ("POST", f"{_P}/issues/1/notes"), ("GET", f"{_P}/issues/1/resource_label_events"),
    ("GET", f"{_P}/labels/{SYNC_LOCK}"), ("POST", f"{_P}/labels"),
    ("DELETE", f"{_P}/labels/{SYNC_LOCK}"),
]

_CACHE: dict[str, GitLabSpec] = {}


def spec_available() -> bool:
    """True when the GitLab OpenAPI file is present."""
    return SPEC_FILE.is_file()


def skip_reason() -> str:
    """Why GitLab request validation is off."""
    return f"GitLab OpenAPI spec not found at {SPEC_FILE}: GitLab request validation skipped"


def _parsed(path: Path) -> dict[str, Any]:
    """The YAML document, through a JSON cache outside the project."""
    raw = path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()[:16]
    cache = Path(tempfile.gettempdir()) / f"chatops-gitlab-openapi-{digest}.json"
    try:
        data: dict[str, Any] = json.loads(cache.read_bytes())
        return data
    except (OSError, ValueError):
        pass
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data = yaml.load(raw, Loader=loader)  # noqa: S506 - a safe loader
    tmp = cache.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, default=str), encoding="utf-8")
    tmp.replace(cache)
    return data


class _GitLabApi(_Api):
    """GitLab's paths carry /api/v4 themselves; auth is PRIVATE-TOKEN or a bearer token."""

    def __init__(self, doc: dict[str, Any]) -> None:
        super().__init__("gitlab", doc)
        self.base = ""

    def check_headers(self, call: _Call) -> Problems:
        """Authentication and the JSON content type of bodies."""
        hdrs, problems = call.headers, []
        if "private-token" not in hdrs and not _AUTH.match(hdrs.get("authorization", "")):
            problems.append("header PRIVATE-TOKEN/Authorization: missing")
        media = _media(hdrs.get("content-type", "")).split(";")[0]
        if call.body.strip() and media != "application/json":
            problems.append(f"header Content-Type: {hdrs.get('content-type')!r} is not JSON")
        return problems


class GitLabSpec:
    """The GitLab REST v4 description, ready to validate outgoing requests."""

    def __init__(self, api: _GitLabApi) -> None:
        self.api = api

    @classmethod
    def load(cls) -> GitLabSpec:
        """Load once per process; FileNotFoundError(skip_reason()) when absent."""
        key = str(SPEC_FILE.resolve())
        if key not in _CACHE:
            if not spec_available():
                raise FileNotFoundError(skip_reason())
            _CACHE[key] = cls(_GitLabApi(_parsed(SPEC_FILE)))
        return _CACHE[key]

    def describes(self, method: str, path: str) -> str | None:
        """The spec's path template for this request, or None when it has none."""
        call = self.api.match(method.lower(), path, {}, "")
        return None if isinstance(call, str) else call.template

    def validate(self, method: str, path: str, query: list[tuple[str, str]],
                 headers: dict[str, str], body: str) -> Problems:
        """Problems with one request ([] when it matches the spec)."""
        call = self.api.match(method.lower(), path, headers, body)
        if isinstance(call, str):
            return [call]
        api = self.api
        # GitLab's own pagination Link headers repeat the route's parameters in the query
        # (docs.gitlab.com/api/rest/#pagination-link-header: ".../notes?id=8&noteable_id=8
        # &page=1&per_page=3"): a client following `next` sends them back as they came.
        query = [(n, v) for n, v in query if n not in call.path_values]
        call.body = _comma_lists(api, call, body)
        return api.check_headers(call) + api.check_query(call, query) + api.check_body(call,
                                                                                       False)


def _comma_lists(api: _Api, call: _Call, body: str) -> str:
    """The body with comma-separated strings split where GitLab coerces them to arrays.

    The spec types labels/add_labels/remove_labels as arrays, but the API declares them
    `type: Array[String], coerce_with: CommaSeparatedToArray.coerce` (gitlabhq
    lib/api/issues.rb), so a comma-separated string is equally valid, and python-gitlab
    sends that form. Only array-of-string properties documented as comma-separated are
    split; everything else is validated as sent.
    """
    if "requestBody" not in call.op or not body.strip():
        return body
    try:
        value = json.loads(body)
        rb = api.resolve(call.op["requestBody"], "")[0]
        schema = api.resolve(rb["content"]["application/json"]["schema"], "")[0]
    except (ValueError, KeyError, TypeError):
        return body
    if not isinstance(value, dict):
        return body
    for key, item in list(value.items()):
        prop = api.resolve(schema.get("properties", {}).get(key, {}), "")[0]
        items = api.resolve(prop.get("items", {}), "")[0] if isinstance(prop, dict) else {}
        if (isinstance(item, str) and prop.get("type") == "array"
                and items.get("type") == "string"
                and "comma-separated" in str(prop.get("description", "")).lower()):
            value[key] = [part for part in item.split(",") if part]
    return json.dumps(value)
