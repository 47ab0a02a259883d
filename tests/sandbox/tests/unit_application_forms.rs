//! Unit side: white-label application forms (`POST /application-forms`, `GET /application-forms/{id}`)
//! and the control that submits one as the applicant would. Source: Unit's OpenAPI
//! `applicationPaths.json#/applicationForms` and `#/applicationForm`, `createApplicationForm.json`,
//! `applicationForm.json`, and `application.json` (an application's `applicationForm` relationship).

mod unit_support;

use reqwest::StatusCode;
use serde_json::{Value, json};
use unit_support::{ORG_TOKEN, approved_ssn, start};

fn form_body(attributes: Value) -> Value {
    json!({ "data": { "type": "applicationForm", "attributes": attributes } })
}

fn individual_prefill(jwt_subject: &str) -> Value {
    json!({
        "applicantDetails": {
            "applicationType": "Individual",
            "email": "ada@example.com",
            "phone": { "countryCode": "1", "number": "5555550100" },
            "jwtSubject": jwt_subject,
        },
        "allowedApplicationTypes": ["Individual"],
        "tags": { "stytchUserId": jwt_subject },
        "settingsOverride": { "redirectUrl": "https://app.example.com/onboarding/done" },
    })
}

/// What the applicant types into the hosted form (the prefill supplies email and phone).
fn typed_in(ssn: &str) -> Value {
    json!({
        "data": {
            "type": "individualApplication",
            "attributes": {
                "fullName": { "first": "Ada", "last": "Lovelace" },
                "ssn": ssn,
                "dateOfBirth": "1990-12-10",
                "address": {
                    "street": "20 Ingram St", "city": "Forest Hills", "state": "NY",
                    "postalCode": "11375", "country": "US"
                }
            }
        }
    })
}

fn submit_path(form: &Value) -> String {
    let url = form["data"]["attributes"]["url"].as_str().expect("url");
    let path = url.split_once("/__sandbox/").map(|(_, rest)| rest).expect("the sandbox's form URL");
    format!("/__sandbox/{path}/submit")
}

#[tokio::test]
async fn a_form_is_created_with_its_prefill_and_read_back() {
    let unit = start().await;
    let created = unit.post("/application-forms", ORG_TOKEN, form_body(individual_prefill("user-test-ada"))).await;

    assert_eq!(created.status, StatusCode::CREATED, "{:#}", created.body);
    assert_eq!(created.content_type, "application/vnd.api+json; charset=utf-8");
    let data = &created.body["data"];
    assert_eq!(data["type"], "applicationForm");
    // `url` is the one required attribute of an `ApplicationForm` (applicationForm.json).
    assert!(data["attributes"]["url"].as_str().is_some_and(|url| url.starts_with("http")));
    assert_eq!(data["attributes"]["stage"], "EnterIndividualInformation");
    assert_eq!(data["attributes"]["applicantDetails"]["jwtSubject"], "user-test-ada");
    assert_eq!(data["attributes"]["email"], "ada@example.com");
    assert_eq!(data["attributes"]["tags"]["stytchUserId"], "user-test-ada");
    assert_eq!(data["attributes"]["allowedApplicationTypes"], json!(["Individual"]));
    assert!(data["relationships"].get("application").is_none(), "nothing applied for yet");

    let fetched = unit.get(&format!("/application-forms/{}", created.id()), ORG_TOKEN).await;
    assert_eq!(fetched.status, StatusCode::OK);
    assert_eq!(fetched.body["data"], created.body["data"]);
}

#[tokio::test]
async fn a_form_open_to_several_applicant_types_starts_at_the_choice() {
    let unit = start().await;
    let created = unit.post("/application-forms", ORG_TOKEN, form_body(json!({}))).await;
    assert_eq!(created.status, StatusCode::CREATED, "{:#}", created.body);
    assert_eq!(created.body["data"]["attributes"]["stage"], "ChooseBusinessOrIndividual");
}

