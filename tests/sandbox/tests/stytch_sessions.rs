//! Session JWT shape (verified against the served JWKS), refresh with an expired JWT, revocation,
//! forged JWTs and key rotation.

mod helpers;

use helpers::{Harness, assert_stytch_error};
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use serde_json::{Value, json};

/// Verifies `jwt` the way Stytch's SDKs do: RS256 with the JWKS key named by `kid`, `aud`, `iss`, `exp`.
async fn verify(harness: &Harness, jwt: &str) -> jsonwebtoken::errors::Result<Value> {
    let header = decode_header(jwt)?;
    let jwks = harness.jwks().await;
    let jwk = jwks.find(header.kid.as_deref().unwrap_or_default()).expect("kid is in the JWKS");
    let mut validation = Validation::new(Algorithm::RS256);
    validation.leeway = 0;
    validation.set_audience(&[&harness.sandbox.project_id]);
    validation.set_issuer(&[format!("stytch.com/{}", harness.sandbox.project_id)]);
    validation.set_required_spec_claims(&["exp", "nbf", "iat", "aud", "iss", "sub"]);
    Ok(decode::<Value>(jwt, &DecodingKey::from_jwk(jwk)?, &validation)?.claims)
}

#[tokio::test]
async fn session_jwt_has_stytchs_layout() {
    let harness = Harness::start().await;
    let login = harness.login("ada@example.com").await;

    let header = decode_header(&login.session_jwt).unwrap();
    assert_eq!(header.alg, Algorithm::RS256);
    assert_eq!(header.typ.as_deref(), Some("JWT"));
    assert!(header.kid.as_deref().unwrap().starts_with("jwk-test-"));

    let claims = verify(&harness, &login.session_jwt).await.expect("the JWT verifies against the JWKS");
    assert_eq!(claims["aud"], json!([harness.sandbox.project_id]));
    assert_eq!(claims["iss"], format!("stytch.com/{}", harness.sandbox.project_id));
    assert_eq!(claims["sub"], login.user_id);
    let iat = claims["iat"].as_i64().unwrap();
    assert_eq!(claims["nbf"].as_i64(), Some(iat));
    assert_eq!(claims["exp"].as_i64(), Some(iat + 300));

    let session = &claims["https://stytch.com/session"];
    assert!(session["id"].as_str().unwrap().starts_with("session-test-"));
    for field in ["started_at", "last_accessed_at", "expires_at"] {
        let value = session[field].as_str().unwrap();
        assert!(
            time::OffsetDateTime::parse(value, &time::format_description::well_known::Rfc3339).is_ok(),
            "{field}={value}"
        );
        assert!(value.ends_with('Z'));
    }
    assert!(session["attributes"].get("user_agent").is_some() && session["attributes"].get("ip_address").is_some());
    let factor = &session["authentication_factors"][0];
    assert_eq!(factor["type"], "magic_link");
    assert!(factor["last_authenticated_at"].is_string());
    assert!(factor["email_factor"]["email_id"].as_str().unwrap().starts_with("email-test-"));

    let jwks = harness.jwks().await;
    let key = serde_json::to_value(&jwks.keys[0]).unwrap();
    assert_eq!(key["kty"], "RSA");
    assert_eq!(key["use"], "sig");
    assert_eq!(key["alg"], "RS256");
    assert_eq!(key["key_ops"], json!(["verify"]));
    assert_eq!(key["e"], "AQAB");
}

#[tokio::test]
async fn jwks_needs_no_credentials_and_only_serves_this_project() {
    let harness = Harness::start().await;
    let body: Value = harness.http.get(&harness.sandbox.stytch_jwks_url).send().await.unwrap().json().await.unwrap();
    assert_eq!(body["status_code"], 200);
    assert!(body["request_id"].is_string());
    assert_eq!(body["keys"].as_array().unwrap().len(), 1);
    let other = harness
        .http
        .get(format!("{}/v1/sessions/jwks/project-test-other", harness.sandbox.stytch_url))
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 404);
}

