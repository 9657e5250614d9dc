"""Validate requests sent to PagerDuty against the official OpenAPI specs (test support only)."""

from __future__ import annotations

import copy
import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from jsonschema.exceptions import ValidationError
from jsonschema.validators import extend
from openapi_schema_validator import OAS30Validator
from referencing import Registry
from referencing.jsonschema import DRAFT4

REPO_ROOT = Path(__file__).resolve().parents[2]
SPEC_DIR: Path = Path(
    os.environ.get("CHATOPS_PD_SPEC_DIR") or REPO_ROOT.parent / "shared" / "specs" / "pagerduty"
)
SPEC_FILES = {"events": "events-v2-openapiv3.json", "rest": "rest-openapiv3.json"}
METHODS = ("get", "put", "post", "delete", "patch")
REST_AUTH = re.compile(r"^(Token token=\S+|Bearer \S+)$")
_CASTS: dict[str, Callable[[str], Any]] = {"integer": int, "number": float}
_CACHE: dict[Path, PagerDutySpec] = {}
_DATE_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d)$")
Problems = list[str]
Schema = dict[str, Any]


# The REST spec gives /change_events since/until `"pattern": "YYYY-MM-DDThh:mm:ssZ"`: a
# format written for humans, not a regex (no real date matches it). Their `format:
# date-time` still checks the value.
_PROSE_PATTERNS = {"YYYY-MM-DDThh:mm:ssZ"}


def _drop_prose_patterns(node: Any) -> Any:
    """The spec with prose-only `pattern` values removed (in place)."""
    if isinstance(node, dict):
        if node.get("pattern") in _PROSE_PATTERNS:
            del node["pattern"]
        for value in node.values():
            _drop_prose_patterns(value)
    elif isinstance(node, list):
        for value in node:
            _drop_prose_patterns(value)
    return node


def _date_time(value: object) -> bool:
    """Accept RFC 3339 date-times plus the +HHMM offsets PD's examples and client library use."""
    ok = isinstance(value, str) and _DATE_TIME.match(value) and datetime.fromisoformat(value)
    return not isinstance(value, str) or bool(ok)


FORMATS = copy.copy(OAS30Validator.FORMAT_CHECKER)
FORMATS.checkers = {**FORMATS.checkers, "date-time": (_date_time, (ValueError,))}


def spec_available() -> bool:
    """Return True when both PagerDuty spec files exist under SPEC_DIR."""
    return all((SPEC_DIR / name).is_file() for name in SPEC_FILES.values())


def skip_reason() -> str:
    """Return the pytest skip message naming the missing spec location."""
    missing = [n for n in SPEC_FILES.values() if not (SPEC_DIR / n).is_file()]
    what = f"{', '.join(missing)} in {SPEC_DIR}" if SPEC_DIR.is_dir() else f"at {SPEC_DIR}"
    return f"PagerDuty OpenAPI specs not found {what}: request validation skipped"


def _media(value: str) -> str:
    """Normalise a media type for comparison (lowercase, no spaces)."""
    return value.replace(" ", "").lower()


@dataclass
class _Call:
    """One request, matched to its spec operation."""

    verb: str
    template: str
    op: Schema
    op_ptr: str
    params: dict[tuple[str, str], tuple[Schema, str]]
    path_values: dict[str, str]
    headers: dict[str, str]
    body: str


def _request_validator_class(api: _Api) -> Any:
    """Build an OAS 3.0 validator that, as for requests, does not require readOnly properties."""
    base_all_of = OAS30Validator.VALIDATORS["allOf"]

    def required(validator: Any, names: list[str], instance: Any, schema: Schema) -> Iterator[Any]:
        """Yield a 'required' error per missing property that is not readOnly."""
        if validator.is_type(instance, "object"):
            skip = api.memo("ro", schema, api.readonly, [schema])
            for name in names:
                if name not in instance and name not in skip:
                    yield ValidationError(f"{name!r} is a required property")

    def all_of(validator: Any, branches: list[Any], instance: Any, schema: Schema) -> Iterator[Any]:
        """Like allOf, but a readOnly property of one branch is not required by another."""
        skip: set[str] = api.memo("ro", branches, api.readonly, branches)
        if "discriminator" in schema or not skip:
            yield from base_all_of(validator, branches, instance, schema)
            return
        for index, branch in enumerate(branches):
            node, _ = api.resolve(branch, "")
            if isinstance(node, dict) and skip & set(node.get("required", ())):
                keep = [n for n in node["required"] if n not in skip]
                branch = api.memo(f"allOf{id(branches)}", node, dict, node, required=keep)
            yield from validator.descend(instance, branch, schema_path=index)

    return extend(OAS30Validator, {"required": required, "allOf": all_of})


