//! Magic links through the outbox, single use, sandbox values, credentials and request-body errors.

mod helpers;

use helpers::{Harness, assert_stytch_error};
use serde_json::json;

#[tokio::test]
async fn login_or_create_then_authenticate_without_a_session() {
    let harness = Harness::start().await;
    let (status, created) =
        harness.post("/v1/magic_links/email/login_or_create", json!({ "email": "ada@example.com" })).await;
    assert_eq!(status, 200);
    assert_eq!(created["user_created"], true);
    assert_eq!(created["status_code"], 200);
    assert!(created["user_id"].as_str().unwrap().starts_with("user-test-"));
    assert!(created["email_id"].as_str().unwrap().starts_with("email-test-"));

    // A second call finds the same user.
    let (_, again) = harness.post("/v1/magic_links/email/login_or_create", json!({ "email": "ADA@example.com" })).await;
    assert_eq!(again["user_created"], false);
    assert_eq!(again["user_id"], created["user_id"]);

    let messages = harness.outbox("ada@example.com").await;
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[0]["channel"], "email");
    assert!(messages[1]["sentAt"].as_str().unwrap().ends_with('Z'));
    let token = messages[1]["token"].as_str().unwrap().to_owned();

    let (status, body) = harness.post("/v1/magic_links/authenticate", json!({ "token": token })).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["user_id"], created["user_id"]);
    assert_eq!(body["method_id"], created["email_id"]);
    assert_eq!(body["session_token"], "");
    assert_eq!(body["session_jwt"], "");
    assert!(body["session"].is_null());
    assert_eq!(body["user"]["emails"][0]["verified"], true);

    let (status, body) = harness.post("/v1/magic_links/authenticate", json!({ "token": token })).await;
    assert_stytch_error(status, &body, 401, "unable_to_auth_magic_link");
    let (status, body) = harness.post("/v1/magic_links/authenticate", json!({ "token": "no-such-token" })).await;
    assert_stytch_error(status, &body, 404, "magic_link_not_found");
}

#[tokio::test]
async fn authenticate_with_duration_starts_a_session() {
    let harness = Harness::start().await;
    let login = harness.login("grace@example.com").await;
    assert!(login.session_token.len() >= 40);
    let factors = helpers::factors(&login.session_jwt);
    assert_eq!(factors.len(), 1);
    assert_eq!(factors[0]["type"], "magic_link");
    assert_eq!(factors[0]["delivery_method"], "email");
    assert_eq!(factors[0]["email_factor"]["email_address"], "grace@example.com");
}

#[tokio::test]
async fn sandbox_values_behave_as_documented() {
    let harness = Harness::start().await;
    let (status, body) =
        harness.post("/v1/magic_links/email/login_or_create", json!({ "email": "sandbox@stytch.com" })).await;
    assert_eq!(status, 200);
    assert_eq!(body["user_id"], "user-test-e3795c81-f849-4167-bfda-e4a6e9c280fd");
    assert!(harness.outbox("sandbox@stytch.com").await.is_empty(), "no email for the sandbox address");

    for _ in 0..2 {
        let (status, body) = harness
            .post("/v1/magic_links/authenticate", json!({ "token": "DOYoip3rvIMMW5lgItikFK-Ak1CfMsgjuiCyI7uuU94=" }))
            .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["user_id"], "user-test-e3795c81-f849-4167-bfda-e4a6e9c280fd");
    }
    let (status, body) = harness
        .post("/v1/magic_links/authenticate", json!({ "token": "3pzjQpgksDlGKWEwUq2Up--hCHC_0oamfLHyfspKDFU=" }))
        .await;
    assert_stytch_error(status, &body, 401, "unable_to_auth_magic_link");
    // The live API's wording, as Stytch's Test environment answers these sandbox tokens (issue 12).
    assert_eq!(
        body["error_message"],
        "The magic link could not be authenticated because it was either already used or expired. \
         Send another magic link to this user."
    );
    let (status, body) = harness
        .post("/v1/magic_links/authenticate", json!({ "token": "CprTtwhnRNiMBiUS2jSLcWYrfuO2POeBNdo5HhW6qTM=" }))
        .await;
    assert_stytch_error(status, &body, 404, "magic_link_not_found");
    assert_eq!(
        body["error_message"],
        "The magic link could not be authenticated, try sending another magic link to the user."
    );
}

#[tokio::test]
async fn wrong_or_missing_credentials_are_refused() {
    let harness = Harness::start().await;
    let url = format!("{}/v1/magic_links/email/login_or_create", harness.sandbox.stytch_url);
    let body = json!({ "email": "eve@example.com" });
    for request in [
        harness.http.post(&url).json(&body),
        harness.http.post(&url).basic_auth(&harness.sandbox.project_id, Some("wrong")).json(&body),
        harness.http.post(&url).bearer_auth(&harness.sandbox.secret).json(&body),
    ] {
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let body = response.json().await.unwrap();
        assert_stytch_error(status, &body, 401, "unauthorized_credentials");
    }
    assert!(harness.outbox("eve@example.com").await.is_empty());
}

