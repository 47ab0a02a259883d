//! What can be done to one card: status changes (freeze, unfreeze, close, report lost or stolen),
//! replacing a physical card, tagging, and reading its limits and PIN status.

use std::collections::BTreeMap;

use reqwest::Method;
use serde::{Deserialize, Serialize};

use super::{
    Address, UnitCustomerClient, UnitCustomerError,
    cards::{Card, CardAttributes, CardLimits, card, card_path},
    jsonapi::{Document, RequestDocument},
    to_body,
    transport::Operation,
    unit_id,
};
use crate::validated::UnitId;
use crate::{http::UnitCustomerToken, upstream::Idempotency};

/// A status change Unit offers on `POST /cards/{id}/<path>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardAction {
    Freeze,
    Unfreeze,
    Close,
    ReportLost,
    ReportStolen,
}

impl CardAction {
    pub fn path(self) -> &'static str {
        match self {
            CardAction::Freeze => "freeze",
            CardAction::Unfreeze => "unfreeze",
            CardAction::Close => "close",
            CardAction::ReportLost => "report-lost",
            CardAction::ReportStolen => "report-stolen",
        }
    }

    /// Its name in metrics and logs.
    pub fn operation(self) -> &'static str {
        match self {
            CardAction::Freeze => "cards.freeze",
            CardAction::Unfreeze => "cards.unfreeze",
            CardAction::Close => "cards.close",
            CardAction::ReportLost => "cards.report_lost",
            CardAction::ReportStolen => "cards.report_stolen",
        }
    }
}

/// `GET /cards/{id}/limits`: the card's limits and what has been spent against them, in cents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CardLimitsReport {
    #[serde(default)]
    pub limits: CardLimits,
    pub daily_totals: CardTotals,
    pub monthly_totals: CardTotals,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CardTotals {
    pub withdrawals: i64,
    pub deposits: i64,
    pub purchases: i64,
    pub card_transactions: i64,
}

/// Whether the cardholder has set a PIN (`Set` or `NotSet`, as Unit says it).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PinStatus {
    pub status: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReplaceAttributes<'a> {
    shipping_address: &'a Address,
}

#[derive(Serialize)]
struct TagAttributes<'a> {
    tags: BTreeMap<&'a str, &'a str>,
}

impl UnitCustomerClient {
    /// Each action moves the card to one target status, so repeating it is harmless: retried as safe.
    pub async fn card_action(
        &self,
        token: &UnitCustomerToken,
        id: &UnitId,
        action: CardAction,
    ) -> Result<Card, UnitCustomerError> {
        let path = card_path(id, &format!("/{}", action.path()));
        let document: Document<CardAttributes> = self
            .call(token, Operation::write(action.operation(), Method::POST, Idempotency::Safe), &path, &[], None)
            .await?;
        card(document.data)
    }

    /// A new physical card for a damaged one. Unit takes no idempotency key here, so this is never
    /// repeated once it may have reached Unit; the route makes caller retries safe with a tag.
    pub async fn replace_card(
        &self,
        token: &UnitCustomerToken,
        id: &UnitId,
        shipping_address: &Address,
    ) -> Result<Card, UnitCustomerError> {
        let path = card_path(id, "/replace");
        let body = to_body(&RequestDocument::new("replaceCard", ReplaceAttributes { shipping_address }));
        let document: Document<CardAttributes> = self
            .call(token, Operation::write("cards.replace", Method::POST, Idempotency::Unsafe), &path, &[], Some(body))
            .await?;
        card(document.data)
    }

    /// Sets one tag on `target` (`PATCH /cards/{id}`, which must repeat the card's type; other
    /// tags are kept). Setting a value twice changes nothing, so it is retried as safe.
    pub async fn tag_card(
        &self,
        token: &UnitCustomerToken,
        target: &Card,
        key: &str,
        value: &str,
    ) -> Result<Card, UnitCustomerError> {
        let path = card_path(&unit_id(&target.id).map_err(UnitCustomerError)?, "");
        let attributes = TagAttributes { tags: BTreeMap::from([(key, value)]) };
        let body = to_body(&RequestDocument::new(target.card_type.unit_type(), attributes));
        let document: Document<CardAttributes> = self
            .call(token, Operation::write("cards.tag", Method::PATCH, Idempotency::Safe), &path, &[], Some(body))
            .await?;
        card(document.data)
    }

    pub async fn card_limits(
        &self,
        token: &UnitCustomerToken,
        id: &UnitId,
    ) -> Result<CardLimitsReport, UnitCustomerError> {
        let document: Document<CardLimitsReport> =
            self.call(token, Operation::read("cards.limits"), &card_path(id, "/limits"), &[], None).await?;
        Ok(document.data.attributes)
    }

    pub async fn pin_status(&self, token: &UnitCustomerToken, id: &UnitId) -> Result<PinStatus, UnitCustomerError> {
        let path = card_path(id, "/secure-data/pin/status");
        let document: Document<PinStatus> =
            self.call(token, Operation::read("cards.pin_status"), &path, &[], None).await?;
        Ok(document.data.attributes)
    }
}
