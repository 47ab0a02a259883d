//! End to end over real HTTP: one local stack (`tests/dev/local_stack.py`: moto, the sandbox, `cargo lambda watch`
//! serving the four functions behind one base URL), the whole journey twice (two users), then every error path a
//! client can meet. One test, one stack: a stack takes 10-60 s to start, and nextest runs each test in its own
//! process. Every case runs even when an earlier one fails; the test fails listing all of them.

use std::time::Duration;

use demo::{
    api::{HttpApi, Sandbox},
    journey::{self, Outcome},
    local_stack::LocalStack,
    values,
};
use reqwest::{Method, header::HeaderMap};
use serde_json::{Value, json};

/// The browser origin the functions allow (`CORS_ALLOWED_ORIGINS`).
const ORIGIN: &str = "https://app.example.test";
/// One upstream attempt's timeout for this run (the default is 8 s): small, so the 504 case is quick, and still
/// far above what the sandbox takes on loopback.
const UPSTREAM_TIMEOUT_MS: u64 = 2_000;
/// The sandbox's Unit org token for this run (`SANDBOX_UNIT_API_TOKEN`), for Unit's sandbox simulations only (a
/// cardholder activating a physical card); the API never sees it.
const UNIT_ORG_TOKEN: &str = "v2.public.over-http-org-token-for-simulations";

/// An answer: status, headers, and the body as JSON (`null` when empty or not JSON) and as bytes.
struct Answer {
    status: u16,
    headers: HeaderMap,
    body: Value,
    bytes: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// `status` with a problem+json body whose `code` is `code` and whose `status` agrees.
    fn problem(&self, status: u16, code: &str) -> Result<(), String> {
        let content_type = self.header("content-type").unwrap_or_default();
        if self.status != status || self.body["code"] != code {
            return Err(format!("expected {status} {code}, got {} {}", self.status, self.body["code"]));
        }
        if !content_type.starts_with("application/problem+json") {
            return Err(format!("{status} {code} came as content-type {content_type:?}, not application/problem+json"));
        }
        if self.body["status"] != status || self.body["type"].as_str().is_none_or(|t| !t.ends_with(code)) {
            return Err(format!("{status} {code}: the problem document disagrees: {}", self.body));
        }
        Ok(())
    }

    fn success(&self, status: u16) -> Result<(), String> {
        if self.status == status {
            Ok(())
        } else {
            Err(format!("expected {status}, got {} {}", self.status, self.body["code"]))
        }
    }
}

/// A request builder over the base URL; bodies are sent as given (so that broken JSON can be sent).
struct Client {
    api_url: String,
    http: reqwest::Client,
}

impl Client {
    async fn send(
        &self,
        method: Method,
        path: &str,
        bearer: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> Result<Answer, String> {
        let what = format!("{method} {path}");
        let mut request = self.http.request(method, format!("{}{path}", self.api_url));
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request.header("content-type", "application/json").body(body.to_owned());
        }
        let response = request.send().await.map_err(|e| format!("{what}: no answer: {e}"))?;
        let (status, headers) = (response.status().as_u16(), response.headers().clone());
        let bytes = response.bytes().await.map_err(|e| format!("{what}: {e}"))?.to_vec();
        Ok(Answer { status, headers, body: serde_json::from_slice(&bytes).unwrap_or(Value::Null), bytes })
    }

    async fn get(&self, path: &str, bearer: &str) -> Result<Answer, String> {
        self.send(Method::GET, path, Some(bearer), &[], None).await
    }

    async fn post(&self, path: &str, bearer: Option<&str>, body: &Value) -> Result<Answer, String> {
        self.send(Method::POST, path, bearer, &[], Some(&body.to_string())).await
    }
}

/// The stack's URLs and the two users the journey left behind.
struct Ctx {
    client: Client,
    sandbox: Sandbox,
    unit_url: String,
    stytch_url: String,
    a: Outcome,
    b: Outcome,
}

impl Ctx {
    /// Arms a sandbox fault on `side_url` (`POST /__sandbox/faults`).
    async fn fault(&self, side_url: &str, fault: Value) -> Result<(), String> {
        let response = self
            .client
            .http
            .post(format!("{side_url}/__sandbox/faults"))
            .json(&fault)
            .send()
            .await
            .map_err(|e| format!("the sandbox faults control does not answer: {e}"))?;
        if response.status().as_u16() == 201 {
            Ok(())
        } else {
            Err(format!("arming {fault} got {}", response.status()))
        }
    }

    /// Disarms every fault on both sides.
    async fn clear_faults(&self) {
        for url in [&self.stytch_url, &self.unit_url] {
            let _ = self.client.http.delete(format!("{url}/__sandbox/faults")).send().await;
        }
    }
}

fn ensure(condition: bool, what: impl Into<String>) -> Result<(), String> {
    if condition { Ok(()) } else { Err(what.into()) }
}

/// A fresh user through signup and the magic link: `(email, one-factor session JWT)`.
async fn signed_in(ctx: &Ctx) -> Result<(String, String), String> {
    let email = values::email();
    Ok((email.clone(), signed_in_as(ctx, &email).await?))
}

/// Signup and the magic link for `email`: the one-factor session JWT.
async fn signed_in_as(ctx: &Ctx, email: &str) -> Result<String, String> {
    ctx.client.post("/signup", None, &json!({ "email": email })).await?.success(202)?;
    let token = ctx.sandbox.latest_message(email).await?["token"].as_str().ok_or("no magic-link token")?.to_owned();
    let r = ctx.client.post("/signup/authenticate", None, &json!({ "token": token })).await?;
    r.success(200)?;
    r.body["sessionJwt"].as_str().map(str::to_owned).ok_or_else(|| "no sessionJwt".to_owned())
}

/// SMS step-up to `phone` (the KYC phone): the two-factor session JWT.
async fn stepped_up(ctx: &Ctx, jwt: &str, phone: &str) -> Result<String, String> {
    ctx.client.post("/step-up/sms/send", Some(jwt), &json!({})).await?.success(202)?;
    let code = ctx.sandbox.latest_message(phone).await?["code"].as_str().ok_or("no SMS code")?.to_owned();
    let r = ctx.client.post("/step-up/sms/authenticate", Some(jwt), &json!({ "code": code })).await?;
    r.success(200)?;
    r.body["sessionJwt"].as_str().map(str::to_owned).ok_or_else(|| "no stepped-up sessionJwt".to_owned())
}

