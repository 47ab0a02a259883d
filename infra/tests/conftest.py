"""Shared loading for the infrastructure checks run by `make validate`.

Everything here reads files from the working tree; nothing talks to AWS.
"""

from __future__ import annotations

import re
import sys
from functools import lru_cache
from pathlib import Path

import pytest
import yaml

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - older Pythons
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "infra" / "template.yaml"
OPENAPI = ROOT / "infra" / "openapi.yaml"
CARGO_TOML = ROOT / "Cargo.toml"
EVENTS = ROOT / "events"

# The five functions: template logical id -> cargo binary (= crate directory under functions/).
FUNCTIONS = {
    "SignupFunction": "signup",
    "StepUpFunction": "step-up",
    "TokenExchangeFunction": "token-exchange",
    "CardsFunction": "cards",
    "WebhooksFunction": "webhooks",
}

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


# ----------------------------------------------------------------------------------------------
# CloudFormation YAML: short-form tags (!Ref, !GetAtt, !Sub, ...) become their long form, so the
# template can be inspected as plain data.
# ----------------------------------------------------------------------------------------------
class CfnLoader(yaml.SafeLoader):
    pass


def _construct_tag(loader: CfnLoader, tag_suffix: str, node: yaml.Node):
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if tag_suffix == "Ref":
        return {"Ref": value}
    if tag_suffix == "Condition":
        return {"Condition": value}
    if tag_suffix == "GetAtt" and isinstance(value, str):
        resource, _, attribute = value.partition(".")
        return {"Fn::GetAtt": [resource, attribute]}
    return {f"Fn::{tag_suffix}": value}


CfnLoader.add_multi_constructor("!", _construct_tag)


def load_cfn(text: str) -> dict:
    return yaml.load(text, Loader=CfnLoader)  # noqa: S506 - SafeLoader subclass


@lru_cache(maxsize=None)
def template() -> dict:
    return load_cfn(TEMPLATE.read_text())


@lru_cache(maxsize=None)
def translated(**parameters: str) -> dict:
    """The template as CloudFormation receives it: SAM's own translator (aws-sam-translator, which
    `sam deploy` and CloudFormation's transform run), offline. `parameters` override the defaults."""
    import copy
    import os

    from samtranslator.translator.transform import transform

    class NoManagedPolicies:  # the template names no managed policy for SAM to look up
        def load(self):
            return {}

    doc = copy.deepcopy(template())
    doc["Globals"]["Function"]["CodeUri"] = "s3://bucket/code.zip"  # `sam package` puts an S3 URI here
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    values = {"VendorEnvironment": "live", "AWS::Region": "us-east-1", **parameters}
    return transform(doc, values, NoManagedPolicies())


@lru_cache(maxsize=None)
def openapi() -> dict:
    return yaml.safe_load(OPENAPI.read_text())


@lru_cache(maxsize=None)
def cargo_toml() -> dict:
    return tomllib.loads(CARGO_TOML.read_text())


# ----------------------------------------------------------------------------------------------
# Routes as (METHOD, path) pairs, from each source.
# ----------------------------------------------------------------------------------------------
def template_routes() -> dict[str, set[tuple[str, str]]]:
    """HttpApi events per cargo binary."""
    resources = template()["Resources"]
    routes: dict[str, set[tuple[str, str]]] = {}
    for logical_id, binary in FUNCTIONS.items():
        events = resources[logical_id]["Properties"].get("Events", {})
        routes[binary] = {
            (event["Properties"]["Method"].upper(), event["Properties"]["Path"])
            for event in events.values()
            if event["Type"] == "HttpApi"
        }
    return routes


def openapi_routes() -> set[tuple[str, str]]:
    return {
        (method.upper(), path)
        for path, item in openapi()["paths"].items()
        for method in item
        if method in HTTP_METHODS
    }


ROUTES_CONST = re.compile(r"pub\s+const\s+ROUTES\s*:\s*&\[\(&str,\s*&str\)\]\s*=\s*&\[(?P<body>.*?)\]\s*;", re.S)
ROUTE_PAIR = re.compile(r'\(\s*"(?P<method>[A-Z]+)"\s*,\s*"(?P<path>[^"]+)"\s*\)')


