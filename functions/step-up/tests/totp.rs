//! Authenticator-app step-up and recovery codes through the real router, against the sandbox.
//! What matters in the end: the JWT returned after step-up passes the step-up rule, and only a
//! TOTP enrolled under a stepped-up session (after the KYC-phone SMS) ever does.

mod common;

use common::{Side, applicant, code, enrol, field_errors, is_stepped_up, sms_step_up, wrong};
use http::{StatusCode, header};
use serde_json::{Value, json};
use stytch_unit_common::telemetry;
use test_support::logs::{CapturedLogs, leaked_fragments};
use test_support::{
    functions::{next_totp_code, totp_code},
    stack::SandboxSession,
};
use tracing::level_filters::LevelFilter;

#[tokio::test]
async fn every_listed_route_is_routed_and_needs_a_session() {
    let api = common::start(&[]).await;
    api.assert_routes_served(step_up::ROUTES).await;
    // The one route without a bearer: its credential is the session token in the body.
    let refresh = "/session/refresh";
    let session_routes = step_up::ROUTES.iter().filter(|(_, path)| !path.starts_with("/health/") && *path != refresh);
    for (method, path) in session_routes {
        let path = &test_support::functions::fill_path_parameters(path);
        let answer = api.call(*method, path, None, Some(json!({}))).await;
        assert_ne!(code(&answer), "route_not_found", "{method} {path}");
        assert_ne!(answer.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
        assert_eq!((answer.status, code(&answer)), (StatusCode::UNAUTHORIZED, "missing_credentials"), "{path}");
        let answer = api.call(*method, path, Some("eyJhbGciOiJub25lIn0.e30."), Some(json!({}))).await;
        assert_eq!((answer.status, code(&answer)), (StatusCode::UNAUTHORIZED, "invalid_session"), "{path}");
    }
    let answer = api.call("POST", refresh, Some("eyJhbGciOiJub25lIn0.e30."), Some(json!({}))).await;
    answer.assert_problem(400, "validation_failed");
    assert_eq!(field_errors(&answer)[0].0, "sessionToken");
    assert_eq!(code(&api.get("/step-up/totp", None).await), "method_not_allowed");
    assert_eq!(api.get("/health/step-up", None).await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_totp_enrolled_after_the_sms_step_up_is_trusted_by_later_sessions() {
    let api = common::start(&[]).await;
    let logs = CapturedLogs::default();
    let _guard = tracing::subscriber::set_default(telemetry::subscriber(LevelFilter::TRACE, logs.clone()));
    let (user, kyc_phone) = applicant(&api, "ada@example.com", "712350100").await;
    assert!(!is_stepped_up(&api, &user.session_jwt).await, "signing in is one factor");

    // A one-factor session may not enrol: whoever reads the mailbox would own the second factor.
    let refused = api.post("/step-up/totp", Some(&user.session_jwt), Value::Null).await;
    refused.assert_problem(403, "step_up_required");
    assert_eq!(api.stack.stytch_user(&user.user_id).await["totps"], json!([]), "nothing was created");

    let stepped_up = sms_step_up(&api, &user.session_jwt, &kyc_phone).await;
    let enrolment = enrol(&api, &stepped_up).await;
    assert_eq!(enrolment.headers[header::CACHE_CONTROL], "no-store");
    let secret = enrolment.body["secret"].as_str().unwrap().to_owned();
    let totp_id = enrolment.body["totpId"].as_str().unwrap().to_owned();
    assert!(totp_id.starts_with("totp-test-"));
    let metadata = &api.stack.stytch_user(&user.user_id).await["trusted_metadata"];
    assert_eq!(metadata["trusted_totp_id"], totp_id.as_str(), "recorded as the trusted TOTP");
    let uri = enrolment.body["otpauthUri"].as_str().unwrap();
    assert!(uri.starts_with("otpauth://totp/Stytch%20Unit%20Lambdas:ada%40example.com?"), "{uri}");
    assert!(uri.contains(&format!("secret={secret}&")));
    assert!(enrolment.body["qrCode"].as_str().unwrap().starts_with("data:image/png;base64,"));
    let recovery_codes: Vec<String> =
        enrolment.body["recoveryCodes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_owned()).collect();
    assert_eq!(recovery_codes.len(), 10);

    // The first code activates it. A smuggled user id is ignored: the factor is the session user's.
    let one_time_code = totp_code(&secret);
    let body = json!({ "code": one_time_code, "userId": "user-test-someone-else" });
    let answer = api.post("/step-up/totp/authenticate", Some(&stepped_up), body).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(answer.headers[header::CACHE_CONTROL], "no-store");
    assert!(answer.body.get("sessionToken").is_none(), "a step-up with the JWT keeps the same session and token");

    // A later sign-in steps up with the authenticator app alone.
    let later = api.stack.sign_in("ada@example.com").await;
    assert!(!is_stepped_up(&api, &later.session_jwt).await);
    let body = json!({ "code": next_totp_code(&secret) });
    let answer = api.post("/step-up/totp/authenticate", Some(&later.session_jwt), body).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let totp_jwt = answer.body["sessionJwt"].as_str().unwrap().to_owned();
    assert!(answer.body["sessionExpiresAt"].as_str().is_some());
    assert!(is_stepped_up(&api, &totp_jwt).await, "the new JWT passes the step-up rule");
    let verifier = api.dependencies.verifier().unwrap();
    let (before, after) =
        (verifier.verify(&later.session_jwt).await.unwrap(), verifier.verify(&totp_jwt).await.unwrap());
    assert_eq!(
        (after.session_id.as_str(), after.user_id.as_str()),
        (before.session_id.as_str(), user.user_id.as_str())
    );

    // The TOTP is active now: a second enrolment is refused.
    let again = api.post("/step-up/totp", Some(&totp_jwt), Value::Null).await;
    assert_eq!((again.status, code(&again)), (StatusCode::CONFLICT, "totp_already_enrolled"));

    let text = logs.text();
    assert!(text.contains("TOTP added to session"), "logs were captured");
    let credentials = [&secret, &one_time_code, &user.session_jwt, &user.session_token, &stepped_up, &totp_jwt];
    for credential in credentials.into_iter().chain(&recovery_codes) {
        assert!(leaked_fragments(&text, credential).is_empty(), "a credential reached the logs");
    }
    // The QR code encodes the secret too.
    let qr = enrolment.body["qrCode"].as_str().unwrap();
    assert!(leaked_fragments(&text, &qr[qr.len() - 40..]).is_empty());
}

/// `POST /step-up/totp/authenticate` with the current code of `secret`.
async fn totp_step_up(api: &common::Api, user: &SandboxSession, secret: &str) -> common::Answer {
    api.post("/step-up/totp/authenticate", Some(&user.session_jwt), json!({ "code": totp_code(secret) })).await
}

#[tokio::test]
async fn a_totp_created_outside_a_stepped_up_session_is_never_trusted() {
    let api = common::start(&[]).await;
    let (user, _) = applicant(&api, "eve@example.com", "712350200").await;
    // Created at Stytch directly, as a frontend SDK (or an attacker inside a one-factor session) could.
    let created = api.stack.stytch_post("/v1/totps", json!({ "user_id": user.user_id })).await;
    let secret = created["secret"].as_str().unwrap();
    let answer = totp_step_up(&api, &user, secret).await;
    answer.assert_problem(403, "factor_not_bound");
    assert!(answer.body.get("sessionJwt").is_none(), "no session JWT for an untrusted factor");
    let recovery_code = created["recovery_codes"][0].as_str().unwrap();
    let answer = api.post("/step-up/recover", Some(&user.session_jwt), json!({ "recoveryCode": recovery_code })).await;
    answer.assert_problem(403, "factor_not_bound");
    assert!(answer.body.get("sessionJwt").is_none());
}

#[tokio::test]
async fn wrong_malformed_and_unenrolled_codes_are_refused() {
    let api = common::start(&[]).await;
    let (user, kyc_phone) = applicant(&api, "grace@example.com", "712350300").await;
    let jwt = Some(user.session_jwt.as_str());

    let answer = api.post("/step-up/totp/authenticate", jwt, json!({ "code": "123456" })).await;
    assert_eq!((answer.status, code(&answer)), (StatusCode::CONFLICT, "totp_not_enrolled"));

    let stepped_up = sms_step_up(&api, &user.session_jwt, &kyc_phone).await;
    let secret = enrol(&api, &stepped_up).await.body["secret"].as_str().unwrap().to_owned();
    let answer = api.post("/step-up/totp/authenticate", jwt, json!({ "code": wrong(&totp_code(&secret)) })).await;
    assert_eq!((answer.status, code(&answer)), (StatusCode::UNAUTHORIZED, "invalid_code"));

    for bad in [json!({ "code": "12345" }), json!({ "code": "abcdef" }), json!({ "code": 123456 }), json!({})] {
        let answer = api.post("/step-up/totp/authenticate", jwt, bad).await;
        assert_eq!((answer.status, code(&answer)), (StatusCode::BAD_REQUEST, "validation_failed"));
        assert_eq!(field_errors(&answer)[0].0, "code");
    }
}

#[tokio::test]
async fn a_recovery_code_of_the_trusted_totp_steps_up_once() {
    let api = common::start(&[]).await;
    let (user, kyc_phone) = applicant(&api, "hedy@example.com", "712350400").await;
    let answer =
        api.post("/step-up/recover", Some(&user.session_jwt), json!({ "recoveryCode": "abcd-efgh-ijkl" })).await;
    assert_eq!((answer.status, code(&answer)), (StatusCode::CONFLICT, "totp_not_enrolled"));

    let stepped_up = sms_step_up(&api, &user.session_jwt, &kyc_phone).await;
    let enrolment = enrol(&api, &stepped_up).await;
    let secret = enrolment.body["secret"].as_str().unwrap();
    assert_eq!(totp_step_up(&api, &user, secret).await.status, StatusCode::OK);

    // A later sign-in (lost phone): the recovery code is the second factor.
    let later = api.stack.sign_in("hedy@example.com").await;
    let recovery_code = enrolment.body["recoveryCodes"][0].as_str().unwrap().to_uppercase();
    let body = json!({ "recoveryCode": recovery_code });
    let answer = api.post("/step-up/recover", Some(&later.session_jwt), body.clone()).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert!(is_stepped_up(&api, answer.body["sessionJwt"].as_str().unwrap()).await);

    let reused = api.post("/step-up/recover", Some(&later.session_jwt), body).await;
    assert_eq!((reused.status, code(&reused)), (StatusCode::UNAUTHORIZED, "invalid_code"));
    let bad = api.post("/step-up/recover", Some(&later.session_jwt), json!({ "recoveryCode": "not a code!" })).await;
    assert_eq!(field_errors(&bad)[0].0, "recoveryCode");
}

#[tokio::test]
async fn stytch_rate_limits_and_outages_are_passed_on() {
    let api = common::start(&[("UPSTREAM_TIMEOUT_MS", "300")]).await;
    let (user, kyc_phone) = applicant(&api, "mary@example.com", "712350500").await;
    let stepped_up = sms_step_up(&api, &user.session_jwt, &kyc_phone).await;
    let jwt = Some(stepped_up.as_str());

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
async fn a_revoked_session_cannot_step_up_or_enrol() {
    let api = common::start(&[]).await;
    let (user, kyc_phone) = applicant(&api, "joan@example.com", "712350600").await;
    let stepped_up = sms_step_up(&api, &user.session_jwt, &kyc_phone).await;
    api.stack.revoke_session(&user.session_token).await;
    // The JWTs still verify locally until they expire; Stytch refuses the session.
    let answer = api.post("/step-up/totp", Some(&stepped_up), Value::Null).await;
    answer.assert_problem(401, "session_not_found");
    assert_eq!(api.stack.stytch_user(&user.user_id).await["totps"], json!([]), "nothing was created");
    api.call("POST", "/step-up/sms/send", Some(&user.session_jwt), None).await;
    let answer = api.post("/step-up/sms/authenticate", Some(&user.session_jwt), json!({ "code": "123456" })).await;
    answer.assert_problem(401, "session_not_found");
}