/// A bank's existing Unit customer signs in with its email, links itself with Unit's SMS code, steps up with
/// the phone on its Unit record, and gets a card.
async fn an_existing_customer_links_itself_then_gets_a_card(ctx: &Ctx) -> Result<(), String> {
    let (email, phone) = (values::email(), values::phone_number());
    ctx.sandbox.create_existing_customer(&email, &phone).await?;
    let jwt = signed_in_as(ctx, &email).await?;
    let started = ctx.client.post("/customers/link", Some(&jwt), &json!({})).await?;
    started.success(202)?;
    let token = &started.body["verificationToken"];
    let wrong = json!({ "verificationToken": token, "verificationCode": "999999" });
    ctx.client.post("/customers/link/verify", Some(&jwt), &wrong).await?.problem(401, "invalid_verification_code")?;
    let started = ctx.client.post("/customers/link", Some(&jwt), &json!({})).await?;
    let proof = json!({ "verificationToken": started.body["verificationToken"], "verificationCode": "000001" });
    ctx.client.post("/customers/link/verify", Some(&jwt), &proof).await?.success(200)?;
    a_virtual_card(ctx, &stepped_up(ctx, &jwt, &phone).await?).await
}

/// With a two-factor session: a Unit token for cards, then a virtual card, active.
async fn a_virtual_card(ctx: &Ctx, two_factor: &str) -> Result<(), String> {
    let token = unit_token(ctx, two_factor, &["accounts", "cards", "cards-write"]).await?;
    let key = values::idempotency_key();
    let card = ctx.client.send(Method::POST, "/cards", Some(&token), &[("idempotency-key", &key)], Some("{}")).await?;
    card.success(201)?;
    ensure(card.body["status"] == "Active", format!("a virtual card, active: {}", card.body))
}

/// A denied applicant applies again and is approved; the old attempt stays denied.
async fn a_denied_applicant_applies_again(ctx: &Ctx) -> Result<(), String> {
    let (email, jwt) = signed_in(ctx).await?;
    let phone = values::phone_number();
    let denied = ctx
        .client
        .post("/applications", Some(&jwt), &values::application(&email, &values::ssn_ending("9000"), &phone))
        .await?;
    denied.success(201)?;
    ensure(denied.body["code"] == "application_denied", format!("denied: {}", denied.body))?;
    let again = values::application(&email, &values::approved_ssn(), &phone);
    let approved = ctx.client.post("/applications", Some(&jwt), &again).await?;
    approved.success(201)?;
    ensure(approved.body["status"] == "Approved", format!("approved the second time: {}", approved.body))?;
    ensure(approved.body["applicationId"] != denied.body["applicationId"], "a new application")
}

/// Unit wants a proof of address: the applicant uploads it (a binary body through API Gateway) and, once Unit
/// approves, is a customer.
async fn an_applicant_uploads_the_document_unit_asks_for(ctx: &Ctx) -> Result<(), String> {
    let (email, jwt) = signed_in(ctx).await?;
    let body = values::application(&email, &values::ssn_ending("9003"), &values::phone_number());
    let answer = ctx.client.post("/applications", Some(&jwt), &body).await?;
    ensure(answer.body["code"] == "documents_required", format!("documents required: {}", answer.body))?;
    let document = answer.body["requiredDocuments"][0]["documentId"].as_str().ok_or("a required document")?.to_owned();
    let pdf = b"%PDF-1.4\n% proof of address\n%%EOF\n".to_vec();
    let url = format!("{}/applications/current/documents/{document}", ctx.client.api_url);
    let response = ctx.client.http.put(url).bearer_auth(&jwt).header("content-type", "application/pdf").body(pdf);
    let response = response.send().await.map_err(|e| format!("upload: {e}"))?;
    let status = response.status().as_u16();
    let uploaded: Value = response.json().await.unwrap_or(Value::Null);
    ensure(status == 200 && uploaded["status"] == "PendingReview", format!("upload: {status} {uploaded}"))?;
    let current = ctx.client.get("/applications/current", &jwt).await?;
    ensure(current.body["code"] == "application_in_review", format!("in review: {}", current.body))?;
    let id = current.body["applicationId"].as_str().ok_or("applicationId")?;
    let approve = format!("{}/sandbox/applications/{id}/approve", ctx.unit_url);
    let http = &ctx.client.http;
    let approved = http.post(approve).bearer_auth(UNIT_ORG_TOKEN).header("content-type", "application/vnd.api+json");
    ensure(approved.send().await.map_err(|e| e.to_string())?.status().is_success(), "the sandbox approves")?;
    let current = ctx.client.get("/applications/current", &jwt).await?;
    ensure(
        current.body["nextStep"] == "none" && current.body["customerId"].is_string(),
        format!("a customer: {}", current.body),
    )
}

/// No JWT → 401 missing_credentials; a JWT that is not one, or whose signature was changed → 401 invalid_session.
async fn missing_and_invalid_credentials(ctx: &Ctx) -> Result<(), String> {
    let body = values::application(&ctx.a.email, &values::approved_ssn(), &values::phone_number());
    ctx.client.post("/applications", None, &body).await?.problem(401, "missing_credentials")?;
    ctx.client.post("/applications", Some("not-a-jwt"), &body).await?.problem(401, "invalid_session")?;
    // The real session JWT of user A with one character of its signature changed.
    let jwt = &ctx.a.session_jwt;
    let at = jwt.rfind('.').ok_or("the JWT has no signature")? + 5;
    let changed = if &jwt[at..=at] == "A" { "B" } else { "A" };
    let tampered = format!("{}{changed}{}", &jwt[..at], &jwt[at + 1..]);
    ctx.client.get("/applications/current", &tampered).await?.problem(401, "invalid_session")?;
    // The same on a card route, which takes a Unit customer token.
    ctx.client.send(Method::GET, "/cards", None, &[], None).await?.problem(401, "missing_credentials")
}

