//! Unit side: individual applications, the SSN decision table, sandbox approve/deny, cancel,
//! documents, opening the deposit account, idempotency and request validation.

mod unit_support;

use reqwest::StatusCode;
use sandbox::unit::OrgSettings;
use serde_json::json;
use unit_support::{ORG_TOKEN, application_body, approved_ssn, ssn_ending, start, start_with};

#[tokio::test]
async fn an_approved_application_creates_a_customer_and_no_account() {
    let unit = start().await;
    let reply = unit.apply(&approved_ssn(), Some("user-test-ada")).await;

    assert_eq!(reply.content_type, "application/vnd.api+json; charset=utf-8");
    let data = &reply.body["data"];
    assert_eq!(data["type"], "individualApplication");
    assert_eq!(data["attributes"]["status"], "Approved");
    assert_eq!(data["attributes"]["decisionMethod"], "Automatically");
    assert_eq!(data["attributes"]["jwtSubject"], "user-test-ada");
    assert_eq!(data["attributes"]["maskedSSN"], "*****6789");
    assert!(data["attributes"].get("ssn").is_none(), "the full SSN is never echoed");
    let customer_id = data["relationships"]["customer"]["data"]["id"].as_str().expect("customer");

    let customer = unit.get(&format!("/customers/{customer_id}"), ORG_TOKEN).await;
    assert_eq!(customer.status, StatusCode::OK);
    assert_eq!(customer.body["data"]["type"], "individualCustomer");
    assert_eq!(customer.body["data"]["attributes"]["jwtSubject"], "user-test-ada");
    assert_eq!(customer.body["data"]["relationships"]["application"]["data"]["id"], reply.body["data"]["id"]);

    // Unit opens no account on approval: the integrator calls POST /accounts (Unit's OpenAPI
    // accountPaths.json#/accounts; both official SDKs' tests open it after approval).
    let accounts = unit.get(&format!("/accounts?filter[customerId]={customer_id}"), ORG_TOKEN).await;
    assert_eq!(accounts.body["meta"]["pagination"]["total"], 0);

    let fetched = unit.get(&format!("/applications/{}", reply.id()), ORG_TOKEN).await;
    assert_eq!(fetched.status, StatusCode::OK);
    assert_eq!(fetched.body["data"], reply.body["data"]);
}

#[tokio::test]
async fn an_ssn_ending_in_9000_is_denied_without_a_customer() {
    let unit = start().await;
    let reply = unit.apply(&ssn_ending("9000"), None).await;
    assert_eq!(reply.body["data"]["attributes"]["status"], "Denied");
    assert!(reply.body["data"]["relationships"].get("customer").is_none());

    let accounts = unit.get("/accounts", ORG_TOKEN).await;
    assert_eq!(accounts.body["meta"]["pagination"]["total"], 0);

    let approve = unit.post_empty(&format!("/sandbox/applications/{}/approve", reply.id()), ORG_TOKEN).await;
    assert_eq!(approve.status, StatusCode::BAD_REQUEST);
    assert_eq!(approve.error_code(), "not_supported_for_application_status");
}

