//! The Stytch session-JWT verifier against every token a verifier must refuse.
//! Keys come from fixed PEM fixtures; the JWKS is served over loopback HTTP and counted.

use std::time::Duration;

use serde_json::json;
use stytch_unit_common::{
    http::ApiError,
    session::{JwksCache, JwksSettings, SessionVerifier, VerifierSettings, VerifyError},
    step_up::StepUpShortfall,
};
use test_support::{
    jwks_server::JwksServer,
    jwt::{PROJECT_ID, SessionToken, USER_ID, factor, now},
    keys::{SIGNING_KID, jwks_document},
};
use time::OffsetDateTime;

struct Harness {
    jwks: JwksServer,
    verifier: SessionVerifier,
}

async fn harness_with(max_token_age: Option<Duration>, cooldown: Duration) -> Harness {
    let jwks = JwksServer::start(jwks_document(SIGNING_KID)).await;
    let base = url::Url::parse(&jwks.url).unwrap();
    let cache = JwksCache::new(
        reqwest::Client::builder().timeout(Duration::from_secs(2)).build().unwrap(),
        JwksCache::jwks_url(&base, PROJECT_ID),
        JwksSettings {
            ttl: Duration::from_secs(600),
            refresh_cooldown: cooldown,
            fetch_timeout: Duration::from_secs(2),
        },
    );
    let verifier = SessionVerifier::new(
        cache,
        VerifierSettings {
            project_id: PROJECT_ID.into(),
            extra_issuers: vec!["https://login.example.com".into()],
            leeway: Duration::from_secs(5),
            max_token_age,
        },
    );
    Harness { jwks, verifier }
}

async fn harness() -> Harness {
    harness_with(None, Duration::from_secs(30)).await
}

async fn refusal(token: SessionToken) -> VerifyError {
    harness().await.verifier.verify(&token.encode()).await.expect_err("token must be refused")
}

#[tokio::test]
async fn an_honest_token_verifies_into_a_session() {
    let h = harness().await;
    let session = h.verifier.verify(&SessionToken::honest().encode()).await.unwrap();
    assert_eq!(session.user_id, USER_ID);
    assert_eq!(session.session_id, "session-test-fe6c042b-6286-479f-8a4f-b046a6c46509");
    assert_eq!(session.factors.len(), 1);
    assert_eq!(session.factors[0].email_factor.as_ref().unwrap().email_address, "sandbox@stytch.com");
    // The session claim's expires_at (an hour away) wins over the JWT's 5-minute exp.
    assert!(session.expires_at > OffsetDateTime::now_utc() + time::Duration::minutes(50));
    assert_eq!(h.jwks.hits(), 1);
}

#[tokio::test]
async fn keys_are_cached_across_verifications() {
    let h = harness().await;
    for _ in 0..5 {
        h.verifier.verify(&SessionToken::honest().encode()).await.unwrap();
    }
    assert_eq!(h.jwks.hits(), 1);
}

#[tokio::test]
async fn the_custom_domain_issuer_is_accepted() {
    let h = harness().await;
    let token = SessionToken::honest().claim("iss", json!("https://login.example.com"));
    assert!(h.verifier.verify(&token.encode()).await.is_ok());
}

#[tokio::test]
async fn alg_none_is_refused() {
    assert_eq!(refusal(SessionToken::honest().unsigned()).await, VerifyError::Malformed);
}

#[tokio::test]
async fn hs256_keyed_with_the_public_key_is_refused() {
    assert_eq!(refusal(SessionToken::honest().hmac_with_public_key()).await, VerifyError::DisallowedAlgorithm);
}

#[tokio::test]
async fn another_key_with_the_right_kid_is_refused() {
    assert_eq!(refusal(SessionToken::honest().signed_by_foreign_key()).await, VerifyError::BadSignature);
}