/// `POST /signup` twice for one address: both 202 with identical bodies. Then the one-factor session asks for
/// `cards-write` → 403 step_up_required.
async fn duplicate_signup_and_step_up_required(ctx: &Ctx) -> Result<(), String> {
    let email = values::email();
    let first = ctx.client.post("/signup", None, &json!({ "email": email })).await?;
    let second = ctx.client.post("/signup", None, &json!({ "email": email })).await?;
    first.success(202)?;
    second.success(202)?;
    ensure(first.bytes == second.bytes, "the two signups answered different bodies")?;
    ensure(first.body == json!({ "status": "sent" }), format!("signup answered {}", first.body))?;

    let (_, one_factor) = signed_in(ctx).await?;
    let r = ctx.client.post("/token", Some(&one_factor), &json!({ "scopes": ["cards", "cards-write"] })).await?;
    r.problem(403, "step_up_required")
}

/// User A's Unit token and user B's card id → 404 card_not_found, for a read and for every action, old and new.
async fn another_users_card(ctx: &Ctx) -> Result<(), String> {
    let (token, theirs) = (&ctx.a.unit_token, &ctx.b.card_id);
    ctx.client.get(&format!("/cards/{}", ctx.a.card_id), token).await?.success(200)?;
    ctx.client.get(&format!("/cards/{theirs}"), token).await?.problem(404, "card_not_found")?;
    ctx.client.get(&format!("/cards/{theirs}/limits"), token).await?.problem(404, "card_not_found")?;
    for action in ["unfreeze", "report-lost", "report-stolen"] {
        let r = ctx.client.send(Method::POST, &format!("/cards/{theirs}/{action}"), Some(token), &[], None).await?;
        r.problem(404, "card_not_found")?;
    }
    let replace = format!("/cards/{}/replace", ctx.b.physical_card_id);
    let r = ctx.client.send(Method::POST, &replace, Some(token), &[("idempotency-key", "k")], Some("{}")).await?;
    r.problem(404, "card_not_found")?;
    let sensitive = unit_token(ctx, &ctx.a.session_jwt, &["cards", "cards-sensitive"]).await?;
    ctx.client.get(&format!("/cards/{theirs}/pin-status"), &sensitive).await?.problem(404, "card_not_found")
}

/// `POST /token` for `scopes` with a two-factor session JWT.
async fn unit_token(ctx: &Ctx, session_jwt: &str, scopes: &[&str]) -> Result<String, String> {
    let r = ctx.client.post("/token", Some(session_jwt), &json!({ "scopes": scopes })).await?;
    r.success(200)?;
    r.body["token"].as_str().map(str::to_owned).ok_or_else(|| "no token".to_owned())
}

/// `POST path` with user B's Unit token; the card's status must become `status`.
async fn move_card(ctx: &Ctx, path: &str, status: &str) -> Result<Answer, String> {
    let r = ctx.client.send(Method::POST, path, Some(&ctx.b.unit_token), &[], None).await?;
    r.success(200)?;
    ensure(r.body["status"] == status, format!("{path}: {} instead of {status}", r.body["status"]))?;
    Ok(r)
}

/// Every move Unit refuses is a 409 naming the card's status; asking for the status a card already has is the card
/// (200). User B's cards from the journey: a virtual one reported lost, a physical one still Inactive.
async fn card_lifecycle_and_refused_transitions(ctx: &Ctx) -> Result<(), String> {
    let token = ctx.b.unit_token.as_str();
    let refused = |path: String, code: &'static str| async move {
        ctx.client.send(Method::POST, &path, Some(token), &[], None).await?.problem(409, code)
    };
    let replace = |id: String, key: &'static str| async move {
        let headers = [("idempotency-key", key)];
        ctx.client.send(Method::POST, &format!("/cards/{id}/replace"), Some(token), &headers, Some("{}")).await
    };
    let (lost, physical) = (ctx.b.card_id.clone(), ctx.b.physical_card_id.clone());

    // Unit's cards guide: a physical card is Inactive until activated; it can be neither frozen nor replaced.
    refused(format!("/cards/{physical}/freeze"), "card_inactive").await?;
    refused(format!("/cards/{physical}/unfreeze"), "card_inactive").await?;
    replace(physical.clone(), "replace-1").await?.problem(409, "card_inactive")?;
    // Lost is final; reporting it again is the card.
    for action in ["freeze", "unfreeze", "close", "report-stolen"] {
        refused(format!("/cards/{lost}/{action}"), "card_lost").await?;
    }
    move_card(ctx, &format!("/cards/{lost}/report-lost"), "Lost").await?;
    replace(lost.clone(), "replace-1").await?.problem(409, "card_not_physical")?;

    // The cardholder activates the physical card (Unit's component; here Unit's sandbox simulation), then it is
    // damaged: one replacement for two requests with one key.
    ctx.sandbox.activate_card(&physical).await?;
    move_card(ctx, &format!("/cards/{physical}/unfreeze"), "Active").await?;
    let first = replace(physical.clone(), "replace-2").await?;
    first.success(201)?;
    ensure(first.body["status"] == "Inactive" && first.body["type"] == "physical", format!("{}", first.body))?;
    let again = replace(physical.clone(), "replace-2").await?;
    again.success(201)?;
    ensure(again.body["id"] == first.body["id"], "the same Idempotency-Key replaced the card twice")?;
    let new = first.body["id"].as_str().ok_or("no id")?.to_owned();

    // Stolen and closed are final too: every other move is refused, replacing included.
    move_card(ctx, &format!("/cards/{new}/report-stolen"), "Stolen").await?;
    move_card(ctx, &format!("/cards/{new}/report-stolen"), "Stolen").await?;
    for action in ["freeze", "unfreeze", "close", "report-lost"] {
        refused(format!("/cards/{new}/{action}"), "card_stolen").await?;
    }
    replace(new.clone(), "replace-3").await?.problem(409, "card_stolen")?;
    move_card(ctx, &format!("/cards/{physical}/close"), "ClosedByCustomer").await?;
    move_card(ctx, &format!("/cards/{physical}/close"), "ClosedByCustomer").await?;
    for action in ["freeze", "unfreeze", "report-lost", "report-stolen"] {
        refused(format!("/cards/{physical}/{action}"), "card_closed").await?;
    }
    replace(physical.clone(), "replace-4").await?.problem(409, "card_closed")
}

