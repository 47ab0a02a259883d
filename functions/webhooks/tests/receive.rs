//! `POST /webhooks/unit` through the real router against the sandbox. The events are the ones the
//! sandbox's Unit recorded for real decisions (`GET /events`), so their shape is the vendor's
//! (Unit's Node SDK `types/events.ts`: `application.*` relate an `application`; `customer.created`
//! a `customer` and an `application`).

mod common;

use common::{Side, deliver, deliver_raw, event, events_of, metadata, sign, token};
use http::{Method, StatusCode};
use serde_json::{Value, json};

/// A signed-in user with a Pending application (SSN ending 0001), recorded as signup records it.
async fn pending_applicant(api: &common::Api, email: &str, ssn: &str) -> (String, String) {
    let user = api.stack.sign_in(email).await;
    let application = api.apply(&user.user_id, ssn).await;
    assert_eq!(application.status.as_str(), "Pending");
    (user.user_id, application.id)
}

async fn approve(api: &common::Api, application_id: &str) -> String {
    let approved = api.stack.unit_org(Method::POST, &format!("/sandbox/applications/{application_id}/approve")).await;
    approved["data"]["relationships"]["customer"]["data"]["id"].as_str().expect("a customer").to_owned()
}

#[tokio::test]
async fn the_webhook_alone_records_a_later_approval() {
    let api = common::start(&[]).await;
    let (user_id, application_id) = pending_applicant(&api, "later@example.com", "123459001").await;
    assert!(metadata(&api, &user_id).await.get("unit_customer_id").is_none());

    let customer_id = approve(&api, &application_id).await;
    let customer_created = event(&api, &application_id, "customer.created").await;
    assert_eq!(customer_created["relationships"]["customer"]["data"]["id"], customer_id.as_str());

    let answer = deliver(&api, &[customer_created]).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(answer.body, json!({ "status": "processed" }));
    let recorded = metadata(&api, &user_id).await;
    assert_eq!(recorded["unit_customer_id"], customer_id.as_str());
    assert_eq!(recorded["unit_application_id"], application_id.as_str());
    assert_eq!(recorded["unit_application_status"], "Approved");
}

#[tokio::test]
async fn an_application_from_unit_s_hosted_form_is_recorded_for_the_prefilled_user() {
    let api = common::start(&[]).await;
    let user = api.stack.sign_in("form@example.com").await;
    // The form as signup's `POST /application-forms` creates it: the Stytch user as jwtSubject.
    let form = api
        .stack
        .unit_org_post(
            "/application-forms",
            json!({ "data": { "type": "applicationForm", "attributes": { "applicantDetails": {
                "applicationType": "Individual", "jwtSubject": user.user_id, "email": "form@example.com",
            } } } }),
        )
        .await;
    let url = form["data"]["attributes"]["url"].as_str().expect("the form's url");
    let application = api.stack.fill_in_application_form(url, "123-45-6789").await;
    let application_id = application["data"]["id"].as_str().expect("an application id");

    // The webhook alone links it: nothing about the form was recorded in the user's metadata.
    let customer_created = event(&api, application_id, "customer.created").await;
    let answer = deliver(&api, &[customer_created]).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let recorded = metadata(&api, &user.user_id).await;
    assert_eq!(recorded["unit_application_id"], application_id);
    assert_eq!(recorded["unit_application_status"], "Approved");
    assert!(recorded["unit_account_id"].is_string(), "the deposit account is opened: {recorded}");
}

#[tokio::test]
async fn a_single_delivery_and_a_denial_are_recorded_too() {
    let api = common::start(&[]).await;
    let (user_id, application_id) = pending_applicant(&api, "denied@example.com", "123459001").await;
    api.stack.unit_org(Method::POST, &format!("/sandbox/applications/{application_id}/deny")).await;
    // Single (at-most-once) delivery: `data` is the event itself.
    let body = json!({ "data": event(&api, &application_id, "application.denied").await }).to_string();
    let answer = deliver_raw(&api, body.as_bytes(), Some(&sign(&token(&api), body.as_bytes()))).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let recorded = metadata(&api, &user_id).await;
    assert_eq!(recorded["unit_application_status"], "Denied");
    assert!(recorded.get("unit_customer_id").is_none());
}

