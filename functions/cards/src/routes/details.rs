//! `GET /cards/{cardId}/limits` (scope `cards`) and `GET /cards/{cardId}/pin-status`
//! (`cards-sensitive`, as every Unit secure-data call): read-only facts about one card.

use axum::{
    Json,
    extract::{Path, State, rejection::PathRejection},
};
use serde::Serialize;
use stytch_unit_common::{
    http::{ApiError, UnitCustomerToken},
    unit::{CardLimitsReport, UnitCustomerClient},
};

use crate::{errors::card_error, validation};

/// `{pinStatus: "Set" | "NotSet"}`. Never the PIN: only Unit's secure components see it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PinStatusBody {
    pub pin_status: String,
}

pub async fn limits(
    State(unit): State<UnitCustomerClient>,
    token: UnitCustomerToken,
    path: Result<Path<String>, PathRejection>,
) -> Result<Json<CardLimitsReport>, ApiError> {
    let card_id = validation::card_id(path)?;
    Ok(Json(unit.card_limits(&token, &card_id).await.map_err(card_error)?))
}

pub async fn pin_status(
    State(unit): State<UnitCustomerClient>,
    token: UnitCustomerToken,
    path: Result<Path<String>, PathRejection>,
) -> Result<Json<PinStatusBody>, ApiError> {
    let card_id = validation::card_id(path)?;
    let status = unit.pin_status(&token, &card_id).await.map_err(card_error)?;
    Ok(Json(PinStatusBody { pin_status: status.status }))
}
