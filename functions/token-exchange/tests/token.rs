//! `POST /token` and `POST /token/verification` through the real router against the local stack.

mod common;

use axum::body::Body;
use common::{Answer, Side, assert_problem, token};
use http::Request;
use serde_json::{Value, json};
use test_support::{functions::applicant_phone, jwt::payload};
use time::OffsetDateTime;

/// Every route in `ROUTES` is served (an unauthenticated call is refused by the route, not by the
/// router's 404/405 fallbacks).
#[tokio::test]
async fn every_listed_route_is_routed() {
    let h = common::start(&[]).await;
    h.assert_routes_served(token_exchange::ROUTES).await;
    let Answer { status, body, .. } = h.call("GET", "/token", None, None).await;
    assert_problem(status, &body, 405, "method_not_allowed");
}

#[tokio::test]
async fn a_stepped_up_session_gets_a_card_token_and_a_one_factor_session_does_not() {
    let h = common::start(&[]).await;
    let unit_url = h.stack.sandbox.unit_url.clone();
    let user = h.stack.sign_in("ada@example.com").await;
    let application = h.apply(&user.user_id, "123456789").await;
    let customer_id = application.customer_id.clone().expect("approved at once");

    // One factor asking for cards-write: 403 before anyone upstream is asked (the armed faults
    // would have been consumed by any call).
    h.fault(Side::Unit, json!({ "status": 500, "count": 1 })).await;
    h.fault(Side::Stytch, json!({ "status": 500, "count": 1 })).await;
    let Answer { status, body, .. } = token(&h, &user.session_jwt, json!({ "scopes": ["cards", "cards-write"] })).await;
    assert_problem(status, &body, 403, "step_up_required");
    assert_eq!(h.armed_faults(Side::Unit).await[0]["remaining"], 1, "Unit was not called");
    assert_eq!(h.armed_faults(Side::Stytch).await[0]["remaining"], 1, "Stytch was not called");
    h.clear_faults(Side::Unit).await;
    h.clear_faults(Side::Stytch).await;

    // Scopes without a second factor need none; the default lifetime is an hour.
    let Answer { status, body, .. } = token(&h, &user.session_jwt, json!({ "scopes": ["cards", "accounts"] })).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["expiresIn"], 3600);
    assert_eq!(body["scopes"], json!(["cards", "accounts"]));

    // After SMS step-up to the KYC phone: cards-write. A smuggled customerId / jwtSubject changes
    // nothing.
    let stepped_up = h.stack.step_up_sms(&user, &applicant_phone("123456789").e164()).await;
    let Answer { status, body, .. } = token(
        &h,
        &stepped_up,
        json!({ "scopes": ["customers", "cards", "cards-write", "cards"], "expiresIn": 600,
                    "customerId": "200999", "jwtSubject": "user-test-someone-else" }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["expiresIn"], 600);
    assert_eq!(body["scopes"], json!(["customers", "cards", "cards-write"]));
    let unit_token = body["token"].as_str().unwrap();
    assert!(unit_token.starts_with("v2.public."));
    // The token is the caller's own customer's, and works at Unit.
    let customer =
        h.stack.http.get(format!("{unit_url}/customers/{customer_id}")).bearer_auth(unit_token).send().await.unwrap();
    assert_eq!(customer.status(), 200);
    let cards = h.stack.http.get(format!("{unit_url}/cards")).bearer_auth(unit_token).send().await.unwrap();
    assert_eq!(cards.status(), 200);

    // The same session with its second factor dated an hour ago: stale, 403 again.
    let mut session = payload(&stepped_up)["https://stytch.com/session"].clone();
    let an_hour_ago = test_support::jwt::rfc3339(OffsetDateTime::now_utc() - time::Duration::hours(1));
    for factor in session["authentication_factors"].as_array_mut().unwrap() {
        factor["last_authenticated_at"] = Value::String(an_hour_ago.clone());
    }
    assert_eq!(session["authentication_factors"].as_array().unwrap().len(), 2);
    let stale =
        h.stack.forge_session(&user.session_token, json!({ "https://stytch.com/session": session }), false).await;
    let Answer { status, body, .. } = token(&h, &stale, json!({ "scopes": ["cards-write"] })).await;
    assert_problem(status, &body, 403, "step_up_required");
    // …while a non-sensitive scope is still fine with it.
    let Answer { status, body, .. } = token(&h, &stale, json!({ "scopes": ["cards"] })).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn no_customer_yet_is_a_clear_409() {
    let h = common::start(&[]).await;
    let unit_url = h.stack.sandbox.unit_url.clone();
    let user = h.stack.sign_in("grace@example.com").await;
    // One status per code across the API: no_application is 404 here as on GET /applications/current.
    let Answer { status, body, .. } = token(&h, &user.session_jwt, json!({ "scopes": ["cards"] })).await;
    assert_problem(status, &body, 404, "no_application");

    let pending = h.apply(&user.user_id, "123459001").await;
    let Answer { status, body, .. } = token(&h, &user.session_jwt, json!({ "scopes": ["cards"] })).await;
    assert_problem(status, &body, 409, "application_pending");
    assert_eq!(body["nextStep"], "wait");
    let Answer { status, body, .. } = h.call("POST", "/token/verification", Some(&user.session_jwt), None).await;
    assert_problem(status, &body, 409, "application_pending");

    // Approved since: the token exchange finds the customer through the application.
    let approved = h
        .stack
        .http
        .post(format!("{unit_url}/sandbox/applications/{}/approve", pending.id))
        .bearer_auth(&h.stack.sandbox.unit_api_token)
        .send()
        .await
        .unwrap();
    assert_eq!(approved.status(), 200);
    let Answer { status, body, .. } = token(&h, &user.session_jwt, json!({ "scopes": ["cards"] })).await;
    assert_eq!(status, 200, "{body}");
    let metadata = &h.stack.stytch_user(&user.user_id).await["trusted_metadata"];
    assert!(metadata["unit_account_id"].is_string(), "the approval seen by /token opened the account: {metadata}");

    let denied_user = h.stack.sign_in("denied@example.com").await;
    h.apply(&denied_user.user_id, "123469000").await;
    let Answer { status, body, .. } = token(&h, &denied_user.session_jwt, json!({ "scopes": ["cards"] })).await;
    assert_problem(status, &body, 409, "application_denied");
}

#[tokio::test]
async fn bad_requests_are_refused_before_anyone_is_called() {
    let h = common::start(&[]).await;
    let user = h.stack.sign_in("ada@example.com").await;
    let jwt = user.session_jwt.as_str();

    let Answer { status, body, .. } = h.call("POST", "/token", None, Some(json!({ "scopes": ["cards"] }))).await;
    assert_problem(status, &body, 401, "missing_credentials");
    let Answer { status, body, .. } =
        h.call("POST", "/token", Some("not.a.jwt"), Some(json!({ "scopes": ["cards"] }))).await;
    assert_problem(status, &body, 401, "invalid_session");

    let bad_json = Request::post("/token")
        .header("authorization", format!("Bearer {jwt}"))
        .header("content-type", "application/json")
        .body(Body::from("{\"scopes\": [\"cards\""))
        .unwrap();
    let Answer { status, body, .. } = h.send(bad_json).await;
    assert_problem(status, &body, 400, "invalid_body");
    let no_type = Request::post("/token")
        .header("authorization", format!("Bearer {jwt}"))
        .body(Body::from("{\"scopes\": [\"cards\"]}"))
        .unwrap();
    let Answer { status, body, .. } = h.send(no_type).await;
    assert_problem(status, &body, 415, "unsupported_media_type");

    let Answer { status, body, .. } = token(&h, jwt, json!({ "scopes": "cards" })).await;
    assert_problem(status, &body, 400, "validation_failed");
    assert_eq!(body["errors"][0]["field"], "scopes");
    let Answer { status, body, .. } = token(&h, jwt, json!({})).await;
    assert_problem(status, &body, 400, "validation_failed");
    assert_eq!(body["errors"], json!([{ "field": "scopes", "reason": "is required" }]));
    let Answer { status, body, .. } = token(&h, jwt, json!({ "scopes": [] })).await;
    assert_problem(status, &body, 400, "validation_failed");

    // Unknown scopes are named by position (never echoed), with every other bad field.
    let Answer { status, body, .. } =
        token(&h, jwt, json!({ "scopes": ["cards", "payments-write", "wire-drawdowns"], "expiresIn": 86401 })).await;
    assert_problem(status, &body, 400, "unknown_scope");
    let fields: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["scopes[1]", "scopes[2]", "expiresIn"]);
    assert!(!body.to_string().contains("wire-drawdowns"));

    let Answer { status, body, .. } = token(&h, jwt, json!({ "scopes": ["cards"], "expiresIn": 0 })).await;
    assert_problem(status, &body, 400, "validation_failed");
    let Answer { status, body, .. } = token(&h, jwt, json!({ "scopes": ["cards"], "expiresIn": 1.5 })).await;
    assert_problem(status, &body, 400, "validation_failed");
    let Answer { status, body, .. } =
        token(&h, jwt, json!({ "scopes": ["cards-write"], "verificationToken": "vt" })).await;
    assert_problem(status, &body, 400, "validation_failed");
    assert_eq!(body["errors"][0]["field"], "verificationCode");
    let Answer { status, body, .. } =
        token(&h, jwt, json!({ "scopes": ["cards-write"], "verificationToken": "vt", "verificationCode": "12345x" }))
            .await;
    assert_problem(status, &body, 400, "validation_failed");
    assert!(!body.to_string().contains("12345x"));

    let Answer { status, body, .. } =
        h.call("POST", "/token/verification", Some(jwt), Some(json!({ "channel": "fax" }))).await;
    assert_problem(status, &body, 400, "validation_failed");
    assert_eq!(body["errors"][0]["field"], "channel");
}

