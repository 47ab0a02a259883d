//! Authenticator-app step-up and recovery codes through the real router, against the sandbox.
//! What matters in the end: the JWT returned after step-up passes the two-factor rule.

mod common;

use common::{Side, code, enrol, field_errors, is_two_factor, wrong};
use http::{StatusCode, header};
use serde_json::{Value, json};
use stytch_unit_common::telemetry;
use test_support::functions::totp_code;
use test_support::logs::{CapturedLogs, leaked_fragments};
use tracing::level_filters::LevelFilter;

#[tokio::test]
async fn every_listed_route_is_routed_and_needs_a_session() {
    let api = common::start(&[]).await;
    api.assert_routes_served(step_up::ROUTES).await;
    for (method, path) in step_up::ROUTES.iter().filter(|(_, path)| !path.starts_with("/health/")) {
        let answer = api.call(*method, path, None, Some(json!({}))).await;
        assert_ne!(code(&answer), "route_not_found", "{method} {path}");
        assert_ne!(answer.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
        assert_eq!((answer.status, code(&answer)), (StatusCode::UNAUTHORIZED, "missing_credentials"), "{path}");
        let answer = api.call(*method, path, Some("eyJhbGciOiJub25lIn0.e30."), Some(json!({}))).await;
        assert_eq!((answer.status, code(&answer)), (StatusCode::UNAUTHORIZED, "invalid_session"), "{path}");
    }
    assert_eq!(code(&api.get("/step-up/totp", None).await), "method_not_allowed");
    assert_eq!(api.get("/health/step-up", None).await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_totp_step_up_turns_the_sign_in_session_into_a_two_factor_one() {
    let api = common::start(&[]).await;
    let logs = CapturedLogs::default();
    let _guard = tracing::subscriber::set_default(telemetry::subscriber(LevelFilter::TRACE, logs.clone()));
    let user = api.stack.sign_in("ada@example.com").await;
    assert!(!is_two_factor(&api, &user.session_jwt).await, "signing in is one factor");

    let enrolment = enrol(&api, &user.session_jwt).await;
    assert_eq!(enrolment.headers[header::CACHE_CONTROL], "no-store");
    let secret = enrolment.body["secret"].as_str().unwrap().to_owned();
    assert!(enrolment.body["totpId"].as_str().unwrap().starts_with("totp-test-"));
    let uri = enrolment.body["otpauthUri"].as_str().unwrap();
    assert!(uri.starts_with("otpauth://totp/Stytch%20Unit%20Lambdas:ada%40example.com?"), "{uri}");
    assert!(uri.contains(&format!("secret={secret}&")));
    assert!(enrolment.body["qrCode"].as_str().unwrap().starts_with("data:image/png;base64,"));
    let recovery_codes: Vec<String> =
        enrolment.body["recoveryCodes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_owned()).collect();
    assert_eq!(recovery_codes.len(), 10);

    // A smuggled user id is ignored: the factor goes to the session's user.
    let one_time_code = totp_code(&secret);
    let body = json!({ "code": one_time_code, "userId": "user-test-someone-else" });
    let answer = api.post("/step-up/totp/authenticate", Some(&user.session_jwt), body).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(answer.headers[header::CACHE_CONTROL], "no-store");
    let stepped_up = answer.body["sessionJwt"].as_str().unwrap().to_owned();
    assert!(answer.body["sessionExpiresAt"].as_str().is_some());
    assert!(answer.body.get("sessionToken").is_none(), "a step-up with the JWT keeps the same session and token");

    assert!(is_two_factor(&api, &stepped_up).await, "the new JWT passes the two-factor rule");
    assert!(!is_two_factor(&api, &user.session_jwt).await, "the sign-in JWT still does not");
    let verifier = api.dependencies.verifier().unwrap();
    let (before, after) =
        (verifier.verify(&user.session_jwt).await.unwrap(), verifier.verify(&stepped_up).await.unwrap());
    assert_eq!(
        (after.session_id.as_str(), after.user_id.as_str()),
        (before.session_id.as_str(), user.user_id.as_str())
    );

    // The TOTP is active now: a second enrolment is refused.
    let again = api.post("/step-up/totp", Some(&stepped_up), Value::Null).await;
    assert_eq!((again.status, code(&again)), (StatusCode::CONFLICT, "totp_already_enrolled"));

    let text = logs.text();
    assert!(text.contains("TOTP added to session"), "logs were captured");
    let credentials = [&secret, &one_time_code, &user.session_jwt, &user.session_token, &stepped_up];
    for credential in credentials.into_iter().chain(&recovery_codes) {
        assert!(leaked_fragments(&text, credential).is_empty(), "a credential reached the logs");
    }
    // The QR code encodes the secret too.
    let qr = enrolment.body["qrCode"].as_str().unwrap();
    assert!(leaked_fragments(&text, &qr[qr.len() - 40..]).is_empty());
}

#[tokio::test]
async fn wrong_malformed_and_unenrolled_codes_are_refused() {
    let api = common::start(&[]).await;
    let user = api.stack.sign_in("grace@example.com").await;
    let jwt = Some(user.session_jwt.as_str());

    let answer = api.post("/step-up/totp/authenticate", jwt, json!({ "code": "123456" })).await;
    assert_eq!((answer.status, code(&answer)), (StatusCode::CONFLICT, "totp_not_enrolled"));

    let secret = enrol(&api, &user.session_jwt).await.body["secret"].as_str().unwrap().to_owned();
    let answer = api.post("/step-up/totp/authenticate", jwt, json!({ "code": wrong(&totp_code(&secret)) })).await;
    assert_eq!((answer.status, code(&answer)), (StatusCode::UNAUTHORIZED, "invalid_code"));

    for bad in [json!({ "code": "12345" }), json!({ "code": "abcdef" }), json!({ "code": 123456 }), json!({})] {
        let answer = api.post("/step-up/totp/authenticate", jwt, bad).await;
        assert_eq!((answer.status, code(&answer)), (StatusCode::BAD_REQUEST, "validation_failed"));
        assert_eq!(field_errors(&answer)[0].0, "code");
    }
}

#[tokio::test]
async fn a_recovery_code_steps_up_once() {
    let api = common::start(&[]).await;
    let user = api.stack.sign_in("hedy@example.com").await;
    let answer =
        api.post("/step-up/recover", Some(&user.session_jwt), json!({ "recoveryCode": "abcd-efgh-ijkl" })).await;
    assert_eq!((answer.status, code(&answer)), (StatusCode::CONFLICT, "totp_not_enrolled"));

    let enrolment = enrol(&api, &user.session_jwt).await;
    let secret = enrolment.body["secret"].as_str().unwrap();
    let activate = json!({ "code": totp_code(secret) });
    assert_eq!(api.post("/step-up/totp/authenticate", Some(&user.session_jwt), activate).await.status, StatusCode::OK);

    // A later sign-in (lost phone): the recovery code is the second factor.
    let later = api.stack.sign_in("hedy@example.com").await;
    let recovery_code = enrolment.body["recoveryCodes"][0].as_str().unwrap().to_uppercase();
    let body = json!({ "recoveryCode": recovery_code });
    let answer = api.post("/step-up/recover", Some(&later.session_jwt), body.clone()).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert!(is_two_factor(&api, answer.body["sessionJwt"].as_str().unwrap()).await);

    let reused = api.post("/step-up/recover", Some(&later.session_jwt), body).await;
    assert_eq!((reused.status, code(&reused)), (StatusCode::UNAUTHORIZED, "invalid_code"));
    let bad = api.post("/step-up/recover", Some(&later.session_jwt), json!({ "recoveryCode": "not a code!" })).await;
    assert_eq!(field_errors(&bad)[0].0, "recoveryCode");
}

#[tokio::test]
async fn stytch_rate_limits_and_outages_are_passed_on() {
    let api = common::start(&[("UPSTREAM_TIMEOUT_MS", "300")]).await;
    let user = api.stack.sign_in("mary@example.com").await;
    let jwt = Some(user.session_jwt.as_str());

    api.fault(Side::Stytch, json!({ "path": "/v1/totps", "status": 429 })).await;
    let answer = api.post("/step-up/totp", jwt, Value::Null).await;
    assert_eq!((answer.status, code(&answer)), (StatusCode::TOO_MANY_REQUESTS, "rate_limited"));
    assert!(answer.headers.contains_key(header::RETRY_AFTER));

    api.fault(Side::Stytch, json!({ "path": "/v1/totps", "status": 500 })).await;
    let answer = api.post("/step-up/totp", jwt, Value::Null).await;
    assert_eq!((answer.status, code(&answer)), (StatusCode::BAD_GATEWAY, "upstream_error"));

    api.fault(Side::Stytch, json!({ "path": "/v1/totps/authenticate", "delay_ms": 2000 })).await;
    let answer = api.post("/step-up/totp/authenticate", jwt, json!({ "code": "123456" })).await;
    assert_eq!((answer.status, code(&answer)), (StatusCode::GATEWAY_TIMEOUT, "upstream_timeout"));
}

#[tokio::test]
async fn a_revoked_session_cannot_step_up() {
    let api = common::start(&[]).await;
    let user = api.stack.sign_in("joan@example.com").await;
    api.stack.revoke_session(&user.session_token).await;
    // The JWT still verifies locally until it expires; Stytch refuses to add a factor to it.
    let secret = enrol(&api, &user.session_jwt).await.body["secret"].as_str().unwrap().to_owned();
    let answer =
        api.post("/step-up/totp/authenticate", Some(&user.session_jwt), json!({ "code": totp_code(&secret) })).await;
    assert_eq!((answer.status, code(&answer)), (StatusCode::UNAUTHORIZED, "session_not_found"));
}