class _Api:
    """One loaded spec document: routing table, $ref resolution and cached validators."""

    def __init__(self, name: str, doc: Schema) -> None:
        """Index the paths of one spec document."""
        self.name, self.doc, self.uri = name, doc, f"urn:chatops:pagerduty:{name}"
        self.base = urlsplit(doc.get("servers", [{}])[0].get("url", "")).path.rstrip("/")
        self.registry: Registry[Any] = Registry().with_resource(
            self.uri, DRAFT4.create_resource(doc)
        )
        self.routes: dict[int, list[tuple[list[str], str]]] = {}
        for template in doc["paths"]:
            segs = template.strip("/").split("/")
            self.routes.setdefault(len(segs), []).append((segs, template))
        self._memo: dict[tuple[str, int], tuple[Any, Any]] = {}
        self._validators: dict[str, Any] = {}
        self.cls = _request_validator_class(self)

    def resolve(self, node: Any, ptr: str) -> tuple[Any, str]:
        """Follow local $refs from node (found at ptr); return the target and its pointer."""
        while isinstance(node, dict) and "$ref" in node:
            ptr, node = node["$ref"].split("#", 1)[1], self.doc
            for part in ptr.lstrip("/").split("/"):
                key = part.replace("~1", "/").replace("~0", "~")
                node = node[int(key)] if isinstance(node, list) else node[key]
        return node, ptr

    def memo(
        self, kind: str, owner: Any, compute: Callable[..., Any], *args: Any, **kw: Any
    ) -> Any:
        """Cache compute(*args, **kw) per (kind, node); keeps node alive so its id stays unique."""
        key = (kind, id(owner))
        if key not in self._memo:
            self._memo[key] = (owner, compute(*args, **kw))
        return self._memo[key][1]

    def validator(self, ptr: str, array: Schema | None = None) -> Any:
        """Return a cached validator for the schema at ptr (as items of `array` if given)."""
        ref = {"$ref": f"{self.uri}#{quote(ptr, safe='/~')}"}
        schema = {**array, "items": ref} if array is not None else ref
        key = f"{ptr} {json.dumps(array, sort_keys=True)}"
        if key not in self._validators:
            self._validators[key] = self.cls(schema, registry=self.registry, format_checker=FORMATS)
        return self._validators[key]

    def flatten(self, schema: Any, depth: int = 0) -> list[Schema]:
        """Return schema (refs resolved) plus every allOf/oneOf/anyOf branch below it."""
        node, _ = self.resolve(schema, "")
        if not isinstance(node, dict) or depth > 20:
            return []
        kids = [b for k in ("allOf", "oneOf", "anyOf") for b in node.get(k, [])]
        return [node, *(s for b in kids for s in self.flatten(b, depth + 1))]

    def readonly(self, schemas: list[Any]) -> set[str]:
        """Return the property names declared readOnly anywhere in schemas."""
        props = [f.get("properties", {}).items() for s in schemas for f in self.flatten(s)]
        return {n for ps in props for n, p in ps if self.resolve(p, "")[0].get("readOnly")}

    def undeclared(self, schemas: list[Any], value: Any, where: str) -> Problems:
        """Report object keys that no (sub)schema declares, unless one sets additionalProperties."""
        flat = [s for schema in schemas for s in self.flatten(schema)]
        problems: Problems = []
        if isinstance(value, dict):
            props: dict[str, list[Any]] = {}
            for s in flat:
                for key, sub in s.get("properties", {}).items():
                    props.setdefault(key, []).append(sub)
            open_ = not props or any("additionalProperties" in s for s in flat)
            for key, item in value.items():
                if key in props:
                    problems += self.undeclared(props[key], item, f"{where}.{key}")
                elif not open_:
                    problems.append(f"body{where}.{key}: not declared by the {self.name} spec")
        elif isinstance(value, list):
            items = [s["items"] for s in flat if "items" in s]
            for i, item in enumerate(value):
                problems += self.undeclared(items, item, f"{where}[{i}]") if items else []
        return problems

    def match(self, verb: str, path: str, headers: dict[str, str], body: str) -> _Call | str:
        """Find the operation for verb+path, or return why there is none."""
        if not path.startswith(self.base + "/"):
            return f"{verb.upper()} {path}: {self.name} paths must start with {self.base}/"
        segs = path[len(self.base) :].strip("/").split("/")
        best: tuple[int, str, dict[str, str]] | None = None
        for tsegs, template in self.routes.get(len(segs), []):
            values = {t[1:-1]: unquote(s) for t, s in zip(tsegs, segs, strict=True) if t[:1] == "{"}
            literal = all(t == s for t, s in zip(tsegs, segs, strict=True) if t[:1] != "{")
            if literal and (best is None or len(values) < best[0]):  # literal segments win
                best = (len(values), template, values)
        if best is None:
            return f"{verb.upper()} {path}: no such path in the {self.name} spec"
        _, template, values = best
        item, item_ptr = self.doc["paths"][template], "/paths/" + template.replace("/", "~1")
        if verb not in item:
            allowed = ", ".join(m.upper() for m in METHODS if m in item) or "none"
            return f"{verb.upper()} {template}: not in the {self.name} spec (allowed: {allowed})"
        params: dict[tuple[str, str], tuple[Schema, str]] = {}
        for node, base in ((item, item_ptr), (item[verb], f"{item_ptr}/{verb}")):
            for i, raw in enumerate(node.get("parameters", [])):
                param, ptr = self.resolve(raw, f"{base}/parameters/{i}")
                key = param["name"].lower() if param["in"] == "header" else param["name"]
                params[(param["in"], key)] = (param, ptr)
        hdrs = {k.lower(): v for k, v in headers.items()}
        return _Call(verb, template, item[verb], f"{item_ptr}/{verb}", params, values, hdrs, body)

    def check_headers(self, call: _Call) -> Problems:
        """Check auth, Accept, Content-Type and the declared header parameters."""
        problems: Problems = []
        hdrs = call.headers
        secured = call.op.get("security", self.doc.get("security"))
        if secured and not REST_AUTH.match(hdrs.get("authorization", "")):
            got = "malformed" if "authorization" in hdrs else "missing"  # never echo the token
            problems.append(f"header Authorization: {got}, expected 'Token token=<api key>'")
        for (where, name), (param, ptr) in call.params.items():
            if where != "header" or name == "content-type":
                continue
            if name not in hdrs:
                if param.get("required"):
                    problems.append(f"header {param['name']}: missing (required)")
                continue
            schema, _ = self.resolve(param.get("schema", {}), "")
            if name == "accept" and "default" in schema and "enum" not in schema:
                if _media(hdrs[name]) != _media(schema["default"]):
                    problems.append(f"header Accept: {hdrs[name]!r}, want {schema['default']!r}")
                continue
            problems += self.check_param((param, ptr), [hdrs[name]])
        media = _media(hdrs.get("content-type", "")).split(";")[0]
        if call.body.strip() and not media:
            problems.append("header Content-Type: missing on a request with a body")
        elif media and media != "application/json":
            problems.append(f"header Content-Type: {hdrs['content-type']!r} is not JSON")
        return problems

    def check_query(self, call: _Call, query: list[tuple[str, str]]) -> Problems:
        """Check query parameters (unknown, repeated, required, type, enum) and path parameters."""
        problems: Problems = []
        grouped: dict[str, list[str]] = {}
        for name, value in query:
            grouped.setdefault(name, []).append(value)
        declared = [n for w, n in call.params if w == "query"]
        for name, values in grouped.items():
            if name in declared:
                problems += self.check_param(call.params[("query", name)], values)
                continue
            hint = next((n for n in declared if n.rstrip("[]") == name.rstrip("[]")), None)
            extra = f" (did you mean {hint!r}?)" if hint else ""
            problems.append(f"query {name}: not a parameter of {call.template}{extra}")
        for name in declared:
            if call.params[("query", name)][0].get("required") and name not in grouped:
                problems.append(f"query {name}: missing (required)")
        for name, value in call.path_values.items():
            if ("path", name) in call.params:
                problems += self.check_param(call.params[("path", name)], [value])
        return problems

    def check_param(self, found: tuple[Schema, str], values: list[str]) -> Problems:
        """Cast raw string values per the parameter schema, then validate them."""
        param, ptr = found
        label = f"{param['in']} {param['name']}"
        schema, schema_ptr = self.resolve(param.get("schema", {}), f"{ptr}/schema")
        is_array = schema.get("type") == "array" or param["name"].endswith("[]")
        if not is_array and len(values) > 1:
            return [f"{label}: given {len(values)} times, the spec declares a single value"]
        array: Schema | None = None
        if is_array:  # PD's `name[]` params are arrays even where the spec types them as string
            array = {"type": "array"} | {
                k: schema[k] for k in ("uniqueItems", "minItems", "maxItems") if k in schema
            }
            if schema.get("type") == "array":
                schema, schema_ptr = self.resolve(schema.get("items", {}), f"{schema_ptr}/items")
            if param.get("explode") is False:
                values = [v for value in values for v in value.split(",")]
        kind, cast, problems = schema.get("type", "string"), [], []
        for value in values:
            try:
                if kind == "boolean" and value not in ("true", "false"):
                    raise ValueError(value)
                cast.append(value == "true" if kind == "boolean" else _CASTS.get(kind, str)(value))
            except ValueError:
                problems.append(f"{label}: {value!r} is not a valid {kind}")
        if problems:
            return problems
        return _errors(self.validator(schema_ptr, array), cast if is_array else cast[0], label)

    def check_body(self, call: _Call, closed: bool) -> Problems:
        """Validate the JSON body against the operation's request body schema."""
        body = call.body.strip()
        if "requestBody" not in call.op:
            return ["body: the spec declares no request body for this operation"] if body else []
        rb, rb_ptr = self.resolve(call.op["requestBody"], f"{call.op_ptr}/requestBody")
        media = _media(call.headers.get("content-type", "application/json")).split(";")[0]
        content = rb.get("content", {})
        if media not in content:
            return [f"body: media type {media!r} not accepted (spec: {', '.join(content)})"]
        schema_ptr = f"{rb_ptr}/content/{media.replace('/', '~1')}/schema"
        raw_schema = content[media].get("schema", {})
        if not body:
            needed = rb.get("required") or self.resolve(raw_schema, "")[0].get("required")
            return ["body: missing, the spec requires a request body"] if needed else []
        try:
            value = json.loads(body)
        except ValueError as exc:
            return [f"body: not valid JSON ({exc})"]
        problems = _errors(self.validator(schema_ptr), value, "body")
        return problems + (self.undeclared([raw_schema], value, "") if closed else [])