#[tokio::test]
async fn duplicates_batches_and_any_order_end_in_the_same_state() {
    let api = common::start(&[]).await;
    let (ada, ada_application) = pending_applicant(&api, "ada@example.com", "123459001").await;
    let (bob, bob_application) = pending_applicant(&api, "bob@example.com", "987659001").await;
    let ada_customer = approve(&api, &ada_application).await;

    let ada_events = events_of(&api, &ada_application).await;
    let bob_events = events_of(&api, &bob_application).await;
    assert_eq!(
        ada_events.iter().map(|e| e["type"].as_str().unwrap()).collect::<Vec<_>>(),
        ["application.created", "customer.created"]
    );
    // The newest first, the same event twice, and another applicant's event in the same batch.
    let mut batch: Vec<Value> = ada_events.iter().rev().cloned().collect();
    batch.push(ada_events[1].clone());
    batch.extend(bob_events.clone());
    for _ in 0..2 {
        let answer = deliver(&api, &batch).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    }
    // An old event delivered late (a retry after a timeout) does not take the state back.
    assert_eq!(deliver(&api, &ada_events[..1]).await.status, StatusCode::OK);

    let ada_record = metadata(&api, &ada).await;
    assert_eq!(ada_record["unit_customer_id"], ada_customer.as_str());
    assert_eq!(ada_record["unit_application_status"], "Approved");
    let bob_record = metadata(&api, &bob).await;
    assert_eq!(bob_record["unit_application_status"], "Pending");
    assert!(bob_record.get("unit_customer_id").is_none());
}

#[tokio::test]
async fn forged_unsigned_and_tampered_deliveries_are_refused_and_change_nothing() {
    let api = common::start(&[]).await;
    let (user_id, application_id) = pending_applicant(&api, "forged@example.com", "123459001").await;
    approve(&api, &application_id).await;
    let body = json!({ "data": [event(&api, &application_id, "customer.created").await] }).to_string();
    let genuine = sign(&token(&api), body.as_bytes());
    let hex: String = base64_decode(&genuine).iter().map(|b| format!("{b:02x}")).collect();
    let tampered = body.replace("customer.created", "customer.createD");

    let cases: [(&str, &[u8], Option<&str>, &str); 5] = [
        ("unsigned", body.as_bytes(), None, "missing_signature"),
        ("not base64", body.as_bytes(), Some("%%%"), "missing_signature"),
        ("another token", body.as_bytes(), Some(&sign("a-guessed-token", body.as_bytes())), "invalid_signature"),
        ("hex encoding", body.as_bytes(), Some(&hex), "invalid_signature"),
        ("tampered body", tampered.as_bytes(), Some(&genuine), "invalid_signature"),
    ];
    for (case, body, signature, code) in cases {
        let answer = deliver_raw(&api, body, signature).await;
        answer.assert_problem(401, code);
        assert!(!answer.text.contains(&application_id), "{case}: nothing of the body is echoed");
    }
    assert!(metadata(&api, &user_id).await.get("unit_customer_id").is_none(), "nothing was recorded");
    // The genuine delivery still works.
    assert_eq!(deliver_raw(&api, body.as_bytes(), Some(&genuine)).await.status, StatusCode::OK);
    assert!(metadata(&api, &user_id).await.get("unit_customer_id").is_some());
}

fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.decode(text).unwrap()
}

