//! Cookie mode (`SESSION_COOKIE=true`) through the real router against the sandbox: the session
//! token travels only in the `HttpOnly` cookie scoped to `/session`, never in a body, and a request
//! whose credential is the cookie must come from an allowed origin with `X-Requested-With`.

mod common;

use common::{Answer, Api, field_errors};
use http::{Method, StatusCode, header};
use serde_json::json;
use test_support::stack::SandboxSession;

const ORIGIN: &str = "https://app.example.com";

async fn cookie_api() -> Api {
    common::start(&[("SESSION_COOKIE", "true"), ("CORS_ALLOWED_ORIGINS", ORIGIN)]).await
}

fn cookie(user: &SandboxSession) -> String {
    format!("theme=dark; stytch_session_token={}", user.session_token)
}

/// `POST path` with the session cookie, and the given `Origin` and `X-Requested-With`.
async fn with_cookie(api: &Api, path: &str, user: &SandboxSession, origin: Option<&str>, marked: bool) -> Answer {
    let cookie = cookie(user);
    let mut headers = vec![("cookie", cookie.as_str())];
    headers.extend(origin.map(|origin| ("origin", origin)));
    if marked {
        headers.push(("x-requested-with", "fetch"));
    }
    api.call_with(Method::POST, path, None, &headers, None).await
}

fn set_cookie(answer: &Answer) -> &str {
    answer.headers.get(header::SET_COOKIE).expect("a Set-Cookie header").to_str().unwrap()
}

#[tokio::test]
async fn a_refresh_reads_and_renews_the_cookie_and_never_shows_the_token() {
    let api = cookie_api().await;
    let user = api.stack.sign_in("ada@example.com").await;

    let answer = with_cookie(&api, "/session/refresh", &user, Some(ORIGIN), true).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert!(answer.body.get("sessionToken").is_none(), "{}", answer.text);
    assert!(!answer.text.contains(&user.session_token), "the token is in no body");
    assert_eq!(answer.headers[header::CACHE_CONTROL], "no-store");
    let set = set_cookie(&answer);
    assert!(set.starts_with(&format!("stytch_session_token={};", user.session_token)), "{set}");
    for attribute in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/session"] {
        assert!(set.split("; ").any(|part| part == attribute), "{attribute} missing from {set}");
    }
    let jwt = answer.body["sessionJwt"].as_str().unwrap();
    assert_eq!(api.get("/me", Some(jwt)).await.status, StatusCode::OK);
    assert_eq!(answer.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], ORIGIN);
    assert_eq!(answer.headers[header::ACCESS_CONTROL_ALLOW_CREDENTIALS], "true");

    // The token in the body would be one script can read: refused in this mode.
    let body = json!({ "sessionToken": user.session_token });
    let answer = api.post("/session/refresh", None, body).await;
    answer.assert_problem(400, "validation_failed");
    assert_eq!(field_errors(&answer)[0].0, "sessionToken");
    api.post("/session/refresh", None, json!({})).await.assert_problem(401, "missing_credentials");
}

#[tokio::test]
async fn a_cross_site_request_with_the_cookie_is_refused() {
    let api = cookie_api().await;
    let user = api.stack.sign_in("eve@example.com").await;
    for (origin, marked) in [(Some("https://evil.example"), true), (None, true), (Some(ORIGIN), false)] {
        for path in ["/session/refresh", "/session/logout"] {
            let answer = with_cookie(&api, path, &user, origin, marked).await;
            answer.assert_problem(403, "csrf_rejected");
            assert!(!answer.text.contains(&user.session_token));
        }
    }
    // Nothing was ended: the owner's own request still works.
    let answer = with_cookie(&api, "/session/refresh", &user, Some(ORIGIN), true).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);

    // The preflight a cross-origin fetch with X-Requested-With needs: credentials for the allowed origin only.
    for (origin, allowed) in [(ORIGIN, true), ("https://evil.example", false)] {
        let headers = [
            ("origin", origin),
            ("access-control-request-method", "POST"),
            ("access-control-request-headers", "content-type,x-requested-with"),
        ];
        let answer = api.call_with(Method::OPTIONS, "/session/refresh", None, &headers, None).await;
        let allow_origin = answer.headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN);
        assert_eq!(allow_origin.is_some_and(|value| value == origin), allowed, "{origin}");
        if allowed {
            assert_eq!(answer.headers[header::ACCESS_CONTROL_ALLOW_CREDENTIALS], "true");
            let headers = answer.headers[header::ACCESS_CONTROL_ALLOW_HEADERS].to_str().unwrap().to_lowercase();
            assert!(headers.contains("x-requested-with"), "{headers}");
        }
    }
}

#[tokio::test]
async fn logout_with_the_cookie_ends_the_session_and_clears_the_cookie() {
    let api = cookie_api().await;
    let user = api.stack.sign_in("grace@example.com").await;
    let answer = with_cookie(&api, "/session/logout", &user, Some(ORIGIN), true).await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT, "{}", answer.text);
    let cleared = set_cookie(&answer);
    assert!(cleared.starts_with("stytch_session_token=;") && cleared.contains("Max-Age=0"), "{cleared}");
    let answer = with_cookie(&api, "/session/refresh", &user, Some(ORIGIN), true).await;
    answer.assert_problem(401, "session_not_found");
    api.get("/me", Some(&user.session_jwt)).await.assert_problem(401, "session_not_found");

    // With the bearer JWT instead (no CSRF question: a cross-site page cannot send it), the cookie is cleared too.
    let other = api.stack.sign_in("hedy@example.com").await;
    let answer = api.call(Method::POST, "/session/logout", Some(&other.session_jwt), None).await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT, "{}", answer.text);
    assert!(set_cookie(&answer).contains("Max-Age=0"));
}
