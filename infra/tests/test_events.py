"""(e) The sample events in events/ agree with infra/openapi.yaml.

Each sample documents the status it expects in its file name (`post-cards.201.json`) or in a sidecar
(`post-cards.json.status` holding the number, or `post-cards.meta.json` / `post-cards.expect.json`
with {"status": N}). A sample expecting 2xx must be a request the contract accepts: a route that
exists, the credential its security asks for, its required headers and parameters, and a body valid
against the requestBody schema. Placeholders such as `{{STYTCH_SESSION_JWT}}` or `{{TOTP_CODE}}`
stand for values filled in at run time. Samples expecting 4xx or 5xx are deliberate bad input and
are only checked to be API Gateway HTTP API (payload 2.0) events.
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from urllib.parse import parse_qs, unquote

import pytest
from jsonschema import Draft202012Validator

from conftest import EVENTS, PLACEHOLDER, ROOT, json_pointer, openapi, operations, resolve, schema_errors

SIDECAR_SUFFIXES = (".meta.json", ".expect.json", ".expected.json")
STATUS_IN_NAME = re.compile(r"(?:^|[._-])([1-5][0-9]{2})(?=$|[._-])")
BEARER = re.compile(r"^bearer\s+\S+$", re.I)


def samples() -> list[Path]:
    if not EVENTS.is_dir():
        return []
    return sorted(p for p in EVENTS.rglob("*.json") if not p.name.endswith(SIDECAR_SUFFIXES))


def documented_status(sample: Path) -> int | None:
    found = STATUS_IN_NAME.findall(sample.name.removesuffix(".json"))
    if found:
        return int(found[-1])
    status_file = sample.with_name(sample.name + ".status")
    if status_file.is_file():
        return int(status_file.read_text().strip())
    stem = sample.name.removesuffix(".json")
    for suffix in SIDECAR_SUFFIXES:
        sidecar = sample.with_name(stem + suffix)
        if sidecar.is_file():
            status = json.loads(sidecar.read_text()).get("status")
            if status is not None:
                return int(status)
    return None


def route_of(method: str, raw_path: str):
    """The openapi operation serving method + path, and the path parameters."""
    for op_method, template, operation, path_parameters in operations():
        if op_method != method:
            continue
        pattern = "^" + re.sub(r"\\\{([A-Za-z0-9_]+)\\\}", r"(?P<\1>[^/]+)", re.escape(template)) + "$"
        match = re.match(pattern, raw_path)
        if match:
            return template, operation, path_parameters, {k: unquote(v) for k, v in match.groupdict().items()}
    return None


def coerce(value: str, schema: dict):
    kind = resolve(schema).get("type")
    if kind == "integer" and re.fullmatch(r"-?[0-9]+", value):
        return int(value)
    return value


def relative(sample: Path) -> str:
    return str(sample.relative_to(ROOT))


def test_every_sample_documents_its_status():
    undocumented = [relative(s) for s in samples() if documented_status(s) is None]
    assert undocumented == [], "name the expected status in the file name, e.g. post-cards.201.json"


def test_every_route_has_a_successful_sample():
    if not samples():
        pytest.fail("events/ holds no samples: every route needs at least one API Gateway event")
    covered = set()
    for sample in samples():
        status = documented_status(sample)
        if status is None or not 200 <= status < 300:
            continue
        event = json.loads(sample.read_text())
        http = event.get("requestContext", {}).get("http", {})
        found = route_of(str(http.get("method", "")).upper(), event.get("rawPath", ""))
        if found:
            covered.add((str(http["method"]).upper(), found[0]))
    missing = sorted(
        f"{method} {path}"
        for method, path, _, _ in operations()
        if (method, path) not in covered and not path.startswith("/health/")
    )
    assert missing == [], "routes without a 2xx sample in events/"


@pytest.mark.parametrize("sample", samples(), ids=relative)
def test_sample_agrees_with_the_contract(sample: Path):
    event = json.loads(sample.read_text())
    assert isinstance(event, dict), "an event is a JSON object"
    http = event.get("requestContext", {}).get("http", {})
    method, raw_path = str(http.get("method", "")).upper(), event.get("rawPath")
    assert event.get("version") == "2.0" and method and raw_path, "an API Gateway HTTP API payload 2.0 event"

    status = documented_status(sample)
    if status is None or not 200 <= status < 300:
        return  # deliberate bad input (or undocumented: reported by its own test)

    found = route_of(method, raw_path)
    assert found, f"{method} {raw_path} is not a route of infra/openapi.yaml"
    template, operation, path_parameters, path_values = found
    route_key = event.get("routeKey")
    if route_key not in (None, "$default"):
        assert route_key == f"{method} {template}", "routeKey names another route"

    headers = {str(k).lower(): v for k, v in (event.get("headers") or {}).items()}
    security = operation.get("security") or []
    if security and {} not in security:  # `{}` among them: the credential may come another way
        schemes = [resolve_scheme(name) for requirement in security for name in requirement]
        header_keys = [s["name"].lower() for s in schemes if s.get("type") == "apiKey" and s.get("in") == "header"]
        if header_keys:  # a signature header (Unit's webhooks) instead of a bearer
            assert all(headers.get(key) for key in header_keys), f"the {', '.join(header_keys)} header is required"
        else:
            assert BEARER.match(str(headers.get("authorization", ""))), "Authorization: Bearer <token> is required"

    query = {k: v[-1] for k, v in parse_qs(event.get("rawQueryString") or "").items()}
    query.update(event.get("queryStringParameters") or {})
    problems = []
    for parameter in [resolve(p) for p in [*path_parameters, *operation.get("parameters", [])]]:
        name, where = parameter["name"], parameter["in"]
        value = {"header": headers.get(name.lower()), "query": query.get(name), "path": path_values.get(name)}.get(where)
        if value is None:
            if parameter.get("required"):
                problems.append(f"{where} parameter {name} is required")
            continue
        if PLACEHOLDER.match(str(value)):
            continue
        schema = parameter.get("schema", {})
        for error in Draft202012Validator(resolve(schema)).iter_errors(coerce(str(value), schema)):
            problems.append(f"{where} parameter {name}: {error.message}")
    assert problems == []

    body = event.get("body")
    binary = bool(event.get("isBase64Encoded"))
    if body is not None and binary:
        body = base64.b64decode(body)
    request_body = resolve(operation.get("requestBody", {}))
    if not request_body:
        return
    if body in (None, ""):
        assert not request_body.get("required"), "this route needs a JSON body"
        return
    content_type = str(headers.get("content-type", "")).split(";")[0].strip().lower()
    assert content_type in request_body["content"], f"Content-Type {content_type!r} is not what the route takes"
    if request_body["content"][content_type].get("schema", {}).get("format") == "binary":
        assert binary, "a file travels base64-encoded, as API Gateway sends binary bodies"
        return
    instance = json.loads(body)
    pointer = json_pointer("paths", template, method.lower(), "requestBody", "content", content_type, "schema")
    assert schema_errors(pointer, instance, allow_placeholders=True) == []


def resolve_scheme(name):
    return openapi()["components"]["securitySchemes"][name]
