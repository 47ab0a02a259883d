//! The Stytch client against the local sandbox, with its credentials read from a real moto
//! Secrets Manager: every call, the error mapping, retries under injected faults, timeouts and
//! secret rotation.

use std::{sync::Arc, time::Duration};

use sandbox::{RunningSandbox, SandboxConfig};
use serde_json::{Map, Value, json};
use stytch_unit_common::{
    ExposeSecret,
    http::{ApiError, Code, Upstream},
    secrets::{CachedSecret, StytchCredentials},
    session::{FactorType, JwksCache, JwksSettings, SessionVerifier, VerifiedSession, VerifierSettings},
    step_up::StepUpShortfall,
    stytch::{
        MagicLinkAuthenticate, MagicLinkLoginOrCreate, OtpAuthenticate, SessionAuthenticate, SessionRef, SessionRevoke,
        SmsSend, StytchClient, StytchError, StytchErrorType, TotpAuthenticate, TotpCreate, TotpRecover, UpdateUser,
    },
    upstream::{RetryPolicy, TransportError},
};
use test_support::{
    logs::{CapturedLogs, leaked_fragments},
    moto::MotoServer,
};
use time::OffsetDateTime;
use tracing_subscriber::EnvFilter;

const SECRET_ID: &str = "app/stytch";
/// The user Stytch's Test environment (and the sandbox) always has.
const SANDBOX_USER_ID: &str = "user-test-e3795c81-f849-4167-bfda-e4a6e9c280fd";
const FIVE_MINUTES: Duration = Duration::from_secs(300);

struct Harness {
    sandbox: RunningSandbox,
    moto: MotoServer,
    credentials: Arc<CachedSecret<StytchCredentials>>,
    client: StytchClient,
    control: reqwest::Client,
}

/// A logged-in user: magic link authenticated with a new session.
struct Login {
    user_id: String,
    session_token: String,
    session_jwt: String,
}

fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(50),
        budget: Duration::from_secs(10),
        attempt_timeout: Duration::from_secs(5),
    }
}

fn http(timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(2))
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn secret_json(sandbox: &RunningSandbox, secret: &str) -> String {
    json!({ "project_id": sandbox.project_id, "secret": secret, "base_url": sandbox.stytch_url }).to_string()
}

impl Harness {
    async fn start() -> Self {
        Self::start_with(http(Duration::from_secs(5)), None).await
    }

    /// `secret`: what moto holds at first (the sandbox's own secret when `None`).
    async fn start_with(http: reqwest::Client, secret: Option<&str>) -> Self {
        let sandbox = sandbox::spawn(SandboxConfig::default()).await.expect("sandbox starts");
        let moto = MotoServer::start().await;
        moto.create_secret(SECRET_ID, &secret_json(&sandbox, secret.unwrap_or(&sandbox.secret))).await;
        let credentials = Arc::new(CachedSecret::new(moto.client().await, SECRET_ID.into(), Duration::from_secs(300)));
        // Cached now, as at a cold start.
        credentials.get().await.expect("the Stytch secret is readable");
        let client = StytchClient::new(http, credentials.clone(), fast_retries());
        Self { sandbox, moto, credentials, client, control: reqwest::Client::new() }
    }

    async fn outbox(&self, to: &str) -> Vec<Value> {
        self.control
            .get(format!("{}/__sandbox/outbox", self.sandbox.stytch_url))
            .query(&[("to", to)])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    async fn last_message(&self, to: &str, field: &str) -> String {
        let messages = self.outbox(to).await;
        let last = messages.last().unwrap_or_else(|| panic!("no message to {to}"));
        last[field].as_str().unwrap_or_else(|| panic!("message without {field}")).to_owned()
    }

    async fn fault(&self, spec: Value) {
        let response = self
            .control
            .post(format!("{}/__sandbox/faults", self.sandbox.stytch_url))
            .json(&spec)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "fault {spec} armed: {}", response.status());
    }