#[tokio::test]
async fn a_pending_application_waits_for_the_sandbox_approve_endpoint() {
    let unit = start().await;
    let reply = unit.apply(&ssn_ending("9001"), Some("user-test-pending")).await;
    assert_eq!(reply.body["data"]["attributes"]["status"], "Pending");
    assert!(reply.body["data"]["relationships"].get("customer").is_none());

    let approve = unit
        .post(
            &format!("/sandbox/applications/{}/approve", reply.id()),
            ORG_TOKEN,
            json!({ "data": { "type": "applicationApprove", "attributes": { "reason": "looks fine" } } }),
        )
        .await;
    assert_eq!(approve.status, StatusCode::OK, "{:#}", approve.body);
    let attributes = &approve.body["data"]["attributes"];
    assert_eq!(attributes["status"], "Approved");
    assert_eq!(attributes["decisionMethod"], "Manually");
    assert_eq!(attributes["decisionReason"], "looks fine");
    let customer_id =
        approve.body["data"]["relationships"]["customer"]["data"]["id"].as_str().expect("customer after approval");
    let customer = unit.get(&format!("/customers/{customer_id}"), ORG_TOKEN).await;
    assert_eq!(customer.body["data"]["attributes"]["jwtSubject"], "user-test-pending");

    let again = unit.post_empty(&format!("/sandbox/applications/{}/approve", reply.id()), ORG_TOKEN).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_pending_review_application_can_be_denied() {
    let unit = start().await;
    let reply = unit.apply(&ssn_ending("9002"), None).await;
    assert_eq!(reply.body["data"]["attributes"]["status"], "PendingReview");

    let deny = unit.post_empty(&format!("/sandbox/applications/{}/deny", reply.id()), ORG_TOKEN).await;
    assert_eq!(deny.status, StatusCode::OK);
    assert_eq!(deny.body["data"]["attributes"]["status"], "Denied");
    assert!(deny.body["data"]["relationships"].get("customer").is_none());
}

#[tokio::test]
async fn the_same_idempotency_key_returns_the_same_application() {
    let unit = start().await;
    let ssn = approved_ssn();
    let body = application_body(&ssn, None, Some("signup-42"));
    let first = unit.post("/applications", ORG_TOKEN, body.clone()).await;
    let second = unit.post("/applications", ORG_TOKEN, body).await;
    assert_eq!(first.status, StatusCode::CREATED);
    assert_eq!(second.status, StatusCode::CREATED);
    assert_eq!(first.id(), second.id());
    assert_eq!(first.body["data"]["relationships"]["customer"], second.body["data"]["relationships"]["customer"]);

    let applications = unit.get("/applications", ORG_TOKEN).await;
    assert_eq!(applications.body["meta"]["pagination"]["total"], 1);
}

// Unit's OpenAPI spec, `schemas/application/orgSettings.json`: `generalSettings.
// preventDuplicateIndividualApplications` is an org setting; Unit's application docs: with it on, a
// second application with the SSN of one that was not denied, canceled or archived is a 400.
#[tokio::test]
async fn duplicate_ssns_are_refused_only_when_the_org_prevents_duplicates() {
    let lenient = start().await;
    let ssn = approved_ssn();
    let first = lenient.apply(&ssn, None).await;
    let second = lenient.apply(&ssn, None).await;
    assert_ne!(first.id(), second.id(), "a second application of its own");

    let strict = start_with(OrgSettings { prevent_duplicate_individual_applications: true }).await;
    let ssn = approved_ssn();
    strict.apply(&ssn, None).await;
    let duplicate = strict.post("/applications", ORG_TOKEN, application_body(&ssn, None, None)).await;
    assert_eq!(duplicate.status, StatusCode::BAD_REQUEST);
    assert_eq!(duplicate.error_code(), "already_exists");
    assert_eq!(duplicate.pointers(), ["/data/attributes/ssn"]);
    assert!(!duplicate.body.to_string().contains(&ssn), "the SSN is not echoed");

    // A denied application does not count.
    let denied_ssn = ssn_ending("9000");
    strict.apply(&denied_ssn, None).await;
    strict.apply(&denied_ssn, None).await;
}

#[tokio::test]
async fn invalid_attributes_are_all_reported_with_pointers() {
    let unit = start().await;
    let mut body = application_body(&approved_ssn(), None, None);
    let attributes = &mut body["data"]["attributes"];
    attributes.as_object_mut().expect("attributes").remove("fullName");
    attributes["address"]["postalCode"] = json!("ABCDE");
    attributes["dateOfBirth"] = json!("1990-13-01");
    attributes["favouriteColour"] = json!("blue");

    let reply = unit.post("/applications", ORG_TOKEN, body).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.body["errors"][0]["status"], "400");
    let mut pointers = reply.pointers();
    pointers.sort();
    assert_eq!(
        pointers,
        [
            "/data/attributes/address/postalCode",
            "/data/attributes/dateOfBirth",
            "/data/attributes/favouriteColour",
            "/data/attributes/fullName",
        ]
    );
    let applications = unit.get("/applications", ORG_TOKEN).await;
    assert_eq!(applications.body["meta"]["pagination"]["total"], 0);
}

#[tokio::test]
async fn malformed_bodies_and_wrong_types_are_400_with_pointers() {
    let unit = start().await;
    let garbage = unit.send(reqwest::Method::POST, "/applications", Some(ORG_TOKEN), Some("{not json".into())).await;
    assert_eq!(garbage.status, StatusCode::BAD_REQUEST);
    assert_eq!(garbage.pointers(), [""]);

    let no_data = unit.post("/applications", ORG_TOKEN, json!({})).await;
    assert_eq!(no_data.status, StatusCode::BAD_REQUEST);
    assert_eq!(no_data.pointers(), ["/data"]);

    let mut business = application_body(&approved_ssn(), None, None);
    business["data"]["type"] = json!("businessApplication");
    let wrong_type = unit.post("/applications", ORG_TOKEN, business).await;
    assert_eq!(wrong_type.status, StatusCode::BAD_REQUEST);
    assert_eq!(wrong_type.pointers(), ["/data/type"]);
}

