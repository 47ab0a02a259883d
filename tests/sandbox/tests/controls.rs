//! The `/__sandbox/` controls: faults (status, delay, drop, dropped response), outbox, reset, recording, on both ports,
//! and shutting the servers down.

mod helpers;

use std::time::{Duration, Instant};

use helpers::{Harness, assert_stytch_error, control_at};
use reqwest::Method;
use sandbox::SandboxConfig;
use serde_json::{Value, json};

const LOGIN: &str = "/v1/magic_links/email/login_or_create";

#[tokio::test]
async fn status_faults_hit_the_next_count_matching_requests() {
    let harness = Harness::start().await;
    let (status, armed) = harness
        .control(
            Method::POST,
            "/__sandbox/faults",
            Some(json!({ "method": "post", "path": "/v1/magic_links", "count": 2, "status": 429 })),
        )
        .await;
    assert_eq!(status, 201, "{armed}");

    // Other paths and methods are untouched.
    let (status, _) = harness.get("/v1/users/user-test-e3795c81-f849-4167-bfda-e4a6e9c280fd").await;
    assert_eq!(status, 200);

    for _ in 0..2 {
        let response = harness
            .http
            .post(format!("{}{LOGIN}", harness.sandbox.stytch_url))
            .basic_auth(&harness.sandbox.project_id, Some(&harness.sandbox.secret))
            .json(&json!({ "email": "ada@example.com" }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers().get("retry-after").map(|v| v.to_str().unwrap()), Some("1"));
        let status = response.status().as_u16();
        assert_stytch_error(status, &response.json().await.unwrap(), 429, "too_many_requests");
    }
    let (status, _) = harness.post(LOGIN, json!({ "email": "ada@example.com" })).await;
    assert_eq!(status, 200, "the fault is used up after count requests");
    assert_eq!(harness.outbox("ada@example.com").await.len(), 1, "faulted requests did nothing");

    harness
        .control(Method::POST, "/__sandbox/faults", Some(json!({ "path": "/v1/", "count": 5, "status": 503 })))
        .await;
    let (status, listed) = harness.control(Method::GET, "/__sandbox/faults", None).await;
    assert_eq!(status, 200);
    assert_eq!(listed[0]["remaining"], 5);
    let (status, _) = harness.control(Method::DELETE, "/__sandbox/faults", None).await;
    assert_eq!(status, 204);
    let (status, _) = harness.post(LOGIN, json!({ "email": "ada@example.com" })).await;
    assert_eq!(status, 200, "DELETE cleared the faults");

    let (status, _) =
        harness.control(Method::POST, "/__sandbox/faults", Some(json!({ "status": 500, "drop": true }))).await;
    assert_eq!(status, 400, "exactly one effect");
}

#[tokio::test]
async fn delay_and_drop_faults() {
    let harness = Harness::start().await;
    harness
        .control(
            Method::POST,
            "/__sandbox/faults",
            Some(json!({ "method": "GET", "path": "/v1/sessions/jwks", "delay_ms": 400 })),
        )
        .await;
    let started = Instant::now();
    let response = harness.http.get(&harness.sandbox.stytch_jwks_url).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(started.elapsed() >= Duration::from_millis(400));

    harness
        .control(
            Method::POST,
            "/__sandbox/faults",
            Some(json!({ "method": "GET", "path": "/v1/sessions/jwks", "drop": true })),
        )
        .await;
    let error = harness.http.get(&harness.sandbox.stytch_jwks_url).send().await.expect_err("the connection is dropped");
    assert!(error.is_request() || error.is_connect(), "{error:?}");
    assert!(error.status().is_none());
    let response = harness.http.get(&harness.sandbox.stytch_jwks_url).send().await.unwrap();
    assert_eq!(response.status(), 200, "one drop, then normal service");
}

#[tokio::test]
async fn a_dropped_response_is_served_but_never_answered() {
    let harness = Harness::start().await;
    let fault = json!({ "method": "POST", "path": LOGIN, "drop_response": true });
    let (status, _) = harness.control(Method::POST, "/__sandbox/faults", Some(fault)).await;
    assert_eq!(status, 201);
    let sent = harness
        .http
        .post(format!("{}{LOGIN}", harness.sandbox.stytch_url))
        .basic_auth(&harness.sandbox.project_id, Some(&harness.sandbox.secret))
        .json(&json!({ "email": "ada@example.com" }))
        .send()
        .await;
    let error = sent.expect_err("the answer is dropped");
    assert!(error.status().is_none(), "{error:?}");
    // The request was served all the same: the magic link went out.
    assert_eq!(harness.outbox("ada@example.com").await.len(), 1);

    let both = json!({ "drop": true, "drop_response": true });
    let (status, _) = harness.control(Method::POST, "/__sandbox/faults", Some(both)).await;
    assert_eq!(status, 400, "exactly one effect");
}

#[tokio::test]
async fn faults_on_the_unit_port_use_units_error_shape() {
    let harness = Harness::start().await;
    let unit = &harness.sandbox.unit_url;
    let (status, _) =
        control_at(&harness.http, unit, Method::POST, "/__sandbox/faults", Some(json!({ "path": "/", "status": 500 })))
            .await;
    assert_eq!(status, 201);
    let response =
        harness.http.get(format!("{unit}/accounts")).bearer_auth(&harness.sandbox.unit_api_token).send().await.unwrap();
    assert_eq!(response.status(), 500);
    assert_eq!(response.headers()["content-type"], "application/vnd.api+json");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["errors"][0]["status"], "500");
    // The Stytch port has its own faults.
    let (status, _) = harness.get("/v1/users/user-test-e3795c81-f849-4167-bfda-e4a6e9c280fd").await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn reset_from_either_port_empties_everything() {
    let harness = Harness::start().await;
    let login = harness.login("ada@example.com").await;
    harness.control(Method::POST, "/__sandbox/faults", Some(json!({ "path": "/v1/totps", "status": 500 }))).await;

    let (status, _) =
        control_at(&harness.http, &harness.sandbox.unit_url, Method::POST, "/__sandbox/reset", None).await;
    assert_eq!(status, 204);
    assert!(harness.outbox("ada@example.com").await.is_empty());
    let (status, _) = harness.get(&format!("/v1/users/{}", login.user_id)).await;
    assert_eq!(status, 404);
    let (status, _) = harness.post("/v1/sessions/authenticate", json!({ "session_token": login.session_token })).await;
    assert_eq!(status, 404);
    let (_, faults) = harness.control(Method::GET, "/__sandbox/faults", None).await;
    assert_eq!(faults, json!([]));
    // The documented sandbox user is still there, and the outbox is also served on the Unit port.
    let (status, _) = harness.get("/v1/users/user-test-e3795c81-f849-4167-bfda-e4a6e9c280fd").await;
    assert_eq!(status, 200);
    let (status, messages) =
        control_at(&harness.http, &harness.sandbox.unit_url, Method::GET, "/__sandbox/outbox", None).await;
    assert_eq!((status, messages), (200, json!([])));
}

#[tokio::test]
async fn a_revoked_org_token_is_refused_as_unit_refuses_an_invalid_token_until_reset() {
    let harness = Harness::start().await;
    let applications = || {
        harness
            .http
            .get(format!("{}/applications", harness.sandbox.unit_url))
            .bearer_auth(&harness.sandbox.unit_api_token)
    };
    assert_eq!(applications().send().await.unwrap().status(), 200);

    let unit = &harness.sandbox.unit_url;
    let (status, _) = control_at(&harness.http, unit, Method::POST, "/__sandbox/org-token/revoke", None).await;
    assert_eq!(status, 204);
    let refused = applications().send().await.unwrap();
    assert_eq!(refused.status(), 401);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["errors"][0]["code"], "unauthorized");

    control_at(&harness.http, unit, Method::POST, "/__sandbox/reset", None).await;
    assert_eq!(applications().send().await.unwrap().status(), 200, "reset restores the org token");
}