#[tokio::test]
async fn a_tampered_payload_is_refused() {
    let honest = SessionToken::honest().encode();
    let forged_claims = SessionToken::honest().claim("sub", json!("user-test-attacker")).encode();
    let mut parts: Vec<&str> = honest.split('.').collect();
    parts[1] = forged_claims.split('.').nth(1).unwrap();
    let err = harness().await.verifier.verify(&parts.join(".")).await.unwrap_err();
    assert_eq!(err, VerifyError::BadSignature);
}

#[tokio::test]
async fn wrong_audience_and_issuer_are_refused() {
    assert_eq!(
        refusal(SessionToken::honest().claim("aud", json!(["project-test-other"]))).await,
        VerifyError::WrongAudience
    );
    assert_eq!(
        refusal(SessionToken::honest().claim("iss", json!("stytch.com/project-test-other"))).await,
        VerifyError::WrongIssuer
    );
}

#[tokio::test]
async fn expired_and_not_yet_valid_tokens_are_refused() {
    let t = now();
    let expired =
        SessionToken::honest().claim("iat", json!(t - 400)).claim("nbf", json!(t - 400)).claim("exp", json!(t - 100));
    assert_eq!(refusal(expired).await, VerifyError::Expired);
    let future = SessionToken::honest().claim("nbf", json!(t + 120));
    assert_eq!(refusal(future).await, VerifyError::NotYetValid);
    let issued_in_future = SessionToken::honest().claim("iat", json!(t + 120));
    assert_eq!(refusal(issued_in_future).await, VerifyError::IssuedInFuture);
}

#[tokio::test]
async fn the_leeway_is_small_and_explicit() {
    let t = now();
    let just_expired = SessionToken::honest().claim("exp", json!(t - 2));
    assert!(harness().await.verifier.verify(&just_expired.encode()).await.is_ok(), "2 s past exp is within 5 s leeway");
    let well_expired = SessionToken::honest().claim("exp", json!(t - 30));
    assert_eq!(refusal(well_expired).await, VerifyError::Expired);
}

#[tokio::test]
async fn missing_required_claims_are_refused() {
    for claim in ["exp", "iat", "sub", "nbf", "aud", "iss", "https://stytch.com/session"] {
        let err = harness().await.verifier.verify(&SessionToken::honest().without_claim(claim).encode()).await;
        assert_eq!(err.unwrap_err(), VerifyError::MissingClaim, "without {claim}");
    }
}

#[tokio::test]
async fn exp_given_as_a_string_is_refused() {
    let token = SessionToken::honest().claim("exp", json!((now() + 300).to_string()));
    assert_eq!(refusal(token).await, VerifyError::MissingClaim);
}

#[tokio::test]
async fn key_reference_headers_are_refused_and_never_fetched() {
    let h = harness().await;
    for (name, value) in [
        ("jku", json!("http://127.0.0.1:1/jwks.json")),
        ("x5u", json!("http://127.0.0.1:1/cert.pem")),
        ("jwk", json!({"kty": "RSA", "n": "AQAB", "e": "AQAB"})),
    ] {
        let token = SessionToken::honest().header(name, value);
        assert_eq!(h.verifier.verify(&token.encode()).await.unwrap_err(), VerifyError::ForbiddenHeader, "{name}");
    }
    assert_eq!(h.jwks.hits(), 0, "nothing was fetched for a refused header");
}

#[tokio::test]
async fn a_typ_other_than_jwt_is_refused() {
    assert_eq!(refusal(SessionToken::honest().header("typ", json!("at+jwt"))).await, VerifyError::WrongType);
}

#[tokio::test]
async fn an_unknown_kid_refreshes_once_then_fails_closed() {
    let h = harness_with(None, Duration::from_secs(1)).await;
    h.verifier.verify(&SessionToken::honest().encode()).await.unwrap();
    assert_eq!(h.jwks.hits(), 1);
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let unknown = SessionToken::honest().header("kid", json!("jwk-test-nobody"));
    for _ in 0..5 {
        assert_eq!(h.verifier.verify(&unknown.encode()).await.unwrap_err(), VerifyError::UnknownKeyId);
    }
    assert_eq!(h.jwks.hits(), 2, "exactly one refresh within the cooldown");
    // Known keys keep working meanwhile.
    assert!(h.verifier.verify(&SessionToken::honest().encode()).await.is_ok());
}

