//! The token-exchange router in-process against the local stack, and the shortest honest ways to
//! an application, a stepped-up session and a forged (stale) one.
#![allow(dead_code)]

use axum::{Router, body::Body};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use stytch_unit_common::{
    SecretString,
    config::SecretNeeds,
    customer_link,
    startup::Dependencies,
    unit::{Address, Application, FullName, NewIndividualApplication, Phone},
};
use test_support::stack::{LocalStack, SandboxSession};
use totp_rs::{Algorithm, Builder, Secret};
use tower::ServiceExt;

pub const NEEDS: SecretNeeds = SecretNeeds { stytch: true, unit: true };

pub struct Harness {
    pub stack: LocalStack,
    pub deps: Dependencies,
    pub app: Router,
}

impl Harness {
    pub async fn start(extra_env: &[(&str, &str)]) -> Self {
        let stack = LocalStack::start().await;
        let deps = test_support::functions::cold_start(&stack, NEEDS, extra_env).await;
        let app = token_exchange::router(deps.clone());
        Self { stack, deps, app }
    }

    /// One request through the real router; the body as JSON (`Null` when empty).
    pub async fn call(
        &self,
        method: &str,
        uri: &str,
        bearer: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = Request::builder().method(method).uri(uri);
        if let Some(token) = bearer {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        let body = match body {
            Some(json) => {
                request = request.header("content-type", "application/json");
                Body::from(json.to_string())
            }
            None => Body::empty(),
        };
        self.send(request.body(body).unwrap()).await
    }

    pub async fn send(&self, request: Request<Body>) -> (StatusCode, Value) {
        let response = self.app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let json = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()))
        };
        (status, json)
    }

    pub async fn token(&self, jwt: &str, body: Value) -> (StatusCode, Value) {
        self.call("POST", "/token", Some(jwt), Some(body)).await
    }

    /// A Unit application for `user_id` decided by the SSN's last four digits, recorded in the
    /// user's trusted metadata as signup does.
    pub async fn apply(&self, user_id: &str, ssn: &str) -> Application {
        let new = NewIndividualApplication {
            full_name: FullName { first: "Ada".into(), last: "Lovelace".into() },
            email: "ada@example.com".into(),
            phone: Phone { country_code: "1".into(), number: "5555550100".into() },
            date_of_birth: "1990-12-10".into(),
            address: Address {
                street: "20 Ingram St".into(),
                street2: None,
                city: "Forest Hills".into(),
                state: "NY".into(),
                postal_code: "11375".into(),
                country: "US".into(),
            },
            ssn: SecretString::from(ssn.to_owned()),
            jwt_subject: user_id.into(),
            idempotency_key: format!("application-{user_id}"),
        };
        let application = self.deps.unit().unwrap().create_application(&new).await.unwrap();
        customer_link::record(self.deps.stytch().unwrap(), user_id, &application).await.unwrap();
        application
    }

    pub async fn stytch_post(&self, path: &str, body: Value) -> Value {
        let sandbox = &self.stack.sandbox;
        let response = self
            .stack
            .http
            .post(format!("{}{path}", sandbox.stytch_url))
            .basic_auth(&sandbox.project_id, Some(&sandbox.secret))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "{path}: {}", response.status());
        response.json().await.unwrap()
    }

    /// Enrols TOTP and authenticates a code into `session`: a fresh two-factor session JWT.
    pub async fn step_up(&self, session: &SandboxSession) -> String {
        let created = self.stytch_post("/v1/totps", json!({ "user_id": session.user_id })).await;
        let code = totp_code(created["secret"].as_str().unwrap());
        let authenticated = self
            .stytch_post(
                "/v1/totps/authenticate",
                json!({ "user_id": session.user_id, "totp_code": code, "session_token": session.session_token }),
            )
            .await;
        authenticated["session_jwt"].as_str().unwrap().to_owned()
    }

    /// A JWT of the live session `session_token`, signed by the sandbox, with `claims` replaced.
    pub async fn forge(&self, session_token: &str, claims: Value) -> String {
        let response: Value = self
            .stack
            .http
            .post(format!("{}/__sandbox/sessions/jwt", self.stack.sandbox.stytch_url))
            .json(&json!({ "session_token": session_token, "claims": claims }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        response["session_jwt"].as_str().unwrap().to_owned()
    }

    pub async fn fault(&self, base_url: &str, fault: Value) {
        let response = self.stack.http.post(format!("{base_url}/__sandbox/faults")).json(&fault).send().await.unwrap();
        assert!(response.status().is_success());
    }

    pub async fn armed_faults(&self, base_url: &str) -> Value {
        self.stack.http.get(format!("{base_url}/__sandbox/faults")).send().await.unwrap().json().await.unwrap()
    }

    pub async fn clear_faults(&self, base_url: &str) {
        self.stack.http.delete(format!("{base_url}/__sandbox/faults")).send().await.unwrap();
    }
}

pub fn totp_code(secret_base32: &str) -> String {
    let secret = Secret::try_from_base32(secret_base32).unwrap();
    let totp = Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_step_duration(30)
        .with_secret(secret)
        .build()
        .unwrap();
    totp.generate_current().to_string()
}

pub fn payload(jwt: &str) -> Value {
    let part = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

pub fn assert_problem(status: StatusCode, body: &Value, expected_status: u16, code: &str) {
    assert_eq!(status.as_u16(), expected_status, "{body}");
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["status"], expected_status, "{body}");
}