    async fn login(&self, email: &str) -> Login {
        self.client.magic_link_login_or_create(&MagicLinkLoginOrCreate::new(email)).await.unwrap();
        let token = self.last_message(email, "token").await;
        let mut request = MagicLinkAuthenticate::new(token);
        request.session_duration_minutes = Some(60);
        let response = self.client.magic_link_authenticate(&request).await.unwrap();
        Login {
            user_id: response.user_id,
            session_token: response.issued.session_token.expect("a session token").expose_secret().to_owned(),
            session_jwt: response.issued.session_jwt.expect("a session JWT").expose_secret().to_owned(),
        }
    }

    fn verifier(&self) -> SessionVerifier {
        let base = url::Url::parse(&self.sandbox.stytch_url).unwrap();
        let jwks = JwksCache::new(
            http(Duration::from_secs(5)),
            JwksCache::jwks_url(&base, &self.sandbox.project_id),
            JwksSettings {
                ttl: Duration::from_secs(600),
                refresh_cooldown: Duration::from_secs(30),
                fetch_timeout: Duration::from_secs(5),
            },
        );
        SessionVerifier::new(
            jwks,
            VerifierSettings {
                project_id: self.sandbox.project_id.clone(),
                extra_issuers: vec![],
                leeway: Duration::from_secs(5),
                max_token_age: None,
            },
        )
    }

    async fn verify(&self, jwt: &str) -> VerifiedSession {
        self.verifier().verify(jwt).await.expect("the session JWT verifies")
    }
}

/// A code guaranteed to differ from `code` (each digit shifted by one).
fn wrong(code: &str) -> String {
    code.chars().map(|c| char::from(b'0' + (c.to_digit(10).unwrap() as u8 + 1) % 10)).collect()
}

fn api_error_type(error: &StytchError) -> &str {
    match error {
        StytchError::Api { error_type, .. } => error_type.as_str(),
        other => panic!("expected a Stytch API error, got {other:?}"),
    }
}

fn mapped(error: StytchError) -> (u16, &'static str) {
    let error = ApiError::from(error);
    (error.status().as_u16(), error.code())
}

/// Captures this thread's logs of our crate (the sandbox's own logs are not ours to check).
fn capture_logs() -> (CapturedLogs, tracing::subscriber::DefaultGuard) {
    let logs = CapturedLogs::default();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_writer(logs.clone())
        .with_env_filter(EnvFilter::new("stytch_unit_common=trace"))
        .finish();
    let guard = tracing::subscriber::set_default(subscriber);
    (logs, guard)
}