#[tokio::test]
async fn after_the_cooldown_an_unknown_kid_may_refresh_again() {
    let h = harness_with(None, Duration::from_secs(1)).await;
    let unknown = SessionToken::honest().header("kid", json!("jwk-test-nobody"));
    h.verifier.verify(&unknown.encode()).await.unwrap_err();
    h.verifier.verify(&unknown.encode()).await.unwrap_err();
    h.verifier.verify(&unknown.encode()).await.unwrap_err();
    // The first fetch, then one refresh for the unknown kid: the cooldown counts from the last
    // refresh an unknown kid caused, so that a routine fetch never holds back a key Stytch has
    // just rotated in (tests/security: a_key_stytch_rotates_in_is_learnt_at_once…).
    assert_eq!(h.jwks.hits(), 2);
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    h.verifier.verify(&unknown.encode()).await.unwrap_err();
    assert_eq!(h.jwks.hits(), 3);
}

#[tokio::test]
async fn an_unreachable_jwks_fails_closed_with_503() {
    let h = harness().await;
    h.jwks.set_failing(true);
    let err = h.verifier.verify(&SessionToken::honest().encode()).await.unwrap_err();
    assert_eq!(err, VerifyError::JwksUnavailable);
    assert_eq!(ApiError::from(err).status(), 503);
}

#[tokio::test]
async fn a_token_older_than_the_max_age_is_refused() {
    let h = harness_with(Some(Duration::from_secs(60)), Duration::from_secs(30)).await;
    let t = now();
    let old = SessionToken::honest().claim("iat", json!(t - 90)).claim("nbf", json!(t - 90));
    assert_eq!(h.verifier.verify(&old.encode()).await.unwrap_err(), VerifyError::TooOld);
    assert!(h.verifier.verify(&SessionToken::honest().encode()).await.is_ok());
}

#[tokio::test]
async fn two_factor_helper_on_verified_sessions() {
    let h = harness().await;
    let five_minutes = Duration::from_secs(300);
    let verify = |token: SessionToken| {
        let verifier = &h.verifier;
        async move { verifier.verify(&token.encode()).await.unwrap() }
    };
    let one_factor = verify(SessionToken::honest()).await;
    assert_eq!(
        one_factor.check_two_factor(five_minutes, OffsetDateTime::now_utc()),
        Err(StepUpShortfall::SingleFactor)
    );

    let stepped_up = verify(
        SessionToken::honest()
            .factors(vec![factor("magic_link", "email", 900), factor("totp", "authenticator_app", 20)]),
    )
    .await;
    assert_eq!(stepped_up.check_two_factor(five_minutes, OffsetDateTime::now_utc()), Ok(()));

    let stale = verify(
        SessionToken::honest()
            .factors(vec![factor("magic_link", "email", 900), factor("totp", "authenticator_app", 600)]),
    )
    .await;
    assert_eq!(
        stale.check_two_factor(five_minutes, OffsetDateTime::now_utc()),
        Err(StepUpShortfall::StaleSecondFactor)
    );

    let same_category =
        verify(SessionToken::honest().factors(vec![factor("magic_link", "email", 900), factor("otp", "email", 10)]))
            .await;
    assert_eq!(
        same_category.check_two_factor(five_minutes, OffsetDateTime::now_utc()),
        Err(StepUpShortfall::SingleFactor)
    );

    let unknown_type_kept = verify(
        SessionToken::honest()
            .factors(vec![factor("magic_link", "email", 900), factor("brand_new_factor", "telepathy", 5)]),
    )
    .await;
    assert_eq!(unknown_type_kept.factors.len(), 2);
}
