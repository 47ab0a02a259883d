//! A function's real router, in-process, wired to the local stack: the sandbox as Stytch and
//! Unit, moto as Secrets Manager. Requests go through `tower::ServiceExt::oneshot`, no socket.
//!
//! [`FunctionApi`] is what every function crate's tests (and the security suite) drive: start it
//! with the function's `router`, call routes, arm sandbox faults, and take the honest shortcuts to
//! a Unit application, a stepped-up session or a forged one. It is generic over what the
//! function's cold start builds: a [`ColdStart`] state for the functions that read secrets
//! ([`Dependencies`] by default), the cards function's own state (from [`cards_cold_start`]) for cards.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use axum::{Router, body::Body};
use http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use stytch_unit_common::{
    SecretString,
    config::{CardsConfig, Config},
    customer_link,
    dependencies::{ColdStart, Dependencies, WebhookDependencies},
    http_client,
    stytch::StytchClient,
    unit::{Address, Application, ApplicationTags, FullName, NewIndividualApplication, Phone, UnitClient, unit_id},
};
use tower::ServiceExt;

use crate::stack::{LocalStack, STYTCH_SECRET_ID, SandboxSession, UNIT_SECRET_ID};

/// The environment a deployed function that reads secrets would have, aimed at the local stack.
pub fn environment(extra: &[(&str, &str)]) -> HashMap<String, String> {
    with_extra(
        &[
            ("STYTCH_SECRET_ID", STYTCH_SECRET_ID),
            ("UNIT_SECRET_ID", UNIT_SECRET_ID),
            ("CORS_ALLOWED_ORIGINS", "http://localhost:3000"),
            ("MAGIC_LINK_REDIRECT_URL", "http://localhost:3000/authenticate"),
            ("APPLICATION_FORM_REDIRECT_URL", "http://localhost:3000/index.html?step=application-form"),
        ],
        extra,
    )
}

/// The cards function's environment as deployed: Unit's URL (the sandbox's), no secret id.
pub fn cards_environment(stack: &LocalStack, extra: &[(&str, &str)]) -> HashMap<String, String> {
    with_extra(&[("UNIT_API_URL", &stack.sandbox.unit_url), ("CORS_ALLOWED_ORIGINS", "http://localhost:3000")], extra)
}

fn with_extra(base: &[(&str, &str)], extra: &[(&str, &str)]) -> HashMap<String, String> {
    base.iter().chain(extra).map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// Runs the cold start of a function whose state is `S` against `stack`, as `main` would.
pub async fn cold_start<S: ColdStart>(stack: &LocalStack, extra_env: &[(&str, &str)]) -> S {
    let env = environment(extra_env);
    let config = Config::from_lookup(S::NEEDS, |name| env.get(name).cloned()).expect("test configuration is valid");
    let http = http_client::build(&config.upstream);
    S::build(config, http, stack.moto.client().await).await.expect("cold start succeeds")
}

/// Runs the cards function's cold start against `stack` as its `main` does: configuration from
/// [`cards_environment`], the HTTP client, then `build` (`cards::CardsDependencies::new`).
pub fn cards_cold_start<S>(
    stack: &LocalStack,
    extra_env: &[(&str, &str)],
    build: fn(CardsConfig, reqwest::Client) -> S,
) -> S {
    let env = cards_environment(stack, extra_env);
    let config = CardsConfig::from_lookup(|name| env.get(name).cloned()).expect("test configuration is valid");
    let http = http_client::build(&config.common.upstream);
    build(config, http)
}

/// Which half of the sandbox a control call is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Stytch,
    Unit,
}

/// One response, read whole.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    /// The body as JSON; `Null` when it is empty or not JSON (then see `text`).
    pub body: Value,
    pub text: String,
}

impl Answer {
    /// Asserts a problem+json answer with this status and code.
    #[track_caller]
    pub fn assert_problem(&self, status: u16, code: &str) {
        assert_problem(self.status, &self.body, status, code);
        let content_type = self.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
        assert_eq!(content_type, Some("application/problem+json"), "{}", self.text);
    }
}

/// Asserts an RFC 9457 problem with this status and code (the `status` member agrees).
#[track_caller]
pub fn assert_problem(status: StatusCode, body: &Value, expected_status: u16, code: &str) {
    assert_eq!(status.as_u16(), expected_status, "{body}");
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["status"], expected_status, "{body}");
}

/// The problem's `code` (empty when there is none).
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