/// Limits (scope `cards`) and the PIN status (`cards-sensitive`, a step-up scope).
async fn limits_and_pin_status(ctx: &Ctx) -> Result<(), String> {
    let card = &ctx.a.card_id;
    let r = ctx.client.get(&format!("/cards/{card}/limits"), &ctx.a.unit_token).await?;
    r.success(200)?;
    ensure(r.body["dailyTotals"].is_object() && r.body["monthlyTotals"].is_object(), format!("limits: {}", r.body))?;
    let pin = format!("/cards/{card}/pin-status");
    ctx.client.get(&pin, &ctx.a.unit_token).await?.problem(403, "insufficient_scope")?;
    let sensitive = unit_token(ctx, &ctx.a.session_jwt, &["cards", "cards-sensitive"]).await?;
    let r = ctx.client.get(&pin, &sensitive).await?;
    r.success(200)?;
    ensure(r.body == json!({ "pinStatus": "NotSet" }), format!("pin status: {}", r.body))
}

/// Unit makes the change but its answer is lost (sandbox `drop_response`): the retry meets Unit's refusal of a
/// repeat, and the caller still gets the card, in its new status, not a conflict. A create whose answer is lost
/// makes one card.
async fn lost_responses_are_answered_with_the_card(ctx: &Ctx) -> Result<(), String> {
    let token = ctx.a.unit_token.as_str();
    let total = |r: &Answer| r.body["total"].as_u64().unwrap_or(u64::MAX);
    let before = total(&ctx.client.get("/cards", token).await?);
    ctx.fault(&ctx.unit_url, json!({ "method": "POST", "path": "/cards", "drop_response": true })).await?;
    let key = values::idempotency_key();
    let created =
        ctx.client.send(Method::POST, "/cards", Some(token), &[("idempotency-key", &key)], Some("{}")).await?;
    created.success(201)?;
    let after = total(&ctx.client.get("/cards", token).await?);
    ensure(after == before + 1, format!("a lost create answer made {} cards", after - before))?;
    let card = created.body["id"].as_str().ok_or("no id")?;
    for (action, status) in [("freeze", "Frozen"), ("unfreeze", "Active"), ("report-stolen", "Stolen")] {
        let path = format!("/cards/{card}/{action}");
        ctx.fault(&ctx.unit_url, json!({ "method": "POST", "path": path, "drop_response": true })).await?;
        let r = ctx.client.send(Method::POST, &path, Some(token), &[], None).await?;
        r.success(200)?;
        ensure(r.body["status"] == status, format!("{action} after a lost answer: {}", r.body["status"]))?;
    }
    Ok(())
}

/// A body that is not JSON → 400 invalid_body (problem+json).
async fn bad_json(ctx: &Ctx) -> Result<(), String> {
    let jwt = Some(ctx.a.session_jwt.as_str());
    let r = ctx.client.send(Method::POST, "/applications", jwt, &[], Some(r#"{"fullName": {"first": "Ada""#)).await?;
    r.problem(400, "invalid_body")?;
    ctx.client
        .send(Method::POST, "/signup", None, &[], Some("email=ada@example.com"))
        .await?
        .problem(400, "invalid_body")
}

/// Fields of the wrong type → 400 validation_failed listing each field, never the value sent.
async fn wrong_field_types(ctx: &Ctx) -> Result<(), String> {
    let mut body = values::application(&ctx.a.email, "123456789", &values::phone_number());
    body["fullName"] = json!(42);
    body["email"] = json!(true);
    body["dateOfBirth"] = json!(19901210);
    body["ssn"] = json!(987654321);
    let r = ctx.client.post("/applications", Some(&ctx.a.session_jwt), &body).await?;
    r.problem(400, "validation_failed")?;
    let fields: Vec<&str> =
        r.body["errors"].as_array().into_iter().flatten().filter_map(|e| e["field"].as_str()).collect();
    for field in ["fullName", "email", "dateOfBirth", "ssn"] {
        ensure(fields.contains(&field), format!("no field error for {field}: {fields:?}"))?;
    }
    let text = String::from_utf8_lossy(&r.bytes);
    ensure(!text.contains("987654321") && !text.contains("19901210"), "a value sent came back in the errors")?;

    let r = ctx.client.post("/signup", None, &json!({ "email": 42 })).await?;
    r.problem(400, "validation_failed")?;
    ensure(r.body["errors"][0]["field"] == "email", format!("signup errors: {}", r.body["errors"]))
}

/// A second `POST /applications` for a user who has one → 200 with the same applicationId.
async fn duplicate_application(ctx: &Ctx) -> Result<(), String> {
    let body = values::application(&ctx.a.email, &values::approved_ssn(), &values::phone_number());
    let r = ctx.client.post("/applications", Some(&ctx.a.session_jwt), &body).await?;
    r.success(200)?;
    ensure(r.body["applicationId"] == ctx.a.application_id.as_str(), format!("another application: {}", r.body))?;
    ensure(r.body["customerId"] == ctx.a.customer_id.as_str(), format!("another customer: {}", r.body))
}

/// `POST /application-forms` → Unit's hosted form (no-store); the applicant fills it in at the form's `url` in a
/// browser (the sandbox's page, prefilled with the sign-in email) and is sent back to the configured frontend page
/// (`APPLICATION_FORM_REDIRECT_URL`) → `GET /applications/current` is that application; a second form → 409;
/// then step-up with the phone typed into the form and a card.
async fn application_form(ctx: &Ctx) -> Result<(), String> {
    let (email, jwt) = signed_in(ctx).await?;
    let r = ctx.client.post("/application-forms", Some(&jwt), &json!({})).await?;
    r.success(201)?;
    ensure(r.header("cache-control") == Some("no-store"), "the form's URL was sent without no-store")?;
    let url = r.body["url"].as_str().ok_or("no url")?.to_owned();
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| format!("no HTTP client: {e}"))?;
    let page = browser.get(&url).send().await.map_err(|e| format!("the form's page does not answer: {e}"))?;
    let html = page.text().await.map_err(|e| format!("the form's page: {e}"))?;
    ensure(html.contains(&format!("value=\"{email}\"")), "the form's page is not prefilled with the email")?;

    let ssn = values::approved_ssn();
    let phone = values::phone_number();
    let typed = [
        ("first", "Ada"),
        ("last", "Lovelace"),
        ("phoneCountryCode", "1"),
        ("phoneNumber", phone.trim_start_matches("+1")),
        ("dateOfBirth", "1990-12-10"),
        ("ssn", ssn.as_str()),
        ("street", "1 Main St"),
        ("city", "Springfield"),
        ("state", "IL"),
        ("postalCode", "62701"),
        ("country", "US"),
    ];
    let submitted = browser
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form_encoded(&typed))
        .send()
        .await
        .map_err(|e| format!("submitting the form failed: {e}"))?;
    ensure(submitted.status().as_u16() == 303, format!("submitting the form got {}", submitted.status()))?;
    let location = submitted.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default();
    ensure(
        location == "http://localhost:3000/index.html?step=application-form",
        format!("the form sent the applicant to {location:?}, not the configured frontend page"),
    )?;

    let current = ctx.client.get("/applications/current", &jwt).await?;
    current.success(200)?;
    ensure(current.body["applicationId"].is_string(), format!("no application: {}", current.body))?;
    ctx.client.post("/application-forms", Some(&jwt), &json!({})).await?.problem(409, "application_exists")?;

    // Approved (the SSN), so on to a card: step-up with the phone typed into the form, then the token.
    a_virtual_card(ctx, &stepped_up(ctx, &jwt, &phone).await?).await
}

