//! `GET /cards?limit=&offset=`: the token's customer's cards, newest first.

use axum::{
    Json,
    extract::{RawQuery, State},
};
use serde::Serialize;
use stytch_unit_common::{
    http::{ApiError, UnitCustomerToken},
    startup::Dependencies,
    unit::{Card, UnitAuth},
};

use crate::validation;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CardsPage {
    pub cards: Vec<Card>,
    pub total: u64,
}

pub async fn list(
    State(dependencies): State<Dependencies>,
    UnitCustomerToken(token): UnitCustomerToken,
    RawQuery(query): RawQuery,
) -> Result<Json<CardsPage>, ApiError> {
    let page = validation::page(query.as_deref())?;
    let list = dependencies.unit()?.list_cards(UnitAuth::Customer(&token), page).await?;
    Ok(Json(CardsPage { cards: list.cards, total: list.total }))
}
