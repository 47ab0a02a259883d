//! The bundle under attack: the five functions' real routers, in-process, on one local stack (the
//! sandbox as Stytch and Unit, moto as Secrets Manager), with every log line captured at `trace`
//! through the functions' own JSON subscriber.
//!
//! - [`Bundle`]: start it, drive whole journeys through the real routes, then
//!   [`Bundle::assert_nothing_leaked`].
//! - [`routes`]: every route, with a request that would write upstream if it were let through.
//! - [`forge`]: session JWTs forged against the sandbox's real signing key and JWKS.
//! - [`leaks`]: the credentials a run has seen, and where they must never appear.

pub mod forge;
pub mod leaks;
pub mod routes;

use std::sync::Mutex;

use axum::body::Body;
use cards::CardsDependencies;
use http::{Request, StatusCode};
use serde_json::{Value, json};
use stytch_unit_common::{config::SecretNeeds, telemetry};
pub use test_support::functions::application_body;
use test_support::{
    functions::{Answer, FunctionApi, Side, request},
    logs::CapturedLogs,
    stack::LocalStack,
};
use tracing::{Dispatch, dispatcher::DefaultGuard, instrument::WithSubscriber, level_filters::LevelFilter};

pub use routes::Function;

pub const BOTH: SecretNeeds = SecretNeeds { stytch: true, unit: true };

/// Every scope the cards function needs.
pub const CARD_SCOPES: [&str; 3] = ["accounts", "cards", "cards-write"];

/// The five functions as deployed (each with only the secrets its template grants; cards none).
pub struct Bundle {
    pub signup: FunctionApi,
    pub step_up: FunctionApi,
    pub exchange: FunctionApi,
    pub cards: FunctionApi<CardsDependencies>,
    pub webhooks: FunctionApi,
    pub logs: CapturedLogs,
    pub dispatch: Dispatch,
    credentials: Mutex<Vec<String>>,
}

/// A user signed in through `POST /signup` and `POST /signup/authenticate`: one factor.
#[derive(Debug, Clone)]
pub struct User {
    pub email: String,
    pub user_id: String,
    pub session_jwt: String,
    pub session_token: String,
}

impl User {
    /// The same session, as the sandbox helpers that talk to Stytch directly take it.
    pub fn sandbox_session(&self) -> test_support::stack::SandboxSession {
        test_support::stack::SandboxSession {
            user_id: self.user_id.clone(),
            session_jwt: self.session_jwt.clone(),
            session_token: self.session_token.clone(),
        }
    }
}

/// A user at the end of the whole journey: an approved customer, stepped up, with a Unit customer
/// token for every card scope and one card.
#[derive(Debug, Clone)]
pub struct Customer {
    pub user: User,
    pub customer_id: String,
    pub stepped_up_jwt: String,
    pub unit_token: String,
    pub card_id: String,
    pub account_id: String,
}

impl Customer {
    /// The credential `route` takes from this customer: the stepped-up session JWT, the Unit token,
    /// or none (public and health routes).
    pub fn bearer(&self, route: &routes::Route) -> Option<&str> {
        if route.path.starts_with("/health") {
            None
        } else if route.function == Function::Cards {
            Some(&self.unit_token)
        } else if routes::session_routes().iter().any(|r| r.path == route.path) {
            Some(&self.stepped_up_jwt)
        } else {
            None
        }
    }

    /// `route`'s path with this customer's card (and the first document an application may ask for).
    pub fn path(&self, route: &routes::Route) -> String {
        route
            .path
            .replace("{cardId}", &self.card_id)
            .replace("{documentId}", "1")
            .replace("{phoneId}", "phone-number-test-1")
    }
}

impl Bundle {
    /// `route` as `customer` would call it, with the route's own body.
    pub async fn call_route(&self, customer: &Customer, route: &routes::Route) -> Answer {
        let headers: &[(&str, &str)] =
            if route.takes_idempotency_key() { &[("idempotency-key", "route-key")] } else { &[] };
        let path = customer.path(route);
        if let (Some(media_type), Some(Value::String(file))) = (route.file, &route.body) {
            let mut request = http::Request::builder().method(route.method).uri(&path);
            if let Some(bearer) = customer.bearer(route) {
                request = request.header(http::header::AUTHORIZATION, format!("Bearer {bearer}"));
            }
            let request = request.header(http::header::CONTENT_TYPE, media_type).body(Body::from(file.clone()));
            return self.send(route.function, request.expect("a valid request")).await;
        }
        self.call(route.function, route.method, &path, customer.bearer(route), headers, route.body.clone()).await
    }