#[tokio::test]
async fn submitting_the_form_creates_the_application_with_the_prefilled_jwt_subject() {
    let unit = start().await;
    let form = unit.post("/application-forms", ORG_TOKEN, form_body(individual_prefill("user-test-form"))).await;

    let submitted = unit.post(&submit_path(&form.body), ORG_TOKEN, typed_in(&approved_ssn())).await;
    assert_eq!(submitted.status, StatusCode::CREATED, "{:#}", submitted.body);
    let application = &submitted.body["data"];
    assert_eq!(application["type"], "individualApplication");
    assert_eq!(application["attributes"]["status"], "Approved");
    assert_eq!(application["attributes"]["jwtSubject"], "user-test-form");
    assert_eq!(application["attributes"]["email"], "ada@example.com", "from the prefill");
    assert_eq!(application["attributes"]["tags"]["stytchUserId"], "user-test-form", "the form's tags");
    assert_eq!(application["relationships"]["applicationForm"]["data"]["id"], form.body["data"]["id"]);

    let fetched = unit.get(&format!("/application-forms/{}", form.id()), ORG_TOKEN).await;
    assert_eq!(fetched.body["data"]["attributes"]["stage"], "IndividualApplicationCreated");
    assert_eq!(fetched.body["data"]["relationships"]["application"]["data"]["id"], application["id"]);
    assert_eq!(fetched.body["data"]["relationships"]["application"]["data"]["type"], "individualApplication");

    // A status refusal is 400, as the sandbox answers every action a status does not allow (UNIT.md).
    let again = unit.post(&submit_path(&form.body), ORG_TOKEN, typed_in(&approved_ssn())).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    assert_eq!(again.error_code(), "application_form_submitted");
}

#[tokio::test]
async fn the_applicant_cannot_override_what_the_org_set() {
    let unit = start().await;
    let form = unit.post("/application-forms", ORG_TOKEN, form_body(individual_prefill("user-test-owner"))).await;
    let mut body = typed_in(&approved_ssn());
    body["data"]["attributes"]["jwtSubject"] = json!("user-test-intruder");
    body["data"]["attributes"]["tags"] = json!({ "stytchUserId": "user-test-intruder" });

    let refused = unit.post(&submit_path(&form.body), ORG_TOKEN, body).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    let mut pointers = refused.pointers();
    pointers.sort();
    assert_eq!(pointers, ["/data/attributes/jwtSubject", "/data/attributes/tags"]);
}

#[tokio::test]
async fn a_business_only_form_takes_no_individual_application() {
    let unit = start().await;
    let form =
        unit.post("/application-forms", ORG_TOKEN, form_body(json!({ "allowedApplicationTypes": ["Business"] }))).await;
    let refused = unit.post(&submit_path(&form.body), ORG_TOKEN, typed_in(&approved_ssn())).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert_eq!(refused.error_code(), "application_type_not_allowed");
}

#[tokio::test]
async fn bad_form_requests_are_refused_with_pointers() {
    let unit = start().await;
    // `additionalProperties: false` on the attributes and on `ApplicationFormPrefill`; the types of
    // `ssn` (`^\d{9}$`), `allowedApplicationTypes`, `lang`, `settingsOverride.redirectUrl` (`Url`).
    let refused = unit
        .post(
            "/application-forms",
            ORG_TOKEN,
            form_body(json!({
                "idempotencyKey": "not-in-the-schema",
                "applicantDetails": { "ssn": "1234", "favouriteColour": "blue", "email": "not-an-email" },
                "allowedApplicationTypes": ["Trust"],
                "lang": "fr",
                "settingsOverride": { "redirectUrl": "nowhere" },
            })),
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    let mut pointers = refused.pointers();
    pointers.sort();
    assert_eq!(
        pointers,
        [
            "/data/attributes/allowedApplicationTypes/0",
            "/data/attributes/applicantDetails/email",
            "/data/attributes/applicantDetails/favouriteColour",
            "/data/attributes/applicantDetails/ssn",
            "/data/attributes/idempotencyKey",
            "/data/attributes/lang",
            "/data/attributes/settingsOverride/redirectUrl",
        ]
    );

    let wrong_type = unit.post("/application-forms", ORG_TOKEN, json!({ "data": { "type": "application" } })).await;
    assert_eq!(wrong_type.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn forms_need_the_org_token_and_an_existing_id() {
    let unit = start().await;
    let anonymous =
        unit.send(reqwest::Method::POST, "/application-forms", None, Some(form_body(json!({})).to_string())).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);

    let customer = unit.approved_customer("user-test-customer").await;
    let token = unit.customer_token(&customer, "customers").await;
    let forbidden = unit.post("/application-forms", &token, form_body(json!({}))).await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);

    for id in ["500999", "abc", "0"] {
        let missing = unit.get(&format!("/application-forms/{id}"), ORG_TOKEN).await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND, "{id}");
        assert_eq!(missing.error_code(), "application_form_not_found");
    }
}