def _errors(validator: Any, value: Any, label: str) -> Problems:
    """Run a jsonschema validator and format each error with its location."""
    errors: list[ValidationError] = sorted(validator.iter_errors(value), key=lambda e: e.json_path)
    messages = [f"{label}{e.json_path[1:]}: {e.message}" for e in errors]
    return [m if len(m) <= 300 else f"{m[:200]} ... {m[-95:]}" for m in messages]  # huge reprs


class PagerDutySpec:
    """Both PagerDuty OpenAPI documents, ready to validate outgoing requests."""

    def __init__(self, apis: dict[str, _Api]) -> None:
        """Wrap already-indexed spec documents."""
        self.apis = apis

    @classmethod
    def load(cls) -> PagerDutySpec:
        """Load both specs once per SPEC_DIR; raise FileNotFoundError(skip_reason()) if absent."""
        key = SPEC_DIR.resolve()
        if key not in _CACHE:
            if not spec_available():
                raise FileNotFoundError(skip_reason())
            docs = {n: _drop_prose_patterns(json.loads((SPEC_DIR / f).read_bytes()))
                    for n, f in SPEC_FILES.items()}
            _CACHE[key] = cls({n: _Api(n, d) for n, d in docs.items()})
        return _CACHE[key]

    def validate(
        self,
        api: str,
        method: str,
        path: str,
        query: list[tuple[str, str]],
        headers: dict[str, str],
        body: str,
        *,
        closed_objects: bool = False,
    ) -> Problems:
        """Return human-readable problems with one request ([] when it matches the spec)."""
        # closed_objects=True also reports body fields no schema declares: PD's specs never say
        # additionalProperties: false, so by default (strictly per spec) unknown fields pass.
        if api not in self.apis:
            return [f"unknown api {api!r}: expected one of {sorted(self.apis)}"]
        spec = self.apis[api]
        call = spec.match(method.lower(), path, headers, body)
        if isinstance(call, str):
            return [call]
        problems = spec.check_headers(call) + spec.check_query(call, query)
        return problems + spec.check_body(call, closed_objects)
