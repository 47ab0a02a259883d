//! The session past its 5-minute JWTs, through the real router against the sandbox:
//! `POST /session/refresh` (the session token is the credential) and `POST /session/logout`.

mod common;

use common::{Answer, Api, field_errors};
use http::{StatusCode, header};
use serde_json::{Value, json};
use stytch_unit_common::{session::VerifiedSession, telemetry};
use test_support::{
    jwt::now,
    logs::{CapturedLogs, leaked_fragments},
    stack::SandboxSession,
};
use time::OffsetDateTime;
use tracing::level_filters::LevelFilter;

async fn refresh(api: &Api, body: Value) -> Answer {
    api.post("/session/refresh", None, body).await
}

async fn verified(api: &Api, jwt: &str) -> VerifiedSession {
    api.dependencies.verifier.verify(jwt).await.expect("the JWT verifies")
}

/// A JWT of this live session whose `exp` passed a minute ago, signed by the sandbox's own key.
async fn expired_jwt(api: &Api, user: &SandboxSession) -> String {
    let claims = json!({ "iat": now() - 360, "nbf": now() - 360, "exp": now() - 60 });
    api.stack.forge_session(&user.session_token, claims, false).await
}

#[tokio::test]
async fn a_refresh_gives_a_new_jwt_of_the_same_session() {
    let api = common::start(&[]).await;
    let logs = CapturedLogs::default();
    let _guard = tracing::subscriber::set_default(telemetry::subscriber(LevelFilter::TRACE, logs.clone()));
    let user = api.stack.sign_in("ada@example.com").await;
    let before = verified(&api, &user.session_jwt).await;

    let answer = refresh(&api, json!({ "sessionToken": user.session_token })).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(answer.headers[header::CACHE_CONTROL], "no-store");
    assert_eq!(answer.body["sessionToken"], user.session_token.as_str(), "the same session, the same token");
    let jwt = answer.body["sessionJwt"].as_str().unwrap().to_owned();
    let after = verified(&api, &jwt).await;
    assert_eq!((&after.session_id, &after.user_id), (&before.session_id, &before.user_id));
    assert_eq!(after.factors, before.factors);
    assert_eq!(after.expires_at, before.expires_at, "without sessionDurationMinutes the session's end stays");
    assert_eq!(api.get("/me", Some(&jwt)).await.status, StatusCode::OK);

    // Extended: the session then ends that long from now (at most SESSION_DURATION_MINUTES, 60 here).
    let answer = refresh(&api, json!({ "sessionToken": user.session_token, "sessionDurationMinutes": 30 })).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let expires_at = verified(&api, answer.body["sessionJwt"].as_str().unwrap()).await.expires_at;
    let expected = OffsetDateTime::now_utc() + time::Duration::minutes(30);
    assert!((expires_at - expected).abs() < time::Duration::seconds(5), "{expires_at} vs {expected}");

    let text = logs.text();
    assert!(text.contains("session refreshed"), "logs were captured");
    for credential in [&user.session_token, &user.session_jwt, &jwt] {
        assert!(leaked_fragments(&text, credential).is_empty(), "a credential reached the logs");
    }
}

#[tokio::test]
async fn a_session_outlives_its_jwt_through_the_token() {
    let api = common::start(&[]).await;
    let user = api.stack.sign_in("grace@example.com").await;
    let expired = expired_jwt(&api, &user).await;
    api.get("/me", Some(&expired)).await.assert_problem(401, "session_expired");
    api.call("POST", "/session/logout", Some(&expired), None).await.assert_problem(401, "session_expired");

    let answer = refresh(&api, json!({ "sessionToken": user.session_token })).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let fresh = answer.body["sessionJwt"].as_str().unwrap();
    assert_eq!(verified(&api, fresh).await.session_id, verified(&api, &user.session_jwt).await.session_id);
    assert_eq!(api.get("/me", Some(fresh)).await.status, StatusCode::OK);
}