/// The same Idempotency-Key twice → the same card, and one card more in the list (the journey checked the
/// first card the same way: same id, `total` 1).
async fn duplicate_card_creation(ctx: &Ctx) -> Result<(), String> {
    let token = ctx.b.unit_token.as_str();
    let total = |r: &Answer| r.body["total"].as_u64().unwrap_or(u64::MAX);
    let before = ctx.client.get("/cards", token).await?;
    before.success(200)?;
    let key = values::idempotency_key();
    let headers = [("idempotency-key", key.as_str())];
    let create = || ctx.client.send(Method::POST, "/cards", Some(token), &headers, Some("{}"));
    let first = create().await?;
    first.success(201)?;
    let again = create().await?;
    ensure(matches!(again.status, 200 | 201), format!("the retry answered {}", again.status))?;
    ensure(first.body["id"] == again.body["id"], "the same Idempotency-Key made a second card")?;
    let after = ctx.client.get("/cards", token).await?;
    ensure(total(&after) == total(&before) + 1, format!("total went from {} to {}", total(&before), total(&after)))
}

/// A preflight from the configured origin gets Access-Control-Allow-Origin; from another origin it does not.
async fn cors_preflight(ctx: &Ctx) -> Result<(), String> {
    let preflight = |origin: &'static str| {
        let headers = [
            ("origin", origin),
            ("access-control-request-method", "POST"),
            ("access-control-request-headers", "authorization,content-type"),
        ];
        async move { ctx.client.send(Method::OPTIONS, "/token", None, &headers, None).await }
    };
    let allowed = preflight(ORIGIN).await?;
    ensure((200..300).contains(&allowed.status), format!("preflight answered {}", allowed.status))?;
    let allow_origin = allowed.header("access-control-allow-origin");
    ensure(allow_origin == Some(ORIGIN), format!("Access-Control-Allow-Origin: {allow_origin:?}"))?;
    let methods = allowed.header("access-control-allow-methods").unwrap_or_default().to_ascii_uppercase();
    ensure(methods.contains("POST"), format!("Access-Control-Allow-Methods: {methods:?}"))?;

    let other = preflight("https://evil.example.test").await?;
    let allow_origin = other.header("access-control-allow-origin");
    ensure(allow_origin.is_none(), format!("another origin got Access-Control-Allow-Origin: {allow_origin:?}"))?;

    // An actual request from the configured origin carries the header too.
    let r = ctx.client.send(Method::POST, "/signup", None, &[("origin", ORIGIN)], Some("{}")).await?;
    r.problem(400, "validation_failed")?;
    ensure(r.header("access-control-allow-origin") == Some(ORIGIN), "an error answer lacks the CORS header")
}

/// Stytch answering 503 → our 502 upstream_error.
async fn stytch_down(ctx: &Ctx) -> Result<(), String> {
    let fault = json!({ "method": "POST", "path": "/v1/magic_links", "count": 5, "status": 503 });
    ctx.fault(&ctx.stytch_url, fault).await?;
    ctx.client.post("/signup", None, &json!({ "email": values::email() })).await?.problem(502, "upstream_error")
}

/// Unit answering 503 (every retry included) → our 502 upstream_error.
async fn unit_down(ctx: &Ctx) -> Result<(), String> {
    ctx.fault(&ctx.unit_url, json!({ "method": "GET", "path": "/cards", "count": 5, "status": 503 })).await?;
    ctx.client.get("/cards", &ctx.a.unit_token).await?.problem(502, "upstream_error")
}

/// Unit slower than UPSTREAM_TIMEOUT_MS (every retry included) → our 504 upstream_timeout.
async fn unit_too_slow(ctx: &Ctx) -> Result<(), String> {
    let fault = json!({ "method": "GET", "path": "/cards", "count": 5, "delay_ms": 2 * UPSTREAM_TIMEOUT_MS });
    ctx.fault(&ctx.unit_url, fault).await?;
    ctx.client.get("/cards", &ctx.a.unit_token).await?.problem(504, "upstream_timeout")
}

/// Signup and the magic link for `email` (with a PKCE challenge when given): the JWT and the session token.
async fn session_of(ctx: &Ctx, email: &str) -> Result<(String, String), String> {
    let r =
        ctx.client.post("/signup/authenticate", None, &json!({ "token": magic_link(ctx, email, None).await? })).await?;
    r.success(200)?;
    let text = |key: &str| r.body[key].as_str().map(str::to_owned).ok_or_else(|| format!("no {key}: {}", r.body));
    Ok((text("sessionJwt")?, text("sessionToken")?))
}