#[tokio::test]
async fn sessions_authenticate_refreshes_an_expired_jwt() {
    let harness = Harness::start().await;
    let login = harness.login("ada@example.com").await;
    let expired = harness.forge(&login.session_token, json!({ "iat": 1_000, "nbf": 1_000, "exp": 1_300 }), false).await;
    assert!(verify(&harness, &expired).await.is_err(), "a verifier rejects the expired JWT");

    let (status, body) = harness.post("/v1/sessions/authenticate", json!({ "session_jwt": expired })).await;
    assert_eq!(status, 200, "{body}");
    let fresh = body["session_jwt"].as_str().unwrap();
    let claims = verify(&harness, fresh).await.expect("the refreshed JWT verifies");
    assert!(claims["exp"].as_i64().unwrap() > 1_300);
    assert_eq!(body["session_token"], "", "a JWT alone does not earn the session token back");
    assert_eq!(body["session"]["session_id"], claims["https://stytch.com/session"]["id"]);
    assert_eq!(body["user"]["user_id"], login.user_id);

    let (status, body) =
        harness.post("/v1/sessions/authenticate", json!({ "session_token": login.session_token })).await;
    assert_eq!(status, 200);
    assert_eq!(body["session_token"], login.session_token);

    // Extending: expires_at moves to about now + N minutes.
    let (_, body) = harness
        .post(
            "/v1/sessions/authenticate",
            json!({ "session_token": login.session_token, "session_duration_minutes": 600 }),
        )
        .await;
    let expires = time::OffsetDateTime::parse(
        body["session"]["expires_at"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    assert!(expires > time::OffsetDateTime::now_utc() + time::Duration::minutes(590));
}

#[tokio::test]
async fn revoked_and_unknown_sessions_are_not_found() {
    let harness = Harness::start().await;
    let login = harness.login("ada@example.com").await;
    let (status, _) = harness.post("/v1/sessions/revoke", json!({ "session_jwt": login.session_jwt })).await;
    assert_eq!(status, 200);
    for body in [json!({ "session_token": login.session_token }), json!({ "session_jwt": login.session_jwt })] {
        let (status, body) = harness.post("/v1/sessions/authenticate", body).await;
        assert_stytch_error(status, &body, 404, "session_not_found");
    }
    let (status, body) = harness.post("/v1/sessions/revoke", json!({ "session_token": login.session_token })).await;
    assert_stytch_error(status, &body, 404, "session_not_found");
    let (status, body) = harness
        .post("/v1/sessions/authenticate", json!({ "session_token": "59cnLELtq5cFVS6uYK9f-pAWzBkhqZl8AvLhbhOvKNWw" }))
        .await;
    assert_stytch_error(status, &body, 404, "session_not_found");
}

#[tokio::test]
async fn session_arguments_are_checked() {
    let harness = Harness::start().await;
    let login = harness.login("ada@example.com").await;
    let (status, body) = harness
        .post(
            "/v1/sessions/authenticate",
            json!({ "session_token": login.session_token, "session_jwt": login.session_jwt }),
        )
        .await;
    assert_stytch_error(status, &body, 400, "too_many_session_arguments");
    let (status, body) = harness.post("/v1/sessions/authenticate", json!({})).await;
    assert_stytch_error(status, &body, 400, "no_session_arguments");
    let (status, body) = harness.post("/v1/sessions/authenticate", json!({ "session_jwt": "garbage" })).await;
    assert_stytch_error(status, &body, 400, "unable_to_parse_session_jwt");
    let (status, body) = harness
        .post(
            "/v1/sessions/authenticate",
            json!({ "session_token": login.session_token, "session_duration_minutes": 1 }),
        )
        .await;
    assert_stytch_error(status, &body, 400, "invalid_session_duration_minutes");
    let (status, body) = harness.post("/v1/sessions/revoke", json!({})).await;
    assert_stytch_error(status, &body, 400, "no_session_revoke_arguments");
}

#[tokio::test]
async fn forged_jwts_override_claims_and_foreign_keys_fail_verification() {
    let harness = Harness::start().await;
    let login = harness.login("ada@example.com").await;

    let forged = harness.forge(&login.session_token, json!({ "aud": ["someone-else"], "sub": null }), false).await;
    let claims = helpers::payload(&forged);
    assert_eq!(claims["aud"], json!(["someone-else"]));
    assert!(claims.get("sub").is_none(), "null removes the claim");
    assert!(verify(&harness, &forged).await.is_err());

    let foreign = harness.forge(&login.session_token, json!({}), true).await;
    assert_eq!(decode_header(&foreign).unwrap().kid, decode_header(&login.session_jwt).unwrap().kid, "same kid");
    let error = verify(&harness, &foreign).await.expect_err("signed by a key outside the JWKS");
    assert_eq!(*error.kind(), jsonwebtoken::errors::ErrorKind::InvalidSignature);
    let (status, body) = harness.post("/v1/sessions/authenticate", json!({ "session_jwt": foreign })).await;
    assert_stytch_error(status, &body, 401, "unable_to_parse_session_jwt");

    let (status, _) = harness
        .control(
            reqwest::Method::POST,
            "/__sandbox/sessions/jwt",
            Some(json!({ "session_token": "nope", "claims": {} })),
        )
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn key_rotation_serves_old_and_new_keys() {
    let harness = Harness::start().await;
    let login = harness.login("ada@example.com").await;
    let old_kid = decode_header(&login.session_jwt).unwrap().kid.unwrap();

    let (status, rotated) = harness.control(reqwest::Method::POST, "/__sandbox/keys/rotate", None).await;
    assert_eq!(status, 200);
    let new_kid = rotated["kid"].as_str().unwrap().to_owned();
    assert_ne!(new_kid, old_kid);

    let kids: Vec<String> = harness.jwks().await.keys.iter().filter_map(|k| k.common.key_id.clone()).collect();
    assert_eq!(kids, vec![old_kid, new_kid.clone()]);
    verify(&harness, &login.session_jwt).await.expect("tokens signed before the rotation still verify");

    let (_, body) = harness.post("/v1/sessions/authenticate", json!({ "session_jwt": login.session_jwt })).await;
    let fresh = body["session_jwt"].as_str().unwrap();
    assert_eq!(decode_header(fresh).unwrap().kid.as_deref(), Some(new_kid.as_str()));
    verify(&harness, fresh).await.unwrap();
}

#[tokio::test]
async fn the_sandbox_session_token_always_authenticates() {
    let harness = Harness::start().await;
    let (status, body) = harness
        .post("/v1/sessions/authenticate", json!({ "session_token": "WJtR5BCy38Szd5AfoDpf0iqFKEt4EE5JhjlWUY7l3FtY" }))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["session"]["user_id"], "user-test-e3795c81-f849-4167-bfda-e4a6e9c280fd");
    // stytch.com/docs sandbox values: the sandbox session started at 2021-08-28T00:41:58.935673Z. API
    // bodies carry the microseconds; the JWT claim has whole seconds, as in the Stytch-issued
    // `TEST_EXPIRED_JWT` of stytch-python `test/constants.py` (the same session).
    assert_eq!(body["session"]["started_at"], "2021-08-28T00:41:58.935673Z");
    let claim = &helpers::payload(body["session_jwt"].as_str().unwrap())["https://stytch.com/session"];
    assert_eq!(claim["started_at"], "2021-08-28T00:41:58Z");
    for field in ["last_accessed_at", "expires_at"] {
        let api = body["session"][field].as_str().unwrap();
        let jwt = claim[field].as_str().unwrap();
        assert_eq!(api.len(), "2021-08-28T00:41:58.935673Z".len(), "{field} to the microsecond: {api}");
        assert_eq!(jwt.len(), "2021-08-28T00:41:58Z".len(), "{field} to the second: {jwt}");
        assert_eq!(api[..19], jwt[..19], "{field}: one time, two precisions");
    }
    let (status, _) = harness
        .post("/v1/sessions/revoke", json!({ "session_token": "WJtR5BCy38Szd5AfoDpf0iqFKEt4EE5JhjlWUY7l3FtY" }))
        .await;
    assert_eq!(status, 404);
}
