//! Warm overhead of `POST /token` (token-exchange) and `GET /cards` (cards): the real routers,
//! in-process through `tower::ServiceExt::oneshot`, against the local stack (the in-process
//! sandbox at zero added latency as Stytch and Unit, moto as Secrets Manager), on ONE thread.
//!
//! Each iteration times the route, then the same upstream HTTP calls made directly with the
//! function's own `reqwest::Client` (what the route spends waiting on the sandbox, including the
//! sandbox's own work); the overhead of that iteration is the difference. Percentiles are taken
//! over the per-iteration differences. Logging is on (JSON lines to a sink), as deployed.
//!
//! Not a criterion bench: it needs p99 and a machine-readable line. Prints one line
//! `BENCH_JSON {...}` on stdout (read by tests/bench/run.py) and a short table on stderr.
//! Run: `cargo bench -p cards --bench warm_overhead` (needs MOTO_SERVER, as `make test` does).
//!
//! With `CALLGRIND_ITERATIONS=N` it makes N `POST /token` calls after the set-up and nothing else
//! (with `CALLGRIND_DIRECT=1`, N times the direct upstream calls instead): `make bench` counts the
//! instructions of both under callgrind with `--collect-atstart=no`, only while those calls are
//! polled (`callgrind/mod.rs`), and route − direct is our own share.

use std::time::{Duration, Instant};

mod callgrind;

use axum::{Router, body::Body};
use callgrind::counted;
use cards::CardsDependencies;
use http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use stytch_unit_common::{customer_link, dependencies::Dependencies, telemetry};
use test_support::{
    functions::{applicant_phone, cards_cold_start, cold_start, individual_application},
    stack::LocalStack,
};
use tower::ServiceExt;
use tracing::level_filters::LevelFilter;

const SCOPES: [&str; 3] = ["accounts", "cards", "cards-write"];

fn iterations() -> usize {
    std::env::var("BENCH_ITERATIONS").ok().and_then(|v| v.parse().ok()).unwrap_or(500)
}

async fn call(app: &Router, method: &str, uri: &str, bearer: &str, body: Option<Value>) -> (StatusCode, Value) {
    let mut request = Request::builder().method(method).uri(uri).header("authorization", format!("Bearer {bearer}"));
    let body = match body {
        Some(json) => {
            request = request.header("content-type", "application/json");
            Body::from(json.to_string())
        }
        None => Body::empty(),
    };
    let response = app.clone().oneshot(request.body(body).unwrap()).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

async fn expect_ok(response: reqwest::Response) {
    let status = response.status();
    let bytes = response.bytes().await.unwrap();
    assert!(status.is_success(), "{status}: {}", String::from_utf8_lossy(&bytes));
}

struct Series {
    route: Vec<Duration>,
    direct: Vec<Duration>,
}

impl Series {
    fn new() -> Self {
        Self { route: Vec::new(), direct: Vec::new() }
    }

    fn summary(&self) -> Value {
        let us = |d: &Duration| d.as_secs_f64() * 1e6;
        let overhead: Vec<f64> = self.route.iter().zip(&self.direct).map(|(r, d)| us(r) - us(d)).collect();
        let route: Vec<f64> = self.route.iter().map(us).collect();
        let direct: Vec<f64> = self.direct.iter().map(us).collect();
        let mean_overhead = overhead.iter().sum::<f64>() / overhead.len() as f64;
        let mean_route = route.iter().sum::<f64>() / route.len() as f64;
        json!({
            "iterations": self.route.len(),
            "route_us": { "p50": pct(&route, 50.0), "p99": pct(&route, 99.0), "mean": mean_route },
            "upstream_direct_us": { "p50": pct(&direct, 50.0), "p99": pct(&direct, 99.0) },
            "overhead_us": { "p50": pct(&overhead, 50.0), "p99": pct(&overhead, 99.0), "mean": mean_overhead },
            // Sequential requests on one thread, the sandbox sharing that thread.
            "end_to_end_rps_one_core": 1e6 / mean_route,
            // What one core could serve if upstream waits were free: 1 / median overhead. The median,
            // because the mean of two noisy timings' difference can come out at or below zero.
            "function_only_rps_one_core": 1e6 / pct(&overhead, 50.0).max(1.0),
        })
    }
}

fn pct(values: &[f64], p: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(|a, b| a.total_cmp(b));
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank]
}