#[tokio::test]
async fn org_settings_start_configured_change_at_run_time_and_reset_to_the_configuration() {
    let strict = SandboxConfig { unit_prevent_duplicate_applications: true, ..SandboxConfig::default() };
    let harness = Harness::start_with(strict).await;
    let unit = &harness.sandbox.unit_url;
    let settings = |expected: bool| json!({ "preventDuplicateIndividualApplications": expected });

    let (status, body) = control_at(&harness.http, unit, Method::GET, "/__sandbox/org-settings", None).await;
    assert_eq!((status, body), (200, settings(true)));
    let (status, body) =
        control_at(&harness.http, unit, Method::PATCH, "/__sandbox/org-settings", Some(settings(false))).await;
    assert_eq!((status, body), (200, settings(false)));
    let (status, body) =
        control_at(&harness.http, unit, Method::PATCH, "/__sandbox/org-settings", Some(json!({}))).await;
    assert_eq!((status, body), (200, settings(false)), "absent keys are left alone");

    let (status, body) = control_at(
        &harness.http,
        unit,
        Method::PATCH,
        "/__sandbox/org-settings",
        Some(json!({ "preventDuplicates": true })),
    )
    .await;
    assert_eq!(status, 400, "an unknown setting is refused: {body}");
    assert!(body["error"].as_str().is_some_and(|e| e.contains("preventDuplicates")), "{body}");

    control_at(&harness.http, unit, Method::POST, "/__sandbox/reset", None).await;
    let (_, body) = control_at(&harness.http, unit, Method::GET, "/__sandbox/org-settings", None).await;
    assert_eq!(body, settings(true), "reset returns to the configured settings");
}