#[tokio::test]
async fn after_logout_the_session_is_refused_wherever_stytch_is_asked() {
    let api = common::start(&[]).await;
    let exchange = api.beside(token_exchange::router, &[]).await;
    let (user, _) = common::applicant(&api, "hedy@example.com", "712360100").await;
    let jwt = Some(user.session_jwt.as_str());
    let read_only = json!({ "scopes": ["cards"] });
    assert_eq!(exchange.post("/token", jwt, read_only.clone()).await.status, StatusCode::OK, "before logout");

    let answer = api.call("POST", "/session/logout", jwt, None).await;
    assert_eq!((answer.status, answer.text.as_str()), (StatusCode::NO_CONTENT, ""));
    // The JWT still verifies locally until it expires; Stytch refuses its session.
    refresh(&api, json!({ "sessionToken": user.session_token })).await.assert_problem(401, "session_not_found");
    exchange.post("/token", jwt, read_only).await.assert_problem(401, "session_not_found");
    api.get("/me", jwt).await.assert_problem(401, "session_not_found");

    // Logging out again, by JWT or by token, is what the caller wants: 204.
    assert_eq!(api.call("POST", "/session/logout", jwt, None).await.status, StatusCode::NO_CONTENT);
    let by_token = json!({ "sessionToken": user.session_token });
    assert_eq!(api.call("POST", "/session/logout", None, Some(by_token)).await.status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn a_logout_by_token_ends_the_session_once_its_jwt_has_expired() {
    let api = common::start(&[]).await;
    let user = api.stack.sign_in("joan@example.com").await;
    let other = api.stack.sign_in("joan@example.com").await;
    let body = json!({ "sessionToken": user.session_token });

    // Both credentials at once: which session to end would be a guess.
    let answer = api.call("POST", "/session/logout", Some(&other.session_jwt), Some(body.clone())).await;
    answer.assert_problem(400, "validation_failed");
    assert_eq!(field_errors(&answer)[0].0, "sessionToken");

    let answer = api.call("POST", "/session/logout", None, Some(body.clone())).await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT, "{}", answer.text);
    refresh(&api, body).await.assert_problem(401, "session_not_found");
    // Only that session ended: the user's other one lives on.
    let answer = refresh(&api, json!({ "sessionToken": other.session_token })).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    // A token Stytch never issued: nothing to end, and no telling which tokens exist.
    let unknown = json!({ "sessionToken": "mZAYn5aLEqKUlZ_Ad9U_fWr38GaAQ1oFAhT8ds245v7Q" });
    assert_eq!(api.call("POST", "/session/logout", None, Some(unknown)).await.status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn bad_input_is_a_400_naming_the_field_never_the_value() {
    let api = common::start(&[]).await;
    let user = api.stack.sign_in("mary@example.com").await;
    let token = user.session_token.as_str();
    let cases = [
        (json!({}), vec!["sessionToken"]),
        (json!({ "sessionToken": 42 }), vec!["sessionToken"]),
        (json!({ "sessionToken": "" }), vec!["sessionToken"]),
        (json!({ "sessionToken": format!("{token} {token}") }), vec!["sessionToken"]),
        (json!({ "sessionToken": token, "sessionDurationMinutes": "30" }), vec!["sessionDurationMinutes"]),
        (json!({ "sessionToken": token, "sessionDurationMinutes": 4 }), vec!["sessionDurationMinutes"]),
        (json!({ "sessionToken": token, "sessionDurationMinutes": 61 }), vec!["sessionDurationMinutes"]),
        (json!({ "sessionToken": token, "sessionDurationMinutes": 1.5 }), vec!["sessionDurationMinutes"]),
        (
            json!({ "sessionToken": " ", "sessionDurationMinutes": 527_040 }),
            vec!["sessionToken", "sessionDurationMinutes"],
        ),
    ];
    for (body, fields) in cases {
        let answer = refresh(&api, body.clone()).await;
        answer.assert_problem(400, "validation_failed");
        let named: Vec<String> = field_errors(&answer).into_iter().map(|(field, _)| field).collect();
        assert_eq!(named, fields, "{body}");
        assert!(!answer.text.contains(token), "the token was repeated: {}", answer.text);
    }
    refresh(&api, json!("not an object")).await.assert_problem(400, "validation_failed");
    let not_json = api.call_with("POST", "/session/refresh", None, &[("content-type", "application/json")], None).await;
    not_json.assert_problem(400, "invalid_body");

    for body in [json!({ "sessionToken": 42 }), json!({ "sessionToken": "  " })] {
        let answer = api.call("POST", "/session/logout", None, Some(body)).await;
        answer.assert_problem(400, "validation_failed");
        assert_eq!(field_errors(&answer)[0].0, "sessionToken");
    }
    for body in [None, Some(json!({}))] {
        api.call("POST", "/session/logout", None, body).await.assert_problem(401, "missing_credentials");
    }
    assert_eq!(refresh(&api, json!({ "sessionToken": token })).await.status, StatusCode::OK, "nothing was spent");
}
