//! Shared test plumbing: an in-process sandbox and a client that speaks to its Stytch side.

#![allow(dead_code)] // Each test binary uses a different subset.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sandbox::{RunningSandbox, SandboxConfig};
use serde_json::{Value, json};

pub struct Harness {
    pub sandbox: RunningSandbox,
    pub http: reqwest::Client,
}

/// A logged-in user: the result of a magic-link authentication that started a session.
pub struct Login {
    pub user_id: String,
    pub session_token: String,
    pub session_jwt: String,
}

impl Harness {
    pub async fn start() -> Self {
        Self::start_with(SandboxConfig::default()).await
    }

    pub async fn start_with(config: SandboxConfig) -> Self {
        let sandbox = sandbox::spawn(config).await.expect("sandbox starts");
        Self { sandbox, http: reqwest::Client::new() }
    }

    /// An authenticated Stytch call; returns the status and the JSON body.
    pub async fn stytch(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.sandbox.stytch_url))
            .basic_auth(&self.sandbox.project_id, Some(&self.sandbox.secret));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request reaches the sandbox");
        let status = response.status().as_u16();
        let body = response.json().await.unwrap_or(Value::Null);
        (status, body)
    }

    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.stytch(reqwest::Method::POST, path, Some(body)).await
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        self.stytch(reqwest::Method::GET, path, None).await
    }

    /// A `/__sandbox/` call (no auth) on the Stytch port.
    pub async fn control(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        control_at(&self.http, &self.sandbox.stytch_url, method, path, body).await
    }

    pub async fn outbox(&self, to: &str) -> Vec<Value> {
        let url = url::Url::parse_with_params(&format!("{}/__sandbox/outbox", self.sandbox.stytch_url), [("to", to)])
            .unwrap();
        let response = self.http.get(url).send().await.expect("outbox answers");
        assert_eq!(response.status(), 200);
        response.json().await.expect("outbox is a JSON array")
    }

    /// Sends a magic link to `email`, reads it from the outbox and authenticates it into a session.
    pub async fn login(&self, email: &str) -> Login {
        let (status, body) = self.post("/v1/magic_links/email/login_or_create", json!({ "email": email })).await;
        assert_eq!(status, 200, "{body}");
        let messages = self.outbox(email).await;
        let token = messages.last().and_then(|m| m["token"].as_str()).expect("a magic link in the outbox").to_owned();
        let (status, body) =
            self.post("/v1/magic_links/authenticate", json!({ "token": token, "session_duration_minutes": 60 })).await;
        assert_eq!(status, 200, "{body}");
        Login {
            user_id: body["user_id"].as_str().unwrap().to_owned(),
            session_token: body["session_token"].as_str().unwrap().to_owned(),
            session_jwt: body["session_jwt"].as_str().unwrap().to_owned(),
        }
    }

    /// A JWT for the session with `claims` overridden, from the test control.
    pub async fn forge(&self, session_token: &str, claims: Value, foreign_key: bool) -> String {
        let (status, body) = self
            .control(
                reqwest::Method::POST,
                "/__sandbox/sessions/jwt",
                Some(json!({ "session_token": session_token, "claims": claims, "foreign_key": foreign_key })),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        body["session_jwt"].as_str().unwrap().to_owned()
    }

    pub async fn jwks(&self) -> jsonwebtoken::jwk::JwkSet {
        let response = self.http.get(&self.sandbox.stytch_jwks_url).send().await.unwrap();
        assert_eq!(response.status(), 200);
        response.json().await.expect("a JWK set")
    }
}

pub async fn control_at(
    http: &reqwest::Client,
    base: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = http.request(method, format!("{base}{path}"));
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("control answers");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The unverified payload of a JWT, for checks that do not need the signature.
pub fn payload(jwt: &str) -> Value {
    let part = jwt.split('.').nth(1).expect("three parts");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).expect("base64url")).expect("JSON payload")
}

pub fn factors(jwt: &str) -> Vec<Value> {
    payload(jwt)["https://stytch.com/session"]["authentication_factors"].as_array().cloned().unwrap_or_default()
}

/// Asserts a Stytch-shaped error.
pub fn assert_stytch_error(status: u16, body: &Value, expected_status: u16, expected_type: &str) {
    assert_eq!(status, expected_status, "{body}");
    assert_eq!(body["status_code"], expected_status, "{body}");
    assert_eq!(body["error_type"], expected_type, "{body}");
    assert!(body["request_id"].as_str().is_some_and(|id| id.starts_with("request-id-test-")), "{body}");
    assert!(body["error_message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
    assert_eq!(body["error_url"], format!("https://stytch.com/docs/api/errors/{expected_status}#{expected_type}"));
}
