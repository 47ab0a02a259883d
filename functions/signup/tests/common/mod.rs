//! The signup router in-process against the local stack, and small helpers to call it.

#![allow(dead_code)]

use axum::{Router, body::Body};
use http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use stytch_unit_common::{config::SecretNeeds, startup::Dependencies};
use test_support::stack::LocalStack;
use tower::ServiceExt;

pub struct Api {
    pub stack: LocalStack,
    pub dependencies: Dependencies,
    pub app: Router,
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Api {
    pub async fn start(extra_env: &[(&str, &str)]) -> Self {
        let stack = LocalStack::start().await;
        let dependencies =
            test_support::functions::cold_start(&stack, SecretNeeds { stytch: true, unit: true }, extra_env).await;
        let app = signup::router(dependencies.clone());
        Self { stack, dependencies, app }
    }

    pub async fn send(&self, request: Request<Body>) -> Answer {
        let response = self.app.clone().oneshot(request).await.expect("router answers");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.expect("body").to_bytes();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Answer { status, headers, body, text }
    }

    /// A JSON request, with a bearer JWT when given.
    pub async fn call(&self, method: Method, path: &str, jwt: Option<&str>, body: Option<Value>) -> Answer {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(jwt) = jwt {
            request = request.header(header::AUTHORIZATION, format!("Bearer {jwt}"));
        }
        let request = match body {
            Some(body) => request.header(header::CONTENT_TYPE, "application/json").body(Body::from(body.to_string())),
            None => request.body(Body::empty()),
        };
        self.send(request.expect("request")).await
    }

    pub async fn post(&self, path: &str, jwt: Option<&str>, body: Value) -> Answer {
        self.call(Method::POST, path, jwt, Some(body)).await
    }

    pub async fn get(&self, path: &str, jwt: Option<&str>) -> Answer {
        self.call(Method::GET, path, jwt, None).await
    }

    /// Arms a sandbox fault on the Stytch (`stytch = true`) or Unit side.
    pub async fn fault(&self, stytch: bool, fault: Value) {
        let base = if stytch { &self.stack.sandbox.stytch_url } else { &self.stack.sandbox.unit_url };
        let response = self.stack.http.post(format!("{base}/__sandbox/faults")).json(&fault).send().await.unwrap();
        assert_eq!(response.status(), 201, "fault armed");
    }

    pub async fn armed_faults(&self, stytch: bool) -> Vec<Value> {
        let base = if stytch { &self.stack.sandbox.stytch_url } else { &self.stack.sandbox.unit_url };
        self.stack.http.get(format!("{base}/__sandbox/faults")).send().await.unwrap().json().await.unwrap()
    }

    /// The Stytch user as the sandbox holds it (project credentials).
    pub async fn stytch_user(&self, user_id: &str) -> Value {
        let sandbox = &self.stack.sandbox;
        self.stack
            .http
            .get(format!("{}/v1/users/{user_id}", sandbox.stytch_url))
            .basic_auth(&sandbox.project_id, Some(&sandbox.secret))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// A Unit call with the org token.
    pub async fn unit(&self, method: Method, path: &str) -> Value {
        let sandbox = &self.stack.sandbox;
        let response = self
            .stack
            .http
            .request(method, format!("{}{path}", sandbox.unit_url))
            .bearer_auth(&sandbox.unit_api_token)
            .header("content-type", "application/vnd.api+json")
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "{path}: {}", response.status());
        response.json().await.unwrap()
    }
}

/// A complete, valid application body with this SSN.
pub fn application(ssn: &str) -> Value {
    json!({
        "fullName": {"first": "Ada", "last": "Lovelace"},
        "email": "ada@example.com",
        "phone": {"countryCode": "1", "number": "5555550123"},
        "dateOfBirth": "1990-12-10",
        "address": {
            "street": "1 Main St",
            "street2": "Apt 2",
            "city": "Springfield",
            "state": "IL",
            "postalCode": "62701",
            "country": "US"
        },
        "ssn": ssn,
    })
}

/// The problem's `code`.
pub fn code(answer: &Answer) -> &str {
    answer.body["code"].as_str().unwrap_or_default()
}

/// The problem's field errors as `(field, reason)`.
pub fn field_errors(answer: &Answer) -> Vec<(String, String)> {
    answer.body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| (e["field"].as_str().unwrap().to_owned(), e["reason"].as_str().unwrap().to_owned()))
                .collect()
        })
        .unwrap_or_default()
}