#[tokio::test]
async fn units_sms_code_is_the_fallback_second_factor() {
    let h = common::start(&[]).await;
    let user = h.stack.sign_in("ada@example.com").await;
    h.apply(&user.user_id, "223456789").await;
    let jwt = user.session_jwt.as_str();

    // No body at all, `{}` and an explicit channel all work.
    let Answer { status, body, .. } = h.call("POST", "/token/verification", Some(jwt), None).await;
    assert_eq!(status, 200, "{body}");
    let Answer { status, body, .. } =
        h.call("POST", "/token/verification", Some(jwt), Some(json!({ "channel": "call" }))).await;
    assert_eq!(status, 200, "{body}");
    let Answer { status, body, .. } = h.call("POST", "/token/verification", Some(jwt), Some(json!({}))).await;
    assert_eq!(status, 200, "{body}");
    let verification = body["verificationToken"].as_str().unwrap().to_owned();

    // A wrong code: a stable 401, and no step-up demanded of the one-factor session.
    let Answer { status, body, .. } = token(
        &h,
        jwt,
        json!({ "scopes": ["cards-write"], "verificationToken": verification, "verificationCode": "123456" }),
    )
    .await;
    assert_problem(status, &body, 401, "invalid_verification_code");

    // Unit's sandbox passcode is 000001.
    let Answer { status, body, .. } = token(
        &h,
        jwt,
        json!({ "scopes": ["cards", "cards-write"], "verificationToken": verification, "verificationCode": "000001" }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["scopes"], json!(["cards", "cards-write"]));

    // A verification is single use.
    let Answer { status, body, .. } = token(
        &h,
        jwt,
        json!({ "scopes": ["cards-write"], "verificationToken": verification, "verificationCode": "000001" }),
    )
    .await;
    assert_problem(status, &body, 401, "invalid_verification_code");
}

#[tokio::test]
async fn unit_refusing_the_session_or_a_foreign_customer_link_never_yields_a_token() {
    let h = common::start(&[]).await;
    let ada = h.stack.sign_in("ada@example.com").await;
    let ada_application = h.apply(&ada.user_id, "323456789").await;

    // A JWT inside our 5 s leeway but already expired for Unit (which allows none): the caller's
    // to refresh, refused before Unit is asked.
    let expired = h
        .stack
        .forge_session(&ada.session_token, json!({ "exp": OffsetDateTime::now_utc().unix_timestamp() - 2 }), false)
        .await;
    h.fault(Side::Unit, json!({ "status": 500, "count": 1 })).await;
    let Answer { status, body, .. } = token(&h, &expired, json!({ "scopes": ["cards"] })).await;
    assert_problem(status, &body, 401, "session_expired");
    assert_eq!(h.armed_faults(Side::Unit).await[0]["remaining"], 1, "Unit was not called");
    h.clear_faults(Side::Unit).await;

    // Trusted metadata pointing at another user's customer: refused by our own jwtSubject check.
    let mallory = h.stack.sign_in("mallory@example.com").await;
    stytch_unit_common::customer_link::record(
        &h.dependencies.stytch,
        &h.dependencies.unit,
        &mallory.user_id,
        &ada_application,
        &[],
        None,
    )
    .await
    .unwrap();
    let Answer { status, body, .. } = token(&h, &mallory.session_jwt, json!({ "scopes": ["cards"] })).await;
    assert_problem(status, &body, 500, "internal_error");
    let Answer { status, body, .. } = h.call("POST", "/token/verification", Some(&mallory.session_jwt), None).await;
    assert_problem(status, &body, 500, "internal_error");
}

#[tokio::test]
async fn unit_or_stytch_down_is_502_or_504() {
    let h = common::start(&[("UPSTREAM_TIMEOUT_MS", "300")]).await;
    let user = h.stack.sign_in("ada@example.com").await;
    h.apply(&user.user_id, "423456789").await;
    let jwt = user.session_jwt.as_str();

    h.fault(Side::Unit, json!({ "status": 503, "count": 10 })).await;
    let Answer { status, body, .. } = token(&h, jwt, json!({ "scopes": ["cards"] })).await;
    assert_problem(status, &body, 502, "upstream_error");
    h.clear_faults(Side::Unit).await;

    // Unit answers the token request too slowly (the customer lookup before it is fine).
    h.fault(Side::Unit, json!({ "method": "POST", "path": "/customers", "delay_ms": 2000, "count": 10 })).await;
    let Answer { status, body, .. } = token(&h, jwt, json!({ "scopes": ["cards"] })).await;
    assert_problem(status, &body, 504, "upstream_timeout");
    h.clear_faults(Side::Unit).await;

    h.fault(Side::Unit, json!({ "drop": true, "count": 10 })).await;
    let Answer { status, body, .. } = h.call("POST", "/token/verification", Some(jwt), None).await;
    assert!(status == 502 || status == 504, "{status} {body}");
    h.clear_faults(Side::Unit).await;

    h.fault(Side::Stytch, json!({ "path": "/v1/sessions/authenticate", "status": 500, "count": 10 })).await;
    let Answer { status, body, .. } = token(&h, jwt, json!({ "scopes": ["cards"] })).await;
    assert_problem(status, &body, 502, "upstream_error");
    h.clear_faults(Side::Stytch).await;

    let Answer { status, body, .. } = token(&h, jwt, json!({ "scopes": ["cards"] })).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn documents_required_and_denied_say_what_to_do_next() {
    let h = common::start(&[]).await;
    let awaiting = h.stack.sign_in("doc@example.com").await;
    h.apply(&awaiting.user_id, "000000002").await;
    let Answer { status, body, .. } = token(&h, &awaiting.session_jwt, json!({ "scopes": ["cards"] })).await;
    assert_problem(status, &body, 409, "documents_required");
    assert_eq!(body["nextStep"], "upload_documents");
    assert_eq!(body["requiredDocuments"][0]["documentType"], "AddressVerification");

    let denied = h.stack.sign_in("den@example.com").await;
    h.apply(&denied.user_id, "123459000").await;
    let Answer { status, body, .. } = token(&h, &denied.session_jwt, json!({ "scopes": ["cards"] })).await;
    assert_problem(status, &body, 409, "application_denied");
    assert_eq!(body["nextStep"], "apply_again");
}
