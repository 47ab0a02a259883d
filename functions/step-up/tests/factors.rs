//! Managing factors through the real router, against the sandbox: listing them, removing a phone,
//! replacing the authenticator app and reading its recovery codes. Each is refused to a session
//! without a fresh bound second factor, and each change is what the step-up rule then reads.

mod common;

use common::{applicant, code, enrol, is_stepped_up, sms_step_up};
use http::{StatusCode, header};
use serde_json::{Value, json};
use test_support::functions::{next_totp_code, totp_code};

/// Every management route, with the stepped-up session they need.
const MANAGEMENT: &[(&str, &str)] = &[
    ("GET", "/step-up/factors"),
    ("DELETE", "/step-up/factors/phones/phone-number-test-00000000-0000-0000-0000-000000000000"),
    ("POST", "/step-up/totp/replace"),
    ("GET", "/step-up/totp/recovery-codes"),
];

#[tokio::test]
async fn changing_factors_needs_a_fresh_bound_second_factor() {
    let api = common::start(&[]).await;
    let (user, kyc_phone) = applicant(&api, "ada@example.com", "712360100").await;
    let stepped_up = sms_step_up(&api, &user.session_jwt, &kyc_phone).await;
    let enrolment = enrol(&api, &stepped_up).await;
    let secret = enrolment.body["secret"].as_str().unwrap().to_owned();
    let answer = api.post("/step-up/totp/authenticate", Some(&stepped_up), json!({ "code": totp_code(&secret) })).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let before = api.stack.stytch_user(&user.user_id).await;

    // One factor (the magic link), a phone that is not the KYC phone, a TOTP never trusted.
    let one_factor = api.stack.sign_in("ada@example.com").await;
    let rogue_phone = api.stack.step_up_sms(&one_factor, "+15005550006").await;
    for jwt in [&one_factor.session_jwt, &rogue_phone] {
        for (method, path) in MANAGEMENT {
            let answer = api.call(*method, path, Some(jwt), None).await;
            answer.assert_problem(403, "step_up_required");
        }
    }
    // A revoked session, stepped up or not.
    api.stack.revoke_session(&user.session_token).await;
    for (method, path) in MANAGEMENT {
        api.call(*method, path, Some(&stepped_up), None).await.assert_problem(401, "session_not_found");
    }
    let after = api.stack.stytch_user(&user.user_id).await;
    assert_eq!(
        (&after["totps"], &after["trusted_metadata"]),
        (&before["totps"], &before["trusted_metadata"]),
        "nothing changed"
    );

    // Allowed with a fresh TOTP step-up of a later session.
    let later = api.stack.sign_in("ada@example.com").await;
    let answer = api
        .post("/step-up/totp/authenticate", Some(&later.session_jwt), json!({ "code": next_totp_code(&secret) }))
        .await;
    let totp_jwt = answer.body["sessionJwt"].as_str().unwrap().to_owned();
    let listed = api.get("/step-up/factors", Some(&totp_jwt)).await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.text);
    assert_eq!(listed.headers[header::CACHE_CONTROL], "no-store");
    let phones = listed.body["phones"].as_array().unwrap();
    assert_eq!(phones.len(), 2, "the KYC phone and the rogue one: {phones:?}");
    let kyc = phones.iter().find(|phone| phone["kycPhone"] == true).expect("the KYC phone is marked");
    assert_eq!(kyc["phoneNumber"], format!("********{}", &kyc_phone[kyc_phone.len() - 4..]));
    assert!(!listed.text.contains(&kyc_phone), "phones are masked");
    let totp_id = enrolment.body["totpId"].as_str().unwrap();
    assert_eq!(listed.body["totps"], json!([{ "totpId": totp_id, "active": true, "trusted": true }]));
}

