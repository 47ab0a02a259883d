//! `GET /me` through the real router against the sandbox: the user, the session's factors and
//! whether they pass step-up (the rule `POST /token` applies), the bound factors, the onboarding.

mod common;

use common::{Api, applicant, enrol, sms_step_up};
use http::{StatusCode, header};
use serde_json::{Value, json};
use test_support::{
    functions::totp_code,
    jwt::{payload, rfc3339},
};
use time::{OffsetDateTime, format_description::well_known::Rfc3339};

async fn me(api: &Api, jwt: &str) -> Value {
    let answer = api.get("/me", Some(jwt)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(answer.headers[header::CACHE_CONTROL], "no-store");
    answer.body
}

fn time(value: &Value) -> OffsetDateTime {
    OffsetDateTime::parse(value.as_str().expect("a timestamp"), &Rfc3339).expect("RFC 3339")
}

fn masked(phone: &str) -> String {
    format!("********{}", &phone[phone.len() - 4..])
}

#[tokio::test]
async fn me_follows_the_user_from_sign_in_to_step_up() {
    let api = common::start(&[]).await;
    let user = api.stack.sign_in("ada@example.com").await;

    let signed_in = me(&api, &user.session_jwt).await;
    assert_eq!(signed_in["userId"], user.user_id.as_str());
    assert_eq!(signed_in["emails"], json!(["ada@example.com"]));
    assert_eq!(signed_in["phones"], json!([]));
    let factors = signed_in["factors"].as_array().unwrap();
    assert_eq!(factors.len(), 1);
    assert_eq!((&factors[0]["type"], &factors[0]["deliveryMethod"]), (&json!("magic_link"), &json!("email")));
    assert_eq!(factors[0]["bound"], false);
    time(&factors[0]["lastAuthenticatedAt"]);
    assert_eq!(signed_in["stepUp"], json!({ "passes": false }));
    assert_eq!(signed_in["boundFactors"], json!({ "totp": false }));
    assert_eq!(signed_in["onboarding"], json!({ "customerLinked": false }));

    let ssn = "712370100";
    api.apply(&user.user_id, ssn).await;
    let kyc_phone = test_support::functions::applicant_phone(ssn).e164();
    let applied = me(&api, &user.session_jwt).await;
    assert_eq!(applied["onboarding"], json!({ "applicationStatus": "Approved", "customerLinked": true }));
    assert_eq!(applied["boundFactors"], json!({ "kycPhone": masked(&kyc_phone), "totp": false }));
    assert_eq!(applied["stepUp"], json!({ "passes": false }));

    let stepped_up = sms_step_up(&api, &user.session_jwt, &kyc_phone).await;
    let answer = api.get("/me", Some(&stepped_up)).await;
    assert!(!answer.text.contains(&kyc_phone[2..]), "the phone number is never shown whole: {}", answer.text);
    let body = answer.body;
    assert_eq!(body["phones"], json!([masked(&kyc_phone)]), "the verified KYC phone, masked");
    let sms = &body["factors"][1];
    assert_eq!((&sms["type"], &sms["deliveryMethod"], &sms["bound"]), (&json!("otp"), &json!("sms"), &json!(true)));
    assert_eq!(body["stepUp"]["passes"], true);
    let max_age = api.dependencies.config.session.step_up_max_age;
    assert_eq!(time(&body["stepUp"]["until"]), time(&sms["lastAuthenticatedAt"]) + max_age);
    assert!(common::is_stepped_up(&api, &stepped_up).await, "the same verdict as the rule's");
    assert_eq!(me(&api, &user.session_jwt).await["stepUp"], json!({ "passes": false }), "the JWT sent decides");

    // An authenticator app counts once it is active (its first code), not when enrolled.
    let secret = enrol(&api, &stepped_up).await.body["secret"].as_str().unwrap().to_owned();
    assert_eq!(me(&api, &stepped_up).await["boundFactors"]["totp"], false);
    let answer = api.post("/step-up/totp/authenticate", Some(&stepped_up), json!({ "code": totp_code(&secret) })).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let with_totp = me(&api, answer.body["sessionJwt"].as_str().unwrap()).await;
    assert_eq!(with_totp["boundFactors"]["totp"], true);
    assert_eq!(with_totp["factors"][2]["bound"], true);
}

#[tokio::test]
async fn a_stale_second_factor_does_not_pass() {
    let api = common::start(&[]).await;
    let (user, kyc_phone) = applicant(&api, "grace@example.com", "712370200").await;
    let stepped_up = sms_step_up(&api, &user.session_jwt, &kyc_phone).await;
    // The same session, its SMS factor an hour old (as the JWT a frontend kept since then says).
    let mut claim = payload(&stepped_up)["https://stytch.com/session"].clone();
    let an_hour_ago = rfc3339(OffsetDateTime::now_utc() - time::Duration::hours(1));
    claim["authentication_factors"][1]["last_authenticated_at"] = json!(an_hour_ago);
    let stale =
        api.stack.forge_session(&user.session_token, json!({ "https://stytch.com/session": claim }), false).await;

    let body = me(&api, &stale).await;
    assert_eq!(body["stepUp"], json!({ "passes": false }));
    assert_eq!(body["factors"][1]["bound"], true, "bound, but too old");
    assert!(!common::is_stepped_up(&api, &stale).await);
}

#[tokio::test]
async fn an_application_under_review_links_no_customer_yet() {
    let api = common::start(&[]).await;
    let user = api.stack.sign_in("hedy@example.com").await;
    api.apply(&user.user_id, "712379001").await;
    let body = me(&api, &user.session_jwt).await;
    assert_eq!(body["onboarding"], json!({ "applicationStatus": "Pending", "customerLinked": false }));
    assert_eq!(body["boundFactors"]["kycPhone"], masked(&test_support::functions::applicant_phone("712379001").e164()));
}

#[tokio::test]
async fn a_revoked_or_missing_session_is_refused() {
    let api = common::start(&[]).await;
    let user = api.stack.sign_in("joan@example.com").await;
    api.get("/me", None).await.assert_problem(401, "missing_credentials");
    api.stack.revoke_session(&user.session_token).await;
    // The JWT still verifies locally; Stytch refuses its session.
    api.get("/me", Some(&user.session_jwt)).await.assert_problem(401, "session_not_found");
}
