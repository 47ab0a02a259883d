//! The functions' metrics as CloudWatch reads them: every EMF line a whole journey writes (every route,
//! healthy and with Stytch and Unit failing, webhooks signed and forged) is valid EMF in the configured
//! namespace, publishes only the catalogue's metrics with the catalogue's dimensions, and every dimension
//! value is from a fixed set: never a user id, a token, a card id or anything else a request carries.
//!
//! One test in this file: the `metrics` recorder is process-wide.

use std::collections::{BTreeMap, BTreeSet};

use aws_lc_rs::hmac;
use axum::body::Body;
use base64::{Engine, engine::general_purpose::STANDARD};
use http::{Method, Request, StatusCode};
use security_suite::{Bundle, Customer, approvable_ssn, routes};
use serde_json::{Value, json};
use stytch_unit_common::metrics::{self, catalogue};
use test_support::{functions::Answer, logs::CapturedLogs};

const NAMESPACE: &str = "stytch-unit-lambdas/metrics-test";

#[tokio::test]
async fn a_journey_publishes_valid_emf_with_bounded_dimensions_only() {
    let emf = CapturedLogs::default();
    metrics::install_with_writer(NAMESPACE, emf.clone());
    let bundle = Bundle::start(&[]).await;
    let _logs = bundle.capture_logs();

    let ada = bundle.customer("ada@example.com", &approvable_ssn(41)).await;
    // A one-factor session asking for a card-writing token.
    let answer =
        bundle.exchange.post("/token", Some(&ada.user.session_jwt), json!({ "scopes": ["cards-write"] })).await;
    answer.assert_problem(403, "step_up_required");
    let answer = bundle.exchange.post("/token", Some(&ada.stepped_up_jwt), json!({ "scopes": ["cards"] })).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let unknown = bundle.cards.get(&format!("/no-such-route/{}", ada.card_id), Some(&ada.unit_token)).await;
    unknown.assert_problem(404, "route_not_found");

    // Every route, then every route with both vendors failing.
    for route in routes::all_routes() {
        bundle.call_route(&ada, &route).await;
    }
    bundle.fault_everywhere(json!({ "status": 500, "count": 1000 })).await;
    for route in routes::all_routes() {
        bundle.call_route(&ada, &route).await;
    }
    bundle.clear_faults().await;

    let events = application_events(&bundle).await;
    let delivered = deliver(&bundle, &events, true).await;
    assert_eq!(delivered.status, StatusCode::OK, "{}", delivered.text);
    deliver(&bundle, &events, false).await.assert_problem(401, "invalid_signature");

    let lines = emf_lines(&emf);
    let published = published(&lines);
    for line in &lines {
        assert_valid_emf(line);
        assert_no_request_value(line, &ada);
    }
    let fixed = fixed_dimension_values();
    for (metric, dimensions) in &published {
        for (name, value) in dimensions {
            assert!(
                fixed[name.as_str()].contains(value.as_str()),
                "{metric}: {name}={value:?} is not from a fixed set"
            );
        }
    }

    // What the template's alarms read, and what an operator graphs, is there.
    let has = |metric: &str, dimensions: &[(&str, &str)]| {
        published.iter().any(|(name, dims)| {
            name == metric && dimensions.iter().all(|(k, v)| dims.get(*k).map(String::as_str) == Some(*v))
        })
    };
    for (metric, dimensions) in [
        ("Requests", &[("Route", "/cards/{cardId}"), ("Code", "ok")][..]),
        ("Requests", &[("Route", "/token"), ("Code", "step_up_required")]),
        ("Requests", &[("Route", "unmatched"), ("Code", "route_not_found")]),
        ("RequestLatency", &[("Route", "/signup"), ("Code", "ok")]),
        ("UpstreamErrors", &[]),
        ("StepUpRequired", &[]),
        ("UpstreamCalls", &[("Vendor", "stytch"), ("Operation", "sessions.authenticate"), ("Outcome", "ok")]),
        ("UpstreamCalls", &[("Vendor", "unit"), ("Operation", "customers.token"), ("Outcome", "ok")]),
        ("UpstreamCalls", &[("Vendor", "unit"), ("Operation", "cards.create"), ("Outcome", "ok")]),
        ("UpstreamCalls", &[("Vendor", "unit"), ("Outcome", "server_error")]),
        ("UpstreamCalls", &[("Vendor", "stytch"), ("Outcome", "server_error")]),
        ("UpstreamCalls", &[("Vendor", "secretsmanager"), ("Operation", "GetSecretValue"), ("Outcome", "ok")]),
        ("UpstreamLatency", &[("Vendor", "stytch"), ("Operation", "magic_links.email.login_or_create")]),
        ("TokensMinted", &[("ScopeClass", "sensitive")]),
        ("TokensMinted", &[("ScopeClass", "read_only")]),
        ("CardsCreated", &[("CardType", "virtual")]),
        ("WebhookEvents", &[("EventClass", "application")]),
        ("WebhookFailures", &[]),
    ] {
        assert!(has(metric, dimensions), "no {metric} {dimensions:?} in {:#?}", published);
    }
    bundle.assert_nothing_leaked();
}