#[tokio::test]
async fn a_magic_link_logs_in_with_a_session_whose_jwt_verifies() {
    let h = Harness::start().await;
    let email = "ada@example.com";

    let first = h.client.magic_link_login_or_create(&MagicLinkLoginOrCreate::new(email)).await.unwrap();
    assert!(first.user_created);
    assert!(first.user_id.starts_with("user-test-") && first.email_id.starts_with("email-test-"));
    let mut again = MagicLinkLoginOrCreate::new(email);
    again.login_magic_link_url = Some("https://app.example.com/authenticate".into());
    again.login_expiration_minutes = Some(15);
    let second = h.client.magic_link_login_or_create(&again).await.unwrap();
    assert!(!second.user_created);
    assert_eq!(second.user_id, first.user_id);
    assert_eq!(h.outbox(email).await.len(), 2);

    let token = h.last_message(email, "token").await;
    let mut request = MagicLinkAuthenticate::new(token.clone());
    request.session_duration_minutes = Some(60);
    assert!(!format!("{request:?}").contains(&token), "the token never shows in Debug");
    let response = h.client.magic_link_authenticate(&request).await.unwrap();
    assert_eq!(response.user_id, first.user_id);
    assert_eq!(response.method_id, first.email_id);
    let session = response.issued.session.as_ref().expect("a session");
    assert_eq!(session.user_id, first.user_id);
    assert_eq!(session.authentication_factors.len(), 1);
    assert_eq!(session.authentication_factors[0].kind, FactorType::MagicLink);
    assert!(session.expires_at > OffsetDateTime::now_utc() + time::Duration::minutes(55));
    let user = response.user.as_ref().expect("the user");
    assert!(user.emails.iter().any(|e| e.email == email && e.verified));

    let jwt = response.issued.session_jwt.as_ref().expect("a JWT").expose_secret();
    let token = response.issued.session_token.as_ref().expect("a token").expose_secret();
    let debug = format!("{response:?}");
    assert!(!debug.contains(jwt) && !debug.contains(token), "credentials never show in Debug");

    let verified = h.verify(jwt).await;
    assert_eq!(verified.user_id, first.user_id);
    assert_eq!(verified.session_id, session.session_id);
    assert_eq!(verified.check_two_factor(FIVE_MINUTES, OffsetDateTime::now_utc()), Err(StepUpShortfall::SingleFactor));

    // Without session_duration_minutes Stytch starts no session: its empty strings become None.
    h.client.magic_link_login_or_create(&MagicLinkLoginOrCreate::new(email)).await.unwrap();
    let token = h.last_message(email, "token").await;
    let no_session = h.client.magic_link_authenticate(&MagicLinkAuthenticate::new(token.clone())).await.unwrap();
    assert!(no_session.issued.session_token.is_none());
    assert!(no_session.issued.session_jwt.is_none());
    assert!(no_session.issued.session.is_none());

    // A used link, and one that never existed.
    let used = h.client.magic_link_authenticate(&MagicLinkAuthenticate::new(token)).await.unwrap_err();
    assert!(used.is(&StytchErrorType::UnableToAuthMagicLink), "{used:?}");
    assert_eq!(mapped(used), (401, "invalid_magic_link"));
    let unknown = h.client.magic_link_authenticate(&MagicLinkAuthenticate::new("no-such-token")).await.unwrap_err();
    assert!(unknown.is(&StytchErrorType::MagicLinkNotFound), "{unknown:?}");
    assert_eq!(mapped(unknown), (401, "invalid_magic_link"));
}

#[tokio::test]
async fn a_totp_enrolment_adds_a_second_factor_and_recovery_codes_work_once() {
    let h = Harness::start().await;
    let (logs, _guard) = capture_logs();
    let login = h.login("grace@example.com").await;

    let created = h.client.totp_create(&TotpCreate::new(&login.user_id)).await.unwrap();
    assert_eq!(created.user_id, login.user_id);
    assert_eq!(created.recovery_codes.len(), 10);
    assert!(created.qr_code.expose_secret().starts_with("data:image/png;base64,"));
    let secret = created.secret.expose_secret().to_owned();
    let debug = format!("{created:?}");
    assert!(!debug.contains(&secret) && !debug.contains(created.recovery_codes[0].expose_secret()));

    // A wrong code is refused as invalid_code, and does not enrol.
    let code = test_support::functions::totp_code(&secret);
    let mut bad = TotpAuthenticate::new(&login.user_id, wrong(&code));
    bad.session = Some(SessionRef::jwt(&login.session_jwt));
    let refused = h.client.totp_authenticate(&bad).await.unwrap_err();
    assert_eq!(api_error_type(&refused), "unable_to_authenticate_totp");
    assert_eq!(mapped(refused), (401, "invalid_code"));

    let mut request = TotpAuthenticate::new(&login.user_id, code);
    request.session = Some(SessionRef::jwt(&login.session_jwt));
    let stepped_up = h.client.totp_authenticate(&request).await.unwrap();
    assert_eq!(stepped_up.totp_id, created.totp_id);
    assert!(stepped_up.issued.session_token.is_none(), "authenticating with a JWT gives no token back");
    let session = stepped_up.issued.session.as_ref().unwrap();
    let kinds: Vec<_> = session.authentication_factors.iter().map(|f| f.kind.clone()).collect();
    assert_eq!(kinds, [FactorType::MagicLink, FactorType::Totp]);
    let verified = h.verify(stepped_up.issued.session_jwt.as_ref().unwrap().expose_secret()).await;
    assert_eq!(verified.user_id, login.user_id);
    assert_eq!(verified.check_two_factor(FIVE_MINUTES, OffsetDateTime::now_utc()), Ok(()));

    // Only one active TOTP per user.
    let conflict = h.client.totp_create(&TotpCreate::new(&login.user_id)).await.unwrap_err();
    assert!(conflict.is(&StytchErrorType::ActiveTotpExists), "{conflict:?}");
    assert_eq!(mapped(conflict), (409, "totp_already_enrolled"));

    // A recovery code works once, and adds its factor to the session it is given.
    let recovery_code = created.recovery_codes[0].expose_secret().to_owned();
    let mut recover = TotpRecover::new(&login.user_id, &recovery_code);
    recover.session = Some(SessionRef::token(&login.session_token));
    let recovered = h.client.totp_recover(&recover).await.unwrap();
    assert_eq!(recovered.totp_id, created.totp_id);
    assert!(recovered.issued.session_token.is_some(), "authenticating with the token gives it back");
    let factors = &recovered.issued.session.as_ref().unwrap().authentication_factors;
    assert!(factors.iter().any(|f| f.kind == FactorType::RecoveryCodes));
    let again = h.client.totp_recover(&TotpRecover::new(&login.user_id, &recovery_code)).await.unwrap_err();
    assert_eq!(api_error_type(&again), "unable_to_authenticate_recovery_code");
    assert_eq!(mapped(again), (401, "invalid_code"));

    // Nothing secret reached the logs, at trace level.
    let text = logs.text();
    assert!(text.contains("Stytch refused the call"), "refusals are logged");
    for secret in [
        secret.as_str(),
        recovery_code.as_str(),
        login.session_token.as_str(),
        login.session_jwt.as_str(),
        h.sandbox.secret.as_str(),
    ] {
        assert_eq!(leaked_fragments(&text, secret), Vec::<String>::new());
    }
    assert!(!text.contains("incorrect") && !text.contains("already used"), "Stytch's messages are not logged");
}

