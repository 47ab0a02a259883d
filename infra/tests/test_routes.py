"""(c) One list of routes: the template's HttpApi events, infra/openapi.yaml, the `cargo lambda watch`
router in Cargo.toml and each function's own `ROUTES` name the same method + path pairs, served by the
same function. Adding a route in one place and not the others fails here."""

from __future__ import annotations

import pytest

from conftest import FUNCTIONS, openapi_routes, rust_routes, template_routes, watch_routes

BINARIES = list(FUNCTIONS.values())


def describe(routes):
    return sorted(f"{method} {path}" for method, path in routes)


def test_every_function_has_routes_and_a_health_route():
    for binary, routes in template_routes().items():
        assert ("GET", f"/health/{binary}") in routes
        assert len(routes) > 1, f"{binary} serves nothing but its health route"


def test_no_route_is_served_by_two_functions():
    seen: dict[tuple[str, str], str] = {}
    for binary, routes in template_routes().items():
        for route in routes:
            assert route not in seen, f"{route} is served by {seen[route]} and {binary}"
            seen[route] = binary


def test_template_matches_openapi():
    in_template = set().union(*template_routes().values())
    in_openapi = openapi_routes()
    assert describe(in_template - in_openapi) == [], "in infra/template.yaml, missing from infra/openapi.yaml"
    assert describe(in_openapi - in_template) == [], "in infra/openapi.yaml, missing from infra/template.yaml"


@pytest.mark.parametrize("binary", BINARIES)
def test_template_matches_the_functions_own_routes(binary):
    in_template = template_routes()[binary]
    in_rust = rust_routes(binary)
    where = f"functions/{binary}/src/lib.rs ROUTES"
    assert describe(in_template - in_rust) == [], f"in infra/template.yaml, missing from {where}"
    assert describe(in_rust - in_template) == [], f"in {where}, missing from infra/template.yaml"


def test_template_matches_the_cargo_lambda_watch_router():
    with_method, any_method = watch_routes()
    expected = {
        (method, path, binary) for binary, routes in template_routes().items() for method, path in routes
    }
    # An entry without a method routes every method of that path to one function.
    covered = {(m, p, f) for m, p, f in expected if (p, f) in any_method}
    missing = expected - with_method - covered
    extra = {(m, p, f) for m, p, f in with_method if (m, p, f) not in expected}
    stray_paths = {(p, f) for p, f in any_method if not any(p == q and f == g for _, q, g in expected)}
    assert sorted(f"{m} {p} -> {f}" for m, p, f in missing) == [], "missing from [workspace.metadata.lambda.watch.router]"
    assert sorted(f"{m} {p} -> {f}" for m, p, f in extra) == [], "in the watch router, not in infra/template.yaml"
    assert sorted(f"{p} -> {f}" for p, f in stray_paths) == [], "in the watch router, not in infra/template.yaml"