/// `POST /signup` for `email` (with `codeChallenge` when given): the magic-link token from the outbox.
async fn magic_link(ctx: &Ctx, email: &str, challenge: Option<&str>) -> Result<String, String> {
    let mut body = json!({ "email": email });
    if let Some(challenge) = challenge {
        body["codeChallenge"] = json!(challenge);
    }
    ctx.client.post("/signup", None, &body).await?.success(202)?;
    ctx.sandbox.latest_message(email).await?["token"].as_str().map(str::to_owned).ok_or("no magic-link token".into())
}

/// A JWT of the live session `session_token` whose `exp` passed a minute ago (the sandbox's JWT minting): what a
/// client holds once the 5 minutes of its JWT are over.
async fn expired_jwt(ctx: &Ctx, session_token: &str) -> Result<String, String> {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_err(|e| e.to_string())?.as_secs();
    let claims = json!({ "iat": now - 360, "nbf": now - 360, "exp": now - 60 });
    let body = json!({ "session_token": session_token, "claims": claims });
    let url = format!("{}/__sandbox/sessions/jwt", ctx.stytch_url);
    let response = ctx.client.http.post(url).json(&body).send().await.map_err(|e| format!("JWT minting: {e}"))?;
    let minted: Value = response.json().await.map_err(|e| format!("JWT minting: {e}"))?;
    minted["session_jwt"].as_str().map(str::to_owned).ok_or_else(|| format!("no JWT minted: {minted}"))
}

/// An approved application for the user signed in as `email`: the KYC phone.
async fn approved(ctx: &Ctx, email: &str, jwt: &str) -> Result<String, String> {
    let phone = values::phone_number();
    let r = ctx
        .client
        .post("/applications", Some(jwt), &values::application(email, &values::approved_ssn(), &phone))
        .await?;
    r.success(201)?;
    ensure(r.body["status"] == "Approved", format!("approved: {}", r.body))?;
    Ok(phone)
}

/// The JWT lives 5 minutes, the session an hour: once the JWT has expired (401 `session_expired`), the session
/// token buys a new JWT of the same session, again and again.
async fn a_session_kept_alive_past_its_jwt_by_refresh(ctx: &Ctx) -> Result<(), String> {
    let email = values::email();
    let (jwt, token) = session_of(ctx, &email).await?;
    let user_id = ctx.client.get("/me", &jwt).await?.body["userId"].clone();
    for _ in 0..2 {
        ctx.client.get("/me", &expired_jwt(ctx, &token).await?).await?.problem(401, "session_expired")?;
        let r = ctx.client.post("/session/refresh", None, &json!({ "sessionToken": token })).await?;
        r.success(200)?;
        ensure(r.header("cache-control") == Some("no-store"), "a refresh is no-store")?;
        let fresh = r.body["sessionJwt"].as_str().ok_or("no sessionJwt")?;
        let me = ctx.client.get("/me", fresh).await?;
        me.success(200)?;
        ensure(me.body["userId"] == user_id, format!("the same user: {}", me.body))?;
    }
    Ok(())
}

/// After `POST /session/logout`, every route that asks Stytch refuses the session, and so does its refresh.
async fn logout_then_every_route_refuses_the_session(ctx: &Ctx) -> Result<(), String> {
    let email = values::email();
    let (jwt, token) = session_of(ctx, &email).await?;
    let phone = approved(ctx, &email, &jwt).await?;
    let two_factor = stepped_up(ctx, &jwt, &phone).await?;
    ctx.client.send(Method::POST, "/session/logout", Some(&two_factor), &[], None).await?.success(204)?;
    let gone = |r: Answer| r.problem(401, "session_not_found");
    gone(ctx.client.get("/me", &two_factor).await?)?;
    gone(ctx.client.get("/step-up/factors", &two_factor).await?)?;
    gone(ctx.client.post("/token", Some(&two_factor), &json!({ "scopes": ["cards", "cards-write"] })).await?)?;
    gone(ctx.client.post("/token", Some(&two_factor), &json!({ "scopes": ["cards"] })).await?)?;
    gone(ctx.client.post("/step-up/totp", Some(&two_factor), &json!({})).await?)?;
    gone(ctx.client.post("/step-up/sms/authenticate", Some(&jwt), &json!({ "code": "123456" })).await?)?;
    gone(ctx.client.post("/session/refresh", None, &json!({ "sessionToken": token })).await?)?;
    // Idempotent, by token too.
    ctx.client.post("/session/logout", None, &json!({ "sessionToken": token })).await?.success(204)
}

/// `GET /me` before and after each onboarding and step-up step.
async fn me_across_onboarding_and_step_up(ctx: &Ctx) -> Result<(), String> {
    let email = values::email();
    let (jwt, _) = session_of(ctx, &email).await?;
    let me = ctx.client.get("/me", &jwt).await?;
    me.success(200)?;
    ensure(me.header("cache-control") == Some("no-store"), "GET /me is no-store")?;
    let expected = json!({ "passes": false });
    ensure(
        me.body["stepUp"] == expected && me.body["onboarding"] == json!({ "customerLinked": false }),
        format!("signed in: {}", me.body),
    )?;
    ensure(me.body["boundFactors"] == json!({ "totp": false }), format!("nothing bound yet: {}", me.body))?;

    let phone = approved(ctx, &email, &jwt).await?;
    let me = ctx.client.get("/me", &jwt).await?;
    let onboarded = json!({ "applicationStatus": "Approved", "customerLinked": true });
    ensure(me.body["onboarding"] == onboarded, format!("approved: {}", me.body))?;
    let masked = format!("********{}", &phone[phone.len() - 4..]);
    ensure(me.body["boundFactors"]["kycPhone"] == masked.as_str(), format!("the KYC phone, masked: {}", me.body))?;
    ensure(me.body["stepUp"]["passes"] == false, "one factor does not pass")?;

    let two_factor = stepped_up(ctx, &jwt, &phone).await?;
    let me = ctx.client.get("/me", &two_factor).await?;
    ensure(
        me.body["stepUp"]["passes"] == true && me.body["stepUp"]["until"].is_string(),
        format!("stepped up: {}", me.body),
    )?;
    let sms = me.body["factors"].as_array().into_iter().flatten().find(|f| f["deliveryMethod"] == "sms");
    ensure(sms.is_some_and(|factor| factor["bound"] == true), format!("the SMS factor, bound: {}", me.body))?;
    ensure(!me.bytes.windows(phone.len()).any(|w| w == phone.as_bytes()), "a phone number unmasked")?;

    let enrolled = ctx.client.post("/step-up/totp", Some(&two_factor), &json!({})).await?;
    enrolled.success(201)?;
    let code = values::totp_code(enrolled.body["secret"].as_str().ok_or("no secret")?)?;
    let r = ctx.client.post("/step-up/totp/authenticate", Some(&two_factor), &json!({ "code": code })).await?;
    r.success(200)?;
    let me = ctx.client.get("/me", r.body["sessionJwt"].as_str().ok_or("no sessionJwt")?).await?;
    ensure(me.body["boundFactors"]["totp"] == true, format!("the TOTP, active and trusted: {}", me.body))
}