#[tokio::test]
async fn both_tokens_verify_during_a_rotation_and_a_new_token_is_picked_up() {
    let api = common::start(&[]).await;
    let (user_id, application_id) = pending_applicant(&api, "rotation@example.com", "123459001").await;
    approve(&api, &application_id).await;
    let body = json!({ "data": [event(&api, &application_id, "customer.created").await] }).to_string();
    let secret = |current: &str, previous: Option<&str>| {
        let mut secret: Value = serde_json::from_str(&test_support::stack::LocalStack::unit_secret(
            &api.stack.sandbox,
            &api.stack.sandbox.unit_api_token,
        ))
        .unwrap();
        secret["webhook_secret"] = json!(current);
        if let Some(previous) = previous {
            secret["previous_webhook_secret"] = json!(previous);
        }
        secret.to_string()
    };

    // Rotated after this warm instance read the secret: the unknown signature makes it read the
    // secret again, once, and the new token verifies.
    let old = token(&api);
    api.stack.moto.rotate_secret(test_support::stack::UNIT_SECRET_ID, &secret("token-2", Some(&old))).await;
    let answer = deliver_raw(&api, body.as_bytes(), Some(&sign("token-2", body.as_bytes()))).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    // Unit still signing with the previous token (before the operator changed the webhook) verifies too.
    assert_eq!(deliver_raw(&api, body.as_bytes(), Some(&sign(&old, body.as_bytes()))).await.status, StatusCode::OK);
    deliver_raw(&api, body.as_bytes(), Some(&sign("token-3", body.as_bytes())))
        .await
        .assert_problem(401, "invalid_signature");
    assert!(metadata(&api, &user_id).await.get("unit_customer_id").is_some());
}

#[tokio::test]
async fn events_that_are_not_ours_or_not_about_onboarding_are_acknowledged_and_ignored() {
    let api = common::start(&[]).await;
    // An application whose jwtSubject names no user of this Stytch project.
    let stranger = api.submit_application("user-test-00000000-0000-4000-8000-00000000dead", "123452001").await;
    let stranger_event = event(&api, &stranger.id, "customer.created").await;
    // An application with no jwtSubject at all (created by some other integration of the org).
    let anonymous = create_without_subject(&api).await;
    let anonymous_event = event(&api, &anonymous, "customer.created").await;
    let unknown_type = json!({ "id": "90001", "type": "account.created", "attributes": {},
        "relationships": { "account": { "data": { "type": "depositAccount", "id": "1" } } } });
    let unknown_application = json!({ "id": "90002", "type": "application.denied", "attributes": {},
        "relationships": { "application": { "data": { "type": "individualApplication", "id": "999999" } } } });

    let answer = deliver(&api, &[stranger_event, anonymous_event, unknown_type, unknown_application]).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
}

