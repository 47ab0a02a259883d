//! The step-up policy (SECURITY.md, "Step-up"), attacked through the real routes: an attacker who
//! holds only the victim's mailbox (a one-factor session) tries to make a second factor of their
//! own count. Each attempt is refused with a stable code and no Unit customer token is minted.

use http::StatusCode;
use security_suite::{Bundle, User, approvable_ssn};
use serde_json::{Value, json};
use test_support::functions::{Answer, Side, totp_code};

const ATTACKER_PHONE: &str = "+15005550666";
const EVERY_CARD_SCOPE: [&str; 4] = ["cards", "cards-write", "cards-sensitive", "cards-sensitive-write"];

/// A victim who applied (so has a KYC phone), as the attacker sees them: a one-factor session.
async fn victim(bundle: &Bundle, email: &str, n: u32) -> User {
    let user = bundle.sign_in(email).await;
    bundle.apply(&user, &approvable_ssn(n)).await;
    user
}

/// Arms a tripwire on Unit's `POST /customers/{id}/token`: [`assert_no_token_minted`] checks it.
async fn arm_token_tripwire(bundle: &Bundle) {
    bundle.signup.fault(Side::Unit, json!({ "method": "POST", "path": "/customers", "status": 500, "count": 1 })).await;
}

async fn assert_no_token_minted(bundle: &Bundle, context: &str) {
    let faults = bundle.signup.armed_faults(Side::Unit).await;
    assert_eq!(faults.len(), 1, "{context}: {faults:?}");
    assert_eq!(faults[0]["remaining"], 1, "{context}: Unit was asked for a customer token");
    bundle.signup.clear_faults(Side::Unit).await;
}

async fn ask_for_everything(bundle: &Bundle, jwt: &str) -> Answer {
    let body = json!({ "scopes": EVERY_CARD_SCOPE, "expiresIn": 86_400 });
    bundle.exchange.post("/token", Some(jwt), body).await
}

#[tokio::test]
async fn the_attackers_own_phone_never_becomes_the_victims_second_factor() {
    let bundle = Bundle::start(&[]).await;
    let _logs = bundle.capture_logs();
    let victim = victim(&bundle, "victim@example.com", 40).await;

    // Step 2 of the reported attack: our API no longer texts a number from the request.
    let sent = bundle
        .step_up
        .post("/step-up/sms/send", Some(&victim.session_jwt), json!({ "phoneNumber": ATTACKER_PHONE }))
        .await;
    sent.assert_problem(400, "phone_number_not_accepted");
    let stack = bundle.stack();
    assert!(stack.outbox(&stack.sandbox.stytch_url, ATTACKER_PHONE).await.is_empty(), "nothing was texted");

    // The same three steps at Stytch directly (as a frontend SDK with OTP enabled allows): the
    // session now holds magic link + SMS, the SMS to the attacker's phone.
    let two_factor = stack.step_up_sms(&victim.sandbox_session(), ATTACKER_PHONE).await;
    bundle.remember(&two_factor);
    arm_token_tripwire(&bundle).await;
    let answer = ask_for_everything(&bundle, &two_factor).await;
    answer.assert_problem(403, "step_up_required");
    assert!(answer.body.get("token").is_none());
    assert_no_token_minted(&bundle, "an SMS factor to the attacker's phone").await;
    // Enrolling an authenticator app with that session is refused too.
    let enrol = bundle.step_up.post("/step-up/totp", Some(&two_factor), Value::Null).await;
    enrol.assert_problem(403, "step_up_required");
    bundle.assert_nothing_leaked();
}

#[tokio::test]
async fn a_totp_the_attacker_enrols_never_counts() {
    let bundle = Bundle::start(&[]).await;
    let _logs = bundle.capture_logs();
    let victim = victim(&bundle, "victim@example.com", 41).await;

    // Through our route: a one-factor session may not enrol at all.
    let enrol = bundle.step_up.post("/step-up/totp", Some(&victim.session_jwt), Value::Null).await;
    enrol.assert_problem(403, "step_up_required");
    assert_eq!(bundle.stack().stytch_user(&victim.user_id).await["totps"], json!([]));

    // At Stytch directly: a TOTP the attacker controls, authenticated into the victim's session.
    let stack = bundle.stack();
    let created = stack.stytch_post("/v1/totps", json!({ "user_id": victim.user_id })).await;
    let secret = created["secret"].as_str().unwrap();
    bundle.remember(secret);
    let code = totp_code(secret);
    let through_route =
        bundle.step_up.post("/step-up/totp/authenticate", Some(&victim.session_jwt), json!({ "code": code })).await;
    through_route.assert_problem(403, "factor_not_bound");
    assert!(through_route.body.get("sessionJwt").is_none());
    // The factor was added at Stytch all the same; the JWT that carries it buys nothing.
    let authenticated = stack
        .stytch_post(
            "/v1/totps/authenticate",
            json!({ "user_id": victim.user_id, "totp_code": test_support::functions::next_totp_code(secret),
                    "session_token": victim.session_token }),
        )
        .await;
    let two_factor = authenticated["session_jwt"].as_str().unwrap().to_owned();
    bundle.remember(&two_factor);
    arm_token_tripwire(&bundle).await;
    ask_for_everything(&bundle, &two_factor).await.assert_problem(403, "step_up_required");
    assert_no_token_minted(&bundle, "an untrusted TOTP").await;
    // Nor do its recovery codes.
    let recovery_code = created["recovery_codes"][0].as_str().unwrap();
    bundle.remember(recovery_code);
    let answer = bundle
        .step_up
        .post("/step-up/recover", Some(&victim.session_jwt), json!({ "recoveryCode": recovery_code }))
        .await;
    answer.assert_problem(403, "factor_not_bound");
    bundle.assert_nothing_leaked();
}

