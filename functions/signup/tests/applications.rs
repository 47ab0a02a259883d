//! `POST /applications` and `GET /applications/current` through the real router, against the
//! sandbox (see tests/sandbox/src/unit/decision.rs: an SSN ending in 9001 stays Pending).

mod common;

use common::{Side, code, field_errors};
use http::{Method, StatusCode};
use serde_json::json;
use stytch_unit_common::telemetry;
use test_support::functions::{applicant_phone, application_body as application};
use test_support::logs::{CapturedLogs, leaked_fragments};
use tracing::level_filters::LevelFilter;

#[tokio::test]
async fn an_approved_application_is_linked_to_the_stytch_user_once() {
    let api = common::start(&[]).await;
    let user = api.stack.sign_in("ada@example.com").await;
    let jwt = Some(user.session_jwt.as_str());

    // Smuggled identifiers are ignored: the subject comes from the verified session only.
    let mut body = application("123-45-6789");
    body["jwtSubject"] = json!("user-test-someone-else");
    body["customerId"] = json!("200009");
    let answer = api.post("/applications", jwt, body.clone()).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    assert_eq!(answer.body["status"], "Approved");
    let application_id = answer.body["applicationId"].as_str().unwrap().to_owned();
    let customer_id = answer.body["customerId"].as_str().unwrap().to_owned();
    assert!(!answer.text.contains("6789"), "no SSN in the answer");

    let unit_application = api.stack.unit_org(Method::GET, &format!("/applications/{application_id}")).await;
    assert_eq!(unit_application["data"]["attributes"]["jwtSubject"], user.user_id.as_str());
    let metadata = &api.stack.stytch_user(&user.user_id).await["trusted_metadata"];
    assert_eq!(metadata["unit_application_id"], application_id.as_str());
    assert_eq!(metadata["unit_customer_id"], customer_id.as_str());
    // The phone as Unit holds it: the KYC phone that SMS step-up texts.
    let kyc_phone = applicant_phone("123-45-6789").e164();
    assert_eq!(metadata["kyc_phone"], kyc_phone.as_str());

    // A double submit returns the same application and creates nothing.
    let again = api.post("/applications", jwt, body.clone()).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.body, answer.body);
    // Submitting again with another phone changes nothing: the bound phone is not replaceable here.
    body["phone"] = json!({ "countryCode": "1", "number": "5005550006" });
    let again = api.post("/applications", jwt, body).await;
    assert_eq!((again.status, &again.body), (StatusCode::OK, &answer.body));
    let metadata = &api.stack.stytch_user(&user.user_id).await["trusted_metadata"];
    assert_eq!(metadata["kyc_phone"], kyc_phone.as_str());
    let all = api.stack.unit_org(Method::GET, "/applications").await;
    assert_eq!(all["data"].as_array().unwrap().len(), 1);

    let current = api.get("/applications/current", jwt).await;
    assert_eq!(current.status, StatusCode::OK);
    assert_eq!(
        current.body,
        json!({ "applicationId": application_id, "status": "Approved", "customerId": customer_id, "nextStep": "none" })
    );
}

#[tokio::test]
async fn a_pending_application_gets_its_customer_once_approved() {
    let api = common::start(&[]).await;
    let user = api.stack.sign_in("mary@example.com").await;
    let jwt = Some(user.session_jwt.as_str());

    let answer = api.post("/applications", jwt, application("123-45-9001")).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    assert_eq!(answer.body["status"], "Pending");
    assert!(answer.body.get("customerId").is_none());
    let application_id = answer.body["applicationId"].as_str().unwrap().to_owned();

    let current = api.get("/applications/current", jwt).await;
    assert_eq!(
        current.body,
        json!({ "applicationId": application_id, "status": "Pending", "code": "application_pending", "nextStep": "wait" })
    );

    api.stack.unit_org(Method::POST, &format!("/sandbox/applications/{application_id}/approve")).await;
    let current = api.get("/applications/current", jwt).await;
    assert_eq!(current.body["status"], "Approved");
    let customer_id = current.body["customerId"].as_str().unwrap();
    let metadata = &api.stack.stytch_user(&user.user_id).await["trusted_metadata"];
    assert_eq!(metadata["unit_customer_id"], customer_id, "recorded once approved");
}

#[tokio::test]
async fn without_an_application_current_is_404() {
    let api = common::start(&[]).await;
    let user = api.stack.sign_in("ida@example.com").await;
    let answer = api.get("/applications/current", Some(&user.session_jwt)).await;
    assert_eq!((answer.status, code(&answer)), (StatusCode::NOT_FOUND, "no_application"));
}