#[tokio::test]
async fn removing_the_kyc_phone_unbinds_it_and_needs_the_authenticator_app() {
    let api = common::start(&[]).await;
    let (user, kyc_phone) = applicant(&api, "grace@example.com", "712360200").await;
    let stepped_up = sms_step_up(&api, &user.session_jwt, &kyc_phone).await;
    let phones = api.get("/step-up/factors", Some(&stepped_up)).await.body["phones"].clone();
    let kyc_id = phones[0]["phoneId"].as_str().unwrap().to_owned();
    let path = format!("/step-up/factors/phones/{kyc_id}");

    // The only second factor: removing it would leave no way to step up.
    api.call("DELETE", &path, Some(&stepped_up), None).await.assert_problem(409, "last_second_factor");
    api.call("DELETE", "/step-up/factors/phones/phone-of-someone-else", Some(&stepped_up), None)
        .await
        .assert_problem(404, "factor_not_found");

    let secret = enrol(&api, &stepped_up).await.body["secret"].as_str().unwrap().to_owned();
    let answer = api.post("/step-up/totp/authenticate", Some(&stepped_up), json!({ "code": totp_code(&secret) })).await;
    let both = answer.body["sessionJwt"].as_str().unwrap().to_owned();
    let removed = api.call("DELETE", &path, Some(&both), None).await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT, "{}", removed.text);
    let stytch_user = api.stack.stytch_user(&user.user_id).await;
    assert_eq!(stytch_user["phone_numbers"], json!([]));
    assert_eq!(stytch_user["trusted_metadata"]["kyc_phone_unbound"], kyc_phone.as_str(), "recorded for the rule");

    // The step-up rule reads it: an SMS to that phone no longer counts, nor is one sent.
    let later = api.stack.sign_in("grace@example.com").await;
    let sms_session = api.stack.step_up_sms(&later, &kyc_phone).await;
    assert!(!is_stepped_up(&api, &sms_session).await, "the removed phone is no second factor");
    let sent = api.call("POST", "/step-up/sms/send", Some(&later.session_jwt), None).await;
    sent.assert_problem(409, "no_bound_phone");
    let me = api.get("/me", Some(&both)).await;
    assert!(me.body["boundFactors"].get("kycPhone").is_none(), "{}", me.text);
    // The authenticator app still steps up.
    let answer = api
        .post("/step-up/totp/authenticate", Some(&later.session_jwt), json!({ "code": next_totp_code(&secret) }))
        .await;
    assert!(is_stepped_up(&api, answer.body["sessionJwt"].as_str().unwrap()).await);
}

#[tokio::test]
async fn replacing_the_authenticator_app_trusts_only_the_new_one() {
    let api = common::start(&[]).await;
    let (user, kyc_phone) = applicant(&api, "hedy@example.com", "712360300").await;
    let stepped_up = sms_step_up(&api, &user.session_jwt, &kyc_phone).await;
    api.post("/step-up/totp/replace", Some(&stepped_up), Value::Null).await.assert_problem(409, "totp_not_enrolled");
    api.get("/step-up/totp/recovery-codes", Some(&stepped_up)).await.assert_problem(409, "totp_not_enrolled");

    let old = enrol(&api, &stepped_up).await;
    let old_secret = old.body["secret"].as_str().unwrap().to_owned();
    let answer =
        api.post("/step-up/totp/authenticate", Some(&stepped_up), json!({ "code": totp_code(&old_secret) })).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);

    let codes = api.get("/step-up/totp/recovery-codes", Some(&stepped_up)).await;
    assert_eq!(codes.status, StatusCode::OK, "{}", codes.text);
    assert_eq!(codes.headers[header::CACHE_CONTROL], "no-store");
    assert_eq!(codes.body["recoveryCodes"], old.body["recoveryCodes"], "all ten, none used yet");

    let new = api.post("/step-up/totp/replace", Some(&stepped_up), Value::Null).await;
    assert_eq!(new.status, StatusCode::CREATED, "{}", new.text);
    assert_eq!(new.headers[header::CACHE_CONTROL], "no-store");
    let new_id = new.body["totpId"].as_str().unwrap();
    assert_ne!(new_id, old.body["totpId"].as_str().unwrap());
    assert_eq!(new.body["recoveryCodes"].as_array().unwrap().len(), 10);
    let stytch_user = api.stack.stytch_user(&user.user_id).await;
    assert_eq!(stytch_user["trusted_metadata"]["trusted_totp_id"], new_id, "recorded for the rule");
    assert_eq!(stytch_user["totps"], json!([{ "totp_id": new_id, "verified": false }]), "the old one is gone");

    // The old app and its recovery codes step nothing up; the new app does once verified.
    let later = api.stack.sign_in("hedy@example.com").await;
    let jwt = Some(later.session_jwt.as_str());
    let old_code = api.post("/step-up/totp/authenticate", jwt, json!({ "code": next_totp_code(&old_secret) })).await;
    assert_eq!((old_code.status, code(&old_code)), (StatusCode::UNAUTHORIZED, "invalid_code"));
    let old_recovery = json!({ "recoveryCode": old.body["recoveryCodes"][0] });
    let answer = api.post("/step-up/recover", jwt, old_recovery).await;
    assert!(answer.body.get("sessionJwt").is_none(), "{}", answer.text);
    let new_secret = new.body["secret"].as_str().unwrap();
    let answer = api.post("/step-up/totp/authenticate", jwt, json!({ "code": totp_code(new_secret) })).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert!(is_stepped_up(&api, answer.body["sessionJwt"].as_str().unwrap()).await);
}