/// Managing factors needs a fresh bound second factor: refused to a one-factor session, allowed after the SMS.
async fn factor_management_over_http(ctx: &Ctx) -> Result<(), String> {
    let email = values::email();
    let (jwt, _) = session_of(ctx, &email).await?;
    let phone = approved(ctx, &email, &jwt).await?;
    let routes = [
        (Method::GET, "/step-up/factors"),
        (Method::GET, "/step-up/totp/recovery-codes"),
        (Method::POST, "/step-up/totp/replace"),
        (Method::DELETE, "/step-up/factors/phones/phone-number-test-0"),
    ];
    for (method, path) in &routes {
        ctx.client.send(method.clone(), path, Some(&jwt), &[], None).await?.problem(403, "step_up_required")?;
    }

    let two_factor = stepped_up(ctx, &jwt, &phone).await?;
    let factors = ctx.client.get("/step-up/factors", &two_factor).await?;
    factors.success(200)?;
    let kyc = factors.body["phones"].as_array().into_iter().flatten().find(|p| p["kycPhone"] == true);
    let kyc_id = kyc.and_then(|phone| phone["phoneId"].as_str()).ok_or(format!("the KYC phone: {}", factors.body))?;
    let remove = format!("/step-up/factors/phones/{kyc_id}");
    ctx.client.send(Method::DELETE, &remove, Some(&two_factor), &[], None).await?.problem(409, "last_second_factor")?;

    let enrolled = ctx.client.post("/step-up/totp", Some(&two_factor), &json!({})).await?;
    enrolled.success(201)?;
    let code = values::totp_code(enrolled.body["secret"].as_str().ok_or("no secret")?)?;
    ctx.client.post("/step-up/totp/authenticate", Some(&two_factor), &json!({ "code": code })).await?.success(200)?;
    let codes = ctx.client.get("/step-up/totp/recovery-codes", &two_factor).await?;
    codes.success(200)?;
    ensure(codes.body["recoveryCodes"] == enrolled.body["recoveryCodes"], "the ten unused recovery codes")?;
    let replaced = ctx.client.send(Method::POST, "/step-up/totp/replace", Some(&two_factor), &[], None).await?;
    replaced.success(201)?;
    ensure(replaced.body["totpId"] != enrolled.body["totpId"], "a new TOTP")?;
    let code = values::totp_code(replaced.body["secret"].as_str().ok_or("no secret")?)?;
    let r = ctx.client.post("/step-up/totp/authenticate", Some(&two_factor), &json!({ "code": code })).await?;
    r.success(200)?;
    let with_totp = r.body["sessionJwt"].as_str().ok_or("no sessionJwt")?;
    ctx.client.send(Method::DELETE, &remove, Some(with_totp), &[], None).await?.success(204)?;
    let me = ctx.client.get("/me", with_totp).await?;
    ensure(me.body["boundFactors"].get("kycPhone").is_none(), format!("the phone is unbound: {}", me.body))?;
    ctx.client.post("/step-up/sms/send", Some(&jwt), &json!({})).await?.problem(409, "no_bound_phone")
}

/// RFC 7636 appendix B: this verifier's S256 challenge.
const PKCE_VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const PKCE_CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

/// A magic link sent with a PKCE challenge: refused without its verifier or with another, then spent with it.
async fn pkce_over_http(ctx: &Ctx) -> Result<(), String> {
    let email = values::email();
    let token = magic_link(ctx, &email, Some(PKCE_CHALLENGE)).await?;
    let wrong = PKCE_VERIFIER.replace('d', "e");
    for body in [json!({ "token": token }), json!({ "token": token, "codeVerifier": wrong })] {
        ctx.client.post("/signup/authenticate", None, &body).await?.problem(401, "pkce_mismatch")?;
    }
    let body = json!({ "token": token, "codeVerifier": PKCE_VERIFIER });
    ctx.client.post("/signup/authenticate", None, &body).await?.success(200)
}

macro_rules! run_cases {
    ($ctx:expr, $failures:expr, $($case:ident),+ $(,)?) => {
        $(
            if let Err(error) = $case($ctx).await {
                $failures.push(format!("{}: {error}", stringify!($case)));
            }
            $ctx.clear_faults().await;
        )+
    };
}

