//! `GET /cards?limit=&offset=`: the token's customer's cards, newest first.

use axum::{
    Json,
    extract::{RawQuery, State},
};
use serde::Serialize;
use stytch_unit_common::{
    http::{ApiError, UnitCustomerToken},
    unit::{Card, UnitCustomerClient},
};

use crate::validation;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CardsPage {
    pub cards: Vec<Card>,
    pub total: u64,
}

pub async fn list(
    State(unit): State<UnitCustomerClient>,
    token: UnitCustomerToken,
    RawQuery(query): RawQuery,
) -> Result<Json<CardsPage>, ApiError> {
    let page = validation::page(query.as_deref())?;
    let list = unit.list_cards(&token, page).await?;
    Ok(Json(CardsPage { cards: list.cards, total: list.total }))
}