#[tokio::test]
async fn sms_codes_log_in_and_step_up() {
    let h = Harness::start().await;

    // A code to a phone attached to an existing user.
    let owner = h.login("grace@example.com").await;
    let phone = "+14155550123";
    let mut attach = SmsSend::new(phone);
    attach.user_id = Some(owner.user_id.clone());
    let sent = h.client.sms_send(&attach).await.unwrap();
    assert_eq!(sent.user_id, owner.user_id);
    let code = h.last_message(phone, "code").await;
    let mut request = OtpAuthenticate::new(&sent.phone_id, &code);
    request.session_duration_minutes = Some(30);
    let logged_in = h.client.otp_authenticate(&request).await.unwrap();
    assert_eq!(logged_in.user_id, owner.user_id);
    assert_eq!(logged_in.method_id, sent.phone_id);
    assert!(logged_in.issued.session_jwt.is_some());
    let again = h.client.sms_send(&attach).await.unwrap();
    assert_eq!(again.phone_id, sent.phone_id);
    let created = sent;

    // A used code, and a wrong one.
    let used = h.client.otp_authenticate(&OtpAuthenticate::new(&created.phone_id, &code)).await;
    // The second send above sent a new code, so the old one no longer matches.
    let used = used.unwrap_err();
    assert!(used.error_type().unwrap().is_invalid_code(), "{used:?}");
    assert_eq!(mapped(used), (401, "invalid_code"));
    let fresh = h.last_message(phone, "code").await;
    let wrong_code = h.client.otp_authenticate(&OtpAuthenticate::new(&created.phone_id, wrong(&fresh))).await;
    let wrong_code = wrong_code.unwrap_err();
    assert!(wrong_code.is(&StytchErrorType::OtpCodeNotFound), "{wrong_code:?}");
    assert_eq!(mapped(wrong_code), (401, "invalid_code"));
    h.client.otp_authenticate(&OtpAuthenticate::new(&created.phone_id, &fresh)).await.unwrap();
    let replay = h.client.otp_authenticate(&OtpAuthenticate::new(&created.phone_id, &fresh)).await.unwrap_err();
    assert!(replay.is(&StytchErrorType::UnableToAuthOtpCode), "{replay:?}");

    // Step up an email session with a phone attached to it.
    let login = h.login("katherine@example.com").await;
    let step_up_phone = "+14155550199";
    let mut send = SmsSend::new(step_up_phone);
    send.session = Some(SessionRef::jwt(&login.session_jwt));
    send.expiration_minutes = Some(5);
    let sent = h.client.sms_send(&send).await.unwrap();
    assert_eq!(sent.user_id, login.user_id);
    let code = h.last_message(step_up_phone, "code").await;
    let mut second = OtpAuthenticate::new(&sent.phone_id, &code);
    second.session = Some(SessionRef::jwt(&login.session_jwt));
    let stepped_up = h.client.otp_authenticate(&second).await.unwrap();
    let verified = h.verify(stepped_up.issued.session_jwt.as_ref().unwrap().expose_secret()).await;
    assert_eq!(verified.check_two_factor(FIVE_MINUTES, OffsetDateTime::now_utc()), Ok(()));

    // `send` by user_id to the same (now verified) phone works too.
    let mut by_user = SmsSend::new(step_up_phone);
    by_user.user_id = Some(login.user_id.clone());
    assert_eq!(h.client.sms_send(&by_user).await.unwrap().phone_id, sent.phone_id);
}

