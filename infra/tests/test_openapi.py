"""(d) infra/openapi.yaml is a valid OpenAPI 3.1 document that a client generator can use, and it
documents our error model, security and examples consistently."""

from __future__ import annotations

import re

import pytest
from openapi_spec_validator import OpenAPIV31SpecValidator, validate

from conftest import ROOT, json_pointer, openapi, operations, resolve, schema_errors

PUBLIC = {("POST", "/signup"), ("POST", "/signup/authenticate")}
# The session token in the body (`{}`: no security scheme), or in cookie mode the session cookie.
BODY_OR_COOKIE = {("POST", "/session/refresh")}
# The session JWT, or the session token (in the body, or in cookie mode the session cookie).
JWT_OR_BODY_OR_COOKIE = {("POST", "/session/logout")}
# Called by Unit, which signs the body; any content type is read (Unit sends Json or JsonAPI).
UNIT_WEBHOOK = ("POST", "/webhooks/unit")
OPERATIONS = list(operations())
CAMEL_CASE = re.compile(r"^[a-z][a-zA-Z0-9]*$")
PROBLEM_JSON = "application/problem+json"


def is_health(path):
    return path.startswith("/health/")


def test_is_a_valid_openapi_3_1_document():
    document = openapi()
    assert str(document["openapi"]).startswith("3.1.")
    validate(document, cls=OpenAPIV31SpecValidator)


