//! Unit's events and webhook delivery (docs.unit.co/webhooks; event types and relationships from
//! Unit's Node SDK `types/events.ts`). Every application decision is recorded as an event; `GET
//! /events` lists them and `POST /events/{id}` fires one again, as Unit's API does. When a webhook
//! is configured (`SANDBOX_UNIT_WEBHOOK_URL`, token `SANDBOX_UNIT_WEBHOOK_SECRET`), a delivery task
//! POSTs the events to it the "at least once" way: batched (`{"data": [event, …]}`), signed
//! (`X-Unit-Signature`: HMAC-SHA1 of the body with the token, base64), retried with backoff until
//! it answers 200, so that duplicates happen as they do with Unit. Test controls under
//! `/__sandbox/webhooks/` pause and resume delivery, deliver chosen events (again, or out of order)
//! and list every attempt. Choices where Unit's references are silent: UNIT.md, "Webhooks".

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use aws_lc_rs::hmac;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;
use serde_json::{Value, json};
use time::OffsetDateTime;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::UnitState;
use super::auth::Caller;
use super::ids::parse_id;
use super::jsonapi::{self, Resource, UnitError};
use super::pagination::{ListQuery, list_document};
use super::state::{self, ApplicationStatus, Store};
use crate::common::controls::control_error;

/// Events per delivery at most; more wait for the next batch.
const MAX_BATCH: usize = 20;
/// How long a delivery may take before it counts as failed (and is sent again).
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(10);
const FIRST_BACKOFF: Duration = Duration::from_millis(100);
const MAX_BACKOFF: Duration = Duration::from_secs(5);
/// How often an idle delivery task looks for new events.
const POLL: Duration = Duration::from_millis(25);

/// Where events are delivered, and the token that signs them.
#[derive(Clone)]
pub struct WebhookTarget {
    pub url: String,
    pub token: String,
}

/// Distinguishes the logs of successive resets: a batch in flight when the sandbox is reset is dropped.
static GENERATIONS: AtomicU64 = AtomicU64::new(0);

#[derive(Debug, Clone)]
pub(crate) struct Event {
    id: u64,
    kind: String,
    created_at: OffsetDateTime,
    relationships: Value,
}

#[derive(Debug)]
struct Batch {
    /// Tells this batch apart from others holding the same events.
    number: u64,
    event_ids: Vec<u64>,
    /// Chosen by a control: delivered exactly as asked, never topped up with new events.
    sealed: bool,
}

#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Attempt {
    event_ids: Vec<String>,
    attempt: u32,
    /// The HTTP status the webhook answered, or none (timeout, refused connection).
    status: Option<u16>,
    error: Option<String>,
}

/// Every event, the batches still to deliver and every delivery attempt. Part of the Unit store, so
/// that a reset forgets it too.
#[derive(Debug)]
pub(crate) struct EventLog {
    generation: u64,
    next_id: u64,
    next_batch: u64,
    events: Vec<Event>,
    queue: VecDeque<Batch>,
    attempts: Vec<Attempt>,
    paused: bool,
}

impl Default for EventLog {
    fn default() -> Self {
        Self {
            generation: GENERATIONS.fetch_add(1, Ordering::Relaxed),
            next_id: 1,
            next_batch: 1,
            events: Vec::new(),
            queue: VecDeque::new(),
            attempts: Vec::new(),
            paused: false,
        }
    }
}

impl EventLog {
    fn record(&mut self, kind: &str, relationships: Value) {
        let id = self.next_id;
        self.next_id += 1;
        self.events.push(Event { id, kind: kind.to_owned(), created_at: state::now(), relationships });
        match self.queue.back_mut() {
            Some(batch) if !batch.sealed && batch.event_ids.len() < MAX_BATCH => batch.event_ids.push(id),
            _ => {
                let batch = self.batch(vec![id], false);
                self.queue.push_back(batch);
            }
        }
    }

    fn batch(&mut self, event_ids: Vec<u64>, sealed: bool) -> Batch {
        let number = self.next_batch;
        self.next_batch += 1;
        Batch { number, event_ids, sealed }
    }