#[tokio::test]
async fn a_customer_can_be_created_without_an_application() {
    let harness = Harness::start().await;
    let unit = &harness.sandbox.unit_url;
    let body = json!({
        "email": "linked@example.com",
        "phone": { "countryCode": "1", "number": "5555550123" },
        "jwtSubject": "user-test-linked",
    });
    let (status, created) = control_at(&harness.http, unit, Method::POST, "/__sandbox/customers", Some(body)).await;
    assert_eq!(status, 201, "{created}");
    let customer = &created["data"];
    assert_eq!(customer["type"], "individualCustomer");
    assert_eq!(customer["attributes"]["status"], "Active");
    assert_eq!(customer["attributes"]["email"], "linked@example.com");
    assert_eq!(customer["attributes"]["jwtSubject"], "user-test-linked");
    assert!(customer["relationships"].get("application").is_none(), "no application behind it");
    let id = customer["id"].as_str().unwrap();

    let org_get =
        |path: String| harness.http.get(format!("{unit}{path}")).bearer_auth(&harness.sandbox.unit_api_token).send();
    let found: Value =
        org_get("/customers?filter[email]=linked@example.com".into()).await.unwrap().json().await.unwrap();
    assert_eq!(found["data"][0]["id"], id);
    let read: Value = org_get(format!("/customers/{id}")).await.unwrap().json().await.unwrap();
    assert_eq!(&read["data"], customer, "served like any customer");

    let bad = json!({ "email": "not-an-email", "jwtSubject": 7, "ssn": "123456789" });
    let (status, refused) = control_at(&harness.http, unit, Method::POST, "/__sandbox/customers", Some(bad)).await;
    assert_eq!(status, 400, "{refused}");
    let mut pointers: Vec<&str> =
        refused["errors"].as_array().unwrap().iter().filter_map(|e| e["source"]["pointer"].as_str()).collect();
    pointers.sort_unstable();
    assert_eq!(pointers, ["/email", "/jwtSubject", "/phone", "/ssn"]);

    control_at(&harness.http, unit, Method::POST, "/__sandbox/reset", None).await;
    let gone = org_get(format!("/customers/{id}")).await.unwrap();
    assert_eq!(gone.status(), 404, "reset forgets it");
}

#[tokio::test]
async fn every_exchange_is_recorded_without_credentials() {
    let path = std::env::temp_dir().join(format!("sandbox-record-{}.jsonl", uuid::Uuid::new_v4()));
    let harness =
        Harness::start_with(SandboxConfig { record_path: Some(path.clone()), ..SandboxConfig::default() }).await;
    harness.post(LOGIN, json!({ "email": "ada@example.com" })).await;
    harness.control(Method::POST, "/__sandbox/faults", Some(json!({ "path": "/v1/users", "drop": true }))).await;
    let _ = harness.http.get(format!("{}/v1/users/x", harness.sandbox.stytch_url)).send().await;
    let _ = harness
        .http
        .get(format!("{}/accounts?page[limit]=1", harness.sandbox.unit_url))
        .bearer_auth("secret-bearer")
        .send()
        .await;

    let text = std::fs::read_to_string(&path).unwrap();
    let _ = std::fs::remove_file(&path);
    let lines: Vec<Value> = text.lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    let login = lines.iter().find(|l| l["path"] == LOGIN).expect("the login was recorded");
    assert_eq!(login["service"], "stytch");
    assert_eq!(login["method"], "POST");
    assert_eq!(login["status"], 200);
    assert_eq!(login["request_body"], json!({ "email": "ada@example.com" }));
    assert_eq!(login["response_body"]["user_created"], true);
    assert!(login["query"].is_null());
    assert!(login["request_headers"].get("authorization").is_none());
    assert_eq!(login["request_headers"]["content-type"], "application/json");

    let dropped = lines.iter().find(|l| l["path"] == "/v1/users/x").expect("the dropped exchange was recorded");
    assert!(dropped["status"].is_null());
    let unit = lines.iter().find(|l| l["path"] == "/accounts").expect("Unit exchanges share the file");
    assert_eq!(unit["service"], "unit");
    assert_eq!(unit["query"], "page[limit]=1");
    assert!(!text.contains("secret-bearer"));
    assert!(!text.contains(&harness.sandbox.secret));
}

#[tokio::test]
async fn shutdown_stops_both_servers() {
    let harness = Harness::start().await;
    let (stytch_url, unit_url) = (harness.sandbox.stytch_url.clone(), harness.sandbox.unit_url.clone());
    harness.sandbox.shutdown().await;
    let client = reqwest::Client::new();
    assert!(client.get(format!("{stytch_url}/__sandbox/outbox")).send().await.is_err());
    assert!(client.get(format!("{unit_url}/__sandbox/outbox")).send().await.is_err());
}