#[tokio::test]
async fn a_prefilled_ssn_is_never_echoed() {
    let unit = start().await;
    let ssn = approved_ssn();
    let mut attributes = individual_prefill("user-test-ssn");
    attributes["applicantDetails"]["ssn"] = json!(ssn);
    let created = unit.post("/application-forms", ORG_TOKEN, form_body(attributes)).await;
    assert_eq!(created.status, StatusCode::CREATED, "{:#}", created.body);
    assert!(created.body["data"]["attributes"]["applicantDetails"].get("ssn").is_none());
    assert!(!created.body.to_string().contains(&ssn));
}

/// The form's page at its `url`, as a browser uses it: prefilled fields (escaped), a post of the
/// fields the applicant typed, and a `303` to `settingsOverride.redirectUrl` once the application exists.
#[tokio::test]
async fn the_hosted_page_submits_the_application_and_redirects_to_the_frontend() {
    let unit = start().await;
    let mut prefill = individual_prefill("user-test-ada");
    prefill["applicantDetails"]["email"] = json!("ada+<b>@example.com");
    let form = unit.post("/application-forms", ORG_TOKEN, form_body(prefill)).await;
    let url = form.body["data"]["attributes"]["url"].as_str().expect("url").to_owned();
    let browser = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");

    let page = browser.get(&url).send().await.expect("the page answers");
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let html = page.text().await.expect("html");
    assert!(html.contains(r#"value="ada+&lt;b&gt;@example.com""#), "the prefilled email, escaped: {html}");
    assert!(!html.contains("<b>@"), "no markup from the prefill: {html}");

    // A blank SSN: the page comes back with the problem and what was typed, nothing is created.
    let incomplete = [("first", "Ada"), ("last", "Lovelace"), ("ssn", ""), ("dateOfBirth", "1990-12-10")];
    let refused = post_form(&browser, &url, &incomplete).await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let html = refused.text().await.expect("html");
    assert!(html.contains("role=\"alert\"") && html.contains("ssn"), "{html}");
    assert!(html.contains(r#"value="Lovelace""#), "{html}");

    // A refused page keeps what was typed, but never an SSN.
    let ssn = approved_ssn();
    let bad_date = [("first", "Ada"), ("ssn", ssn.as_str()), ("dateOfBirth", "tomorrow")];
    let refused = post_form(&browser, &url, &bad_date).await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let html = refused.text().await.expect("html");
    assert!(!html.contains(&ssn), "the SSN was sent back: {html}");

    let filled = [
        ("first", "Ada"),
        ("last", "Lovelace"),
        ("email", ""),
        ("ssn", ssn.as_str()),
        ("dateOfBirth", "1990-12-10"),
        ("street", "20 Ingram St"),
        ("city", "Forest Hills"),
        ("state", "NY"),
        ("postalCode", "11375"),
        ("country", "US"),
    ];
    let submitted = post_form(&browser, &url, &filled).await;
    assert_eq!(submitted.status(), StatusCode::SEE_OTHER);
    assert_eq!(submitted.headers()["location"], "https://app.example.com/onboarding/done");

    // The application is the prefilled user's, with the prefilled email (the blank field kept it).
    let read = unit.get(&format!("/application-forms/{}", form.id()), ORG_TOKEN).await;
    assert_eq!(read.body["data"]["attributes"]["stage"], "IndividualApplicationCreated");
    let application_id = read.body["data"]["relationships"]["application"]["data"]["id"].as_str().expect("app");
    let application = unit.get(&format!("/applications/{application_id}"), ORG_TOKEN).await;
    assert_eq!(application.body["data"]["attributes"]["jwtSubject"], "user-test-ada");
    assert_eq!(application.body["data"]["attributes"]["email"], "ada+<b>@example.com");

    // Posting again (a back button) creates nothing more: the "submitted" page.
    let again = post_form(&browser, &url, &filled).await;
    assert_eq!(again.status(), StatusCode::OK);
    assert!(again.text().await.expect("html").contains("Application submitted"));
}

#[tokio::test]
async fn the_hosted_page_of_an_unknown_form_is_404() {
    let unit = start().await;
    let page = unit.http.get(format!("{}/__sandbox/application-forms/999999", unit.url)).send().await.expect("answers");
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
}

/// A browser posting the page's form (`application/x-www-form-urlencoded`).
async fn post_form(browser: &reqwest::Client, url: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    let body = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish();
    let request = browser.post(url).header("content-type", "application/x-www-form-urlencoded").body(body);
    request.send().await.expect("the page answers")
}