#[tokio::test]
async fn a_passport_applicant_needs_no_ssn_but_someone_needs_one_of_them() {
    let unit = start().await;
    let mut body = application_body("000000000", None, None);
    let attributes = body["data"]["attributes"].as_object_mut().expect("attributes");
    attributes.remove("ssn");
    let missing = unit.post("/applications", ORG_TOKEN, body.clone()).await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    assert_eq!(missing.pointers(), ["/data/attributes/ssn"]);

    body["data"]["attributes"]["passport"] = json!("X1234567");
    body["data"]["attributes"]["nationality"] = json!("GB");
    let with_passport = unit.post("/applications", ORG_TOKEN, body).await;
    assert_eq!(with_passport.status, StatusCode::CREATED);
    assert_eq!(with_passport.body["data"]["attributes"]["status"], "Approved");
    assert_eq!(with_passport.body["data"]["attributes"]["maskedPassport"], "****4567");
}

#[tokio::test]
async fn applications_need_an_org_token() {
    let unit = start().await;
    let body = application_body(&approved_ssn(), None, None);
    let anonymous = unit.send(reqwest::Method::POST, "/applications", None, Some(body.to_string())).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    assert_eq!(anonymous.body["errors"][0]["status"], "401");

    let wrong = unit.post("/applications", "v2.public.not-a-token", body.clone()).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);

    let ada = unit.approved_customer("user-test-ada").await;
    let customer_token = unit.customer_token(&ada, "customers accounts").await;
    let as_customer = unit.post("/applications", &customer_token, body).await;
    assert_eq!(as_customer.status, StatusCode::FORBIDDEN);
    assert_eq!(as_customer.error_code(), "forbidden");

    let missing = unit.get("/applications/999999", ORG_TOKEN).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn reset_forgets_everything_and_restarts_ids() {
    let unit = start().await;
    let first = unit.apply(&approved_ssn(), None).await;
    unit.state.reset();
    let applications = unit.get("/applications", ORG_TOKEN).await;
    assert_eq!(applications.body["meta"]["pagination"]["total"], 0);
    let again = unit.apply(&approved_ssn(), None).await;
    assert_eq!(first.id(), again.id());
}

#[tokio::test]
async fn units_documented_sandbox_ssns_decide_as_unit_says() {
    // Source: Unit's "Sandbox Simulations" page for applications (unit-api.md §9).
    let unit = start().await;
    for (ssn, status, document) in [
        ("000000001", "Denied", None),
        ("000000002", "AwaitingDocuments", Some("AddressVerification")),
        ("000000003", "AwaitingDocuments", Some("IdDocument")),
        ("000000004", "PendingReview", None),
        ("000000006", "AwaitingDocuments", Some("SocialSecurityCard")),
    ] {
        let reply = unit.apply(ssn, None).await;
        assert_eq!(reply.body["data"]["attributes"]["status"], status, "{ssn}");
        let documents = unit.get(&format!("/applications/{}/documents", reply.id()), ORG_TOKEN).await;
        assert_eq!(documents.status, StatusCode::OK);
        let types: Vec<&str> = documents.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|d| d["attributes"]["documentType"].as_str())
            .collect();
        assert_eq!(types, document.into_iter().collect::<Vec<_>>(), "{ssn}");
        if document.is_some() {
            assert_eq!(reply.body["data"]["relationships"]["documents"]["data"][0]["id"], "1");
            assert_eq!(documents.body["data"][0]["attributes"]["status"], "Required");
        }
    }
}

/// A multipart upload of a small PDF to `path`.
async fn upload(unit: &unit_support::Harness, path: &str, file_type: &str) -> unit_support::Reply {
    let form = reqwest::multipart::Form::new()
        .text("fileType", file_type.to_owned())
        .part("file", reqwest::multipart::Part::bytes(b"%PDF-1.4 sandbox".to_vec()).file_name("a.pdf"));
    let response =
        unit.http.put(format!("{}{path}", unit.url)).bearer_auth(ORG_TOKEN).multipart(form).send().await.unwrap();
    let status = response.status();
    let body = response.json().await.unwrap();
    unit_support::Reply { status, content_type: String::new(), body }
}