#[tokio::test]
async fn every_invalid_field_is_listed_and_the_ssn_is_never_echoed_or_logged() {
    let api = common::start(&[]).await;
    let user = api.stack.sign_in("emmy@example.com").await;
    let jwt = Some(user.session_jwt.as_str());
    let logs = CapturedLogs::default();
    let _guard = tracing::subscriber::set_default(telemetry::subscriber(LevelFilter::TRACE, logs.clone()));

    let mut body = application("987-65-432");
    body["dateOfBirth"] = json!("2020-02-30");
    body["address"]["postalCode"] = json!("6270");
    body["address"]["state"] = json!("Illinois");
    body["phone"] = json!({ "countryCode": "1" });
    body["fullName"]["first"] = json!("  ");
    let answer = api.post("/applications", jwt, body).await;
    assert_eq!((answer.status, code(&answer)), (StatusCode::BAD_REQUEST, "validation_failed"));
    let fields: Vec<String> = field_errors(&answer).into_iter().map(|(field, _)| field).collect();
    assert_eq!(fields, ["fullName.first", "phone.number", "dateOfBirth", "address.state", "address.postalCode", "ssn"]);
    assert!(!answer.text.contains("98765432") && !answer.text.contains("987-65"));

    let answer = api.post("/applications", jwt, json!(["not", "an", "object"])).await;
    assert_eq!(field_errors(&answer), [("(body)".to_owned(), "must be a JSON object".to_owned())]);

    // The address rules and messages are the card shipping address's (one `UsAddress`).
    let mut body = application("987-65-4321");
    body["address"]["street2"] = json!(" ");
    let answer = api.post("/applications", jwt, body).await;
    assert_eq!(
        field_errors(&answer),
        [("address.street2".to_owned(), "must be 1 to 255 characters on one line".to_owned())]
    );

    // A minor.
    let mut body = application("987-65-4321");
    body["dateOfBirth"] = json!((time::OffsetDateTime::now_utc().year() - 10).to_string() + "-01-01");
    let answer = api.post("/applications", jwt, body).await;
    assert_eq!(field_errors(&answer)[0].0, "dateOfBirth");

    // A good one: the SSN travels to Unit, and nowhere else.
    let answer = api.post("/applications", jwt, application("987-65-4321")).await;
    assert_eq!(answer.status, StatusCode::CREATED);
    assert!(!answer.text.contains("4321"));

    let text = logs.text();
    assert!(text.contains("application submitted"), "logs were captured");
    for secret in ["987654321", "987-65-4321", "98765432", "987-65-432", &user.session_jwt] {
        assert!(leaked_fragments(&text, secret).is_empty(), "leaked a piece of {secret}");
    }
}

#[tokio::test]
async fn an_ssn_already_applied_with_is_a_conflict_when_unit_prevents_duplicates() {
    let api = common::start(&[]).await;
    // Unit refuses the duplicate only with this org setting on (its OpenAPI `orgSettings.json`).
    api.stack.prevent_duplicate_applications(true).await;
    let first = api.stack.sign_in("alan@example.com").await;
    let second = api.stack.sign_in("joan@example.com").await;
    let answer = api.post("/applications", Some(&first.session_jwt), application("111-22-3333")).await;
    assert_eq!(answer.status, StatusCode::CREATED);

    let answer = api.post("/applications", Some(&second.session_jwt), application("111223333")).await;
    assert_eq!((answer.status, code(&answer)), (StatusCode::CONFLICT, "duplicate_application"));
    assert!(!answer.text.contains("3333"));
    let current = api.get("/applications/current", Some(&second.session_jwt)).await;
    assert_eq!(current.status, StatusCode::NOT_FOUND, "nothing recorded for the second user");
}

#[tokio::test]
async fn a_missing_or_invalid_session_is_401() {
    let api = common::start(&[]).await;
    let answer = api.post("/applications", None, application("123-45-6789")).await;
    assert_eq!((answer.status, code(&answer)), (StatusCode::UNAUTHORIZED, "missing_credentials"));
    let answer = api.get("/applications/current", Some("not.a.jwt")).await;
    assert_eq!((answer.status, code(&answer)), (StatusCode::UNAUTHORIZED, "invalid_session"));
}

#[tokio::test]
async fn unit_and_stytch_outages_are_502_or_504_and_nothing_is_recorded() {
    let api = common::start(&[("UPSTREAM_TIMEOUT_MS", "300")]).await;
    let user = api.stack.sign_in("barbara@example.com").await;
    let jwt = Some(user.session_jwt.as_str());

    // Creating an application is retried (it carries an idempotency key): fail every attempt.
    api.fault(Side::Unit, json!({ "method": "POST", "path": "/applications", "status": 500, "count": 3 })).await;
    let answer = api.post("/applications", jwt, application("222-33-4444")).await;
    assert_eq!((answer.status, code(&answer)), (StatusCode::BAD_GATEWAY, "upstream_error"));
    assert!(api.stack.stytch_user(&user.user_id).await["trusted_metadata"].get("unit_application_id").is_none());

    api.fault(Side::Unit, json!({ "method": "POST", "path": "/applications", "delay_ms": 1500, "count": 3 })).await;
    let answer = api.post("/applications", jwt, application("222-33-4444")).await;
    assert_eq!((answer.status, code(&answer)), (StatusCode::GATEWAY_TIMEOUT, "upstream_timeout"));

    api.fault(Side::Stytch, json!({ "path": "/v1/users", "status": 500, "count": 3 })).await;
    let answer = api.get("/applications/current", jwt).await;
    assert_eq!((answer.status, code(&answer)), (StatusCode::BAD_GATEWAY, "upstream_error"));

    // Once Unit is back, the same submit succeeds; one application, whatever the timeouts did.
    let answer = api.post("/applications", jwt, application("222-33-4444")).await;
    assert!(answer.status == StatusCode::CREATED || answer.status == StatusCode::OK, "{}", answer.text);
    let all = api.stack.unit_org(Method::GET, "/applications").await;
    assert_eq!(all["data"].as_array().unwrap().len(), 1);
}