/// Every answer the functions of one stack gave, in order: status and body text (for checks that
/// no credential ever appears in an error response).
#[derive(Clone, Default)]
pub struct Transcript(Arc<Mutex<Vec<(StatusCode, String)>>>);

impl Transcript {
    fn record(&self, status: StatusCode, text: &str) {
        self.0.lock().expect("not poisoned").push((status, text.to_owned()));
    }

    /// Every answer so far, leaving the transcript empty.
    pub fn take(&self) -> Vec<(StatusCode, String)> {
        std::mem::take(&mut *self.0.lock().expect("not poisoned"))
    }

    /// Every answer so far.
    pub fn snapshot(&self) -> Vec<(StatusCode, String)> {
        self.0.lock().expect("not poisoned").clone()
    }
}

/// A function's router after its cold start against a local stack (shared with the functions
/// started [`beside`](FunctionApi::beside) it). `S` is what the cold start built.
pub struct FunctionApi<S = Dependencies> {
    pub stack: Arc<LocalStack>,
    pub dependencies: S,
    pub app: Router,
    /// Shared by the functions started beside this one.
    pub transcript: Transcript,
}

impl<S: ColdStart> FunctionApi<S> {
    /// A new local stack, then the function's cold start against it.
    pub async fn start(router: fn(S) -> Router, extra_env: &[(&str, &str)]) -> Self {
        Self::on(Arc::new(LocalStack::start().await), router, extra_env, Transcript::default()).await
    }

    /// The function's cold start against an existing stack, recording into `transcript`.
    pub async fn on(
        stack: Arc<LocalStack>,
        router: fn(S) -> Router,
        extra_env: &[(&str, &str)],
        transcript: Transcript,
    ) -> Self {
        let dependencies = cold_start(&stack, extra_env).await;
        Self::serving(stack, dependencies, router, transcript)
    }
}

impl<S: Clone> FunctionApi<S> {
    /// `router` over what a cold start built, on `stack`, recording into `transcript`.
    pub fn serving(stack: Arc<LocalStack>, dependencies: S, router: fn(S) -> Router, transcript: Transcript) -> Self {
        let app = router(dependencies.clone());
        Self { stack, dependencies, app, transcript }
    }
}

impl<S> FunctionApi<S> {
    /// Another function on the same stack (same sandbox users, sessions and Unit data).
    pub async fn beside<T: ColdStart>(&self, router: fn(T) -> Router, extra_env: &[(&str, &str)]) -> FunctionApi<T> {
        FunctionApi::on(self.stack.clone(), router, extra_env, self.transcript.clone()).await
    }

    /// The cards function on the same stack: `build` is `cards::CardsDependencies::new`.
    pub fn cards_beside<T: Clone>(
        &self,
        build: fn(CardsConfig, reqwest::Client) -> T,
        router: fn(T) -> Router,
        extra_env: &[(&str, &str)],
    ) -> FunctionApi<T> {
        let dependencies = cards_cold_start(&self.stack, extra_env, build);
        FunctionApi::serving(self.stack.clone(), dependencies, router, self.transcript.clone())
    }

    pub async fn send(&self, request: Request<Body>) -> Answer {
        let response = self.app.clone().oneshot(request).await.expect("router answers");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.expect("body").to_bytes();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        self.transcript.record(status, &text);
        Answer { status, headers, body, text }
    }

    /// A request with a bearer token when given, a JSON body when given, and extra headers.
    pub async fn call_with<M>(
        &self,
        method: M,
        path: &str,
        bearer: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<Value>,
    ) -> Answer
    where
        Method: TryFrom<M>,
        <Method as TryFrom<M>>::Error: Into<http::Error>,
    {
        self.send(request(method, path, bearer, headers, body)).await
    }

    /// A request with a bearer token when given and a JSON body when given.
    pub async fn call<M>(&self, method: M, path: &str, bearer: Option<&str>, body: Option<Value>) -> Answer
    where
        Method: TryFrom<M>,
        <Method as TryFrom<M>>::Error: Into<http::Error>,
    {
        self.call_with(method, path, bearer, &[], body).await
    }

    pub async fn post(&self, path: &str, bearer: Option<&str>, body: Value) -> Answer {
        self.call(Method::POST, path, bearer, Some(body)).await
    }

    pub async fn get(&self, path: &str, bearer: Option<&str>) -> Answer {
        self.call(Method::GET, path, bearer, None).await
    }