#[tokio::test]
async fn sessions_authenticate_and_revoke() {
    let h = Harness::start().await;
    let login = h.login("hedy@example.com").await;

    let mut by_token = SessionAuthenticate::new(SessionRef::token(&login.session_token));
    by_token.session_duration_minutes = Some(120);
    let refreshed = h.client.session_authenticate(&by_token).await.unwrap();
    let session = refreshed.session().expect("a session");
    assert_eq!(session.user_id, login.user_id);
    assert!(session.expires_at > OffsetDateTime::now_utc() + time::Duration::minutes(115));
    assert_eq!(refreshed.issued.session_token.as_ref().unwrap().expose_secret(), login.session_token);
    assert_eq!(refreshed.user.as_ref().unwrap().user_id, login.user_id);

    let by_jwt = h.client.session_authenticate(&SessionAuthenticate::new(SessionRef::jwt(&login.session_jwt))).await;
    let by_jwt = by_jwt.unwrap();
    assert!(by_jwt.issued.session_token.is_none());
    let fresh_jwt = by_jwt.issued.session_jwt.as_ref().unwrap().expose_secret();
    assert_eq!(h.verify(fresh_jwt).await.session_id, session.session_id);

    h.client.session_revoke(&SessionRevoke::Session(SessionRef::token(&login.session_token))).await.unwrap();
    let gone = h.client.session_authenticate(&by_token).await.unwrap_err();
    assert!(gone.is(&StytchErrorType::SessionNotFound), "{gone:?}");
    let problem = ApiError::from(gone);
    assert!(matches!(problem, ApiError::Refused { code: Code::SessionNotFound, .. }), "{problem:?}");
    assert_eq!(problem.status().as_u16(), 401);

    // Revoking by session id, and by JWT.
    let second = h.login("hedy@example.com").await;
    let id = h
        .client
        .session_authenticate(&SessionAuthenticate::new(SessionRef::jwt(&second.session_jwt)))
        .await
        .unwrap()
        .session()
        .unwrap()
        .session_id
        .clone();
    h.client.session_revoke(&SessionRevoke::SessionId(id)).await.unwrap();
    let again = h.client.session_revoke(&SessionRevoke::Session(SessionRef::jwt(&second.session_jwt))).await;
    assert!(again.unwrap_err().is(&StytchErrorType::SessionNotFound));
}