    /// A new local stack and the five cold starts against it, each with `extra_env`.
    pub async fn start(extra_env: &[(&str, &str)]) -> Self {
        Self::start_with(extra_env, |_| async {}).await
    }

    /// Like [`start`](Self::start), running `before_cold_start` on the stack first (to arm faults or
    /// change secrets that the cold starts will see).
    pub async fn start_with<F, Fut>(extra_env: &[(&str, &str)], before_cold_start: F) -> Self
    where
        F: FnOnce(std::sync::Arc<LocalStack>) -> Fut,
        Fut: Future<Output = ()>,
    {
        let logs = CapturedLogs::default();
        let dispatch = Dispatch::new(telemetry::subscriber(LevelFilter::TRACE, logs.clone()));
        let started = async {
            let stack = std::sync::Arc::new(LocalStack::start_with(random_credentials()).await);
            before_cold_start(stack.clone()).await;
            let transcript = Default::default();
            let signup = FunctionApi::on(stack, BOTH, signup::router, extra_env, transcript).await;
            let step_up = signup.beside(BOTH, step_up::router, extra_env).await;
            let exchange = signup.beside(BOTH, token_exchange::router, extra_env).await;
            let cards = signup.cards_beside(CardsDependencies::new, cards::router, extra_env);
            let webhooks = signup.beside(BOTH, webhooks::router, extra_env).await;
            (signup, step_up, exchange, cards, webhooks)
        };
        let (signup, step_up, exchange, cards, webhooks) = started.with_subscriber(dispatch.clone()).await;
        let bundle = Self { signup, step_up, exchange, cards, webhooks, logs, dispatch, credentials: Mutex::default() };
        let sandbox = &bundle.stack().sandbox;
        bundle.remember(&sandbox.secret);
        bundle.remember(&sandbox.unit_api_token);
        bundle.remember(&sandbox.unit_webhook_secret);
        bundle
    }

    pub fn stack(&self) -> &LocalStack {
        &self.signup.stack
    }

    /// `request` through `function`'s router.
    pub async fn send(&self, function: Function, request: Request<Body>) -> Answer {
        match function {
            Function::Signup => self.signup.send(request).await,
            Function::StepUp => self.step_up.send(request).await,
            Function::TokenExchange => self.exchange.send(request).await,
            Function::Cards => self.cards.send(request).await,
            Function::Webhooks => self.webhooks.send(request).await,
        }
    }

    /// A request (see [`request`]) through `function`'s router.
    pub async fn call(
        &self,
        function: Function,
        method: &str,
        path: &str,
        bearer: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<Value>,
    ) -> Answer {
        self.send(function, request(method, path, bearer, headers, body)).await
    }

    /// Captures this thread's logs (a `#[tokio::test]` runs every task on it) until dropped.
    pub fn capture_logs(&self) -> DefaultGuard {
        tracing::dispatcher::set_default(&self.dispatch)
    }

    /// A credential that must never reach a log line or an error response.
    pub fn remember(&self, credential: &str) {
        if !credential.is_empty() {
            self.credentials.lock().expect("not poisoned").push(credential.to_owned());
        }
    }

    /// Arms the same fault on both sides.
    pub async fn fault_everywhere(&self, fault: Value) {
        self.signup.fault(Side::Stytch, fault.clone()).await;
        self.signup.fault(Side::Unit, fault).await;
    }

    pub async fn clear_faults(&self) {
        self.signup.clear_faults(Side::Stytch).await;
        self.signup.clear_faults(Side::Unit).await;
    }

    /// Faults that any upstream write (and any read of a Stytch user or of Unit) would consume:
    /// check them with [`assert_no_upstream_write`](Self::assert_no_upstream_write).
    pub async fn arm_write_tripwires(&self) {
        for method in ["POST", "PUT", "PATCH", "DELETE"] {
            self.signup.fault(Side::Stytch, json!({ "method": method, "status": 500, "count": 1 })).await;
        }
        self.signup
            .fault(Side::Stytch, json!({ "method": "GET", "path": "/v1/users", "status": 500, "count": 1 }))
            .await;
        self.signup.fault(Side::Unit, json!({ "status": 500, "count": 1 })).await;
    }

