//! Unit side: individual applications, the SSN decision table, sandbox approve/deny, idempotency
//! and request validation.

mod unit_support;

use reqwest::StatusCode;
use sandbox::unit::OrgSettings;
use serde_json::json;
use unit_support::{ORG_TOKEN, application_body, approved_ssn, ssn_ending, start, start_with};

#[tokio::test]
async fn an_approved_application_opens_a_customer_and_a_deposit_account() {
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

    let accounts = unit.get(&format!("/accounts?filter[customerId]={customer_id}"), ORG_TOKEN).await;
    assert_eq!(accounts.body["meta"]["pagination"]["total"], 1);
    let account = &accounts.body["data"][0];
    assert_eq!(account["type"], "depositAccount");
    assert_eq!(account["attributes"]["status"], "Open");
    assert_eq!(account["attributes"]["name"], "Ada Lovelace");
    assert_eq!(account["relationships"]["customer"]["data"]["id"], customer_id);

    let fetched = unit.get(&format!("/applications/{}", reply.id()), ORG_TOKEN).await;
    assert_eq!(fetched.status, StatusCode::OK);
    assert_eq!(fetched.body["data"], reply.body["data"]);
}

#[tokio::test]
async fn an_ssn_ending_in_0000_is_denied_without_a_customer() {
    let unit = start().await;
    let reply = unit.apply(&ssn_ending("0000"), None).await;
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
    let reply = unit.apply(&ssn_ending("0001"), Some("user-test-pending")).await;
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
    let reply = unit.apply(&ssn_ending("0002"), None).await;
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
    let accounts = unit.get("/accounts", ORG_TOKEN).await;
    assert_eq!(accounts.body["meta"]["pagination"]["total"], 1);
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
    let denied_ssn = ssn_ending("0000");
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