/// The EMF documents written: every captured line is one.
fn emf_lines(emf: &CapturedLogs) -> Vec<Value> {
    let text = emf.text();
    assert!(!text.is_empty(), "metrics were written");
    text.lines().map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"))).collect()
}

/// Each metric published, with the dimension values of its document.
fn published(lines: &[Value]) -> BTreeSet<(String, BTreeMap<String, String>)> {
    let mut published = BTreeSet::new();
    for line in lines {
        let directive = &line["_aws"]["CloudWatchMetrics"][0];
        let names: Vec<&str> =
            directive["Dimensions"][0].as_array().unwrap().iter().map(|d| d.as_str().unwrap()).collect();
        let dimensions: BTreeMap<String, String> =
            names.iter().map(|name| (name.to_string(), line[*name].as_str().unwrap().to_owned())).collect();
        for metric in directive["Metrics"].as_array().unwrap() {
            let name = metric["Name"].as_str().unwrap();
            let declared = catalogue::ALL
                .iter()
                .find(|m| m.name == name)
                .unwrap_or_else(|| panic!("{name} is not in the catalogue"));
            assert_eq!(names, declared.dimensions, "{name} is published with the catalogue's dimension set");
            published.insert((name.to_owned(), dimensions.clone()));
        }
    }
    published
}

/// CloudWatch's embedded metric format specification: `_aws` with a millisecond `Timestamp` and one
/// `CloudWatchMetrics` directive (`Namespace`, `Dimensions` as arrays of keys present on the root as
/// strings, `Metrics` with a `Name` and a `Unit` CloudWatch knows), each metric's value a number or an
/// array of at most 100 numbers on the root.
fn assert_valid_emf(line: &Value) {
    let aws = &line["_aws"];
    assert!(aws["Timestamp"].as_u64().is_some_and(|t| t > 1_600_000_000_000), "{line}");
    let [directive] = aws["CloudWatchMetrics"].as_array().expect("CloudWatchMetrics").as_slice() else {
        panic!("one directive: {line}")
    };
    assert_eq!(directive["Namespace"], NAMESPACE, "{line}");
    for set in directive["Dimensions"].as_array().expect("Dimensions") {
        let set = set.as_array().expect("a dimension set");
        assert!(set.len() <= 30, "{line}");
        for key in set {
            assert!(line[key.as_str().expect("a key")].is_string(), "dimension {key} on the root: {line}");
        }
    }
    let metrics = directive["Metrics"].as_array().expect("Metrics");
    assert!(!metrics.is_empty() && metrics.len() <= 100, "{line}");
    for metric in metrics {
        let name = metric["Name"].as_str().expect("a Name");
        assert!(["Count", "Milliseconds"].contains(&metric["Unit"].as_str().expect("a Unit")), "{line}");
        match &line[name] {
            Value::Number(_) => {}
            Value::Array(values) => assert!(values.len() <= 100 && values.iter().all(Value::is_number), "{line}"),
            other => panic!("{name} is {other}: {line}"),
        }
    }
}

/// No id of the journey appears anywhere in a metrics line, dimension or not.
fn assert_no_request_value(line: &Value, customer: &Customer) {
    let text = line.to_string();
    for value in
        [&customer.user.user_id, &customer.customer_id, &customer.card_id, &customer.account_id, &customer.user.email]
    {
        assert!(!text.contains(value.as_str()), "{value} in {text}");
    }
}

