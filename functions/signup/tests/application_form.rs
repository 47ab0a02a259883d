//! `POST /application-forms` through the real router, against the sandbox: Unit's hosted application
//! form, prefilled with the session's user, and the application it creates recorded for that user.

mod common;

use common::code;
use http::{Method, StatusCode};
use serde_json::json;
use test_support::functions::application_body as application;

#[tokio::test]
async fn the_form_is_prefilled_with_the_session_user_and_handed_out_once() {
    let api = common::start(&[]).await;
    let user = api.stack.sign_in("ada@example.com").await;
    let jwt = Some(user.session_jwt.as_str());

    let answer = api.post("/application-forms", jwt, json!({})).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    let form_id = answer.body["applicationFormId"].as_str().expect("a form id").to_owned();
    assert!(answer.body["url"].as_str().is_some_and(|url| url.starts_with("http")));
    assert_eq!(answer.body["stage"], "EnterIndividualInformation");

    // What Unit holds: the Stytch user as jwtSubject (the link), the login email, the user's tag.
    let form = api.stack.unit_org(Method::GET, &format!("/application-forms/{form_id}")).await;
    let attributes = &form["data"]["attributes"];
    assert_eq!(attributes["applicantDetails"]["jwtSubject"], user.user_id.as_str());
    assert_eq!(attributes["applicantDetails"]["email"], "ada@example.com");
    assert_eq!(attributes["allowedApplicationTypes"], json!(["Individual"]));
    assert_eq!(attributes["tags"]["stytchUserId"], user.user_id.as_str());
    // Once submitted, the form sends the applicant back to the configured frontend page.
    assert_eq!(attributes["settingsOverride"]["redirectUrl"], "http://localhost:3000/index.html?step=application-form");
    let metadata = &api.stack.stytch_user(&user.user_id).await["trusted_metadata"];
    assert_eq!(metadata["unit_application_form_id"], form_id.as_str());

    // Asking again (a double click, a lost answer) hands out the same form: Unit takes no
    // idempotency key for forms, so the recorded one is reused rather than a second created.
    let again = api.post("/application-forms", jwt, json!({})).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text);
    assert_eq!(again.body, answer.body);
    let next_id: u64 = form_id.parse::<u64>().expect("a numeric id") + 1;
    let next_form = api
        .stack
        .http
        .get(format!("{}/application-forms/{next_id}", api.stack.sandbox.unit_url))
        .bearer_auth(&api.stack.sandbox.unit_api_token)
        .send()
        .await
        .expect("sandbox answers");
    assert_eq!(next_form.status(), 404, "no second form");
}

#[tokio::test]
async fn the_submitted_form_is_the_users_application_on_the_next_read() {
    let api = common::start(&[]).await;
    let user = api.stack.sign_in("grace@example.com").await;
    let jwt = Some(user.session_jwt.as_str());
    assert_eq!(code(&api.get("/applications/current", jwt).await), "no_application");

    let form = api.post("/application-forms", jwt, json!({})).await;
    let url = form.body["url"].as_str().expect("url");
    let created = api.stack.fill_in_application_form(url, "123-45-6789").await;
    let application_id = created["data"]["id"].as_str().expect("an application id");

    // No webhook has come: the read finds the application through the recorded form.
    let current = api.get("/applications/current", jwt).await;
    assert_eq!(current.status, StatusCode::OK, "{}", current.text);
    assert_eq!(current.body["applicationId"], application_id);
    assert_eq!(current.body["status"], "Approved");
    assert_eq!(current.body["nextStep"], "none");
    let metadata = &api.stack.stytch_user(&user.user_id).await["trusted_metadata"];
    assert_eq!(metadata["unit_application_id"], application_id);
    assert!(metadata["unit_account_id"].is_string(), "the deposit account is opened as for POST /applications");

    // From now on there is an application: no second form, and no second application either.
    let refused = api.post("/application-forms", jwt, json!({})).await;
    refused.assert_problem(409, "application_exists");
    let again = api.post("/applications", jwt, application("123-45-6789")).await;
    assert_eq!((again.status, &again.body["applicationId"]), (StatusCode::OK, &json!(application_id)));
}

#[tokio::test]
async fn a_user_who_applied_through_the_api_gets_no_form() {
    let api = common::start(&[]).await;
    let user = api.stack.sign_in("ken@example.com").await;
    let jwt = Some(user.session_jwt.as_str());
    let applied = api.post("/applications", jwt, application("123-45-9001")).await;
    assert_eq!(applied.status, StatusCode::CREATED, "{}", applied.text);

    let refused = api.post("/application-forms", jwt, json!({})).await;
    refused.assert_problem(409, "application_exists");
}

#[tokio::test]
async fn the_form_needs_a_verified_session() {
    let api = common::start(&[]).await;
    let anonymous = api.post("/application-forms", None, json!({})).await;
    anonymous.assert_problem(401, "missing_credentials");
    let forged = api.post("/application-forms", Some("not.a.jwt"), json!({})).await;
    forged.assert_problem(401, "invalid_session");

    // A logged-out session's JWT still verifies locally; Stytch is asked, and no form is made.
    let user = api.stack.sign_in("revoked@example.com").await;
    api.stack.revoke_session(&user.session_token).await;
    let revoked = api.post("/application-forms", Some(user.session_jwt.as_str()), json!({})).await;
    revoked.assert_problem(401, "session_not_found");
    let metadata = &api.stack.stytch_user(&user.user_id).await["trusted_metadata"];
    assert!(metadata.get("unit_application_form_id").is_none(), "{metadata}");
}
