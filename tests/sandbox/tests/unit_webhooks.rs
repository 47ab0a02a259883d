//! Unit side: events and webhook delivery (docs.unit.co/webhooks: events POSTed to the webhook's URL,
//! signed with its token in `X-Unit-Signature`; "at least once" delivery batches them and retries until a
//! 200; event types and relationships as Unit's Node SDK `types/events.ts`). A receiver on a loopback port
//! checks the signature on its own (HMAC-SHA1 of the body, base64) and answers as the test scripts it.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_lc_rs::hmac;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use base64::Engine;
use sandbox::config::{DEFAULT_UNIT_API_TOKEN, DEFAULT_UNIT_WEBHOOK_SECRET};
use serde_json::{Value, json};

/// What the receiver got, and how many more times it answers 500 before answering 200.
#[derive(Default)]
struct Receiver {
    deliveries: Vec<Value>,
    failures_left: u32,
}

type Shared = Arc<Mutex<Receiver>>;

async fn receive(State(shared): State<Shared>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let signature = headers.get("x-unit-signature").and_then(|v| v.to_str().ok()).unwrap_or_default();
    let tag = base64::engine::general_purpose::STANDARD.decode(signature).unwrap_or_default();
    let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, DEFAULT_UNIT_WEBHOOK_SECRET.as_bytes());
    assert!(hmac::verify(&key, &body, &tag).is_ok(), "every delivery is signed with the webhook token");
    assert_eq!(headers.get("content-type").unwrap(), "application/vnd.api+json");
    let mut receiver = shared.lock().unwrap();
    receiver.deliveries.push(serde_json::from_slice(&body).expect("JSON"));
    if receiver.failures_left > 0 {
        receiver.failures_left -= 1;
        return StatusCode::INTERNAL_SERVER_ERROR;
    }
    StatusCode::OK
}

struct Setup {
    sandbox: sandbox::RunningSandbox,
    receiver: Shared,
    http: reqwest::Client,
}