    fn event(&self, id: u64) -> Option<&Event> {
        self.events.iter().find(|event| event.id == id)
    }
}

/// The hook of `POST /applications`: `application.created`.
pub(crate) fn application_created(store: &mut Store, application_id: u64) {
    let relationships = json!({ "application": jsonapi::relationship("individualApplication", application_id) });
    store.webhooks.record("application.created", relationships);
}

/// The hook of every status change: `application.<status>` (`pendingReview`, `awaitingDocuments`,
/// `denied`, `canceled`), or `customer.created` with the customer and the application on approval
/// (Unit sends no `application.approved`). `Pending` is what `application.created` already said.
pub(crate) fn application_status_changed(store: &mut Store, application_id: u64) {
    let Some(application) = store.applications.get(&application_id) else {
        return;
    };
    let application_relationship = jsonapi::relationship("individualApplication", application_id);
    match (application.status, application.customer_id) {
        (ApplicationStatus::Pending, _) => {}
        (ApplicationStatus::Approved, Some(customer_id)) => {
            let relationships = json!({
                "customer": jsonapi::relationship("customer", customer_id),
                "application": application_relationship,
            });
            store.webhooks.record("customer.created", relationships);
        }
        (ApplicationStatus::Approved, None) => {}
        (status, _) => {
            let name = status.as_str();
            let kind = format!("application.{}{}", name[..1].to_ascii_lowercase(), &name[1..]);
            store.webhooks.record(&kind, json!({ "application": application_relationship }));
        }
    }
}

fn render(event: &Event) -> Value {
    json!({
        "id": event.id.to_string(),
        "type": event.kind,
        "attributes": { "createdAt": state::rfc3339(event.created_at), "tags": {} },
        "relationships": event.relationships,
    })
}

/// `GET /events`, oldest first, with `filter[type]`.
pub(crate) async fn list(State(state): State<UnitState>, caller: Caller, uri: Uri) -> Result<Response, UnitError> {
    caller.require_org("Listing events")?;
    let query = ListQuery::from_uri(&uri)?;
    let page = query.page()?;
    let types = query.all("filter[type]");
    let store = state.store();
    let matching: Vec<&Event> =
        store.webhooks.events.iter().filter(|e| types.is_empty() || types.contains(&e.kind.as_str())).collect();
    let (items, total) = page.slice(matching);
    Ok(list_document(items.into_iter().map(render).collect(), total, page, Vec::new()))
}

