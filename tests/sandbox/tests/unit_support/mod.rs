//! Shared harness for the Unit-side tests: the Unit router served on a loopback port, a JWKS
//! served from a fixed RSA key fixture, and helpers to build requests and sign JWTs.
//!
//! The Unit router is served on its own (not through `sandbox::spawn`) so that these tests pin the
//! Unit side's behaviour without depending on the Stytch side or the shared layers.

#![allow(dead_code)] // Each test file uses a different part of this harness.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::routing::get;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use reqwest::StatusCode;
use sandbox::unit::{OrgSettings, UnitConfig, UnitState, controls, router};
use serde_json::{Value, json};

pub const ORG_TOKEN: &str = "v2.public.test-org-token";
pub const SIGNER_KID: &str = "unit-test-signer";
const SIGNER_PEM: &[u8] = include_bytes!("../fixtures/unit_jwt_signer.pem");
const FOREIGN_PEM: &[u8] = include_bytes!("../fixtures/unit_jwt_foreign.pem");
const SIGNER_JWKS: &str = include_str!("../fixtures/unit_jwt_signer.jwks.json");

/// A Unit side on a loopback port, plus the state behind it.
pub struct Harness {
    pub url: String,
    pub state: UnitState,
    pub http: reqwest::Client,
}

/// A response's status, content type and JSON body.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub content_type: String,
    pub body: Value,
}

impl Reply {
    /// `errors[0].code`, for asserting on Unit-shaped errors.
    pub fn error_code(&self) -> &str {
        self.body["errors"][0]["code"].as_str().unwrap_or_default()
    }

    /// Every `errors[].source.pointer`.
    pub fn pointers(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|errors| errors.iter().filter_map(|e| e["source"]["pointer"].as_str().map(str::to_string)).collect())
            .unwrap_or_default()
    }

    pub fn id(&self) -> String {
        self.body["data"]["id"].as_str().expect("data.id").to_string()
    }
}

/// Starts a JWKS server and the Unit router (with its controls), each on its own loopback port, with default org settings.
pub async fn start() -> Harness {
    start_with(OrgSettings::default()).await
}

/// [`start`] with these org settings.
pub async fn start_with(org_settings: OrgSettings) -> Harness {
    let jwks: Value = serde_json::from_str(SIGNER_JWKS).expect("JWKS fixture");
    let jwks_app = Router::new().route(
        "/jwks",
        get(move || {
            let jwks = jwks.clone();
            async move { axum::Json(jwks) }
        }),
    );
    let jwks_url = format!("{}/jwks", serve(jwks_app).await);

    let state = UnitState::new(UnitConfig { api_token: ORG_TOKEN.into(), jwks_url, org_settings });
    // The Unit-side controls too (they stand in for what happens outside Unit's API, such as an
    // applicant filling in an application form).
    let url = serve(router(state.clone()).merge(controls::router(state.clone()))).await;
    Harness { url, state, http: reqwest::Client::new() }
}

async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move {
        axum::serve(listener, app).await.expect("serve");
    });
    format!("http://{address}")
}