async fn start(failures: u32) -> Setup {
    let receiver: Shared = Arc::new(Mutex::new(Receiver { failures_left: failures, ..Receiver::default() }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let app = Router::new().route("/hook", post(receive)).with_state(receiver.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let config = sandbox::SandboxConfig { unit_webhook_url: Some(url), ..Default::default() };
    Setup { sandbox: sandbox::spawn(config).await.unwrap(), receiver, http: reqwest::Client::new() }
}

impl Setup {
    async fn unit(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.sandbox.unit_url))
            .bearer_auth(DEFAULT_UNIT_API_TOKEN)
            .header("content-type", "application/vnd.api+json");
        if let Some(body) = body {
            request = request.body(body.to_string());
        }
        let response = request.send().await.unwrap();
        assert!(response.status().is_success(), "{path}: {}", response.status());
        response.json().await.unwrap()
    }

    async fn control(&self, path: &str, body: Option<Value>) {
        let mut request = self.http.post(format!("{}/__sandbox/webhooks/{path}", self.sandbox.unit_url));
        if let Some(body) = body {
            request = request.json(&body);
        }
        assert!(request.send().await.unwrap().status().is_success(), "{path}");
    }

    /// A Pending application (SSN ending 0001) for `subject`; its id.
    async fn pending(&self, ssn: &str) -> String {
        let attributes = json!({
            "fullName": {"first": "Ada", "last": "Lovelace"}, "email": "ada@example.com",
            "phone": {"countryCode": "1", "number": "5555550100"}, "dateOfBirth": "1990-12-10",
            "address": {"street": "1 Main St", "city": "Springfield", "state": "IL", "postalCode": "62701", "country": "US"},
            "ssn": ssn, "jwtSubject": "user-test-ada",
        });
        let created = self
            .unit(
                reqwest::Method::POST,
                "/applications",
                Some(json!({"data": {"type": "individualApplication", "attributes": attributes}})),
            )
            .await;
        assert_eq!(created["data"]["attributes"]["status"], "Pending");
        created["data"]["id"].as_str().unwrap().to_owned()
    }

    /// Waits until the receiver got `count` deliveries; returns them.
    async fn deliveries(&self, count: usize) -> Vec<Value> {
        let started = Instant::now();
        loop {
            let deliveries = self.receiver.lock().unwrap().deliveries.clone();
            if deliveries.len() >= count {
                return deliveries;
            }
            assert!(started.elapsed() < Duration::from_secs(10), "only {} of {count} deliveries", deliveries.len());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

fn types(delivery: &Value) -> Vec<&str> {
    delivery["data"].as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn events_are_delivered_batched_signed_and_retried_until_a_200() {
    let setup = start(2).await;
    let application_id = setup.pending("123459001").await;
    // The first batch is sent three times, the same bytes each time, until the receiver answers 200.
    let deliveries = setup.deliveries(3).await;
    assert_eq!(deliveries[0], deliveries[1]);
    assert_eq!(deliveries[1], deliveries[2]);
    assert_eq!(types(&deliveries[0]), ["application.created"]);
    let event = &deliveries[0]["data"][0];
    assert_eq!(
        event["relationships"]["application"]["data"],
        json!({"type": "individualApplication", "id": application_id})
    );
    assert!(event["attributes"]["createdAt"].is_string());

    // Approval: customer.created with the customer and the application (Unit sends no application.approved).
    let approved =
        setup.unit(reqwest::Method::POST, &format!("/sandbox/applications/{application_id}/approve"), None).await;
    let deliveries = setup.deliveries(4).await;
    assert_eq!(types(&deliveries[3]), ["customer.created"]);
    assert_eq!(
        deliveries[3]["data"][0]["relationships"]["customer"]["data"]["id"],
        approved["data"]["relationships"]["customer"]["data"]["id"]
    );

    let attempts: Vec<Value> = setup
        .http
        .get(format!("{}/__sandbox/webhooks/attempts", setup.sandbox.unit_url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let statuses: Vec<&Value> = attempts.iter().map(|a| &a["status"]).collect();
    assert_eq!(statuses, [&json!(500), &json!(500), &json!(200), &json!(200)]);
    let listed = setup.unit(reqwest::Method::GET, "/events?filter[type]=customer.created", None).await;
    assert_eq!(listed["data"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn controls_pause_reorder_and_redeliver() {
    let setup = start(0).await;
    setup.control("pause", None).await;
    let application_id = setup.pending("123459001").await;
    setup.unit(reqwest::Method::POST, &format!("/sandbox/applications/{application_id}/deny"), None).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(setup.receiver.lock().unwrap().deliveries.is_empty(), "nothing is delivered while paused");

    // Newest first, one of them twice: delivered as one batch, ahead of the queue.
    setup.control("deliver", Some(json!({"eventIds": ["2", "1", "2"]}))).await;
    setup.control("resume", None).await;
    let deliveries = setup.deliveries(2).await;
    assert_eq!(types(&deliveries[0]), ["application.denied", "application.created", "application.denied"]);
    assert_eq!(types(&deliveries[1]), ["application.created", "application.denied"]);

    // Unit's own "fire event" delivers one event again.
    let fired = setup.unit(reqwest::Method::POST, "/events/1", None).await;
    assert_eq!(fired["data"]["type"], "application.created");
    let deliveries = setup.deliveries(3).await;
    assert_eq!(types(&deliveries[2]), ["application.created"]);
}

#[tokio::test]
async fn the_deliver_control_refuses_unknown_events_and_bad_bodies() {
    let setup = start(0).await;
    let url = format!("{}/__sandbox/webhooks/deliver", setup.sandbox.unit_url);
    let unknown = setup.http.post(&url).json(&json!({"eventIds": ["99"]})).send().await.unwrap();
    assert_eq!(unknown.status(), 404);
    let empty = setup.http.post(&url).json(&json!({"eventIds": []})).send().await.unwrap();
    assert_eq!(empty.status(), 400);
    let malformed = setup.http.post(&url).header("content-type", "application/json").body("{").send().await.unwrap();
    assert_eq!(malformed.status(), 400);
    assert!(malformed.json::<Value>().await.unwrap()["error"].is_string());
}
