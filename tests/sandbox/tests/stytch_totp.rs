//! TOTP enrolment with real secrets and QR codes, RFC 6238 codes, step-up factors and recovery codes.

mod helpers;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use helpers::{Harness, assert_stytch_error};
use serde_json::json;
use totp_rs::{Algorithm, Builder, Secret};

/// The current code for a base32 secret, computed independently of the sandbox.
fn current_code(secret_base32: &str) -> String {
    let secret = Secret::try_from_base32(secret_base32).expect("a base32 secret");
    let totp = Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_step_duration(30)
        .with_secret(secret)
        .build()
        .expect("a valid TOTP");
    totp.generate_current().to_string()
}

#[tokio::test]
async fn enrol_authenticate_and_step_up_a_session() {
    let harness = Harness::start().await;
    let login = harness.login("ada@example.com").await;

    let (status, created) = harness.post("/v1/totps", json!({ "user_id": login.user_id })).await;
    assert_eq!(status, 200, "{created}");
    let secret = created["secret"].as_str().unwrap();
    assert_eq!(secret.len(), 32);
    assert!(secret.chars().all(|c| c.is_ascii_uppercase() || ('2'..='7').contains(&c)));
    let png =
        STANDARD.decode(created["qr_code"].as_str().unwrap().strip_prefix("data:image/png;base64, ").unwrap()).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let codes: Vec<&str> = created["recovery_codes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
    assert_eq!(codes.len(), 10);
    assert!(codes.iter().all(|c| c.len() == 14 && c.split('-').count() == 3));
    assert_eq!(created["user"]["totps"][0]["verified"], false);

    let (status, body) =
        harness.post("/v1/totps/authenticate", json!({ "user_id": login.user_id, "totp_code": "000001" })).await;
    // 1 in a million that 000001 is the real code; the assertion would then flag it, not hide a bug.
    assert_stytch_error(status, &body, 401, "unable_to_authenticate_totp");

    let code = current_code(secret);
    let (status, body) = harness
        .post(
            "/v1/totps/authenticate",
            json!({ "user_id": login.user_id, "totp_code": code, "session_jwt": login.session_jwt }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["totp_id"], created["totp_id"]);
    let factors = helpers::factors(body["session_jwt"].as_str().unwrap());
    assert_eq!(factors.len(), 2);
    assert_eq!(factors[1]["type"], "totp");
    assert_eq!(factors[1]["delivery_method"], "authenticator_app");
    assert_eq!(factors[1]["authenticator_app_factor"]["totp_id"], created["totp_id"]);
    assert_eq!(body["user"]["totps"][0]["verified"], true);

    // The same code is not accepted twice (even if the clock moved on a step since: skew still covers it).
    let (status, body) =
        harness.post("/v1/totps/authenticate", json!({ "user_id": login.user_id, "totp_code": code })).await;
    assert_stytch_error(status, &body, 401, "totp_code_already_authenticated");

    let (status, body) = harness.post("/v1/totps", json!({ "user_id": login.user_id })).await;
    assert_stytch_error(status, &body, 400, "active_totp_exists");

    // Recovery codes: single use, adding a `recovery_codes` factor.
    let (status, body) = harness
        .post(
            "/v1/totps/recover",
            json!({ "user_id": login.user_id, "recovery_code": codes[0], "session_token": login.session_token }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let factors = body["session"]["authentication_factors"].as_array().unwrap();
    assert_eq!(factors.len(), 3);
    assert_eq!(factors[2]["type"], "recovery_codes");
    assert_eq!(factors[2]["delivery_method"], "recovery_code");
    assert!(factors[2]["recovery_code_factor"]["totp_recovery_code_id"].is_string());
    let (status, body) =
        harness.post("/v1/totps/recover", json!({ "user_id": login.user_id, "recovery_code": codes[0] })).await;
    assert_stytch_error(status, &body, 401, "unable_to_authenticate_recovery_code");
    let (status, body) =
        harness.post("/v1/totps/recover", json!({ "user_id": login.user_id, "recovery_code": "zzzz-zzzz-zzzz" })).await;
    assert_stytch_error(status, &body, 401, "invalid_recovery_code");

    let (_, body) = harness.post("/v1/totps/recovery_codes", json!({ "user_id": login.user_id })).await;
    assert_eq!(body["totps"][0]["recovery_codes"].as_array().unwrap().len(), 9);
}

#[tokio::test]
async fn totp_errors_and_sandbox_values() {
    let harness = Harness::start().await;
    let (status, body) = harness.post("/v1/totps", json!({ "user_id": "user-test-unknown" })).await;
    assert_stytch_error(status, &body, 404, "user_not_found");

    let login = harness.login("ada@example.com").await;
    let (status, body) =
        harness.post("/v1/totps/authenticate", json!({ "user_id": login.user_id, "totp_code": "123456" })).await;
    assert_stytch_error(status, &body, 404, "totp_not_found");

    let sandbox_user = "user-test-e3795c81-f849-4167-bfda-e4a6e9c280fd";
    let (status, _) = harness.post("/v1/totps", json!({ "user_id": sandbox_user })).await;
    assert_eq!(status, 200);
    let (status, body) =
        harness.post("/v1/totps/authenticate", json!({ "user_id": sandbox_user, "totp_code": "000000" })).await;
    assert_eq!(status, 200, "{body}");
    let (status, _) =
        harness.post("/v1/totps/recover", json!({ "user_id": sandbox_user, "recovery_code": "a1b2-c3d4-e5f6" })).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_factor_cannot_join_another_users_session() {
    let harness = Harness::start().await;
    let ada = harness.login("ada@example.com").await;
    let bob = harness.login("bob@example.com").await;
    let (_, created) = harness.post("/v1/totps", json!({ "user_id": bob.user_id })).await;
    let code = current_code(created["secret"].as_str().unwrap());
    let (status, body) = harness
        .post(
            "/v1/totps/authenticate",
            json!({ "user_id": bob.user_id, "totp_code": code, "session_token": ada.session_token }),
        )
        .await;
    assert_stytch_error(status, &body, 400, "session_user_mismatch");
}
