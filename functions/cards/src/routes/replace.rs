//! `POST /cards/{cardId}/replace` with `Idempotency-Key`, body `{shippingAddress?}`: a new physical
//! card for a damaged one, `201` with the new card (`Inactive` until activated; the old one works
//! until then). Only a physical card in use (`Active` or `Frozen`).
//!
//! Unit's replace takes no idempotency key, so the new card is tagged with the caller's key
//! (`replacementKey`) and a repeat finds it there. The replace itself is never retried once it may
//! have reached Unit; a lost answer before the tag is set is the one case a repeat could replace
//! twice (SECURITY.md).

use axum::{
    Json,
    extract::{Path, State, rejection::PathRejection},
    response::IntoResponse,
};
use http::{HeaderMap, StatusCode};
use serde::Deserialize;
use serde_json::Value;
use stytch_unit_common::{
    http::{ApiError, ApiJson, Code, FieldError, UnitCustomerToken},
    unit::{Address, CardType, UnitCustomerClient},
};

use crate::{errors::card_error, status_rules, validation};

/// The tag key that holds a replacement's [`validation::replacement_tag`].
pub const REPLACEMENT_TAG: &str = "replacementKey";

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ReplaceBody {
    /// Where to ship the new card; the old card's shipping address when left out. Read by
    /// `validation::shipping_address`.
    #[serde(default)]
    pub shipping_address: Option<Value>,
}

pub async fn replace(
    State(unit): State<UnitCustomerClient>,
    token: UnitCustomerToken,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
    body: Option<ApiJson<ReplaceBody>>,
) -> Result<impl IntoResponse, ApiError> {
    let body = body.map(|ApiJson(body)| body).unwrap_or_default();
    let key = validation::idempotency_key(&headers)?;
    let mut errors = Vec::new();
    let address = validation::shipping_address(body.shipping_address.as_ref(), &mut errors).map(Address::from);
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let card_id = validation::card_id(path)?;

    let tag = validation::replacement_tag(card_id.as_str(), key);
    if let Some(done) = unit.cards_tagged(&token, REPLACEMENT_TAG, &tag).await?.into_iter().next() {
        tracing::info!(%card_id, new_card_id = done.id, "replacement replayed by idempotency key");
        return Ok((StatusCode::CREATED, Json(done)));
    }
    let old = unit.get_card(&token, &card_id).await.map_err(card_error)?;
    if old.card_type != CardType::Physical {
        return Err(ApiError::Refused {
            code: Code::CardNotPhysical,
            detail: "Only a physical card can be replaced; create a new virtual card instead.".into(),
        });
    }
    if !status_rules::replaceable(&old.status) {
        return Err(status_rules::conflict(&old.status, "replaced"));
    }
    let Some(address) = address.or(old.shipping_address) else {
        return Err(ApiError::Validation(vec![FieldError::new(
            "shippingAddress",
            "is required: the card has no shipping address on file",
        )]));
    };
    let new = unit.replace_card(&token, &card_id, &address).await.map_err(card_error)?;
    let new = match unit.tag_card(&token, &new, REPLACEMENT_TAG, &tag).await {
        Ok(tagged) => tagged,
        Err(error) => {
            // The card exists: answer with it. Only a repeat of this key could now replace again.
            tracing::warn!(%card_id, new_card_id = new.id, %error, "replacement not tagged with its key");
            new
        }
    };
    tracing::info!(%card_id, new_card_id = new.id, "card replaced");
    Ok((StatusCode::CREATED, Json(new)))
}