#[tokio::test]
async fn user_metadata_merges_and_a_null_deletes_a_key() {
    let h = Harness::start().await;
    let login = h.login("barbara@example.com").await;
    let object = |value: Value| -> Map<String, Value> { value.as_object().unwrap().clone() };

    let update = UpdateUser {
        trusted_metadata: Some(object(json!({ "unit_application_id": "123", "kyc": "pending" }))),
        untrusted_metadata: Some(object(json!({ "theme": "dark" }))),
    };
    let updated = h.client.update_user(&login.user_id, &update).await.unwrap();
    assert_eq!(updated.user_id, login.user_id);
    assert_eq!(updated.user.trusted_metadata["kyc"], "pending");

    let update = UpdateUser {
        trusted_metadata: Some(object(json!({ "kyc": null, "unit_customer_id": "456" }))),
        untrusted_metadata: None,
    };
    h.client.update_user(&login.user_id, &update).await.unwrap();
    let user = h.client.get_user(&login.user_id).await.unwrap().user;
    assert_eq!(
        Value::Object(user.trusted_metadata),
        json!({ "unit_application_id": "123", "unit_customer_id": "456" })
    );
    assert_eq!(Value::Object(user.untrusted_metadata), json!({ "theme": "dark" }), "not sent, so kept");
    assert_eq!(user.status.as_deref(), Some("active"));
    assert!(user.emails.iter().any(|e| e.email == "barbara@example.com"));

    // An unknown user is typed; to our clients it is our bug, not theirs.
    let missing = h.client.get_user("user-test-00000000-0000-4000-8000-000000000001").await.unwrap_err();
    assert!(missing.is(&StytchErrorType::UserNotFound), "{missing:?}");
    assert_eq!(mapped(missing), (502, "upstream_error"));
    // A user id is one path segment, whatever it contains.
    let odd = h.client.get_user("../sessions/jwks").await.unwrap_err();
    assert!(odd.is(&StytchErrorType::UserNotFound), "{odd:?}");
}

#[tokio::test]
async fn a_503_on_a_safe_call_is_retried_and_an_unsafe_call_is_not() {
    let h = Harness::start().await;
    h.fault(json!({ "method": "GET", "path": "/v1/users/", "count": 2, "status": 503 })).await;
    let user = h.client.get_user(SANDBOX_USER_ID).await.unwrap();
    assert_eq!(user.user.user_id, SANDBOX_USER_ID);

    let phone = "+14155550142";
    let mut send = SmsSend::new(phone);
    send.user_id = Some(SANDBOX_USER_ID.to_owned());
    h.fault(json!({ "method": "POST", "path": "/v1/otps/sms/send", "count": 1, "status": 503 })).await;
    let failed = h.client.sms_send(&send).await.unwrap_err();
    assert_eq!(failed.status(), Some(503));
    assert_eq!(mapped(failed), (502, "upstream_error"));
    assert!(h.outbox(phone).await.is_empty(), "not retried: no text was sent");

    // Safe calls give up after max_attempts.
    h.fault(json!({ "method": "GET", "path": "/v1/users/", "count": 3, "status": 503 })).await;
    let exhausted = h.client.get_user(SANDBOX_USER_ID).await.unwrap_err();
    assert_eq!(mapped(exhausted), (502, "upstream_error"));
    h.client.get_user(SANDBOX_USER_ID).await.expect("the fault is used up");
}

#[tokio::test]
async fn a_429_on_an_unsafe_call_is_rate_limited_with_retry_after() {
    let h = Harness::start().await;
    let email = "radia@example.com";
    h.fault(json!({ "method": "POST", "path": "/v1/magic_links/email/login_or_create", "count": 1, "status": 429 }))
        .await;
    let limited = h.client.magic_link_login_or_create(&MagicLinkLoginOrCreate::new(email)).await.unwrap_err();
    assert!(limited.is(&StytchErrorType::TooManyRequests), "{limited:?}");
    match ApiError::from(limited) {
        ApiError::RateLimited { upstream: Upstream::Stytch, retry_after } => {
            assert_eq!(retry_after, Some(Duration::from_secs(1)));
        }
        other => panic!("expected RateLimited, got {other:?}"),
    }
    assert!(h.outbox(email).await.is_empty(), "not retried");
    h.client.magic_link_login_or_create(&MagicLinkLoginOrCreate::new(email)).await.unwrap();
    assert_eq!(h.outbox(email).await.len(), 1);
}