async fn measure(deps: &Dependencies, stack: &LocalStack) -> Value {
    let exchange_deps = deps.clone();
    let exchange = token_exchange::router(exchange_deps.clone());
    // The cards cold start, keeping its HTTP client for the direct calls below.
    let (cards_deps, cards_http) =
        cards_cold_start(stack, &[], |config, http| (CardsDependencies::new(config, http.clone()), http));
    let cards = cards::router(cards_deps);
    let sandbox = &stack.sandbox;

    // A signed-in, approved, stepped-up user with a customer token and three cards.
    let user = stack.sign_in("bench@example.com").await;
    let application =
        exchange_deps.unit.create_application(&individual_application(&user.user_id, "123456789")).await.unwrap();
    let customer_id = application.customer_id.clone().expect("approved");
    let (stytch, unit) = (&exchange_deps.stytch, &exchange_deps.unit);
    customer_link::record(stytch, unit, &user.user_id, &application, &[], Some("bench@example.com")).await.unwrap();
    let jwt = stack.step_up_sms(&user, &applicant_phone("123456789").e164()).await;
    let token_body = json!({ "scopes": SCOPES });
    let (status, body) = call(&exchange, "POST", "/token", &jwt, Some(token_body.clone())).await;
    assert_eq!(status, 200, "{body}");
    let customer_token = body["token"].as_str().unwrap().to_owned();
    for i in 0..3 {
        let request = Request::builder()
            .method("POST")
            .uri("/cards")
            .header("authorization", format!("Bearer {customer_token}"))
            .header("idempotency-key", format!("bench-card-{i}"))
            .body(Body::empty())
            .unwrap();
        let response = cards.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status(), 201);
    }

    // The upstream calls each route makes, made directly with a function's own client.
    let http = cards_http.clone();
    // As the route: the revocation check with Stytch (its answer carries the user), the customer
    // record for the KYC phone, then the token.
    let direct_token = || async {
        let session = http
            .post(format!("{}/v1/sessions/authenticate", sandbox.stytch_url))
            .basic_auth(&sandbox.project_id, Some(&sandbox.secret))
            .json(&json!({ "session_jwt": jwt }))
            .send()
            .await
            .unwrap();
        expect_ok(session).await;
        let customer = http
            .get(format!("{}/customers/{customer_id}", sandbox.unit_url))
            .bearer_auth(&sandbox.unit_api_token)
            .send()
            .await
            .unwrap();
        expect_ok(customer).await;
        let document = json!({ "data": { "type": "customerToken",
            "attributes": { "scope": SCOPES.join(" "), "expiresIn": 1800, "jwtToken": jwt } } });
        let token = http
            .post(format!("{}/customers/{customer_id}/token", sandbox.unit_url))
            .bearer_auth(&sandbox.unit_api_token)
            .header("content-type", "application/vnd.api+json")
            .body(serde_json::to_vec(&document).unwrap())
            .send()
            .await
            .unwrap();
        expect_ok(token).await;
    };
    if let Some(n) = test_support::counted_iterations() {
        // Only the polls of each call are counted (`callgrind::counted`): not the set-up, not the
        // in-process sandbox's tasks, which answer both the route and the direct calls.
        for _ in 0..n {
            if std::env::var_os("CALLGRIND_DIRECT").is_some() {
                counted(direct_token()).await;
            } else {
                let (status, body) = counted(call(&exchange, "POST", "/token", &jwt, Some(token_body.clone()))).await;
                assert_eq!(status, 200, "{body}");
            }
        }
        return Value::Null;
    }
    let direct_cards = || async {
        let list = cards_http
            .get(format!("{}/cards", sandbox.unit_url))
            .query(&[("page[limit]", "20"), ("page[offset]", "0"), ("sort", "-createdAt")])
            .bearer_auth(&customer_token)
            .header("content-type", "application/vnd.api+json")
            .send()
            .await
            .unwrap();
        expect_ok(list).await;
    };

    let n = iterations();
    let warmup = (n / 10).max(10);
    let mut token = Series::new();
    let mut list = Series::new();
    for i in 0..warmup + n {
        let start = Instant::now();
        let (status, body) = call(&exchange, "POST", "/token", &jwt, Some(token_body.clone())).await;
        let route = start.elapsed();
        assert_eq!(status, 200, "{body}");
        let start = Instant::now();
        direct_token().await;
        let direct = start.elapsed();
        if i >= warmup {
            token.route.push(route);
            token.direct.push(direct);
        }

        let start = Instant::now();
        let (status, body) = call(&cards, "GET", "/cards", &customer_token, None).await;
        let route = start.elapsed();
        assert_eq!((status.as_u16(), &body["total"]), (200, &json!(3)), "{body}");
        let start = Instant::now();
        direct_cards().await;
        let direct = start.elapsed();
        if i >= warmup {
            list.route.push(route);
            list.direct.push(direct);
        }
    }
    json!({ "POST /token": token.summary(), "GET /cards": list.summary() })
}

fn main() {
    // `cargo bench` passes `--bench` (and any filter); this harness takes none of them.
    tracing::subscriber::set_global_default(telemetry::subscriber(LevelFilter::INFO, std::io::sink)).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let results = runtime.block_on(async {
        let stack = LocalStack::start().await;
        let deps: Dependencies = cold_start(&stack, &[]).await;
        measure(&deps, &stack).await
    });
    if results.is_null() {
        return; // instruction-count mode: nothing to report
    }
    for (route, summary) in results.as_object().unwrap() {
        eprintln!(
            "{route:<12} route p50 {:>8.1} µs  upstream p50 {:>8.1} µs  overhead p50 {:>7.1} µs  p99 {:>7.1} µs  \
             function-only {:>7.0} req/s/core",
            summary["route_us"]["p50"].as_f64().unwrap(),
            summary["upstream_direct_us"]["p50"].as_f64().unwrap(),
            summary["overhead_us"]["p50"].as_f64().unwrap(),
            summary["overhead_us"]["p99"].as_f64().unwrap(),
            summary["function_only_rps_one_core"].as_f64().unwrap(),
        );
    }
    println!("BENCH_JSON {results}");
}