#[tokio::test]
async fn the_journey_and_every_error_path_over_http_against_the_local_stack() {
    let timeout = UPSTREAM_TIMEOUT_MS.to_string();
    let stack = LocalStack::start(&[
        ("CORS_ALLOWED_ORIGINS", ORIGIN),
        ("UPSTREAM_TIMEOUT_MS", &timeout),
        ("SANDBOX_UNIT_API_TOKEN", UNIT_ORG_TOKEN),
    ]);
    let api = HttpApi::new(&stack.api_url);
    let sandbox = Sandbox::new(&stack.stytch_url).with_unit_org(&stack.unit_url, UNIT_ORG_TOKEN);

    // The whole journey, twice: user A and user B, each with a virtual card (created twice with one key) frozen,
    // unfrozen and reported lost, and a physical card ordered (Inactive).
    let a = journey::run(&api, &sandbox).await.unwrap_or_else(|e| panic!("the journey (user A) failed: {e}"));
    let b = journey::run(&api, &sandbox).await.unwrap_or_else(|e| panic!("the journey (user B) failed: {e}"));
    assert_ne!(a.customer_id, b.customer_id);

    let http = reqwest::Client::builder().timeout(Duration::from_secs(60)).build().expect("HTTP client");
    let ctx = Ctx {
        client: Client { api_url: stack.api_url.clone(), http },
        sandbox,
        unit_url: stack.unit_url.clone(),
        stytch_url: stack.stytch_url.clone(),
        a,
        b,
    };
    let mut failures: Vec<String> = Vec::new();
    run_cases!(
        &ctx,
        failures,
        missing_and_invalid_credentials,
        duplicate_signup_and_step_up_required,
        another_users_card,
        card_lifecycle_and_refused_transitions,
        limits_and_pin_status,
        lost_responses_are_answered_with_the_card,
        bad_json,
        wrong_field_types,
        duplicate_application,
        application_form,
        duplicate_card_creation,
        cors_preflight,
        stytch_down,
        unit_down,
        unit_too_slow,
        an_existing_customer_links_itself_then_gets_a_card,
        a_denied_applicant_applies_again,
        an_applicant_uploads_the_document_unit_asks_for,
        a_session_kept_alive_past_its_jwt_by_refresh,
        logout_then_every_route_refuses_the_session,
        me_across_onboarding_and_step_up,
        factor_management_over_http,
        pkce_over_http,
    );
    drop(stack);
    assert!(failures.is_empty(), "{} case(s) failed:\n{}", failures.len(), failures.join("\n"));
}

/// A browser's form post body (`application/x-www-form-urlencoded`).
fn form_encoded(fields: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish()
}

/// The `Set-Cookie` of `answer` for the session cookie, checked for the attributes that keep it from script and
/// from other routes; its value.
fn session_cookie(answer: &Answer) -> Result<String, String> {
    let set = answer.header("set-cookie").ok_or("no Set-Cookie")?;
    for attribute in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/session"] {
        ensure(set.split("; ").any(|part| part == attribute), format!("{attribute} missing from {set}"))?;
    }
    let value = set.strip_prefix("stytch_session_token=").and_then(|rest| rest.split(';').next());
    value.map(str::to_owned).ok_or_else(|| format!("not the session cookie: {set}"))
}

/// Cookie mode over HTTP (`SESSION_COOKIE=true`): a browser on the allowed origin signs in and refreshes with the
/// cookie, the session token never in a body; a cross-site request with the cookie is refused; logout clears it.
#[tokio::test]
async fn cookie_mode_from_a_browser_origin() {
    let stack = LocalStack::start(&[("CORS_ALLOWED_ORIGINS", ORIGIN), ("SESSION_COOKIE", "true")]);
    let http = reqwest::Client::builder().timeout(Duration::from_secs(60)).build().expect("HTTP client");
    let client = Client { api_url: stack.api_url.clone(), http };
    let sandbox = Sandbox::new(&stack.stytch_url);
    let result = async {
        let email = values::email();
        client.post("/signup", None, &json!({ "email": email })).await?.success(202)?;
        let link = sandbox.latest_message(&email).await?["token"].as_str().ok_or("no magic link")?.to_owned();
        let body = json!({ "token": link }).to_string();
        let signed_in =
            client.send(Method::POST, "/signup/authenticate", None, &[("origin", ORIGIN)], Some(&body)).await?;
        signed_in.success(200)?;
        let token = session_cookie(&signed_in)?;
        ensure(token.len() == 44, "the session token is the cookie's value")?;
        ensure(signed_in.body.get("sessionToken").is_none(), format!("a token in the body: {}", signed_in.body))?;
        ensure(!signed_in.bytes.windows(token.len()).any(|w| w == token.as_bytes()), "the token in a body")?;
        ensure(signed_in.header("access-control-allow-credentials") == Some("true"), "credentials allowed")?;

        let cookie = format!("stytch_session_token={token}");
        let with_cookie = |origin: &'static str, marked: bool, path: &'static str| {
            let mut headers = vec![("cookie", cookie.as_str()), ("origin", origin)];
            if marked {
                headers.push(("x-requested-with", "fetch"));
            }
            let client = &client;
            async move { client.send(Method::POST, path, None, &headers, None).await }
        };
        let refreshed = with_cookie(ORIGIN, true, "/session/refresh").await?;
        refreshed.success(200)?;
        ensure(session_cookie(&refreshed)? == token, "the cookie renewed")?;
        ensure(!refreshed.bytes.windows(token.len()).any(|w| w == token.as_bytes()), "the token in a body")?;
        let jwt = refreshed.body["sessionJwt"].as_str().ok_or("no sessionJwt")?;
        client.get("/me", jwt).await?.success(200)?;

        // Another site's page, or a request without the custom header, cannot use the cookie.
        with_cookie("https://evil.example.test", true, "/session/refresh").await?.problem(403, "csrf_rejected")?;
        with_cookie(ORIGIN, false, "/session/refresh").await?.problem(403, "csrf_rejected")?;
        with_cookie("https://evil.example.test", true, "/session/logout").await?.problem(403, "csrf_rejected")?;
        let preflight = [
            ("origin", "https://evil.example.test"),
            ("access-control-request-method", "POST"),
            ("access-control-request-headers", "x-requested-with"),
        ];
        let other = client.send(Method::OPTIONS, "/session/refresh", None, &preflight, None).await?;
        // Without Access-Control-Allow-Origin the browser sends nothing, credentials or not.
        ensure(other.header("access-control-allow-origin").is_none(), "another origin passed the preflight")?;

        let logout = with_cookie(ORIGIN, true, "/session/logout").await?;
        logout.success(204)?;
        ensure(logout.header("set-cookie").is_some_and(|set| set.contains("Max-Age=0")), "the cookie cleared")?;
        with_cookie(ORIGIN, true, "/session/refresh").await?.problem(401, "session_not_found")
    }
    .await;
    drop(stack);
    if let Err(error) = result {
        panic!("cookie mode: {error}");
    }
}
