//! `POST /webhooks/unit`: verify, then re-read and record every resource the events name, then
//! 200. Any failure on the way is a 5xx, so that Unit delivers the batch again (at-least-once).

use std::{collections::BTreeSet, sync::Arc};

use axum::{
    Json,
    body::Bytes,
    extract::{FromRequest, Request, State, rejection::BytesRejection},
};
use http::{HeaderMap, StatusCode};
use serde_json::{Value, json};
use stytch_unit_common::{
    customer_link::Synced,
    dependencies::WebhookDependencies,
    http::{ApiError, Code},
    metrics::catalogue,
    secrets::UnitCredentials,
};
use tokio::task::JoinSet;
use tracing::Instrument;

use crate::{
    payload,
    signature::{self, Verdict},
    sync::{self, Target},
};

/// Resources re-read at once: a large batch stays well inside Unit's delivery timeout without
/// opening a connection per event.
const CONCURRENT_SYNCS: usize = 8;

/// The raw body, as signed: read before anything parses it. Too large is 413 problem+json.
pub struct RawBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for RawBody {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        Bytes::from_request(request, state).await.map(RawBody).map_err(|rejection| match rejection {
            BytesRejection::FailedToBufferBody(ref failed) if failed.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                ApiError::PayloadTooLarge
            }
            _ => ApiError::InvalidBody { detail: "The request body could not be read.".into() },
        })
    }
}

pub async fn unit(
    State(dependencies): State<WebhookDependencies>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> Result<Json<Value>, ApiError> {
    let delivery = receive(&dependencies, &headers, &body).await;
    // What `WebhookFailuresAlarm` watches: a delivery Unit will send again, or a signature we refuse.
    if let Err(error) = &delivery
        && (error.status().is_server_error() || error.code() == "invalid_signature")
    {
        catalogue::webhook_failure();
    }
    delivery
}

async fn receive(
    dependencies: &WebhookDependencies,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<Json<Value>, ApiError> {
    authenticate(dependencies, headers, body).await?;
    let events = payload::events(body)?;
    let mut targets = BTreeSet::new();
    for event in &events {
        match Target::of(event) {
            Some(target) => {
                targets.insert(target);
            }
            None => {
                tracing::debug!(event_id = event.id, event_type = event.kind, "event ignored: not about onboarding")
            }
        }
    }
    let (recorded, not_ours) = sync_all(dependencies, targets).await?;
    tracing::info!(events = events.len(), recorded, not_ours, "Unit webhook processed");
    for event in &events {
        catalogue::webhook_event(&event.kind);
    }
    Ok(Json(json!({ "status": "processed" })))
}

/// Verifies the signature with the webhook token(s) of the Unit secret. A signature that none of
/// them produces gets the secret read again once (a rotation that this warm instance has not seen
/// yet); the secrets cache allows that at most once per value and 30 s, so forged requests cannot
/// make the function hammer Secrets Manager.
async fn authenticate(dependencies: &WebhookDependencies, headers: &HeaderMap, body: &[u8]) -> Result<(), ApiError> {
    let secret = &dependencies.unit_secret;
    let credentials = secret.get().await.map_err(unavailable)?;
    let mut verdict = verify(headers, body, &credentials)?;
    if verdict == Verdict::Invalid
        && let Some(rotated) = secret.refresh_after_rejection(&credentials).await.map_err(unavailable)?
    {
        verdict = verify(headers, body, &rotated)?;
    }
    match verdict {
        Verdict::Valid => Ok(()),
        Verdict::Missing => Err(ApiError::Refused {
            code: Code::MissingSignature,
            detail: "The X-Unit-Signature header is missing or not base64.".into(),
        }),
        Verdict::Invalid => {
            tracing::warn!("webhook with a signature no configured token produces: refused");
            Err(ApiError::Refused {
                code: Code::InvalidSignature,
                detail: "The X-Unit-Signature does not match.".into(),
            })
        }
    }
}

fn verify(headers: &HeaderMap, body: &[u8], credentials: &UnitCredentials) -> Result<Verdict, ApiError> {
    let tokens: Vec<_> = [credentials.webhook_secret.as_ref(), credentials.previous_webhook_secret.as_ref()]
        .into_iter()
        .flatten()
        .collect();
    if tokens.is_empty() {
        // A deployment error: answered 503, so that Unit keeps the events and retries once it is fixed.
        tracing::error!("the Unit secret has no webhook_secret: no webhook can be verified");
        return Err(ApiError::Unavailable { code: Code::WebhookSecretMissing, retry_after: None });
    }
    Ok(signature::verify(headers, body, &tokens))
}

fn unavailable(error: stytch_unit_common::secrets::SecretsError) -> ApiError {
    tracing::error!(%error, "Unit secret unavailable");
    ApiError::Unavailable { code: Code::SecretsUnavailable, retry_after: None }
}

/// Syncs every target, [`CONCURRENT_SYNCS`] at a time; the first failure fails the delivery.
async fn sync_all(dependencies: &WebhookDependencies, targets: BTreeSet<Target>) -> Result<(usize, usize), ApiError> {
    let targets: Vec<Arc<Target>> = targets.into_iter().map(Arc::new).collect();
    let (mut recorded, mut not_ours) = (0, 0);
    for chunk in targets.chunks(CONCURRENT_SYNCS) {
        let mut running = JoinSet::new();
        for target in chunk {
            let (dependencies, target) = (dependencies.clone(), Arc::clone(target));
            running.spawn(
                async move {
                    let synced = sync::sync(&dependencies, &target).await;
                    (target, synced)
                }
                .in_current_span(),
            );
        }
        while let Some(joined) = running.join_next().await {
            let (target, synced) = joined.map_err(ApiError::internal)?;
            match synced? {
                Synced::Recorded => recorded += 1,
                Synced::Unchanged => {}
                Synced::NotOurs => {
                    not_ours += 1;
                    tracing::debug!(?target, "event ignored: not an application of ours");
                }
            }
        }
    }
    Ok((recorded, not_ours))
}