/// Every value each dimension may take: route templates from the functions' own route tables, problem
/// codes from the OpenAPI's list, and the code's closed sets.
fn fixed_dimension_values() -> BTreeMap<&'static str, BTreeSet<String>> {
    let functions = [
        routes::Function::Signup,
        routes::Function::StepUp,
        routes::Function::TokenExchange,
        routes::Function::Cards,
        routes::Function::Webhooks,
    ];
    let mut route_templates: BTreeSet<String> =
        functions.iter().flat_map(|f| f.routes().iter().map(|(_, path)| path.to_string())).collect();
    route_templates.insert(catalogue::UNMATCHED_ROUTE.into());
    let mut codes = openapi_problem_codes();
    codes.extend(["ok".into(), "unclassified".into()]);
    let operations = operation_names();
    let set = |values: &[&str]| values.iter().map(|v| v.to_string()).collect::<BTreeSet<_>>();
    BTreeMap::from([
        ("Route", route_templates),
        ("Code", codes),
        ("Vendor", set(&["stytch", "unit", "secretsmanager"])),
        ("Operation", operations),
        ("Outcome", catalogue::Outcome::ALL.iter().map(|o| o.as_str().to_owned()).collect()),
        ("ScopeClass", set(&[catalogue::ScopeClass::ReadOnly.as_str(), catalogue::ScopeClass::Sensitive.as_str()])),
        ("CardType", set(&["virtual", "physical"])),
        ("EventClass", set(catalogue::WEBHOOK_EVENT_CLASSES)),
    ])
}

/// The `code`s the OpenAPI's Problem schema lists.
/// This repository's root (the workspace), two levels above this crate.
const WORKSPACE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

fn openapi_problem_codes() -> BTreeSet<String> {
    let spec = std::fs::read_to_string(format!("{WORKSPACE}/infra/openapi.yaml")).unwrap();
    let start = spec.find("Stable, machine-readable. Never renamed.").expect("the Problem.code description");
    let block = &spec[start..start + spec[start..].find("examples:").unwrap()];
    block.split('`').skip(1).step_by(2).map(str::to_owned).collect()
}

/// The operation names the clients pass (a string literal per client method), read from their source.
fn operation_names() -> BTreeSet<String> {
    // The project's common crate (the workspace member `shared/`), where the clients live.
    let shared = format!("{WORKSPACE}/shared/src");
    let mut names = BTreeSet::from(["GetSecretValue".to_owned()]);
    for dir in ["stytch", "unit"] {
        for entry in std::fs::read_dir(format!("{shared}/{dir}")).unwrap() {
            let source = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            for quoted in source.split('"').skip(1).step_by(2) {
                let shape = quoted.split('.').count() >= 2
                    && quoted.chars().all(|c| c.is_ascii_alphabetic() || c == '.' || c == '_');
                if shape {
                    names.insert(quoted.to_owned());
                }
            }
        }
    }
    names
}

/// An event Unit recorded about the customer's application.
async fn application_events(bundle: &Bundle) -> Vec<Value> {
    let events = bundle.stack().unit_org(Method::GET, "/events").await["data"].as_array().unwrap().clone();
    let application = events
        .iter()
        .find(|e| e["type"].as_str().is_some_and(|t| t.starts_with("application.")))
        .expect("an application event")
        .clone();
    vec![application]
}

/// `POST /webhooks/unit` with `events`, signed with the stack's webhook token or forged.
async fn deliver(bundle: &Bundle, events: &[Value], signed: bool) -> Answer {
    let body = json!({ "data": events }).to_string();
    let token = if signed { bundle.stack().sandbox.unit_webhook_secret.clone() } else { "not-the-token".to_owned() };
    let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, token.as_bytes());
    let signature = STANDARD.encode(hmac::sign(&key, body.as_bytes()).as_ref());
    let request = Request::post("/webhooks/unit")
        .header("content-type", "application/vnd.api+json")
        .header("x-unit-signature", signature)
        .body(Body::from(body))
        .unwrap();
    bundle.send(routes::Function::Webhooks, request).await
}
