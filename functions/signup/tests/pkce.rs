//! PKCE for magic links through the real router, against the sandbox: the `codeChallenge` of
//! `POST /signup` reaches Stytch, and the link then signs in only with its `codeVerifier`.

mod common;

use common::field_errors;
use http::StatusCode;
use serde_json::{Value, json};

/// RFC 7636 appendix B: this verifier's S256 challenge.
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

async fn link_token(api: &common::Api, email: &str) -> String {
    let link = api.stack.outbox_latest(&api.stack.sandbox.stytch_url, email).await;
    link["token"].as_str().expect("a magic-link token").to_owned()
}

#[tokio::test]
async fn a_link_sent_with_a_challenge_is_spent_only_with_its_verifier() {
    let api = common::start(&[]).await;
    let email = "ada@example.com";
    let sent = api.post("/signup", None, json!({ "email": email, "codeChallenge": CHALLENGE })).await;
    assert_eq!(sent.status, StatusCode::ACCEPTED, "{}", sent.text);
    let token = link_token(&api, email).await;

    // Whoever read the link, without the verifier kept by the device that asked for it.
    let wrong = VERIFIER.replace('d', "e");
    for body in [json!({ "token": token }), json!({ "token": token, "codeVerifier": wrong })] {
        let answer = api.post("/signup/authenticate", None, body).await;
        answer.assert_problem(401, "pkce_mismatch");
        assert!(answer.body.get("sessionJwt").is_none());
        assert!(!answer.text.contains(&token) && !answer.text.contains(&wrong));
    }
    let answer = api.post("/signup/authenticate", None, json!({ "token": token, "codeVerifier": VERIFIER })).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert!(answer.body["sessionJwt"].as_str().is_some());

    // Without a challenge, as before; a verifier then has nothing to match.
    api.post("/signup", None, json!({ "email": email })).await;
    let plain = link_token(&api, email).await;
    let answer = api.post("/signup/authenticate", None, json!({ "token": plain, "codeVerifier": VERIFIER })).await;
    answer.assert_problem(401, "pkce_mismatch");
    let answer = api.post("/signup/authenticate", None, json!({ "token": plain })).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
}

#[tokio::test]
async fn malformed_challenges_and_verifiers_are_field_errors() {
    let api = common::start(&[]).await;
    let answer = api.post("/signup", None, json!({ "email": "x", "codeChallenge": format!("{CHALLENGE}=") })).await;
    let fields: Vec<String> = field_errors(&answer).into_iter().map(|(field, _)| field).collect();
    assert_eq!(fields, ["email", "codeChallenge"], "every bad field at once");
    let answer = api.post("/signup/authenticate", None, json!({ "token": "t", "codeVerifier": "too-short" })).await;
    assert_eq!(field_errors(&answer)[0].0, "codeVerifier");
    assert!(!answer.text.contains("too-short"), "the reason never repeats the value");
}

#[tokio::test]
async fn a_deployment_can_require_pkce() {
    let api = common::start(&[("REQUIRE_PKCE", "true")]).await;
    let email = "grace@example.com";
    let answer = api.post("/signup", None, json!({ "email": email })).await;
    answer.assert_problem(400, "validation_failed");
    assert_eq!(field_errors(&answer)[0].0, "codeChallenge");
    let outbox = api.stack.outbox(&api.stack.sandbox.stytch_url, email).await;
    assert_eq!(outbox, Vec::<Value>::new(), "no link was sent");

    let sent = api.post("/signup", None, json!({ "email": email, "codeChallenge": CHALLENGE })).await;
    assert_eq!(sent.status, StatusCode::ACCEPTED);
    let token = link_token(&api, email).await;
    let answer = api.post("/signup/authenticate", None, json!({ "token": token })).await;
    assert_eq!(field_errors(&answer)[0].0, "codeVerifier");
    let answer = api.post("/signup/authenticate", None, json!({ "token": token, "codeVerifier": VERIFIER })).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
}
