//! `POST /cards/{cardId}/freeze`, `/unfreeze`, `/close` → the card as it is now.
//!
//! Freeze only from `Active`, unfreeze only from `Frozen`, close from anything but closed; any
//! other move is `409 card_status_conflict` and the card is unchanged.

use axum::{
    Json,
    extract::{Path, State, rejection::PathRejection},
};
use stytch_unit_common::{
    http::{ApiError, UnitCustomerToken},
    unit::{Card, UnitCustomerClient},
};

use crate::{errors::card_error, validation};

#[derive(Debug, Clone, Copy)]
enum Action {
    Freeze,
    Unfreeze,
    Close,
}

async fn act(
    unit: &UnitCustomerClient,
    token: &UnitCustomerToken,
    path: Result<Path<String>, PathRejection>,
    action: Action,
) -> Result<Json<Card>, ApiError> {
    let card_id = validation::card_id(path)?;
    let card = match action {
        Action::Freeze => unit.freeze_card(token, &card_id).await,
        Action::Unfreeze => unit.unfreeze_card(token, &card_id).await,
        Action::Close => unit.close_card(token, &card_id).await,
    }
    .map_err(card_error)?;
    tracing::info!(card_id, ?action, status = card.status, "card updated");
    Ok(Json(card))
}

pub async fn freeze(
    State(unit): State<UnitCustomerClient>,
    token: UnitCustomerToken,
    path: Result<Path<String>, PathRejection>,
) -> Result<Json<Card>, ApiError> {
    act(&unit, &token, path, Action::Freeze).await
}

pub async fn unfreeze(
    State(unit): State<UnitCustomerClient>,
    token: UnitCustomerToken,
    path: Result<Path<String>, PathRejection>,
) -> Result<Json<Card>, ApiError> {
    act(&unit, &token, path, Action::Unfreeze).await
}

pub async fn close(
    State(unit): State<UnitCustomerClient>,
    token: UnitCustomerToken,
    path: Result<Path<String>, PathRejection>,
) -> Result<Json<Card>, ApiError> {
    act(&unit, &token, path, Action::Close).await
}
