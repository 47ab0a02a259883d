//! `POST /cards/{id}/replace`, `GET /cards/{id}/limits` and `GET /cards/{id}/secure-data/pin/status`.

use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::UnitState;
use super::auth::Caller;
use super::body::{self, Expect, JsonBody};
use super::cards::{expiration_from, render, visible};
use super::fields;
use super::jsonapi::{self, Problems, UnitError};
use super::state::{self, Card, CardKind, CardStatus};

/// The limits a card without its own shows, in cents: the sandbox's stand-in for the org's card
/// limits, which Unit sets per org and does not document (UNIT.md).
const DEFAULT_LIMITS: [(&str, u64); 4] = [
    ("dailyWithdrawal", 50_000),
    ("dailyPurchase", 250_000),
    ("monthlyWithdrawal", 500_000),
    ("monthlyPurchase", 2_500_000),
];

/// `POST /cards/{id}/replace` (`replaceCard`, `shippingAddress` required by Unit's spec): a new
/// physical card, `Inactive`, on the same account, with the same last four digits and a new
/// expiration, no tags; the old one stays as it is until the new one is activated (UNIT.md). Only an
/// `Active` or `Frozen` physical card can be replaced. 200 with the new card, as Unit's spec says.
pub(crate) async fn replace(
    State(state): State<UnitState>,
    caller: Caller,
    Path(raw_id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Response, UnitError> {
    caller.require_scope("cards-write")?;
    let expect = Expect { types: &["replaceCard"], attributes_required: true, relationships_allowed: false };
    let data = body::data(&body, &expect)?;
    const AT: &str = "/data/attributes";
    let mut problems = Problems::default();
    fields::reject_unknown(&data.attributes, &["shippingAddress"], AT, &mut problems);
    let address = fields::require(&data.attributes, "shippingAddress", AT, &mut problems)
        .and_then(|value| fields::address(value, &format!("{AT}/shippingAddress"), &mut problems));
    problems.finish()?;

    let mut store = state.store();
    let old = visible(&store, &caller, &raw_id)?.clone();
    if old.kind != CardKind::Physical {
        return Err(UnitError::status_conflict("not_supported_for_card_type", "Only a physical card can be replaced"));
    }
    if !matches!(old.status, CardStatus::Active | CardStatus::Frozen) {
        return Err(UnitError::status_conflict(
            "not_supported_for_card_status",
            format!("Cannot replace card {raw_id}: it is {}", old.status.as_str()),
        ));
    }
    let id = store.ids.card();
    let now = state::now();
    let card = Card {
        id,
        status: CardStatus::Inactive,
        expiration: expiration_from(now),
        shipping_address: address,
        tags: Default::default(),
        replaces: Some(old.id),
        created_at: now,
        updated_at: now,
        ..old
    };
    let rendered = render(&card);
    store.cards.insert(id, card);
    Ok(jsonapi::ok(rendered))
}

/// `GET /cards/{id}/limits` (`cards`): the card's limits, and daily and monthly totals, which stay
/// 0 because the sandbox moves no money.
pub(crate) async fn limits(
    State(state): State<UnitState>,
    caller: Caller,
    Path(raw_id): Path<String>,
) -> Result<Response, UnitError> {
    caller.require_scope("cards")?;
    let store = state.store();
    let card = visible(&store, &caller, &raw_id)?;
    let limits = card.limits.clone().unwrap_or_else(|| {
        DEFAULT_LIMITS.iter().map(|(key, cents)| ((*key).to_string(), json!(cents))).collect::<Map<String, Value>>()
    });
    let totals = json!({ "withdrawals": 0, "deposits": 0, "purchases": 0, "cardTransactions": 0 });
    let data = json!({
        "type": "limits",
        "attributes": { "limits": limits, "dailyTotals": totals, "monthlyTotals": totals },
    });
    Ok(jsonapi::ok(data))
}

/// `GET /cards/{id}/secure-data/pin/status` (`cards-sensitive`, as every secure-data call):
/// always `NotSet`, since PINs are set with Unit's secure components, which the sandbox does not
/// serve.
pub(crate) async fn pin_status(
    State(state): State<UnitState>,
    caller: Caller,
    Path(raw_id): Path<String>,
) -> Result<Response, UnitError> {
    caller.require_scope("cards-sensitive")?;
    let store = state.store();
    visible(&store, &caller, &raw_id)?;
    Ok(jsonapi::ok(json!({ "type": "pinStatus", "attributes": { "status": "NotSet" } })))
}