#[tokio::test]
async fn the_bound_phone_cannot_be_changed_by_submitting_the_application_again() {
    let bundle = Bundle::start(&[]).await;
    let _logs = bundle.capture_logs();
    let victim = victim(&bundle, "victim@example.com", 42).await;
    let kyc_phone = bundle.kyc_phone(&victim).await;

    let mut application = security_suite::application_body(&approvable_ssn(42));
    application["phone"] = json!({ "countryCode": "1", "number": &ATTACKER_PHONE[2..] });
    let again = bundle.signup.post("/applications", Some(&victim.session_jwt), application).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text);
    assert_eq!(bundle.kyc_phone(&victim).await, kyc_phone, "the recorded phone is unchanged");

    let sent = bundle.step_up.call("POST", "/step-up/sms/send", Some(&victim.session_jwt), None).await;
    assert_eq!(sent.status, StatusCode::ACCEPTED, "{}", sent.text);
    let stack = bundle.stack();
    assert!(stack.outbox(&stack.sandbox.stytch_url, ATTACKER_PHONE).await.is_empty());
    assert_eq!(stack.outbox(&stack.sandbox.stytch_url, &kyc_phone).await.len(), 1, "the code went to the KYC phone");
    bundle.assert_nothing_leaked();
}

#[tokio::test]
async fn a_revoked_session_mints_no_token_even_with_a_fresh_second_factor() {
    let bundle = Bundle::start(&[]).await;
    let _logs = bundle.capture_logs();
    let user = victim(&bundle, "revoked@example.com", 43).await;
    let stepped_up = bundle.step_up(&user).await;
    bundle.stack().revoke_session(&user.session_token).await;

    arm_token_tripwire(&bundle).await;
    for scopes in [json!(["cards-write"]), json!(["cards"])] {
        let answer = bundle.exchange.post("/token", Some(&stepped_up), json!({ "scopes": scopes })).await;
        answer.assert_problem(401, "session_not_found");
    }
    assert_no_token_minted(&bundle, "a revoked session").await;
    bundle.assert_nothing_leaked();
}

#[tokio::test]
async fn a_stepped_up_session_gets_a_sensitive_token_capped_at_fifteen_minutes() {
    let bundle = Bundle::start(&[]).await;
    let _logs = bundle.capture_logs();
    let user = victim(&bundle, "ada@example.com", 44).await;
    let stepped_up = bundle.step_up(&user).await;

    let answer = ask_for_everything(&bundle, &stepped_up).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(answer.body["expiresIn"], 900, "capped, and the answer says what was granted");
    // Scopes that need no second factor keep what they asked for.
    let answer =
        bundle.exchange.post("/token", Some(&stepped_up), json!({ "scopes": ["cards"], "expiresIn": 86_400 })).await;
    assert_eq!(answer.body["expiresIn"], 86_400, "{}", answer.text);

    // The legitimate journey goes on: a TOTP enrolled under the SMS step-up steps up later sessions.
    let secret = bundle.enrol_totp(&stepped_up).await;
    bundle.remember(&secret);
    let later = bundle.sign_in("ada@example.com").await;
    let next_code = test_support::functions::next_totp_code(&secret);
    let body = json!({ "code": next_code });
    let answer = bundle.step_up.post("/step-up/totp/authenticate", Some(&later.session_jwt), body).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let totp_jwt = answer.body["sessionJwt"].as_str().unwrap();
    let answer = bundle.exchange.post("/token", Some(totp_jwt), json!({ "scopes": ["cards-write"] })).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(answer.body["expiresIn"], 900);
    bundle.assert_nothing_leaked();
}
