//! Unit webhooks end to end over real HTTP: one local stack (`tests/dev/local_stack.py`), whose sandbox
//! delivers Unit's events, signed and batched, to `API_URL/webhooks/unit` and retries until a 200. A pending
//! applicant approved later is linked by the webhook alone (no route is called that would ask Unit); forged,
//! unsigned, replayed, duplicated, batched and out-of-order deliveries; an application that is not ours; Unit
//! down (5xx, so the delivery is retried). Every case runs even when an earlier one fails.

use std::time::{Duration, Instant};

use demo::{
    api::{Api, Call, HttpApi, Sandbox},
    local_stack::LocalStack,
    values,
};
use reqwest::Method;
use sandbox::config::{DEFAULT_PROJECT_ID, DEFAULT_SECRET, DEFAULT_UNIT_API_TOKEN, DEFAULT_UNIT_WEBHOOK_SECRET};
use serde_json::{Value, json};

/// How long a delivery may take to land (the sandbox retries with backoff up to 5 s apart).
const LANDS_WITHIN: Duration = Duration::from_secs(45);

struct Ctx {
    api: HttpApi,
    sandbox: Sandbox,
    unit_url: String,
    http: reqwest::Client,
}

impl Ctx {
    async fn send(&self, request: reqwest::RequestBuilder) -> Result<(u16, Value), String> {
        let response = request.send().await.map_err(|e| format!("no answer: {e}"))?;
        let status = response.status().as_u16();
        let body = response.json().await.unwrap_or(Value::Null);
        Ok((status, body))
    }

    /// A Unit call with the org token; fails unless it succeeds.
    async fn unit(&self, method: Method, path: &str, body: Option<Value>) -> Result<Value, String> {
        let mut request =
            self.http.request(method, format!("{}{path}", self.unit_url)).bearer_auth(DEFAULT_UNIT_API_TOKEN);
        if let Some(body) = body {
            request = request.header("content-type", "application/vnd.api+json").body(body.to_string());
        }
        match self.send(request).await? {
            (status, body) if (200..300).contains(&status) => Ok(body),
            (status, body) => Err(format!("Unit {path}: {status} {body}")),
        }
    }

    async fn control(&self, path: &str, body: Option<Value>) -> Result<(), String> {
        let mut request = self.http.post(format!("{}{path}", self.unit_url));
        if let Some(body) = body {
            request = request.json(&body);
        }
        match self.send(request).await? {
            (status, _) if (200..300).contains(&status) => Ok(()),
            (status, body) => Err(format!("sandbox control {path}: {status} {body}")),
        }
    }

    async fn attempts(&self) -> Result<Vec<Value>, String> {
        let (_, body) = self.send(self.http.get(format!("{}/__sandbox/webhooks/attempts", self.unit_url))).await?;
        Ok(body.as_array().cloned().unwrap_or_default())
    }

    /// The Stytch user's trusted metadata, read from the sandbox's Stytch API with the project secret.
    async fn metadata(&self, user_id: &str) -> Result<Value, String> {
        let request = self
            .http
            .get(format!("{}/v1/users/{user_id}", self.sandbox.stytch_url))
            .basic_auth(DEFAULT_PROJECT_ID, Some(DEFAULT_SECRET));
        Ok(self.send(request).await?.1["trusted_metadata"].clone())
    }

