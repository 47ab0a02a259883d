//! The cards routes through the real router against the local stack, with real Unit customer
//! tokens minted by the sandbox.

use axum::{Router, body::Body};
use http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use stytch_unit_common::{
    ExposeSecret, SecretString,
    config::SecretNeeds,
    startup::Dependencies,
    unit::{Address, CustomerTokenRequest, FullName, NewIndividualApplication, Phone, TokenProof, VerificationChannel},
};
use test_support::stack::LocalStack;
use tower::ServiceExt;

const NEEDS: SecretNeeds = SecretNeeds { stytch: false, unit: true };

struct Harness {
    stack: LocalStack,
    deps: Dependencies,
    app: Router,
}

/// An approved customer and a customer token for it.
struct Customer {
    customer_id: String,
    token: String,
}

impl Harness {
    async fn start(extra_env: &[(&str, &str)]) -> Self {
        let stack = LocalStack::start().await;
        let deps = test_support::functions::cold_start(&stack, NEEDS, extra_env).await;
        let app = cards::router(deps.clone());
        Self { stack, deps, app }
    }

    /// An application approved at once (the SSN decides), then a token through Unit's SMS path
    /// (the sandbox passcode), as `POST /token` would return it.
    async fn customer(&self, subject: &str, ssn: &str, scopes: &[&str]) -> Customer {
        let unit = self.deps.unit().unwrap();
        let application = unit
            .create_application(&NewIndividualApplication {
                full_name: FullName { first: "Ada".into(), last: "Lovelace".into() },
                email: "ada@example.com".into(),
                phone: Phone { country_code: "1".into(), number: "5555550100".into() },
                date_of_birth: "1990-12-10".into(),
                address: address(),
                ssn: SecretString::from(ssn.to_owned()),
                jwt_subject: subject.into(),
                idempotency_key: format!("application-{subject}"),
            })
            .await
            .unwrap();
        let customer_id = application.customer_id.expect("approved");
        let token = self.token(&customer_id, scopes).await;
        Customer { customer_id, token }
    }

    async fn token(&self, customer_id: &str, scopes: &[&str]) -> String {
        let unit = self.deps.unit().unwrap();
        let verification = unit.create_token_verification(customer_id, VerificationChannel::Sms).await.unwrap();
        let scopes: Vec<String> = scopes.iter().map(|s| s.to_string()).collect();
        let code = SecretString::from("000001");
        let request = CustomerTokenRequest {
            scopes: &scopes,
            expires_in: Some(600),
            proof: TokenProof::Verification { token: &verification, code: &code },
        };
        unit.create_customer_token(customer_id, &request).await.unwrap().token.expose_secret().to_owned()
    }

    async fn call(&self, method: &str, uri: &str, token: Option<&str>, body: Option<Value>) -> (StatusCode, Value) {
        self.call_with_key(method, uri, token, None, body).await
    }

    async fn call_with_key(
        &self,
        method: &str,
        uri: &str,
        token: Option<&str>,
        key: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = Request::builder().method(method).uri(uri);
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        if let Some(key) = key {
            request = request.header("idempotency-key", key);
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

    async fn send(&self, request: Request<Body>) -> (StatusCode, Value) {
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

    async fn create(&self, token: &str, key: &str, body: Value) -> (StatusCode, Value) {
        self.call_with_key("POST", "/cards", Some(token), Some(key), Some(body)).await
    }

    async fn fault(&self, fault: Value) {
        let url = format!("{}/__sandbox/faults", self.stack.sandbox.unit_url);
        assert!(self.stack.http.post(url).json(&fault).send().await.unwrap().status().is_success());
    }

    async fn faults(&self) -> Value {
        let url = format!("{}/__sandbox/faults", self.stack.sandbox.unit_url);
        self.stack.http.get(url).send().await.unwrap().json().await.unwrap()
    }

    async fn clear_faults(&self) {
        let url = format!("{}/__sandbox/faults", self.stack.sandbox.unit_url);
        self.stack.http.delete(url).send().await.unwrap();
    }
}

fn address() -> Address {
    Address {
        street: "20 Ingram St".into(),
        street2: None,
        city: "Forest Hills".into(),
        state: "NY".into(),
        postal_code: "11375".into(),
        country: "US".into(),
    }
}

fn assert_problem(status: StatusCode, body: &Value, expected_status: u16, code: &str) {
    assert_eq!(status.as_u16(), expected_status, "{body}");
    assert_eq!(body["code"], code, "{body}");
}

const ALL: [&str; 3] = ["accounts", "cards", "cards-write"];

#[tokio::test]
async fn every_listed_route_is_routed() {
    let h = Harness::start(&[]).await;
    for (method, path) in cards::ROUTES {
        let path = path.replace("{cardId}", "400001");
        let (status, body) = h.call(method, &path, None, None).await;
        assert!(
            status != StatusCode::NOT_FOUND && status != StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}: {status} {body}"
        );
    }
    let (status, body) = h.call("DELETE", "/cards/400001", None, None).await;
    assert_problem(status, &body, 405, "method_not_allowed");
}

#[tokio::test]
async fn a_customer_creates_lists_and_manages_cards() {
    let h = Harness::start(&[]).await;
    let ada = h.customer("user-test-ada", "123456789", &ALL).await;
    let token = ada.token.as_str();

    // The Idempotency-Key is required and checked before Unit is called.
    let (status, body) = h.call("POST", "/cards", Some(token), Some(json!({}))).await;
    assert_problem(status, &body, 400, "idempotency_key_required");
    let (status, body) = h.create(token, &"k".repeat(256), json!({})).await;
    assert_problem(status, &body, 400, "validation_failed");
    assert_eq!(body["errors"][0]["field"], "Idempotency-Key");

    // One key, two requests (the second with another body): one card. No body at all is fine.
    let (status, first) = h.call_with_key("POST", "/cards", Some(token), Some("key-1"), None).await;
    assert_eq!(status, 201, "{first}");
    let (status, again) = h.create(token, "key-1", json!({ "shippingAddress": address() })).await;
    assert_eq!(status, 201, "{again}");
    assert_eq!(again["id"], first["id"]);
    let mut keys: Vec<&str> = first.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["accountId", "createdAt", "expirationDate", "id", "last4Digits", "status"]);
    assert_eq!(first["status"], "Active");
    let card_id = first["id"].as_str().unwrap().to_owned();
    let account_id = first["accountId"].as_str().unwrap().to_owned();

    // Another key, with the account named: a second card.
    let (status, second) = h.create(token, "key-2", json!({ "accountId": account_id })).await;
    assert_eq!(status, 201, "{second}");
    assert_ne!(second["id"], first["id"]);

    let (status, list) = h.call("GET", "/cards", Some(token), None).await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["total"], 2);
    assert_eq!(list["cards"].as_array().unwrap().len(), 2);
    let (status, page) = h.call("GET", "/cards?limit=1&offset=1", Some(token), None).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!((page["total"].as_u64(), page["cards"].as_array().unwrap().len()), (Some(2), 1));
    assert_eq!(page["cards"][0]["id"], first["id"], "newest first");