    /// Every tripwire is still armed: nothing was written upstream (and Unit was not even read).
    pub async fn assert_no_upstream_write(&self, context: &str) {
        for (side, armed) in [(Side::Stytch, 5), (Side::Unit, 1)] {
            // (A test may hold the JWKS down with a fault of its own.)
            let faults: Vec<Value> =
                self.signup.armed_faults(side).await.into_iter().filter(|f| f["path"] != "/v1/sessions/jwks").collect();
            assert_eq!(faults.len(), armed, "{context}: a {side:?} tripwire was consumed: {faults:?}");
            assert!(faults.iter().all(|f| f["remaining"] == 1), "{context}: {side:?} was called: {faults:?}");
        }
    }

    /// Email magic link through the signup routes: the one-factor session.
    pub async fn sign_in(&self, email: &str) -> User {
        let sent = self.signup.post("/signup", None, json!({ "email": email })).await;
        assert_eq!(sent.status, StatusCode::ACCEPTED, "{}", sent.text);
        let stack = self.stack();
        let link = stack.outbox_latest(&stack.sandbox.stytch_url, email).await;
        let token = link["token"].as_str().expect("a magic link token");
        self.remember(token);
        let answer = self.signup.post("/signup/authenticate", None, json!({ "token": token })).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
        let text = |name: &str| answer.body[name].as_str().expect("a session field").to_owned();
        User {
            email: email.to_owned(),
            user_id: text("userId"),
            session_jwt: text("sessionJwt"),
            session_token: text("sessionToken"),
        }
    }

    /// `POST /applications` with a complete body and this SSN (remembered as a credential).
    pub async fn apply(&self, user: &User, ssn: &str) -> Answer {
        self.remember(ssn);
        let answer = self.signup.post("/applications", Some(&user.session_jwt), application_body(ssn)).await;
        assert!(answer.status == StatusCode::CREATED || answer.status == StatusCode::OK, "{}", answer.text);
        answer
    }

    /// The phone on the user's application (Unit's KYC record), as step-up texts it.
    pub async fn kyc_phone(&self, user: &User) -> String {
        let metadata = &self.stack().stytch_user(&user.user_id).await["trusted_metadata"];
        metadata["kyc_phone"].as_str().expect("an application was submitted").to_owned()
    }

    /// SMS step-up through the routes, the code read from the KYC phone's outbox: the two-factor
    /// session JWT.
    pub async fn step_up(&self, user: &User) -> String {
        let sent = self.step_up.call("POST", "/step-up/sms/send", Some(&user.session_jwt), None).await;
        assert_eq!(sent.status, StatusCode::ACCEPTED, "{}", sent.text);
        let stack = self.stack();
        let message = stack.outbox_latest(&stack.sandbox.stytch_url, &self.kyc_phone(user).await).await;
        // Not remembered for the leak check: six digits also occur in ids and timestamps.
        let code = message["code"].as_str().expect("an SMS code");
        let answer =
            self.step_up.post("/step-up/sms/authenticate", Some(&user.session_jwt), json!({ "code": code })).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
        answer.body["sessionJwt"].as_str().expect("a session JWT").to_owned()
    }

    /// After [`step_up`](Self::step_up): a TOTP enrolled with `stepped_up_jwt` and activated; its
    /// secret, for later sessions.
    pub async fn enrol_totp(&self, stepped_up_jwt: &str) -> String {
        let enrolment = self.step_up.post("/step-up/totp", Some(stepped_up_jwt), Value::Null).await;
        assert_eq!(enrolment.status, StatusCode::CREATED, "{}", enrolment.text);
        let secret = enrolment.body["secret"].as_str().expect("a TOTP secret").to_owned();
        let code = test_support::functions::totp_code(&secret);
        let answer =
            self.step_up.post("/step-up/totp/authenticate", Some(stepped_up_jwt), json!({ "code": code })).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
        secret
    }

    /// `POST /token` for `scopes`: the Unit customer token.
    pub async fn unit_token(&self, session_jwt: &str, scopes: &[&str]) -> String {
        let answer = self.exchange.post("/token", Some(session_jwt), json!({ "scopes": scopes })).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
        answer.body["token"].as_str().expect("a Unit token").to_owned()
    }