    /// Every `(method, path)` is answered by a route, not by the router's 404/405 fallbacks (a
    /// `{…}` path parameter is filled with a Unit-shaped id; no credentials are sent).
    pub async fn assert_routes_served(&self, routes: &[(&str, &str)]) {
        for (method, path) in routes {
            let path = fill_path_parameters(path);
            let answer = self.call(*method, &path, None, None).await;
            assert!(
                answer.status != StatusCode::NOT_FOUND && answer.status != StatusCode::METHOD_NOT_ALLOWED,
                "{method} {path}: {} {}",
                answer.status,
                answer.text
            );
        }
    }

    fn url(&self, side: Side) -> &str {
        match side {
            Side::Stytch => &self.stack.sandbox.stytch_url,
            Side::Unit => &self.stack.sandbox.unit_url,
        }
    }

    /// Arms a sandbox fault (`{"method"?, "path"?, "count"?, "status" | "delay_ms" | "drop"}`).
    pub async fn fault(&self, side: Side, fault: Value) {
        let url = format!("{}/__sandbox/faults", self.url(side));
        let response = self.stack.http.post(url).json(&fault).send().await.expect("sandbox answers");
        assert_eq!(response.status(), 201, "fault armed");
    }

    /// The armed faults of one side, each with its `remaining` count.
    pub async fn armed_faults(&self, side: Side) -> Vec<Value> {
        let url = format!("{}/__sandbox/faults", self.url(side));
        self.stack.http.get(url).send().await.expect("sandbox answers").json().await.expect("JSON")
    }

    pub async fn clear_faults(&self, side: Side) {
        let url = format!("{}/__sandbox/faults", self.url(side));
        let response = self.stack.http.delete(url).send().await.expect("sandbox answers");
        assert_eq!(response.status(), 204, "faults cleared");
    }
}

/// A function state holding our org's clients: the shortcuts below use them as the function would.
pub trait OrgClients {
    fn stytch(&self) -> &StytchClient;
    fn unit(&self) -> &UnitClient;
}

impl OrgClients for Dependencies {
    fn stytch(&self) -> &StytchClient {
        &self.stytch
    }
    fn unit(&self) -> &UnitClient {
        &self.unit
    }
}

impl OrgClients for WebhookDependencies {
    fn stytch(&self) -> &StytchClient {
        &self.stytch
    }
    fn unit(&self) -> &UnitClient {
        &self.unit
    }
}

impl<S: OrgClients> FunctionApi<S> {
    /// A Unit application for `subject` decided by the SSN (see `tests/sandbox/src/unit/decision.rs`),
    /// created with this function's Unit client; once approved, the customer's deposit account is
    /// opened as onboarding opens it (same call, same idempotency key).
    pub async fn submit_application(&self, subject: &str, ssn: &str) -> Application {
        let unit = self.dependencies.unit();
        let application =
            unit.create_application(&individual_application(subject, ssn)).await.expect("Unit creates the application");
        if let Some(customer_id) = &application.customer_id {
            let key = customer_link::account_idempotency_key(customer_id);
            unit.open_deposit_account(&unit_id(customer_id).expect("a Unit id"), &key)
                .await
                .expect("Unit opens the deposit account");
        }
        application
    }

    /// [`submit_application`](Self::submit_application), then recorded in the user's trusted
    /// metadata as signup does.
    pub async fn apply(&self, user_id: &str, ssn: &str) -> Application {
        let application = self.submit_application(user_id, ssn).await;
        let stytch = self.dependencies.stytch();
        // As signup does, with the address the user signed in with as the bound email.
        let user = stytch.get_user(user_id).await.expect("the user exists").user;
        let login_email = user.emails.first().map(|email| email.email.as_str());
        let unit = self.dependencies.unit();
        customer_link::record(stytch, unit, user_id, &application, &[], login_email)
            .await
            .expect("the link is recorded");
        application
    }
}