    let (status, card) = h.call("GET", &format!("/cards/{card_id}"), Some(token), None).await;
    assert_eq!(status, 200, "{card}");
    assert_eq!(card, first);

    let action = |name: &str| format!("/cards/{card_id}/{name}");
    let (status, card) = h.call("POST", &action("freeze"), Some(token), None).await;
    assert_eq!((status.as_u16(), card["status"].as_str()), (200, Some("Frozen")), "{card}");
    let (status, body) = h.call("POST", &action("freeze"), Some(token), None).await;
    assert_problem(status, &body, 409, "card_status_conflict");
    let (status, card) = h.call("POST", &action("unfreeze"), Some(token), None).await;
    assert_eq!((status.as_u16(), card["status"].as_str()), (200, Some("Active")), "{card}");
    let (status, card) = h.call("POST", &action("close"), Some(token), None).await;
    assert_eq!((status.as_u16(), card["status"].as_str()), (200, Some("ClosedByCustomer")), "{card}");
    let (status, body) = h.call("POST", &action("unfreeze"), Some(token), None).await;
    assert_problem(status, &body, 409, "card_status_conflict");

    // Another customer: Ada's card does not exist for them, and the same key is theirs alone.
    let grace = h.customer("user-test-grace", "223456789", &ALL).await;
    for (method, path) in [("GET", format!("/cards/{card_id}")), ("POST", action("freeze")), ("POST", action("close"))]
    {
        let (status, body) = h.call(method, &path, Some(&grace.token), None).await;
        assert_problem(status, &body, 404, "card_not_found");
    }
    // A smuggled customerId (Ada's) is ignored: the card is Grace's, on Grace's account.
    let (status, card) =
        h.create(&grace.token, "key-1", json!({ "customerId": ada.customer_id, "customer": ada.customer_id })).await;
    assert_eq!(status, 201, "{card}");
    assert_ne!(card["id"], first["id"]);
    assert_ne!(card["accountId"].as_str(), Some(account_id.as_str()));
    let (_, list) = h.call("GET", "/cards", Some(&grace.token), None).await;
    assert_eq!(list["total"], 1);
    // Naming Ada's account does not work either.
    let (status, body) = h.create(&grace.token, "key-3", json!({ "accountId": account_id })).await;
    assert_problem(status, &body, 400, "validation_failed");
    assert_eq!(body["errors"][0]["field"], "accountId");

    // Card ids that cannot be Unit ids are not found, without asking Unit.
    h.fault(json!({ "status": 500, "count": 1 })).await;
    let (status, body) = h.call("GET", "/cards/abc", Some(token), None).await;
    assert_problem(status, &body, 404, "card_not_found");
    let (status, body) = h.call("POST", "/cards/0123/freeze", Some(token), None).await;
    assert_problem(status, &body, 404, "card_not_found");
    assert_eq!(h.faults().await[0]["remaining"], 1);
}

