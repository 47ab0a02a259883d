//! Onboarding past the happy path, through the real router against the sandbox: every application
//! status with its code and next step, the deposit account opened once, applying again after a
//! denial, and the documents of an `AwaitingDocuments` application. SSNs: Unit's documented sandbox
//! values (`000000002` awaits an address document, `000000003` an ID) and the sandbox's own endings
//! (tests/sandbox/src/unit/decision.rs: `9000` denied, `9001` pending, `9002` in review).

mod common;

use axum::body::Body;
use common::code;
use http::{Method, Request, StatusCode, header};
use serde_json::{Value, json};
use test_support::functions::application_body as application;

#[tokio::test]
async fn each_status_has_its_code_and_next_step_on_submit_and_on_read() {
    let api = common::start(&[]).await;
    for (ssn, status, code, next_step) in [
        ("123-45-9001", "Pending", Some("application_pending"), "wait"),
        ("123-46-9002", "PendingReview", Some("application_in_review"), "wait"),
        ("000-00-0002", "AwaitingDocuments", Some("documents_required"), "upload_documents"),
        ("123-47-9000", "Denied", Some("application_denied"), "apply_again"),
        ("123-48-6789", "Approved", None, "none"),
    ] {
        let user = api.stack.sign_in(&format!("applicant-{status}@example.com")).await;
        let jwt = Some(user.session_jwt.as_str());
        let answer = api.post("/applications", jwt, application(ssn)).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
        assert_eq!(answer.headers[header::CACHE_CONTROL], "no-store");
        let current = api.get("/applications/current", jwt).await;
        for body in [&answer.body, &current.body] {
            assert_eq!(body["status"], status);
            assert_eq!(body["code"].as_str(), code, "{status}");
            assert_eq!(body["nextStep"], next_step, "{status}");
        }
        if status == "AwaitingDocuments" {
            assert_eq!(current.body["requiredDocuments"][0]["documentType"], "AddressVerification");
        }
        // POST /token's refusal carries the same code (the step-up function's session is enough
        // to read it: see functions/token-exchange/tests for the route itself).
        let metadata = &api.stack.stytch_user(&user.user_id).await["trusted_metadata"];
        assert_eq!(metadata["unit_application_status"], status, "the status is recorded");
    }
}

#[tokio::test]
async fn approval_opens_the_deposit_account_once_and_records_it() {
    let api = common::start(&[]).await;
    let user = api.stack.sign_in("pat@example.com").await;
    let jwt = Some(user.session_jwt.as_str());
    let answer = api.post("/applications", jwt, application("123-45-9001")).await;
    let application_id = answer.body["applicationId"].as_str().unwrap().to_owned();
    let accounts = api.stack.unit_org(Method::GET, "/accounts").await;
    assert_eq!(accounts["data"], json!([]), "no customer, no account");

    api.stack.unit_org(Method::POST, &format!("/sandbox/applications/{application_id}/approve")).await;
    // Two reads that both see the approval (as a webhook and a read may): one account.
    let (first, second) = tokio::join!(api.get("/applications/current", jwt), api.get("/applications/current", jwt));
    assert_eq!((first.body["status"].as_str(), second.body["status"].as_str()), (Some("Approved"), Some("Approved")));
    let accounts = api.stack.unit_org(Method::GET, "/accounts").await;
    let accounts = accounts["data"].as_array().unwrap();
    assert_eq!(accounts.len(), 1, "{accounts:?}");
    assert_eq!(accounts[0]["attributes"]["depositProduct"], "checking");
    let metadata = &api.stack.stytch_user(&user.user_id).await["trusted_metadata"];
    assert_eq!(metadata["unit_account_id"], accounts[0]["id"]);
    assert_eq!(metadata["unit_customer_id"], first.body["customerId"]);
}

#[tokio::test]
async fn the_deposit_product_is_configuration() {
    let api = common::start(&[("UNIT_DEPOSIT_PRODUCT", "savings")]).await;
    let user = api.stack.sign_in("sav@example.com").await;
    let answer = api.post("/applications", Some(&user.session_jwt), application("123-45-6789")).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    let accounts = api.stack.unit_org(Method::GET, "/accounts").await;
    assert_eq!(accounts["data"][0]["attributes"]["depositProduct"], "savings");
}