def test_security_schemes_are_the_two_bearer_tokens():
    schemes = openapi()["components"]["securitySchemes"]
    assert set(schemes) == {"StytchSession", "SessionCookie", "UnitCustomerToken", "UnitWebhookSignature"}
    assert schemes["SessionCookie"] | {"type": "apiKey", "in": "cookie", "name": "stytch_session_token"} == schemes[
        "SessionCookie"
    ]
    assert schemes["UnitWebhookSignature"] | {"type": "apiKey", "in": "header", "name": "X-Unit-Signature"} == schemes[
        "UnitWebhookSignature"
    ]
    assert schemes["StytchSession"] == schemes["StytchSession"] | {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    assert schemes["UnitCustomerToken"]["type"] == "http" and schemes["UnitCustomerToken"]["scheme"] == "bearer"
    assert "security" not in openapi(), "security is declared per route"


@pytest.mark.parametrize(("method", "path", "operation", "_"), OPERATIONS, ids=[f"{m} {p}" for m, p, _, _ in OPERATIONS])
def test_each_route_declares_its_credential(method, path, operation, _):
    expected = (
        []
        if is_health(path) or (method, path) in PUBLIC
        else [{}, {"SessionCookie": []}]
        if (method, path) in BODY_OR_COOKIE
        else [{"StytchSession": []}, {}, {"SessionCookie": []}]
        if (method, path) in JWT_OR_BODY_OR_COOKIE
        else [{"UnitCustomerToken": []}]
        if path.startswith("/cards")
        else [{"UnitWebhookSignature": []}]
        if (method, path) == UNIT_WEBHOOK
        else [{"StytchSession": []}]
    )
    assert operation.get("security") == expected, f"{method} {path}"


@pytest.mark.parametrize(("method", "path", "operation", "_"), OPERATIONS, ids=[f"{m} {p}" for m, p, _, _ in OPERATIONS])
def test_each_route_documents_its_errors_as_problem_json(method, path, operation, _):
    responses = operation["responses"]
    assert any(code.startswith("2") for code in responses), f"{method} {path}: no success response"
    if is_health(path):
        return
    expected = {"429", "500", "502", "503", "504"}
    if operation.get("security"):
        expected.add("401")
    if "requestBody" in operation:
        expected |= {"400", "413"} if (method, path) == UNIT_WEBHOOK else {"400", "413", "415"}
    assert sorted(expected - set(responses)) == [], f"{method} {path}"
    for code, response in responses.items():
        if int(code) >= 400:
            content = resolve(response)["content"]
            assert content[PROBLEM_JSON]["schema"] == {"$ref": "#/components/schemas/Problem"}, f"{method} {path} {code}"


def test_problem_schema_is_rfc9457_with_our_members():
    problem = openapi()["components"]["schemas"]["Problem"]
    assert set(problem["properties"]) == {
        "type", "title", "status", "detail", "code", "requestId", "errors", "nextStep", "requiredDocuments"
    }
    assert set(problem["required"]) == {"type", "title", "status", "code", "requestId"}
    assert resolve(problem["properties"]["errors"]["items"])["required"] == ["field", "reason"]


def test_every_error_code_in_the_code_is_documented():
    """A code returned by the functions or the shared crate but missing from the contract fails."""
    documented = set(re.findall(r"`([a-z][a-z0-9_]*)`", openapi()["components"]["schemas"]["Problem"]["properties"]["code"]["description"]))
    sources = list((ROOT / "shared" / "src").rglob("*.rs")) + list((ROOT / "functions").glob("*/src/**/*.rs"))
    in_code = set()
    for source in sources:
        text = source.read_text()
        text = text.split("#[cfg(test)]")[0]  # unit-test modules come last in our files
        in_code |= set(re.findall(r'\bcode:\s*"([a-z][a-z0-9_]*)"', text))
    problem_rs = (ROOT / "shared" / "src" / "http" / "problem.rs").read_text()
    code_fn = problem_rs.split("pub fn code(&self)")[1].split("\n    }\n")[0]
    in_code |= set(re.findall(r'=>\s*"([a-z][a-z0-9_]*)"', code_fn))
    assert in_code, "found no error codes in the Rust sources"
    assert sorted(in_code - documented) == [], "error codes missing from Problem.code in infra/openapi.yaml"


@pytest.mark.parametrize("path", ["/cards", "/cards/{cardId}/replace"])
def test_card_creations_require_an_idempotency_key(path):
    operation = openapi()["paths"][path]["post"]
    parameters = [resolve(p) for p in operation.get("parameters", [])]
    keys = [p for p in parameters if p["in"] == "header" and p["name"].lower() == "idempotency-key"]
    assert len(keys) == 1 and keys[0]["required"] is True


def property_names(schema, where, seen):
    schema = schema if isinstance(schema, dict) else {}
    if "$ref" in schema:
        if schema["$ref"] in seen:
            return
        seen.add(schema["$ref"])
        yield from property_names(resolve(schema), schema["$ref"], seen)
        return
    for name, sub in schema.get("properties", {}).items():
        yield where, name
        yield from property_names(sub, f"{where}.{name}", seen)
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            yield from property_names(schema[key], where, seen)
    for key in ("allOf", "anyOf", "oneOf"):
        for sub in schema.get(key, []):
            yield from property_names(sub, where, seen)


def test_json_fields_are_camel_case():
    bad = [
        f"{where}.{name}"
        for where, name in property_names({"properties": openapi()["components"]["schemas"]}, "schemas", set())
        if where != "schemas" and not CAMEL_CASE.match(name)
    ]
    assert bad == []


def examples():
    """Every example in a request or response body, with a pointer to the schema it illustrates
    (shared responses under components/ once)."""
    seen = set()
    for method, path, operation, _ in operations():
        bodies = []
        if "requestBody" in operation:
            bodies.append(("request", json_pointer("paths", path, method.lower(), "requestBody"), operation["requestBody"]))
        for code, response in operation["responses"].items():
            pointer = response["$ref"].removeprefix("#") if "$ref" in response else json_pointer(
                "paths", path, method.lower(), "responses", code
            )
            bodies.append((code, pointer, response))
        for label, pointer, body in bodies:
            for media_type, content in resolve(body).get("content", {}).items():
                for name, example in content.get("examples", {}).items():
                    schema = pointer + json_pointer("content", media_type, "schema")
                    if (schema, name) in seen:
                        continue
                    seen.add((schema, name))
                    where = pointer.removeprefix("/components/responses/") if pointer.startswith("/components/") else ""
                    yield f"{where or f'{method} {path} {label}'} {media_type} {name}", schema, example["value"]


EXAMPLES = list(examples())


@pytest.mark.parametrize(("name", "pointer", "value"), EXAMPLES, ids=[name for name, _, _ in EXAMPLES])
def test_examples_match_their_schemas(name, pointer, value):
    assert schema_errors(pointer, value) == [], name


def test_every_route_has_a_success_example():
    missing = []
    for method, path, operation, _ in operations():
        success = [resolve(r) for code, r in operation["responses"].items() if code.startswith("2")]
        if all(code == "204" for code in operation["responses"] if code.startswith("2")):
            assert all("content" not in r for r in success), f"{method} {path}: a 204 has no body"
            continue
        if not any(c.get("examples") for r in success for c in r.get("content", {}).values()):
            missing.append(f"{method} {path}")
    assert missing == []
