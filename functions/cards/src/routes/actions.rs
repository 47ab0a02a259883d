//! `POST /cards/{cardId}/freeze`, `/unfreeze`, `/close`, `/report-lost`, `/report-stolen` → the
//! card as it is now.
//!
//! Idempotent from the caller's view (`status_rules.rs`): the card is read first; already in the
//! target status, it is answered as it is with no Unit write; a move Unit refuses is a 409 naming
//! the status. When Unit refuses a write anyway (a repeat after a lost answer, or a change in
//! between), the card is read again and the same rule decides.

use axum::{
    Json,
    extract::{Path, State, rejection::PathRejection},
};
use stytch_unit_common::{
    http::{ApiError, UnitCustomerToken},
    unit::{Card, CardAction, UnitCustomerClient},
};

use crate::{
    errors::card_error,
    status_rules::{self, Decision},
    validation,
};

async fn act(
    unit: &UnitCustomerClient,
    token: &UnitCustomerToken,
    path: Result<Path<String>, PathRejection>,
    action: CardAction,
) -> Result<Json<Card>, ApiError> {
    let card_id = validation::card_id(path)?;
    let card = unit.get_card(token, &card_id).await.map_err(card_error)?;
    match status_rules::decide(action, &card.status) {
        Decision::AlreadyThere => {
            tracing::info!(%card_id, ?action, status = card.status, "card already there: no Unit write");
            return Ok(Json(card));
        }
        Decision::Refuse => return Err(status_rules::conflict(&card.status, status_rules::done(action))),
        Decision::Go => {}
    }
    let card = match unit.card_action(token, &card_id, action).await {
        Ok(card) => card,
        Err(error) if error.has_code("not_supported_for_card_status") => {
            let now = unit.get_card(token, &card_id).await.map_err(card_error)?;
            if now.status != status_rules::target(action) {
                return Err(status_rules::conflict(&now.status, status_rules::done(action)));
            }
            now
        }
        Err(error) => return Err(card_error(error)),
    };
    tracing::info!(%card_id, ?action, status = card.status, "card updated");
    Ok(Json(card))
}

macro_rules! action_route {
    ($name:ident, $action:expr) => {
        pub async fn $name(
            State(unit): State<UnitCustomerClient>,
            token: UnitCustomerToken,
            path: Result<Path<String>, PathRejection>,
        ) -> Result<Json<Card>, ApiError> {
            act(&unit, &token, path, $action).await
        }
    };
}

action_route!(freeze, CardAction::Freeze);
action_route!(unfreeze, CardAction::Unfreeze);
action_route!(close, CardAction::Close);
action_route!(report_lost, CardAction::ReportLost);
action_route!(report_stolen, CardAction::ReportStolen);