#[tokio::test]
async fn a_denied_applicant_applies_again_and_the_old_attempt_is_kept() {
    let api = common::start(&[]).await;
    let user = api.stack.sign_in("dee@example.com").await;
    let jwt = Some(user.session_jwt.as_str());
    let denied = api.post("/applications", jwt, application("123-45-9000")).await;
    assert_eq!(denied.body["code"], "application_denied");
    let denied_id = denied.body["applicationId"].clone();

    let again = api.post("/applications", jwt, application("123-45-6789")).await;
    assert_eq!(again.status, StatusCode::CREATED, "{}", again.text);
    assert_ne!(again.body["applicationId"], denied_id, "a new attempt");
    assert_eq!(again.body["status"], "Approved");
    // A double submit of this attempt is still one application.
    let twice = api.post("/applications", jwt, application("123-45-6789")).await;
    assert_eq!((twice.status, &twice.body["applicationId"]), (StatusCode::OK, &again.body["applicationId"]));
    let all = api.stack.unit_org(Method::GET, "/applications").await;
    assert_eq!(all["data"].as_array().unwrap().len(), 2);

    let metadata = &api.stack.stytch_user(&user.user_id).await["trusted_metadata"];
    assert_eq!(metadata["unit_application_id"], again.body["applicationId"]);
    assert_eq!(metadata["unit_previous_application_ids"], json!([denied_id]));
    // The applications are tagged with the Stytch user id, for operators in Unit's dashboard.
    let tagged = api.stack.unit_org(Method::GET, &format!("/applications/{}", denied_id.as_str().unwrap())).await;
    assert_eq!(tagged["data"]["attributes"]["tags"]["stytchUserId"], user.user_id.as_str());
}

fn upload(path: &str, jwt: &str, content_type: &str, file: &'static [u8]) -> Request<Body> {
    Request::builder()
        .method(Method::PUT)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {jwt}"))
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(file))
        .unwrap()
}

#[tokio::test]
async fn an_applicant_awaiting_documents_uploads_them_and_is_approved() {
    let api = common::start(&[]).await;
    let user = api.stack.sign_in("ida@example.com").await;
    let jwt = user.session_jwt.as_str();

    let none_yet = api.send(upload("/applications/current/documents/1", jwt, "application/pdf", b"%PDF")).await;
    assert_eq!((none_yet.status, code(&none_yet)), (StatusCode::NOT_FOUND, "no_application"));

    let answer = api.post("/applications", Some(jwt), application("000-00-0003")).await;
    assert_eq!(answer.body["code"], "documents_required");
    let listed = api.get("/applications/current/documents", Some(jwt)).await;
    let documents: &Value = &listed.body["requiredDocuments"];
    assert_eq!(documents[0]["documentType"], "IdDocument");
    let id = documents[0]["documentId"].as_str().unwrap();
    let path = format!("/applications/current/documents/{id}");

    for (request, status, expected) in [
        (upload(&path, jwt, "text/plain", b"hello"), StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"),
        (upload(&path, jwt, "application/pdf", b""), StatusCode::BAD_REQUEST, "validation_failed"),
        (
            upload("/applications/current/documents/77", jwt, "image/png", b"png"),
            StatusCode::NOT_FOUND,
            "document_not_found",
        ),
        // A segment that is not UTF-8 once decoded: no document of anybody's, answered as problem+json.
        (
            upload("/applications/current/documents/1%A0", jwt, "image/png", b"png"),
            StatusCode::NOT_FOUND,
            "document_not_found",
        ),
        (upload(&format!("{path}?side=left"), jwt, "image/png", b"png"), StatusCode::BAD_REQUEST, "validation_failed"),
        (
            upload(&format!("{path}?side=back&side=back"), jwt, "image/png", b"png"),
            StatusCode::BAD_REQUEST,
            "validation_failed",
        ),
    ] {
        let refused = api.send(request).await;
        assert_eq!((refused.status, code(&refused)), (status, expected), "{}", refused.text);
    }

    let front = api.send(upload(&path, jwt, "image/jpeg", b"\xff\xd8front")).await;
    assert_eq!(front.status, StatusCode::OK, "{}", front.text);
    assert_eq!(front.body["status"], "ReceivedFront");
    let back = api.send(upload(&format!("{path}?side=back"), jwt, "image/jpeg", b"\xff\xd8back")).await;
    assert_eq!(back.body["status"], "PendingReview");
    let current = api.get("/applications/current", Some(jwt)).await;
    assert_eq!(
        (current.body["status"].as_str(), current.body["code"].as_str()),
        (Some("PendingReview"), Some("application_in_review"))
    );

    let late = api.send(upload(&path, jwt, "image/jpeg", b"\xff\xd8again")).await;
    assert_eq!((late.status, code(&late)), (StatusCode::CONFLICT, "documents_not_required"));
    let application_id = current.body["applicationId"].as_str().unwrap();
    api.stack.unit_org(Method::POST, &format!("/sandbox/applications/{application_id}/approve")).await;
    let approved = api.get("/applications/current", Some(jwt)).await;
    assert_eq!(approved.body["nextStep"], "none");
}

#[tokio::test]
async fn a_document_upload_takes_up_to_4_mib_and_no_more() {
    let api = common::start(&[]).await;
    let user = api.stack.sign_in("big@example.com").await;
    let too_big = vec![b'%'; signup::routes::documents::MAX_DOCUMENT_BYTES + 1];
    let request = Request::builder()
        .method(Method::PUT)
        .uri("/applications/current/documents/1")
        .header(header::AUTHORIZATION, format!("Bearer {}", user.session_jwt))
        .header(header::CONTENT_TYPE, "application/pdf")
        .body(Body::from(too_big))
        .unwrap();
    let answer = api.send(request).await;
    assert_eq!((answer.status, code(&answer)), (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"));
}
