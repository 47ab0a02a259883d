//! Every file in `events/<function>/` goes through that function's real router, in-process, and
//! must answer the status its name ends with (`<what>[.<case>].<status>.json`).
//!
//! Placeholders (`{{STYTCH_SESSION_JWT}}`, `{{UNIT_CUSTOMER_TOKEN}}`, …) are filled with fresh values
//! from the local stack (the sandbox as Stytch and Unit, moto as Secrets Manager) by
//! `demo::fixtures::fill`, which builds each file's user through the same routers. New event files
//! are picked up without touching this test.

use std::path::{Path, PathBuf};

use axum::{Router, body::Body};
use demo::{
    api::{Api, Call, Reply, Sandbox},
    fixtures,
};
use http_body_util::BodyExt;
use stytch_unit_common::config::SecretNeeds;
use test_support::{
    functions::{cards_cold_start, cold_start},
    stack::LocalStack,
};
use tower::ServiceExt;

const FUNCTIONS: &[&str] = &["signup", "step-up", "token-exchange", "cards", "webhooks"];

/// The five functions behind one "API", routed by path as API Gateway would.
struct Routers {
    signup: Router,
    step_up: Router,
    token_exchange: Router,
    cards: Router,
    webhooks: Router,
}

impl Routers {
    async fn start(stack: &LocalStack) -> Self {
        let both = SecretNeeds { stytch: true, unit: true };
        Self {
            signup: signup::router(cold_start(stack, both, &[]).await),
            step_up: step_up::router(cold_start(stack, SecretNeeds { stytch: true, unit: true }, &[]).await),
            token_exchange: token_exchange::router(cold_start(stack, both, &[]).await),
            cards: cards::router(cards_cold_start(stack, &[], cards::CardsDependencies::new)),
            webhooks: webhooks::router(cold_start(stack, both, &[]).await),
        }
    }

    fn function_for(path: &str) -> &'static str {
        let first = path.trim_start_matches('/').split('/').next().unwrap_or_default();
        match first {
            "signup" | "applications" | "application-forms" | "customers" => "signup",
            "step-up" | "session" | "me" => "step-up",
            "token" => "token-exchange",
            "cards" => "cards",
            "webhooks" => "webhooks",
            "health" => FUNCTIONS.iter().find(|f| path == format!("/health/{f}")).copied().unwrap_or("unknown"),
            _ => "unknown",
        }
    }

    fn router(&self, function: &str) -> Router {
        match function {
            "signup" => self.signup.clone(),
            "step-up" => self.step_up.clone(),
            "token-exchange" => self.token_exchange.clone(),
            "cards" => self.cards.clone(),
            "webhooks" => self.webhooks.clone(),
            other => panic!("no function {other}"),
        }
    }
}

async fn reply(response: http::Response<Body>) -> Reply {
    let status = response.status().as_u16();
    let bytes = response.into_body().collect().await.expect("body").to_bytes();
    Reply { status, body: serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null) }
}

impl Api for Routers {
    async fn call(&self, call: Call) -> Result<Reply, String> {
        let mut request = http::Request::builder().method(call.method).uri(&call.path);
        if let Some(token) = &call.bearer {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        for (name, value) in &call.headers {
            request = request.header(*name, value);
        }
        let body = match &call.body {
            Some(json) => {
                request = request.header("content-type", "application/json");
                Body::from(json.to_string())
            }
            None => Body::empty(),
        };
        let request = request.body(body).map_err(|e| e.to_string())?;
        let response = self.router(Self::function_for(&call.path)).oneshot(request).await.map_err(|e| e.to_string())?;
        Ok(reply(response).await)
    }
}

/// `post-cards.missing-idempotency-key.400.json` → 400.
fn expected_status(path: &Path) -> u16 {
    let stem = path.file_stem().and_then(|s| s.to_str()).expect("UTF-8 file name");
    stem.rsplit('.')
        .next()
        .and_then(|s| s.parse().ok())
        .filter(|s| (100..600).contains(s))
        .unwrap_or_else(|| panic!("{}: the name must end with .<status>.json", path.display()))
}

fn event_files(function: &str) -> Vec<PathBuf> {
    let dir = test_support::workspace_root().join("events").join(function);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_event_answers_the_status_its_name_documents() {
    let stack = LocalStack::start().await;
    let routers = Routers::start(&stack).await;
    let sandbox =
        Sandbox::new(&stack.sandbox.stytch_url).with_unit_org(&stack.sandbox.unit_url, &stack.sandbox.unit_api_token);
    let mut failures = Vec::new();
    let mut count = 0;

    for function in FUNCTIONS {
        let files = event_files(function);
        assert!(!files.is_empty(), "events/{function}/ has no events");
        for path in files {
            count += 1;
            let name = format!("events/{function}/{}", path.file_name().unwrap().to_string_lossy());
            let expected = expected_status(&path);
            let template = std::fs::read_to_string(&path).expect("readable event");
            let filled = match fixtures::fill(&routers, &sandbox, &template).await {
                Ok(filled) => filled,
                Err(error) => {
                    failures.push(format!("{name}: {error}"));
                    continue;
                }
            };
            let request = match lambda_http::request::from_str(&filled) {
                Ok(request) => request,
                Err(error) => {
                    failures.push(format!("{name}: not an API Gateway HTTP API event: {error}"));
                    continue;
                }
            };
            let routed_to = Routers::function_for(request.uri().path());
            if routed_to != *function {
                failures.push(format!("{name}: its path belongs to {routed_to}, not {function}"));
                continue;
            }
            let answer = reply(routers.router(function).oneshot(request).await.expect("infallible")).await;
            if answer.status != expected {
                // Status and problem code only: bodies may carry session JWTs.
                failures.push(format!("{name}: answered {}, expected {expected}", answer.problem()));
            }
        }
    }
    assert!(failures.is_empty(), "{} of {count} events failed:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn placeholders_in_event_files_are_all_known() {
    for function in FUNCTIONS {
        for path in event_files(function) {
            let text = std::fs::read_to_string(&path).expect("readable event");
            serde_json::from_str::<serde_json::Value>(&text)
                .unwrap_or_else(|e| panic!("{}: not JSON: {e}", path.display()));
            for name in fixtures::placeholders(&text) {
                assert!(fixtures::PLACEHOLDERS.contains(&name.as_str()), "{}: unknown {{{{{name}}}}}", path.display());
            }
        }
    }
}
