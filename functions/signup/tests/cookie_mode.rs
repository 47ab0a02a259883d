//! Cookie mode (`SESSION_COOKIE=true`): signing in sets the session token as an `HttpOnly` cookie
//! scoped to `/session` and leaves it out of the body, where script could read it.

mod common;

use http::{Method, StatusCode, header};
use serde_json::json;

const ORIGIN: &str = "https://app.example.com";

#[tokio::test]
async fn signing_in_sets_the_cookie_and_shows_no_token() {
    let api = common::start(&[("SESSION_COOKIE", "true"), ("CORS_ALLOWED_ORIGINS", ORIGIN)]).await;
    let email = "ada@example.com";
    assert_eq!(api.post("/signup", None, json!({ "email": email })).await.status, StatusCode::ACCEPTED);
    let link = api.stack.outbox_latest(&api.stack.sandbox.stytch_url, email).await;
    let body = json!({ "token": link["token"] });
    let answer = api.call_with(Method::POST, "/signup/authenticate", None, &[("origin", ORIGIN)], Some(body)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert!(answer.body.get("sessionToken").is_none(), "{}", answer.text);
    assert!(answer.body["sessionJwt"].as_str().is_some() && answer.body["userId"].as_str().is_some());
    assert_eq!(answer.headers[header::ACCESS_CONTROL_ALLOW_CREDENTIALS], "true");
    let set = answer.headers[header::SET_COOKIE].to_str().unwrap();
    let token = set.strip_prefix("stytch_session_token=").and_then(|rest| rest.split(';').next()).unwrap();
    assert_eq!(token.len(), 44, "Stytch's session token: {set}");
    assert!(!answer.text.contains(token), "the token is in no body");
    for attribute in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/session"] {
        assert!(set.split("; ").any(|part| part == attribute), "{attribute} missing from {set}");
    }
}