#[tokio::test]
async fn a_dropped_connection_is_retried_only_when_safe() {
    let h = Harness::start().await;
    h.fault(json!({ "method": "GET", "path": "/v1/users/", "count": 1, "drop": true })).await;
    assert_eq!(h.client.get_user(SANDBOX_USER_ID).await.unwrap().user.user_id, SANDBOX_USER_ID);

    h.fault(json!({ "method": "POST", "path": "/v1/sessions/authenticate", "count": 1, "drop": true })).await;
    let login = h.login("mary@example.com").await;
    let refreshed = h.client.session_authenticate(&SessionAuthenticate::new(SessionRef::jwt(&login.session_jwt))).await;
    assert!(refreshed.is_ok(), "sessions/authenticate is safe to repeat");

    h.fault(json!({ "method": "POST", "path": "/v1/totps", "count": 1, "drop": true })).await;
    let dropped = h.client.totp_create(&TotpCreate::new(&login.user_id)).await.unwrap_err();
    assert!(matches!(dropped, StytchError::Transport(TransportError::Unreachable(Upstream::Stytch))), "{dropped:?}");
    assert_eq!(mapped(dropped), (502, "upstream_error"));
}

#[tokio::test]
async fn a_delay_past_the_client_timeout_is_a_timeout() {
    let h = Harness::start_with(http(Duration::from_millis(300)), None).await;
    h.fault(json!({ "method": "POST", "path": "/v1/magic_links/authenticate", "count": 1, "delay_ms": 2000 })).await;
    let started = std::time::Instant::now();
    let late = h.client.magic_link_authenticate(&MagicLinkAuthenticate::new("any-token")).await.unwrap_err();
    assert!(matches!(late, StytchError::Transport(TransportError::Timeout(Upstream::Stytch))), "{late:?}");
    assert!(started.elapsed() < Duration::from_millis(1500), "one attempt only: the call is unsafe");
    assert_eq!(mapped(late), (504, "upstream_timeout"));
}

#[tokio::test]
async fn a_rotated_secret_is_fetched_again_once_and_the_call_succeeds() {
    let (logs, _guard) = capture_logs();
    let h = Harness::start_with(http(Duration::from_secs(5)), Some("secret-test-before-rotation")).await;
    // The right secret arrives in Secrets Manager after the client cached the old one.
    h.moto.rotate_secret(SECRET_ID, &secret_json(&h.sandbox, &h.sandbox.secret)).await;

    let user = h.client.get_user(SANDBOX_USER_ID).await.expect("succeeds after one refetch");
    assert_eq!(user.user.user_id, SANDBOX_USER_ID);
    let refetches = || logs.text().matches("credential rejected upstream").count();
    assert_eq!(refetches(), 1);
    assert_eq!(h.credentials.get().await.unwrap().secret.expose_secret(), h.sandbox.secret);

    // The new secret is cached: further calls need no refetch.
    h.client.magic_link_login_or_create(&MagicLinkLoginOrCreate::new("lise@example.com")).await.unwrap();
    assert_eq!(refetches(), 1);
    assert_eq!(h.outbox("lise@example.com").await.len(), 1, "the unsafe call was sent once with the right secret");
    assert!(leaked_fragments(&logs.text(), &h.sandbox.secret).is_empty());
}

#[tokio::test]
async fn a_wrong_secret_that_was_not_rotated_is_our_misconfiguration() {
    let (logs, _guard) = capture_logs();
    let h = Harness::start_with(http(Duration::from_secs(5)), Some("secret-test-just-wrong")).await;
    let refused = h.client.get_user(SANDBOX_USER_ID).await.unwrap_err();
    assert!(refused.is(&StytchErrorType::UnauthorizedCredentials), "{refused:?}");
    assert_eq!(refused.status(), Some(401));
    // Not the user's fault: a bad gateway, not a 401 to our client.
    assert_eq!(mapped(refused), (502, "upstream_error"));
    let text = logs.text();
    assert_eq!(text.matches("credential rejected upstream").count(), 1, "one refetch, no loop");
    assert!(text.contains("no newer secret"));
    assert!(leaked_fragments(&text, "secret-test-just-wrong").is_empty());
}