#[tokio::test]
async fn bad_request_bodies_get_stytch_errors() {
    let harness = Harness::start().await;
    let response = harness
        .http
        .post(format!("{}/v1/magic_links/email/login_or_create", harness.sandbox.stytch_url))
        .basic_auth(&harness.sandbox.project_id, Some(&harness.sandbox.secret))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    assert_stytch_error(status, &response.json().await.unwrap(), 400, "bad_request");

    let (status, body) = harness.post("/v1/magic_links/email/login_or_create", json!({})).await;
    assert_stytch_error(status, &body, 400, "invalid_argument");
    assert!(body["error_message"].as_str().unwrap().contains("email"));
    let (status, body) =
        harness.post("/v1/magic_links/email/login_or_create", json!({ "email": "not-an-email" })).await;
    assert_stytch_error(status, &body, 400, "invalid_email");
    let (status, body) = harness.get("/v1/no/such/route").await;
    assert_stytch_error(status, &body, 404, "not_found");
}

// stytch-node `lib/b2c/magic_links_email.ts` (`MagicLinksEmailSendRequest/Response`): `send` needs an
// existing user, answers `{request_id, user_id, email_id, status_code}`, and with `user_id` or a
// session adds the new, unverified email to that user.
#[tokio::test]
async fn send_reaches_existing_users_and_attaches_a_new_email_to_a_named_user() {
    let harness = Harness::start().await;
    let (status, body) = harness.post("/v1/magic_links/email/send", json!({ "email": "nobody@example.com" })).await;
    assert_stytch_error(status, &body, 404, "email_not_found");
    assert!(harness.outbox("nobody@example.com").await.is_empty());

    let ada = harness.login("ada@example.com").await;
    let (status, sent) = harness.post("/v1/magic_links/email/send", json!({ "email": "ADA@example.com" })).await;
    assert_eq!(status, 200, "{sent}");
    assert_eq!(sent["user_id"], ada.user_id.as_str());
    assert!(sent["email_id"].as_str().unwrap().starts_with("email-test-"));
    assert!(sent.get("user_created").is_none(), "send never creates a user");
    let token = harness.outbox("ada@example.com").await.last().unwrap()["token"].as_str().unwrap().to_owned();
    let (status, body) = harness.post("/v1/magic_links/authenticate", json!({ "token": token })).await;
    assert_eq!((status, &body["user_id"]), (200, &json!(ada.user_id)), "{body}");

    // A second address for Ada, by her session: unverified until its link is used.
    let (status, sent) = harness
        .post("/v1/magic_links/email/send", json!({ "email": "ada@work.example", "session_token": ada.session_token }))
        .await;
    assert_eq!(status, 200, "{sent}");
    let (_, user) = harness.get(&format!("/v1/users/{}", ada.user_id)).await;
    let added = user["emails"].as_array().unwrap().iter().find(|e| e["email"] == "ada@work.example").cloned();
    assert_eq!(added.unwrap()["verified"], false);

    let bob = harness.login("bob@example.com").await;
    let (status, body) =
        harness.post("/v1/magic_links/email/send", json!({ "email": "ada@example.com", "user_id": bob.user_id })).await;
    assert_stytch_error(status, &body, 400, "duplicate_email");

    let (status, body) = harness
        .post("/v1/magic_links/email/send", json!({ "email": "ada@example.com", "user_id": "user-test-x" }))
        .await;
    assert_stytch_error(status, &body, 404, "user_not_found");
}

/// RFC 7636 appendix B: this verifier's S256 challenge.
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

#[tokio::test]
async fn a_link_sent_with_a_code_challenge_needs_its_verifier() {
    let harness = Harness::start().await;
    let body = json!({ "email": "ada@example.com", "code_challenge": CHALLENGE });
    let (status, sent) = harness.post("/v1/magic_links/email/login_or_create", body).await;
    assert_eq!(status, 200, "{sent}");
    let token = harness.outbox("ada@example.com").await[0]["token"].as_str().unwrap().to_owned();
    let authenticate = |verifier: Option<&str>| {
        let mut body = json!({ "token": token, "session_duration_minutes": 60 });
        if let Some(verifier) = verifier {
            body["code_verifier"] = json!(verifier);
        }
        harness.post("/v1/magic_links/authenticate", body)
    };
    let wrong = format!("{}x", &VERIFIER[..VERIFIER.len() - 1]);
    for refused in [None, Some(wrong.as_str())] {
        let (status, body) = authenticate(refused).await;
        assert_stytch_error(status, &body, 400, "pkce_mismatch");
    }
    // A refused verifier leaves the link unused: its owner can still spend it.
    let (status, body) = authenticate(Some(VERIFIER)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["user_id"], sent["user_id"]);
    let (status, body) = authenticate(Some(VERIFIER)).await;
    assert_stytch_error(status, &body, 401, "unable_to_auth_magic_link");

    // A verifier for a link sent without a challenge is refused as well.
    harness.post("/v1/magic_links/email/login_or_create", json!({ "email": "ada@example.com" })).await;
    let token = harness.outbox("ada@example.com").await[1]["token"].as_str().unwrap().to_owned();
    let body = json!({ "token": token, "code_verifier": VERIFIER });
    let (status, body) = harness.post("/v1/magic_links/authenticate", body).await;
    assert_stytch_error(status, &body, 400, "pkce_mismatch");
}