async fn create_without_subject(api: &common::Api) -> String {
    let mut body = serde_json::to_value(test_support::functions::individual_application("x", "123453001")).unwrap();
    body.as_object_mut().unwrap().remove("jwtSubject");
    let response = api
        .stack
        .http
        .post(format!("{}/applications", api.stack.sandbox.unit_url))
        .bearer_auth(&api.stack.sandbox.unit_api_token)
        .header("content-type", "application/vnd.api+json")
        .json(&json!({ "data": { "type": "individualApplication", "attributes": body } }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.unwrap();
    assert!(created["data"]["attributes"].get("jwtSubject").is_none());
    created["data"]["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_unit_or_stytch_failure_is_a_5xx_so_that_unit_delivers_again() {
    let api = common::start(&[]).await;
    let (user_id, application_id) = pending_applicant(&api, "outage@example.com", "123459001").await;
    approve(&api, &application_id).await;
    let events = [event(&api, &application_id, "customer.created").await];

    api.fault(Side::Unit, json!({ "method": "GET", "path": "/applications/", "status": 503, "count": 10 })).await;
    let answer = deliver(&api, &events).await;
    assert!(answer.status.is_server_error(), "{} {}", answer.status, answer.text);
    api.clear_faults(Side::Unit).await;

    api.fault(Side::Stytch, json!({ "method": "PUT", "path": "/v1/users/", "status": 500, "count": 10 })).await;
    let answer = deliver(&api, &events).await;
    assert!(answer.status.is_server_error(), "{} {}", answer.status, answer.text);
    api.clear_faults(Side::Stytch).await;
    assert!(metadata(&api, &user_id).await.get("unit_customer_id").is_none());

    // Unit's retry of the same batch then succeeds.
    assert_eq!(deliver(&api, &events).await.status, StatusCode::OK);
    assert!(metadata(&api, &user_id).await.get("unit_customer_id").is_some());
}

#[tokio::test]
async fn large_batches_pass_oversized_and_malformed_bodies_do_not() {
    let api = common::start(&[]).await;
    // 200 events (~30 KB, above the 16 KiB of the other routes) about one unknown application.
    let filler: Vec<Value> = (0..200)
        .map(|i| json!({ "id": i.to_string(), "type": "application.pendingReview", "attributes": {"createdAt": "2026-12-01T00:00:00Z"},
            "relationships": { "application": { "data": { "type": "individualApplication", "id": "999999" } } } }))
        .collect();
    let answer = deliver(&api, &filler).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);

    let huge = vec![b' '; webhooks::MAX_WEBHOOK_BODY_BYTES + 1];
    deliver_raw(&api, &huge, Some(&sign(&token(&api), &huge))).await.assert_problem(413, "payload_too_large");
    let garbage = b"{\"data\": 42}";
    deliver_raw(&api, garbage, Some(&sign(&token(&api), garbage))).await.assert_problem(400, "invalid_webhook_payload");
}

#[tokio::test]
async fn a_stale_read_never_takes_a_final_status_back() {
    use stytch_unit_common::{
        customer_link::{Synced, sync_from_unit},
        unit::{ApplicationStatus, unit_id},
    };
    let api = common::start(&[]).await;
    let (user_id, application_id) = pending_applicant(&api, "race@example.com", "123459001").await;
    approve(&api, &application_id).await;
    let unit = &api.dependencies.unit;
    let stytch = &api.dependencies.stytch;
    let approved = unit.get_application(&unit_id(&application_id).unwrap()).await.unwrap();
    assert_eq!(sync_from_unit(stytch, unit, &approved).await.unwrap(), Synced::Recorded);
    assert_eq!(sync_from_unit(stytch, unit, &approved).await.unwrap(), Synced::Unchanged);
    // A concurrent delivery that read the application before the approval finishes last.
    let stale =
        stytch_unit_common::unit::Application { status: ApplicationStatus::Pending, customer_id: None, ..approved };
    assert_eq!(sync_from_unit(stytch, unit, &stale).await.unwrap(), Synced::Unchanged);
    assert_eq!(metadata(&api, &user_id).await["unit_application_status"], "Approved");
}

#[tokio::test]
async fn the_routes_are_served() {
    let api = common::start(&[]).await;
    api.assert_routes_served(webhooks::ROUTES).await;
}

#[tokio::test]
async fn a_customer_event_without_its_application_is_found_through_the_customer_and_nothing_secret_is_logged() {
    use stytch_unit_common::telemetry;
    use test_support::logs::{CapturedLogs, leaked_fragments};
    use tracing::level_filters::LevelFilter;

    let api = common::start(&[]).await;
    let logs = CapturedLogs::default();
    let _guard = tracing::subscriber::set_default(telemetry::subscriber(LevelFilter::TRACE, logs.clone()));
    let (user_id, application_id) = pending_applicant(&api, "customer-only@example.com", "123459001").await;
    let customer_id = approve(&api, &application_id).await;
    // `customer.created` naming only the customer: the function reads the customer, then its application.
    let mut customer_created = event(&api, &application_id, "customer.created").await;
    customer_created["relationships"].as_object_mut().unwrap().remove("application");
    let body = json!({ "data": [customer_created] }).to_string();
    let genuine = sign(&token(&api), body.as_bytes());
    let forged = sign("a-guessed-token", body.as_bytes());

    deliver_raw(&api, body.as_bytes(), Some(&forged)).await.assert_problem(401, "invalid_signature");
    let answer = deliver_raw(&api, body.as_bytes(), Some(&genuine)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(metadata(&api, &user_id).await["unit_customer_id"], customer_id.as_str());

    let text = logs.text();
    assert!(text.contains("Unit webhook processed"), "the delivery is logged");
    for secret in [token(&api).as_str(), genuine.as_str(), forged.as_str(), api.stack.sandbox.unit_api_token.as_str()] {
        assert!(leaked_fragments(&text, secret).is_empty(), "leaked a piece of {secret}");
    }
}