impl Harness {
    pub async fn send(&self, method: reqwest::Method, path: &str, token: Option<&str>, body: Option<String>) -> Reply {
        let mut request =
            self.http.request(method, format!("{}{path}", self.url)).header("Content-Type", "application/vnd.api+json");
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.body(body);
        }
        let response = request.send().await.expect("request");
        let status = response.status();
        let content_type =
            response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
        let text = response.text().await.expect("body");
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Reply { status, content_type, body }
    }

    pub async fn get(&self, path: &str, token: &str) -> Reply {
        self.send(reqwest::Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Reply {
        self.send(reqwest::Method::POST, path, Some(token), Some(body.to_string())).await
    }

    pub async fn post_empty(&self, path: &str, token: &str) -> Reply {
        self.send(reqwest::Method::POST, path, Some(token), None).await
    }

    pub async fn patch(&self, path: &str, token: &str, body: Value) -> Reply {
        self.send(reqwest::Method::PATCH, path, Some(token), Some(body.to_string())).await
    }

    /// Creates an application and asserts the 201.
    pub async fn apply(&self, ssn: &str, jwt_subject: Option<&str>) -> Reply {
        let reply = self.post("/applications", ORG_TOKEN, application_body(ssn, jwt_subject, None)).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{:#}", reply.body);
        reply
    }

    /// An approved customer with `jwt_subject`, and the deposit account opened for it (Unit opens
    /// none on approval: the integrator calls `POST /accounts`).
    pub async fn approved_customer(&self, jwt_subject: &str) -> Onboarded {
        let application = self.apply(&approved_ssn(), Some(jwt_subject)).await;
        assert_eq!(application.body["data"]["attributes"]["status"], "Approved");
        let customer_id = application.body["data"]["relationships"]["customer"]["data"]["id"]
            .as_str()
            .expect("customer relationship")
            .to_string();
        let account = self.open_account(&customer_id, None).await;
        assert_eq!(account.status, StatusCode::CREATED, "{:#}", account.body);
        Onboarded {
            application_id: application.id(),
            customer_id,
            account_id: account.id(),
            jwt_subject: jwt_subject.to_string(),
        }
    }

    /// `POST /accounts` with a `checking` deposit account for `customer_id`.
    pub async fn open_account(&self, customer_id: &str, key: Option<&str>) -> Reply {
        let mut body = json!({
            "data": {
                "type": "depositAccount",
                "attributes": { "depositProduct": "checking" },
                "relationships": { "customer": { "data": { "type": "customer", "id": customer_id } } }
            }
        });
        if let Some(key) = key {
            body["data"]["attributes"]["idempotencyKey"] = json!(key);
        }
        self.post("/accounts", ORG_TOKEN, body).await
    }

    /// Mints a customer token with a JWT for `who`'s subject; asserts the 201.
    pub async fn customer_token(&self, who: &Onboarded, scope: &str) -> String {
        let jwt = sign_jwt(&who.jwt_subject, 300, Key::Signer, SIGNER_KID);
        let reply =
            self.post(&format!("/customers/{}/token", who.customer_id), ORG_TOKEN, token_body(scope, Some(&jwt))).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{:#}", reply.body);
        reply.body["data"]["attributes"]["token"].as_str().expect("token").to_string()
    }

    /// Creates a physical debit card on `account_id` with `token`.
    pub async fn create_card(&self, token: &str, account_id: &str, key: Option<&str>) -> Reply {
        self.post("/cards", token, card_body(account_id, key)).await
    }

    /// Creates a virtual debit card on `account_id` with `token`.
    pub async fn create_virtual_card(&self, token: &str, account_id: &str, key: Option<&str>) -> Reply {
        let mut body = card_body(account_id, key);
        body["data"]["type"] = json!("individualVirtualDebitCard");
        self.post("/cards", token, body).await
    }
}

/// An approved customer and its account.
#[derive(Debug, Clone)]
pub struct Onboarded {
    pub application_id: String,
    pub customer_id: String,
    pub account_id: String,
    pub jwt_subject: String,
}

static SSN_COUNTER: AtomicU64 = AtomicU64::new(1);

/// A fresh 9-digit SSN ending in `last4`, so that no test depends on whether duplicates are refused.
pub fn ssn_ending(last4: &str) -> String {
    let n = SSN_COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{:05}{last4}", 10_000 + n)
}

/// A fresh SSN that the sandbox approves.
pub fn approved_ssn() -> String {
    ssn_ending("6789")
}

pub fn application_body(ssn: &str, jwt_subject: Option<&str>, key: Option<&str>) -> Value {
    let mut body = json!({
        "data": {
            "type": "individualApplication",
            "attributes": {
                "fullName": { "first": "Ada", "last": "Lovelace" },
                "email": "ada@example.com",
                "phone": { "countryCode": "1", "number": "5555550100" },
                "ssn": ssn,
                "dateOfBirth": "1990-12-10",
                "address": {
                    "street": "20 Ingram St",
                    "city": "Forest Hills",
                    "state": "NY",
                    "postalCode": "11375",
                    "country": "US"
                }
            }
        }
    });
    if let Some(subject) = jwt_subject {
        body["data"]["attributes"]["jwtSubject"] = json!(subject);
    }
    if let Some(key) = key {
        body["data"]["attributes"]["idempotencyKey"] = json!(key);
    }
    body
}

pub fn token_body(scope: &str, jwt: Option<&str>) -> Value {
    let mut body = json!({ "data": { "type": "customerToken", "attributes": { "scope": scope } } });
    if let Some(jwt) = jwt {
        body["data"]["attributes"]["jwtToken"] = json!(jwt);
    }
    body
}

pub fn card_body(account_id: &str, key: Option<&str>) -> Value {
    let mut body = json!({
        "data": {
            "type": "individualDebitCard",
            "attributes": {},
            "relationships": {
                "account": { "data": { "type": "depositAccount", "id": account_id } }
            }
        }
    });
    if let Some(key) = key {
        body["data"]["attributes"]["idempotencyKey"] = json!(key);
    }
    body
}

/// Which private key signs a test JWT.
#[derive(Debug, Clone, Copy)]
pub enum Key {
    /// The key published in the JWKS.
    Signer,
    /// A key the JWKS does not contain.
    Foreign,
}

/// An RS256 JWT for `sub`, expiring `exp_in_seconds` from now (negative: already expired).
pub fn sign_jwt(sub: &str, exp_in_seconds: i64, key: Key, kid: &str) -> String {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).expect("clock").as_secs() as i64;
    let claims = json!({
        "sub": sub,
        "iss": "stytch.com/project-test",
        "aud": ["project-test"],
        "iat": now,
        "nbf": now,
        "exp": now + exp_in_seconds,
    });
    let pem = match key {
        Key::Signer => SIGNER_PEM,
        Key::Foreign => FOREIGN_PEM,
    };
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(kid.to_string());
    encode(&header, &claims, &EncodingKey::from_rsa_pem(pem).expect("PEM fixture")).expect("sign")
}
