//! Card status changes, each a move to one target status from the statuses Unit allows it from:
//!
//! | operation | from | to |
//! |---|---|---|
//! | `freeze` | `Active` | `Frozen` |
//! | `unfreeze` | `Frozen` | `Active` |
//! | `close` | `Inactive`, `Active`, `Frozen` | `ClosedByCustomer` |
//! | `report-lost` | `Inactive`, `Active`, `Frozen` | `Lost` |
//! | `report-stolen` | `Inactive`, `Active`, `Frozen` | `Stolen` |
//! | `sandbox/…/activate` | `Inactive` | `Active` |
//!
//! Anything else, asking for the status the card already has included, is 400
//! `not_supported_for_card_status` and leaves the card as it was (UNIT.md).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use super::UnitState;
use super::auth::Caller;
use super::cards::{render, visible};
use super::jsonapi::{self, Resource, UnitError};
use super::state::{self, CardStatus, Store};

/// One status change: its name in the path and where it may start from.
#[derive(Debug, Clone, Copy)]
enum Move {
    Freeze,
    Unfreeze,
    Close,
    ReportLost,
    ReportStolen,
    Activate,
}

impl Move {
    fn name(self) -> &'static str {
        match self {
            Move::Freeze => "freeze",
            Move::Unfreeze => "unfreeze",
            Move::Close => "close",
            Move::ReportLost => "report lost",
            Move::ReportStolen => "report stolen",
            Move::Activate => "activate",
        }
    }

    /// The status this move leads to from `from`, if Unit allows it.
    fn next(self, from: CardStatus) -> Option<CardStatus> {
        use CardStatus::{Active, ClosedByCustomer, Frozen, Inactive, Lost, Stolen};
        let open = matches!(from, Inactive | Active | Frozen);
        match self {
            Move::Freeze => (from == Active).then_some(Frozen),
            Move::Unfreeze => (from == Frozen).then_some(Active),
            Move::Close => open.then_some(ClosedByCustomer),
            Move::ReportLost => open.then_some(Lost),
            Move::ReportStolen => open.then_some(Stolen),
            Move::Activate => (from == Inactive).then_some(Active),
        }
    }
}

pub(crate) async fn freeze(
    State(state): State<UnitState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, UnitError> {
    transition(&state, &caller, &id, Move::Freeze)
}

pub(crate) async fn unfreeze(
    State(state): State<UnitState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, UnitError> {
    transition(&state, &caller, &id, Move::Unfreeze)
}

pub(crate) async fn close(
    State(state): State<UnitState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, UnitError> {
    transition(&state, &caller, &id, Move::Close)
}

pub(crate) async fn report_lost(
    State(state): State<UnitState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, UnitError> {
    transition(&state, &caller, &id, Move::ReportLost)
}

pub(crate) async fn report_stolen(
    State(state): State<UnitState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, UnitError> {
    transition(&state, &caller, &id, Move::ReportStolen)
}

/// `POST /sandbox/cards/{id}/activate`: what the cardholder does with Unit's activation component,
/// for the org token only (Unit's simulations are org calls). Answers 201, as Unit's spec does,
/// with the card. Activating a replacement closes the card it replaces (UNIT.md).
pub(crate) async fn sandbox_activate(
    State(state): State<UnitState>,
    caller: Caller,
    Path(raw_id): Path<String>,
) -> Result<Response, UnitError> {
    caller.require_org("activate card simulation")?;
    let mut store = state.store();
    let id = apply(&mut store, &caller, &raw_id, Move::Activate)?;
    let replaced = store.cards.get(&id).and_then(|card| card.replaces);
    if let Some(old) = replaced.and_then(|old| store.cards.get_mut(&old))
        && !old.status.is_final()
    {
        old.status = CardStatus::ClosedByCustomer;
        old.updated_at = state::now();
    }
    let card = visible(&store, &caller, &raw_id)?;
    Ok(jsonapi::document(StatusCode::CREATED, json!({ "data": render(card) })))
}

/// A customer-facing move (`cards-write`), answered with the card.
fn transition(state: &UnitState, caller: &Caller, raw_id: &str, step: Move) -> Result<Response, UnitError> {
    caller.require_scope("cards-write")?;
    let mut store = state.store();
    apply(&mut store, caller, raw_id, step)?;
    Ok(jsonapi::ok(render(visible(&store, caller, raw_id)?)))
}

/// Applies `step` if Unit allows it from the card's current status; else 400
/// `not_supported_for_card_status` and the card is left as it was. Returns the card's id.
fn apply(store: &mut Store, caller: &Caller, raw_id: &str, step: Move) -> Result<u64, UnitError> {
    let id = visible(store, caller, raw_id)?.id;
    let Some(card) = store.cards.get_mut(&id) else {
        return Err(UnitError::not_found(Resource::Card, raw_id));
    };
    let Some(new_status) = step.next(card.status) else {
        return Err(UnitError::status_conflict(
            "not_supported_for_card_status",
            format!("Cannot {} card {raw_id}: it is {}", step.name(), card.status.as_str()),
        ));
    };
    card.status = new_status;
    card.updated_at = state::now();
    Ok(id)
}