/// `POST /events/{id}`: Unit's "fire event", delivered again to the webhook.
pub(crate) async fn fire(
    State(state): State<UnitState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, UnitError> {
    caller.require_org("Firing an event")?;
    let mut store = state.store();
    let Some(event) = parse_id(&id).and_then(|id| store.webhooks.event(id)).cloned() else {
        return Err(UnitError::not_found(Resource::Event, &id));
    };
    let batch = store.webhooks.batch(vec![event.id], true);
    store.webhooks.queue.push_back(batch);
    Ok(jsonapi::ok(render(&event)))
}

/// `/__sandbox/webhooks/…`: pause, resume, deliver chosen events, list attempts.
pub fn controls(state: UnitState) -> Router {
    Router::new()
        .route("/__sandbox/webhooks/pause", post(pause))
        .route("/__sandbox/webhooks/resume", post(resume))
        .route("/__sandbox/webhooks/deliver", post(deliver))
        .route("/__sandbox/webhooks/attempts", get(attempts))
        .with_state(state)
}

async fn pause(State(state): State<UnitState>) -> StatusCode {
    state.store().webhooks.paused = true;
    StatusCode::NO_CONTENT
}

async fn resume(State(state): State<UnitState>) -> StatusCode {
    state.store().webhooks.paused = false;
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct DeliverRequest {
    event_ids: Vec<String>,
}

/// `{"eventIds": ["3", "1", "3"]}`: one batch of exactly these events in this order (duplicates
/// and out-of-order included), delivered before anything queued.
async fn deliver(State(state): State<UnitState>, body: Result<Json<DeliverRequest>, JsonRejection>) -> Response {
    let request = match body {
        Ok(Json(request)) => request,
        Err(rejection) => return control_error(StatusCode::BAD_REQUEST, &rejection.body_text()),
    };
    let mut store = state.store();
    let mut event_ids = Vec::new();
    for raw in &request.event_ids {
        match parse_id(raw).filter(|id| store.webhooks.event(*id).is_some()) {
            Some(id) => event_ids.push(id),
            None => return control_error(StatusCode::NOT_FOUND, &format!("no event {raw}")),
        }
    }
    if event_ids.is_empty() {
        return control_error(StatusCode::BAD_REQUEST, "eventIds must name at least one event");
    }
    let batch = store.webhooks.batch(event_ids, true);
    store.webhooks.queue.push_front(batch);
    StatusCode::ACCEPTED.into_response()
}

async fn attempts(State(state): State<UnitState>) -> Response {
    Json(state.store().webhooks.attempts.clone()).into_response()
}

/// Delivers queued batches to `target` until `stopped`, one batch at a time, each until a 200.
pub fn spawn_delivery(state: UnitState, target: WebhookTarget, mut stopped: watch::Receiver<bool>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let http = reqwest::Client::builder().timeout(DELIVERY_TIMEOUT).build().unwrap_or_default();
        loop {
            if *stopped.borrow() {
                return;
            }
            let Some(InFlight { generation, number, event_ids, body }) = next_batch(&state) else {
                if tokio::time::timeout(POLL, stopped.changed()).await.is_ok_and(|changed| changed.is_err()) {
                    return;
                }
                continue;
            };
            let signature = sign(&target.token, body.as_bytes());
            let mut backoff = FIRST_BACKOFF;
            for attempt in 1.. {
                let sent = http
                    .post(&target.url)
                    .header("content-type", "application/vnd.api+json")
                    .header("x-unit-signature", &signature)
                    .body(body.clone())
                    .send()
                    .await;
                let (status, error) = match &sent {
                    Ok(response) => (Some(response.status().as_u16()), None),
                    Err(error) => (None, Some(if error.is_timeout() { "timeout".into() } else { error.to_string() })),
                };
                let delivered = status == Some(200);
                {
                    let mut store = state.store();
                    if store.webhooks.generation != generation {
                        break;
                    }
                    let ids = event_ids.iter().map(u64::to_string).collect();
                    store.webhooks.attempts.push(Attempt { event_ids: ids, attempt, status, error });
                    if delivered {
                        store.webhooks.queue.retain(|batch| batch.number != number);
                    }
                }
                if delivered {
                    break;
                }
                tracing::info!(attempt, ?status, "webhook delivery failed; retrying");
                if tokio::time::timeout(backoff, stopped.changed()).await.is_ok() {
                    return;
                }
                backoff = (backoff * 2).min(MAX_BACKOFF);
            }
        }
    })
}

struct InFlight {
    generation: u64,
    number: u64,
    event_ids: Vec<u64>,
    body: String,
}

/// The front batch (left in the queue until delivered), rendered, unless delivery is paused.
fn next_batch(state: &UnitState) -> Option<InFlight> {
    let mut store = state.store();
    let log = &mut store.webhooks;
    if log.paused {
        return None;
    }
    let batch = log.queue.front_mut()?;
    // Sealed from now on: a retry sends exactly what the first attempt sent.
    batch.sealed = true;
    let (number, event_ids) = (batch.number, batch.event_ids.clone());
    let data: Vec<Value> = event_ids.iter().filter_map(|id| log.event(*id)).map(render).collect();
    Some(InFlight { generation: log.generation, number, event_ids, body: json!({ "data": data }).to_string() })
}

/// HMAC-SHA1 of `body` with the webhook token, base64: the `X-Unit-Signature` header.
pub fn sign(token: &str, body: &[u8]) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, token.as_bytes());
    STANDARD.encode(hmac::sign(&key, body).as_ref())
}