def rust_routes(binary: str) -> set[tuple[str, str]]:
    """`pub const ROUTES: &[(&str, &str)]` of functions/<binary>/src/lib.rs.

    The health route comes from the shared `router::health_route("<binary>")`; it counts when the
    router merges it, whether or not ROUTES lists it.
    """
    source_path = ROOT / "functions" / binary / "src" / "lib.rs"
    source = source_path.read_text()
    match = ROUTES_CONST.search(source)
    if match is None:
        pytest.fail(f"{source_path.relative_to(ROOT)} has no `pub const ROUTES: &[(&str, &str)] = &[...];`")
    routes = {(m["method"], m["path"]) for m in ROUTE_PAIR.finditer(match["body"])}
    if re.search(r'health_route\(\s*"' + re.escape(binary) + r'"\s*\)', source):
        routes.add(("GET", f"/health/{binary}"))
    return routes


def watch_router() -> dict:
    """`[workspace.metadata.lambda.watch.router]` of the root Cargo.toml."""
    router = cargo_toml().get("workspace", {}).get("metadata", {}).get("lambda", {}).get("watch", {}).get("router")
    if not router:
        pytest.fail(
            "the root Cargo.toml has no [workspace.metadata.lambda.watch.router] table: `cargo lambda watch` "
            "cannot serve the API's paths, and the routes cannot be compared"
        )
    return router


def watch_routes() -> tuple[set[tuple[str, str, str]], set[tuple[str, str]]]:
    """(method, path, function) for entries that name methods, and (path, function) for entries that
    route every method of a path to one function. OPTIONS entries are for CORS preflights under
    `cargo lambda watch`; API Gateway answers those itself, so they are left out."""
    with_method: set[tuple[str, str, str]] = set()
    any_method: set[tuple[str, str]] = set()
    for path, target in watch_router().items():
        if isinstance(target, str):
            any_method.add((path, target))
            continue
        entries = target if isinstance(target, list) else [target]
        for entry in entries:
            if not isinstance(entry, dict) or "function" not in entry:
                pytest.fail(f"watch router entry for {path!r} is neither a function name nor {{method, function}}")
            method = str(entry.get("method", "")).upper()
            if not method:
                any_method.add((path, entry["function"]))
            elif method != "OPTIONS":
                with_method.add((method, path, entry["function"]))
    return with_method, any_method


def pytest_sessionfinish(session, exitstatus):
    # Never let "no tests collected" (exit 5) pass for a green run.
    if exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


# ----------------------------------------------------------------------------------------------
# Validating JSON against a schema inside infra/openapi.yaml (OpenAPI 3.1 schemas are JSON Schema
# 2020-12), with its internal $refs resolved.
# ----------------------------------------------------------------------------------------------
OPENAPI_URI = "https://stytch-unit-lambdas.invalid/openapi.yaml"
PLACEHOLDER = re.compile(r"^\{\{[A-Za-z0-9_.-]+\}\}$")
# Checks a placeholder string such as {{TOTP_CODE}} cannot pass; the real value is filled in at run time.
PLACEHOLDER_TOLERATED = {"pattern", "format", "minLength", "maxLength", "enum", "const"}


def json_pointer(*parts: str) -> str:
    return "".join("/" + part.replace("~", "~0").replace("/", "~1") for part in parts)


@lru_cache(maxsize=None)
def _registry():
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    return Registry().with_resource(OPENAPI_URI, Resource.from_contents(openapi(), default_specification=DRAFT202012))


def schema_errors(pointer: str, instance, allow_placeholders: bool = False) -> list[str]:
    """Errors of `instance` against the schema at `pointer` (a JSON pointer into openapi.yaml)."""
    from urllib.parse import quote

    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(
        {"$ref": OPENAPI_URI + "#" + quote(pointer, safe="/~")},
        registry=_registry(),
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )
    errors = []
    for error in validator.iter_errors(instance):
        if (
            allow_placeholders
            and isinstance(error.instance, str)
            and PLACEHOLDER.match(error.instance)
            and error.validator in PLACEHOLDER_TOLERATED
        ):
            continue
        where = "/".join(str(p) for p in error.absolute_path) or "(root)"
        errors.append(f"{where}: {error.message}")
    return errors


def resolve(node: dict) -> dict:
    """Follow a local `$ref` (#/components/...) in openapi.yaml."""
    while isinstance(node, dict) and "$ref" in node:
        target = openapi()
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def operations():
    """(METHOD, path, operation, path-level parameters) for every operation of openapi.yaml."""
    for path, item in openapi()["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield method.upper(), path, operation, item.get("parameters", [])