/// A request with a bearer token when given, a JSON body when given, and extra headers.
pub fn request<M>(
    method: M,
    path: &str,
    bearer: Option<&str>,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> Request<Body>
where
    Method: TryFrom<M>,
    <Method as TryFrom<M>>::Error: Into<http::Error>,
{
    let mut request = Request::builder().method(method).uri(path);
    if let Some(bearer) = bearer {
        request = request.header(header::AUTHORIZATION, format!("Bearer {bearer}"));
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let request = match body {
        Some(body) => request.header(header::CONTENT_TYPE, "application/json").body(Body::from(body.to_string())),
        None => request.body(Body::empty()),
    };
    request.expect("a valid request")
}

/// `path` with each `{name}` replaced by `400001`.
pub fn fill_path_parameters(path: &str) -> String {
    let mut filled = String::with_capacity(path.len());
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        filled.push_str(&rest[..start]);
        filled.push_str("400001");
        rest = rest[start..].find('}').map_or("", |end| &rest[start + end + 1..]);
    }
    filled.push_str(rest);
    filled
}

/// A complete, valid `POST /applications` body (signup's JSON) with this SSN.
pub fn application_body(ssn: &str) -> Value {
    json!({
        "fullName": {"first": "Ada", "last": "Lovelace"},
        "email": "ada@example.com",
        "phone": applicant_phone(ssn),
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

/// The applicant's phone for an SSN: `+1 555` and the SSN's last seven digits, so that applicants
/// with distinct SSNs have distinct phones (Stytch attaches a phone to one user only). It becomes
/// the KYC phone that SMS step-up texts.
pub fn applicant_phone(ssn: &str) -> Phone {
    let digits: String = ssn.chars().filter(char::is_ascii_digit).collect();
    let last7 = &digits[digits.len().saturating_sub(7)..];
    Phone { country_code: "1".into(), number: format!("555{last7:0>7}") }
}

/// A complete individual application (Ada's details) for `subject` with this SSN.
pub fn individual_application(subject: &str, ssn: &str) -> NewIndividualApplication {
    NewIndividualApplication {
        full_name: FullName { first: "Ada".into(), last: "Lovelace".into() },
        email: "ada@example.com".into(),
        phone: applicant_phone(ssn),
        date_of_birth: "1990-12-10".into(),
        address: address(),
        ssn: SecretString::from(ssn.to_owned()),
        jwt_subject: subject.into(),
        idempotency_key: format!("application-{subject}"),
        tags: ApplicationTags { stytch_user_id: subject.into() },
    }
}

pub fn address() -> Address {
    Address {
        street: "20 Ingram St".into(),
        street2: None,
        city: "Forest Hills".into(),
        state: "NY".into(),
        postal_code: "11375".into(),
        country: "US".into(),
    }
}

/// The current code of a base32 TOTP secret: SHA-1, 6 digits, 30 s, as authenticator apps do.
pub fn totp_code(secret: &str) -> String {
    totp(secret).generate_current().to_string()
}

/// The code of the next 30 s step (Stytch accepts one step of clock skew): for a second step-up
/// inside one step, since a code is accepted once.
pub fn next_totp_code(secret: &str) -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("a clock after 1970");
    totp(secret).generate(now.as_secs() + 30).to_string()
}

fn totp(secret: &str) -> totp_rs::Totp {
    let bytes = totp_rs::Secret::try_from_base32(secret).expect("base32 secret");
    totp_rs::Builder::new()
        .with_algorithm(totp_rs::Algorithm::SHA1)
        .with_digits(6)
        .with_step_duration(30)
        .with_secret(bytes)
        .build()
        .expect("a valid TOTP")
}

impl LocalStack {
    /// A Stytch call with the project credentials; asserts success.
    pub async fn stytch_post(&self, path: &str, body: Value) -> Value {
        let response = self
            .http
            .post(format!("{}{path}", self.sandbox.stytch_url))
            .basic_auth(&self.sandbox.project_id, Some(&self.sandbox.secret))
            .json(&body)
            .send()
            .await
            .expect("sandbox answers");
        assert!(response.status().is_success(), "{path}: {}", response.status());
        response.json().await.expect("JSON")
    }

    /// The Stytch user as the sandbox holds it (project credentials).
    pub async fn stytch_user(&self, user_id: &str) -> Value {
        self.http
            .get(format!("{}/v1/users/{user_id}", self.sandbox.stytch_url))
            .basic_auth(&self.sandbox.project_id, Some(&self.sandbox.secret))
            .send()
            .await
            .expect("sandbox answers")
            .json()
            .await
            .expect("JSON")
    }

    /// A Unit call with the org token; asserts success.
    pub async fn unit_org(&self, method: Method, path: &str) -> Value {
        self.unit_org_send(method, path, None).await
    }

    /// A Unit create with the org token and a JSON:API `body`; asserts success.
    pub async fn unit_org_post(&self, path: &str, body: Value) -> Value {
        self.unit_org_send(Method::POST, path, Some(body)).await
    }

    async fn unit_org_send(&self, method: Method, path: &str, body: Option<Value>) -> Value {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.sandbox.unit_url))
            .bearer_auth(&self.sandbox.unit_api_token)
            .header("content-type", "application/vnd.api+json");
        if let Some(body) = body {
            request = request.body(body.to_string());
        }
        let response = request.send().await.expect("sandbox answers");
        assert!(response.status().is_success(), "{path}: {}", response.status());
        response.json().await.expect("JSON")
    }

    /// Texts a code to `phone` (at Stytch directly) and authenticates it into `session`: the fresh
    /// two-factor session JWT. With the applicant's phone ([`applicant_phone`]) that is a bound
    /// second factor; with any other phone it is the attacker's move the step-up rule refuses.
    pub async fn step_up_sms(&self, session: &SandboxSession, phone: &str) -> String {
        let sent = self
            .stytch_post("/v1/otps/sms/send", json!({ "phone_number": phone, "session_token": session.session_token }))
            .await;
        let code = self.outbox_latest(&self.sandbox.stytch_url, phone).await["code"].clone();
        let authenticated = self
            .stytch_post(
                "/v1/otps/authenticate",
                json!({ "method_id": sent["phone_id"], "code": code, "session_token": session.session_token }),
            )
            .await;
        authenticated["session_jwt"].as_str().expect("a session JWT").to_owned()
    }

    /// A JWT of the live session `session_token`, signed by the sandbox's current key (or, with
    /// `foreign_key`, by a key not in the JWKS under the current `kid`), with `claims` replaced
    /// (`null` removes a claim).
    pub async fn forge_session(&self, session_token: &str, claims: Value, foreign_key: bool) -> String {
        let response: Value = self
            .http
            .post(format!("{}/__sandbox/sessions/jwt", self.sandbox.stytch_url))
            .json(&json!({ "session_token": session_token, "claims": claims, "foreign_key": foreign_key }))
            .send()
            .await
            .expect("sandbox answers")
            .json()
            .await
            .expect("JSON");
        response["session_jwt"].as_str().expect("a session JWT").to_owned()
    }

    /// Everything back to empty on both sandbox sides (users, sessions, codes, outbox, faults, Unit
    /// data); the signing keys stay, so cached JWKS stay valid.
    pub async fn reset(&self) {
        let response = self.http.post(format!("{}/__sandbox/reset", self.sandbox.stytch_url)).send().await;
        assert_eq!(response.expect("sandbox answers").status(), 204, "sandbox reset");
    }

    /// Revokes Unit's org token at the sandbox, as an operator would at Unit: it then answers 401.
    pub async fn revoke_unit_org_token(&self) {
        let url = format!("{}/__sandbox/org-token/revoke", self.sandbox.unit_url);
        let response = self.http.post(url).send().await.expect("sandbox answers");
        assert_eq!(response.status(), 204, "org token revoked");
    }

    /// Turns Unit's org setting `preventDuplicateIndividualApplications` on or off at the sandbox (off
    /// unless configured otherwise), as an org admin would in Unit's dashboard.
    pub async fn prevent_duplicate_applications(&self, prevent: bool) {
        let url = format!("{}/__sandbox/org-settings", self.sandbox.unit_url);
        let body = json!({ "preventDuplicateIndividualApplications": prevent });
        let response = self.http.patch(url).json(&body).send().await.expect("sandbox answers");
        assert_eq!(response.status(), 200, "org settings changed");
    }

    /// Fills in the Unit application form at `form_url` as the applicant would (the sandbox's submit
    /// control stands in for Unit's hosted page): the details of [`application_body`] with this SSN,
    /// the email left to the form's prefill. Answers the application Unit created.
    pub async fn fill_in_application_form(&self, form_url: &str, ssn: &str) -> Value {
        let mut attributes = application_body(ssn);
        attributes.as_object_mut().expect("an object").remove("email");
        attributes["ssn"] = json!(ssn.replace('-', ""));
        let body = json!({ "data": { "type": "individualApplication", "attributes": attributes } });
        let response = self
            .http
            .post(format!("{form_url}/submit"))
            .header("content-type", "application/vnd.api+json")
            .json(&body)
            .send()
            .await
            .expect("sandbox answers");
        assert_eq!(response.status(), 201, "application form submitted");
        response.json().await.expect("JSON")
    }

    /// Revokes the session at Stytch (its JWTs still verify locally until they expire).
    pub async fn revoke_session(&self, session_token: &str) {
        self.stytch_post("/v1/sessions/revoke", json!({ "session_token": session_token })).await;
    }
}