    /// Waits until the user's metadata names `customer_id`.
    async fn linked(&self, user_id: &str, customer_id: &str) -> Result<Value, String> {
        let started = Instant::now();
        loop {
            let metadata = self.metadata(user_id).await?;
            if metadata["unit_customer_id"] == customer_id {
                return Ok(metadata);
            }
            if started.elapsed() > LANDS_WITHIN {
                return Err(format!("no webhook linked customer {customer_id} within {LANDS_WITHIN:?}: {metadata}"));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// A user signed in through the API, with a Pending application (SSN ending 0001) submitted through it.
    async fn pending_applicant(&self) -> Result<(String, String), String> {
        let email = values::email();
        self.api.call(Call::new("POST", "/signup").json(json!({ "email": email }))).await?;
        let token = self.sandbox.latest_message(&email).await?["token"].as_str().unwrap_or_default().to_owned();
        let session = self.api.call(Call::new("POST", "/signup/authenticate").json(json!({ "token": token }))).await?;
        let (user_id, jwt) = (session.text("userId")?, session.text("sessionJwt")?);
        let ssn = values::ssn_ending("9001");
        let call = Call::new("POST", "/applications").bearer(&jwt).json(values::application(
            &email,
            &ssn,
            &values::phone_number(),
        ));
        let applied = self.api.call(call).await?;
        if applied.status != 201 || applied.body["status"] != "Pending" {
            return Err(format!("POST /applications: {} {}", applied.status, applied.body));
        }
        Ok((user_id, applied.text("applicationId")?))
    }

    async fn approve(&self, application_id: &str) -> Result<String, String> {
        let approved =
            self.unit(Method::POST, &format!("/sandbox/applications/{application_id}/approve"), None).await?;
        Ok(approved["data"]["relationships"]["customer"]["data"]["id"].as_str().unwrap_or_default().to_owned())
    }

    /// Unit's events about `application_id`, oldest first.
    async fn events_of(&self, application_id: &str) -> Result<Vec<Value>, String> {
        let events = self.unit(Method::GET, "/events", None).await?;
        Ok(events["data"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|e| e["relationships"]["application"]["data"]["id"] == application_id)
            .cloned()
            .collect())
    }

    /// `POST /webhooks/unit` with `body` as given and `X-Unit-Signature` when given.
    async fn post_webhook(&self, body: &str, signature: Option<&str>) -> Result<(u16, Value), String> {
        let mut request = self
            .http
            .post(format!("{}/webhooks/unit", self.api.base_url))
            .header("content-type", "application/vnd.api+json")
            .body(body.to_owned());
        if let Some(signature) = signature {
            request = request.header("x-unit-signature", signature);
        }
        self.send(request).await
    }
}

fn id(event: &Value) -> String {
    event["id"].as_str().unwrap_or_default().to_owned()
}

fn check(condition: bool, what: impl Into<String>) -> Result<(), String> {
    if condition { Ok(()) } else { Err(what.into()) }
}

/// A pending applicant approved later: the webhook alone records the customer.
async fn approved_later(ctx: &Ctx) -> Result<(), String> {
    let (user_id, application_id) = ctx.pending_applicant().await?;
    let customer_id = ctx.approve(&application_id).await?;
    let metadata = ctx.linked(&user_id, &customer_id).await?;
    check(metadata["unit_application_status"] == "Approved", format!("status not recorded: {metadata}"))?;
    let customer_created = ctx.events_of(&application_id).await?.into_iter().find(|e| e["type"] == "customer.created");
    let event_id = id(&customer_created.ok_or("no customer.created event")?);
    let attempts = ctx.attempts().await?;
    let delivered = attempts
        .iter()
        .any(|a| a["status"] == 200 && a["eventIds"].as_array().is_some_and(|ids| ids.contains(&json!(event_id))));
    check(delivered, "the customer.created delivery was not answered 200")
}

/// Forged and unsigned deliveries are refused with 401 and change nothing; a replayed genuine one is 200 and
/// changes nothing either.
async fn forged_unsigned_and_replayed(ctx: &Ctx) -> Result<(), String> {
    ctx.control("/__sandbox/webhooks/pause", None).await?;
    let (user_id, application_id) = ctx.pending_applicant().await?;
    let customer_id = ctx.approve(&application_id).await?;
    let events = ctx.events_of(&application_id).await?;
    let body = json!({ "data": events }).to_string();

    let (status, answer) = ctx.post_webhook(&body, None).await?;
    check(status == 401 && answer["code"] == "missing_signature", format!("unsigned: {status} {answer}"))?;
    let forged = sandbox::unit::webhooks::sign("a-guessed-token", body.as_bytes());
    let (status, answer) = ctx.post_webhook(&body, Some(&forged)).await?;
    check(status == 401 && answer["code"] == "invalid_signature", format!("forged: {status} {answer}"))?;
    check(!answer.to_string().contains(&application_id), "the refusal echoed the body")?;
    let metadata = ctx.metadata(&user_id).await?;
    check(metadata.get("unit_customer_id").is_none(), format!("a refused delivery recorded something: {metadata}"))?;

    // Replayed: the genuine signature, twice (by Unit's retry or by whoever copied it): the same state.
    let genuine = sandbox::unit::webhooks::sign(DEFAULT_UNIT_WEBHOOK_SECRET, body.as_bytes());
    for _ in 0..2 {
        let (status, answer) = ctx.post_webhook(&body, Some(&genuine)).await?;
        check(status == 200, format!("genuine: {status} {answer}"))?;
    }
    let metadata = ctx.metadata(&user_id).await?;
    check(metadata["unit_customer_id"] == customer_id.as_str(), format!("not recorded: {metadata}"))?;
    ctx.control("/__sandbox/webhooks/resume", None).await?;
    Ok(())
}

/// The sandbox delivers one batch holding the newest event first and the same event twice, then the queued
/// batch in order: the state is the same.
async fn duplicated_batched_out_of_order(ctx: &Ctx) -> Result<(), String> {
    ctx.control("/__sandbox/webhooks/pause", None).await?;
    let (user_id, application_id) = ctx.pending_applicant().await?;
    let customer_id = ctx.approve(&application_id).await?;
    let events = ctx.events_of(&application_id).await?;
    let ids: Vec<String> = events.iter().map(id).collect();
    check(ids.len() == 2, format!("expected application.created and customer.created, got {events:?}"))?;
    let reordered = [ids[1].clone(), ids[0].clone(), ids[1].clone()];
    ctx.control("/__sandbox/webhooks/deliver", Some(json!({ "eventIds": reordered }))).await?;
    ctx.control("/__sandbox/webhooks/resume", None).await?;
    let metadata = ctx.linked(&user_id, &customer_id).await?;
    check(metadata["unit_application_status"] == "Approved", format!("{metadata}"))?;
    let started = Instant::now();
    loop {
        let attempts = ctx.attempts().await?;
        let delivered = attempts.iter().any(|a| a["status"] == 200 && a["eventIds"] == json!(reordered));
        if delivered {
            return Ok(());
        }
        check(started.elapsed() < LANDS_WITHIN, "the out-of-order batch was never answered 200")?;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// An application whose jwtSubject is no user of ours: acknowledged (200), so Unit does not retry it.
async fn not_ours(ctx: &Ctx) -> Result<(), String> {
    let ssn = values::approved_ssn();
    let mut attributes = values::application("stranger@example.com", &ssn, &values::phone_number());
    let attributes = attributes.as_object_mut().ok_or("an object")?;
    attributes.insert("jwtSubject".into(), json!("user-test-00000000-0000-4000-8000-00000000dead"));
    attributes.insert("phone".into(), json!({ "countryCode": "1", "number": "5550001234" }));
    let created = ctx
        .unit(
            Method::POST,
            "/applications",
            Some(json!({ "data": { "type": "individualApplication", "attributes": attributes } })),
        )
        .await?;
    let application_id = created["data"]["id"].as_str().unwrap_or_default().to_owned();
    let event_ids: Vec<Value> = ctx.events_of(&application_id).await?.iter().map(|e| json!(id(e))).collect();
    check(!event_ids.is_empty(), "no events for the stranger's application")?;
    let started = Instant::now();
    loop {
        let attempts = ctx.attempts().await?;
        let about = |a: &&Value| a["eventIds"].as_array().is_some_and(|ids| ids.iter().any(|i| event_ids.contains(i)));
        let answered: Vec<&Value> = attempts.iter().filter(about).collect();
        if let Some(failed) = answered.iter().find(|a| a["status"] != 200) {
            return Err(format!("a delivery about an application not ours was not acknowledged: {failed}"));
        }
        if !answered.is_empty() {
            return Ok(());
        }
        check(started.elapsed() < LANDS_WITHIN, "the stranger's events were never delivered")?;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Unit down while the webhook re-reads the application: 5xx, the sandbox delivers again, and the retry links.
async fn unit_down_then_retried(ctx: &Ctx) -> Result<(), String> {
    ctx.control("/__sandbox/webhooks/pause", None).await?;
    let (user_id, application_id) = ctx.pending_applicant().await?;
    let customer_id = ctx.approve(&application_id).await?;
    let fault =
        json!({ "method": "GET", "path": format!("/applications/{application_id}"), "status": 503, "count": 6 });
    ctx.control("/__sandbox/faults", Some(fault)).await?;
    ctx.control("/__sandbox/webhooks/resume", None).await?;
    ctx.linked(&user_id, &customer_id).await?;
    let customer_created = ctx.events_of(&application_id).await?.into_iter().find(|e| e["type"] == "customer.created");
    let event_id = json!(id(&customer_created.ok_or("no customer.created event")?));
    // The link is written while the delivery is handled; the sandbox records its attempt once our
    // answer is back, so the 200 is waited for rather than read at once.
    let started = Instant::now();
    loop {
        let statuses: Vec<Value> = ctx
            .attempts()
            .await?
            .into_iter()
            .filter(|a| a["eventIds"].as_array().is_some_and(|ids| ids.contains(&event_id)))
            .map(|a| a["status"].clone())
            .collect();
        let succeeded = statuses.last() == Some(&json!(200));
        if succeeded || started.elapsed() > LANDS_WITHIN {
            return check(
                statuses.first().and_then(Value::as_u64).is_some_and(|s| s >= 500) && succeeded,
                format!("expected 5xx first, 200 last; got {statuses:?}"),
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn unit_webhooks_over_http_against_the_local_stack() {
    let stack = LocalStack::start(&[("UPSTREAM_TIMEOUT_MS", "2000")]);
    let ctx = Ctx {
        api: HttpApi::new(&stack.api_url),
        sandbox: Sandbox::new(&stack.stytch_url),
        unit_url: stack.unit_url.clone(),
        http: reqwest::Client::builder().timeout(Duration::from_secs(60)).build().expect("HTTP client"),
    };
    let mut failures = Vec::new();
    for (name, result) in [
        ("approved later, linked by the webhook alone", approved_later(&ctx).await),
        ("forged, unsigned and replayed", forged_unsigned_and_replayed(&ctx).await),
        ("duplicated, batched, out of order", duplicated_batched_out_of_order(&ctx).await),
        ("an application that is not ours", not_ours(&ctx).await),
        ("Unit down, then retried", unit_down_then_retried(&ctx).await),
    ] {
        if let Err(error) = result {
            failures.push(format!("{name}: {error}"));
        }
    }
    assert!(failures.is_empty(), "{} case(s) failed:\n{}", failures.len(), failures.join("\n"));
}