#[tokio::test]
async fn uploading_every_document_puts_the_application_in_review_then_it_can_be_approved() {
    let unit = start().await;
    let id_document = unit.apply("000000003", Some("user-test-docs")).await.id();

    let wrong_type = upload(&unit, &format!("/applications/{id_document}/documents/1/multipart"), "text/plain").await;
    assert_eq!(wrong_type.status, StatusCode::BAD_REQUEST);
    let unknown = upload(&unit, &format!("/applications/{id_document}/documents/9/multipart"), "application/pdf").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);

    // An IdDocument needs both sides (Node SDK ApplicationDocumentStatus: ReceivedFront/ReceivedBack).
    let front = upload(&unit, &format!("/applications/{id_document}/documents/1/multipart"), "application/pdf").await;
    assert_eq!(front.status, StatusCode::OK, "{:#}", front.body);
    assert_eq!(front.body["data"]["attributes"]["status"], "ReceivedFront");
    let still = unit.get(&format!("/applications/{id_document}"), ORG_TOKEN).await;
    assert_eq!(still.body["data"]["attributes"]["status"], "AwaitingDocuments");
    let back = upload(&unit, &format!("/applications/{id_document}/documents/1/back/multipart"), "image/png").await;
    assert_eq!(back.body["data"]["attributes"]["status"], "PendingReview");
    let review = unit.get(&format!("/applications/{id_document}"), ORG_TOKEN).await;
    assert_eq!(review.body["data"]["attributes"]["status"], "PendingReview");

    let late = upload(&unit, &format!("/applications/{id_document}/documents/1/multipart"), "application/pdf").await;
    assert_eq!(late.status, StatusCode::BAD_REQUEST, "documents are taken only while awaited");
    let approve = unit.post_empty(&format!("/sandbox/applications/{id_document}/approve"), ORG_TOKEN).await;
    assert_eq!(approve.body["data"]["attributes"]["status"], "Approved");
    let documents = unit.get(&format!("/applications/{id_document}/documents"), ORG_TOKEN).await;
    assert_eq!(documents.body["data"][0]["attributes"]["status"], "Approved");
}

#[tokio::test]
async fn an_undecided_application_can_be_canceled_a_decided_one_cannot() {
    // Source: Unit's OpenAPI applicationPaths.json#/cancelApplication (201, applicationCancel).
    let unit = start().await;
    let pending = unit.apply(&ssn_ending("9001"), None).await.id();
    let cancel = json!({ "data": { "type": "applicationCancel", "attributes": { "reason": "by request" } } });
    let canceled = unit.post(&format!("/applications/{pending}/cancel"), ORG_TOKEN, cancel.clone()).await;
    assert_eq!(canceled.status, StatusCode::CREATED, "{:#}", canceled.body);
    assert_eq!(canceled.body["data"]["attributes"]["status"], "Canceled");

    let approved = unit.apply(&approved_ssn(), None).await.id();
    let refused = unit.post(&format!("/applications/{approved}/cancel"), ORG_TOKEN, cancel).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert_eq!(refused.error_code(), "not_supported_for_application_status");
}

#[tokio::test]
async fn post_accounts_opens_one_deposit_account_per_idempotency_key() {
    // Source: Unit's OpenAPI createAccount.json#CreateDepositAccount (depositProduct required).
    let unit = start().await;
    let ada = unit.approved_customer("user-test-accounts").await;
    let first = unit.open_account(&ada.customer_id, Some("open-ada")).await;
    let again = unit.open_account(&ada.customer_id, Some("open-ada")).await;
    assert_eq!(first.status, StatusCode::CREATED);
    assert_eq!(first.id(), again.id(), "the same key answers with the same account");
    let account = &first.body["data"];
    assert_eq!(account["type"], "depositAccount");
    assert_eq!(account["attributes"]["status"], "Open");
    assert_eq!(account["attributes"]["depositProduct"], "checking");
    assert_eq!(account["attributes"]["name"], "Ada Lovelace");
    assert_eq!(account["relationships"]["customer"]["data"]["id"], ada.customer_id.as_str());

    let with_customer = unit.get(&format!("/accounts/{}?include=customer", first.id()), ORG_TOKEN).await;
    assert_eq!(with_customer.body["included"][0]["id"], ada.customer_id.as_str());

    let no_product = unit
        .post(
            "/accounts",
            ORG_TOKEN,
            json!({ "data": { "type": "depositAccount", "attributes": {},
                "relationships": { "customer": { "data": { "type": "customer", "id": ada.customer_id } } } } }),
        )
        .await;
    assert_eq!(no_product.status, StatusCode::BAD_REQUEST);
    assert_eq!(no_product.pointers(), ["/data/attributes/depositProduct"]);
    let nobody = unit.open_account("299999", None).await;
    assert_eq!(nobody.status, StatusCode::BAD_REQUEST);

    // Source: Unit's OpenAPI accountPaths.json#/getAccountLimits, limits.json#DepositLimits.
    let limits = unit.get(&format!("/accounts/{}/limits", first.id()), ORG_TOKEN).await;
    assert_eq!(limits.status, StatusCode::OK);
    assert_eq!(limits.body["data"]["type"], "limits");
    let attributes = &limits.body["data"]["attributes"];
    assert!(attributes["ach"]["limits"]["dailyDebit"].is_number());
    assert_eq!(attributes["card"]["totalsDaily"]["purchases"], 0);
    assert!(attributes["checkDeposit"]["limits"]["monthlySoft"].is_number());
    assert_eq!(unit.get("/accounts/399999/limits", ORG_TOKEN).await.status, StatusCode::NOT_FOUND);
}
