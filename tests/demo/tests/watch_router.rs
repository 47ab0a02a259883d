//! The `[workspace.metadata.lambda.watch.router]` table of the root Cargo.toml (how `cargo lambda
//! watch` routes one base URL to the five functions in `make dev`) agrees with each function's `ROUTES`.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

/// (path, method) → function, as cargo-lambda reads the table (from `cargo metadata`).
fn watch_routes() -> BTreeMap<(String, String), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = std::process::Command::new(cargo)
        .args(["metadata", "--no-deps", "--format-version", "1", "--manifest-path"])
        .arg(test_support::workspace_root().join("Cargo.toml"))
        .output()
        .expect("cargo metadata runs");
    assert!(output.status.success(), "cargo metadata: {}", String::from_utf8_lossy(&output.stderr));
    let metadata: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let table = metadata["metadata"]["lambda"]["watch"]["router"].as_object().expect("the watch router table");
    let mut routes = BTreeMap::new();
    for (path, entries) in table {
        for entry in entries.as_array().expect("a list of {method, function} per path") {
            let (method, function) = (entry["method"].as_str().unwrap(), entry["function"].as_str().unwrap());
            routes.insert((path.clone(), method.to_owned()), function.to_owned());
        }
    }
    routes
}

fn function_routes() -> Vec<(&'static str, &'static [(&'static str, &'static str)])> {
    vec![
        ("signup", signup::ROUTES),
        ("step-up", step_up::ROUTES),
        ("token-exchange", token_exchange::ROUTES),
        ("cards", cards::ROUTES),
        ("webhooks", webhooks::ROUTES),
    ]
}

#[test]
fn every_function_route_is_in_the_watch_router() {
    let table = watch_routes();
    for (function, routes) in function_routes() {
        let health = format!("/health/{function}");
        let expected = routes.iter().map(|&(method, path)| (method, path)).chain([("GET", health.as_str())]);
        for (method, path) in expected {
            let route = |method: &str| table.get(&(path.to_owned(), method.to_owned())).map(String::as_str);
            assert_eq!(route(method), Some(function), "{method} {path} must route to {function}");
            if path != health {
                assert_eq!(
                    route("OPTIONS"),
                    Some(function),
                    "OPTIONS {path} (CORS preflight) must route to {function}"
                );
            }
        }
    }
}

#[test]
fn the_watch_router_has_nothing_the_functions_do_not_serve() {
    let served: BTreeSet<(String, String, String)> = function_routes()
        .into_iter()
        .flat_map(|(function, routes)| {
            routes
                .iter()
                .map(move |(method, path)| (path.to_string(), method.to_string(), function.to_owned()))
                .chain([(format!("/health/{function}"), "GET".to_owned(), function.to_owned())])
        })
        .collect();
    let paths: BTreeSet<&String> = served.iter().map(|(path, _, _)| path).collect();
    for ((path, method), function) in watch_routes() {
        if method == "OPTIONS" {
            assert!(paths.contains(&path), "OPTIONS {path}: no function serves {path}");
        } else {
            assert!(
                served.contains(&(path.clone(), method.clone(), function.clone())),
                "{method} {path} → {function}: not in its ROUTES"
            );
        }
    }
}