#[tokio::test]
async fn tokens_and_scopes_are_unit_s_to_judge() {
    let h = Harness::start(&[]).await;
    let (status, body) = h.call("GET", "/cards", None, None).await;
    assert_problem(status, &body, 401, "missing_credentials");
    let (status, body) = h.call("GET", "/cards", Some("v2.public.not-a-real-token"), None).await;
    assert_problem(status, &body, 401, "invalid_unit_token");

    let reader = h.customer("user-test-reader", "323456789", &["cards"]).await;
    let (status, body) = h.call("GET", "/cards", Some(&reader.token), None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, json!({ "cards": [], "total": 0 }));
    // Creating needs cards-write (and, without accountId, accounts to find the account).
    let (status, body) = h.create(&reader.token, "key-1", json!({})).await;
    assert_problem(status, &body, 403, "insufficient_scope");
    let writer = h.token(&reader.customer_id, &["accounts", "cards"]).await;
    let (status, body) = h.create(&writer, "key-1", json!({})).await;
    assert_problem(status, &body, 403, "insufficient_scope");
}

#[tokio::test]
async fn bad_input_is_refused_with_every_field_named() {
    let h = Harness::start(&[]).await;
    let ada = h.customer("user-test-ada", "423456789", &ALL).await;
    let token = ada.token.as_str();
    h.fault(json!({ "status": 500, "count": 1 })).await;

    for query in ["limit=0", "limit=101", "limit=ten", "offset=-1", "limit=5&limit=6"] {
        let (status, body) = h.call("GET", &format!("/cards?{query}"), Some(token), None).await;
        assert_problem(status, &body, 400, "validation_failed");
    }
    let (status, body) = h.call("GET", "/cards?limit=0&offset=x", Some(token), None).await;
    assert_problem(status, &body, 400, "validation_failed");
    assert_eq!(body["errors"].as_array().unwrap().len(), 2);

    let (status, body) = h
        .create(
            token,
            "key-1",
            json!({ "accountId": "acc-1", "shippingAddress": { "street": "", "city": "X", "state": "New York",
                    "postalCode": "1137", "country": "usa" } }),
        )
        .await;
    assert_problem(status, &body, 400, "validation_failed");
    let fields: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["accountId", "shippingAddress.street", "shippingAddress.country"]);
    let (status, body) =
        h.create(token, "key-1", json!({ "shippingAddress": { "street": "1 Main St", "city": "X" } })).await;
    assert_problem(status, &body, 400, "validation_failed");
    assert_eq!(body["errors"][0]["field"], "shippingAddress.state");
    let (status, body) = h.create(token, "key-1", json!({ "accountId": 300001 })).await;
    assert_problem(status, &body, 400, "validation_failed");

    let bad_json = Request::post("/cards")
        .header("authorization", format!("Bearer {token}"))
        .header("idempotency-key", "key-1")
        .header("content-type", "application/json")
        .body(Body::from("{\"accountId\":"))
        .unwrap();
    let (status, body) = h.send(bad_json).await;
    assert_problem(status, &body, 400, "invalid_body");
    let untyped = Request::post("/cards")
        .header("authorization", format!("Bearer {token}"))
        .header("idempotency-key", "key-1")
        .body(Body::from("{}"))
        .unwrap();
    let (status, body) = h.send(untyped).await;
    assert_problem(status, &body, 415, "unsupported_media_type");

    assert_eq!(h.faults().await[0]["remaining"], 1, "Unit was not called");
}

#[tokio::test]
async fn unit_down_is_502_slow_is_504_and_429_is_passed_on() {
    let h = Harness::start(&[("UPSTREAM_TIMEOUT_MS", "300")]).await;
    let ada = h.customer("user-test-ada", "523456789", &ALL).await;
    let token = ada.token.as_str();

    h.fault(json!({ "status": 503, "count": 10 })).await;
    let (status, body) = h.call("GET", "/cards", Some(token), None).await;
    assert_problem(status, &body, 502, "upstream_error");
    h.clear_faults().await;

    h.fault(json!({ "path": "/cards", "delay_ms": 2000, "count": 10 })).await;
    let (status, body) = h.create(token, "key-1", json!({})).await;
    assert_problem(status, &body, 504, "upstream_timeout");
    h.clear_faults().await;

    h.fault(json!({ "status": 429, "count": 10 })).await;
    let request =
        Request::get("/cards").header("authorization", format!("Bearer {token}")).body(Body::empty()).unwrap();
    let response = h.app.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), 429);
    assert!(response.headers().contains_key("retry-after"));
    h.clear_faults().await;

    // The timed-out create is safe to repeat with the same key: still one card.
    let (status, first) = h.create(token, "key-1", json!({})).await;
    assert_eq!(status, 201, "{first}");
    let (_, again) = h.create(token, "key-1", json!({})).await;
    assert_eq!(again["id"], first["id"]);
    let (_, list) = h.call("GET", "/cards", Some(token), None).await;
    assert_eq!(list["total"], 1);
}
