//! `GET /cards/{cardId}`.

use axum::{
    Json,
    extract::{Path, State, rejection::PathRejection},
};
use stytch_unit_common::{
    http::{ApiError, UnitCustomerToken},
    unit::{Card, UnitCustomerClient},
};

use crate::{errors::card_error, validation};

pub async fn get(
    State(unit): State<UnitCustomerClient>,
    token: UnitCustomerToken,
    path: Result<Path<String>, PathRejection>,
) -> Result<Json<Card>, ApiError> {
    let card_id = validation::card_id(path)?;
    let card = unit.get_card(&token, &card_id).await.map_err(card_error)?;
    Ok(Json(card))
}