    /// `POST /cards` with this customer token and `Idempotency-Key`.
    pub async fn create_card(&self, unit_token: &str, key: &str) -> Answer {
        self.cards.call_with("POST", "/cards", Some(unit_token), &[("idempotency-key", key)], None).await
    }

    /// The whole journey through the real routes: sign in, apply (approved), step up by SMS,
    /// exchange for a card token, create a card.
    pub async fn customer(&self, email: &str, ssn: &str) -> Customer {
        let user = self.sign_in(email).await;
        let application = self.apply(&user, ssn).await;
        let customer_id = application.body["customerId"].as_str().expect("approved at once").to_owned();
        let stepped_up_jwt = self.step_up(&user).await;
        let unit_token = self.unit_token(&stepped_up_jwt, &CARD_SCOPES).await;
        let card = self.create_card(&unit_token, &format!("first-card-{}", user.user_id)).await;
        assert_eq!(card.status, StatusCode::CREATED, "{}", card.text);
        Customer {
            customer_id,
            stepped_up_jwt,
            unit_token,
            card_id: card.body["id"].as_str().expect("a card id").to_owned(),
            account_id: card.body["accountId"].as_str().expect("an account id").to_owned(),
            user,
        }
    }

    /// No credential this run has seen (remembered, or handed out in a successful answer) appears
    /// in a captured log line or in any error response; nor does anything shaped like a card number.
    pub fn assert_nothing_leaked(&self) {
        let transcript = self.signup.transcript.snapshot();
        let mut credentials = self.credentials.lock().expect("not poisoned").clone();
        for (status, text) in &transcript {
            if status.is_success() {
                leaks::harvest(text, &mut credentials);
            }
        }
        let errors: Vec<&str> =
            transcript.iter().filter(|(status, _)| !status.is_success()).map(|(_, text)| text.as_str()).collect();
        let logs = self.logs.text();
        assert!(!logs.is_empty(), "logs were captured");
        leaks::assert_absent("log lines", &logs, &credentials);
        leaks::assert_absent("error responses", &errors.join("\n"), &credentials);
    }

    /// Forgets the logs, answers and credentials seen so far (after a check, between rounds).
    pub fn forget_what_was_seen(&self) {
        self.logs.clear();
        self.signup.transcript.take();
        let mut credentials = self.credentials.lock().expect("not poisoned");
        credentials.truncate(2); // the sandbox's secret and org token, remembered first
        credentials.shrink_to_fit();
    }
}

/// A sandbox whose Stytch secret and Unit org token are random, as real ones are: the defaults
/// are public, low-entropy test values (runs of zeros) that the leak check would find everywhere.
pub fn random_credentials() -> sandbox::SandboxConfig {
    use std::hash::{BuildHasher, Hasher};
    let random = || {
        (0..3)
            .map(|_| format!("{:016x}", std::collections::hash_map::RandomState::new().build_hasher().finish()))
            .collect::<String>()
    };
    sandbox::SandboxConfig {
        secret: format!("secret-test-{}", random()),
        unit_api_token: format!("v2.public.{}", random()),
        unit_webhook_secret: format!("webhook-{}", random()),
        ..sandbox::SandboxConfig::default()
    }
}

/// A 9-digit SSN the sandbox approves at once, distinct for each `n` below 10^8.
pub fn approvable_ssn(n: u32) -> String {
    // Leading 7 keeps it 9 digits; the last four stay in 1000..=8999, never 9000..=9003 (not approved).
    let n = n % 100_000_000;
    let last4 = 1_000 + n % 8_000;
    format!("7{:04}{last4:04}", (n / 8_000) % 10_000)
}

/// A minimal `join_all` (no extra dependency); on a
/// current-thread runtime the futures overlap at their awaits: polls every future until all are done.
pub async fn join_all<F: Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut futures: Vec<_> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (future, output) in futures.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                match future.as_mut().poll(cx) {
                    std::task::Poll::Ready(value) => *output = Some(value),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending { std::task::Poll::Pending } else { std::task::Poll::Ready(()) }
    })
    .await;
    outputs.into_iter().map(|o| o.expect("done")).collect()
}

/// The process's resident set size in KiB, from `/proc/self/status`.
pub fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status is readable");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS is reported")
}
