//! Cards: list, get, create an individual debit card, freeze, unfreeze, close.

use reqwest::Method;
use serde::{Deserialize, Serialize};

use super::{
    Address, UnitCustomerClient, UnitCustomerError, UnitError, checked_id,
    jsonapi::{Document, ListDocument, RequestDocument, Resource, relationship},
    to_body,
};
use crate::{http::UnitCustomerToken, upstream::Idempotency};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Card {
    pub id: String,
    #[serde(skip)]
    pub kind: String,
    pub status: String,
    pub last4_digits: Option<String>,
    pub expiration_date: Option<String>,
    pub account_id: Option<String>,
    #[serde(skip)]
    pub customer_id: Option<String>,
    pub created_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardList {
    pub cards: Vec<Card>,
    pub total: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub limit: u32,
    pub offset: u32,
}

pub struct NewDebitCard<'a> {
    pub account_id: &'a str,
    pub shipping_address: Option<&'a Address>,
    /// From the caller's `Idempotency-Key`: a retry returns the first card, never a second.
    pub idempotency_key: &'a str,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CardAttributes {
    status: String,
    #[serde(default)]
    last4_digits: Option<String>,
    #[serde(default)]
    expiration_date: Option<String>,
    #[serde(default)]
    created_at: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NewCardAttributes<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    shipping_address: Option<&'a Address>,
    idempotency_key: &'a str,
}

fn card(resource: Resource<CardAttributes>) -> Result<Card, UnitCustomerError> {
    Ok(Card {
        account_id: resource.related_id("account"),
        customer_id: resource.related_id("customer"),
        id: resource.id.ok_or(UnitCustomerError(UnitError::UnexpectedBody { status: 200 }))?,
        kind: resource.kind,
        status: resource.attributes.status,
        last4_digits: resource.attributes.last4_digits,
        expiration_date: resource.attributes.expiration_date,
        created_at: resource.attributes.created_at,
    })
}

/// A card id checked before it reaches a URL path.
fn card_path(id: &str, action: &str) -> Result<String, UnitCustomerError> {
    Ok(format!("/cards/{}{action}", checked_id(id).map_err(UnitCustomerError)?))
}

impl UnitCustomerClient {
    pub async fn list_cards(&self, token: &UnitCustomerToken, page: Page) -> Result<CardList, UnitCustomerError> {
        let query = [
            ("page[limit]", page.limit.to_string()),
            ("page[offset]", page.offset.to_string()),
            ("sort", "-createdAt".to_owned()),
        ];
        let document: ListDocument<CardAttributes> =
            self.call(token, Method::GET, "/cards", &query, None, Idempotency::Safe).await?;
        let total = document.meta.and_then(|m| m.pagination).map(|p| p.total);
        let cards = document.data.into_iter().map(card).collect::<Result<Vec<_>, _>>()?;
        Ok(CardList { total: total.unwrap_or(cards.len() as u64), cards })
    }

    pub async fn get_card(&self, token: &UnitCustomerToken, id: &str) -> Result<Card, UnitCustomerError> {
        let document: Document<CardAttributes> =
            self.call(token, Method::GET, &card_path(id, "")?, &[], None, Idempotency::Safe).await?;
        card(document.data)
    }

    /// Safe to retry because Unit deduplicates on the idempotency key.
    pub async fn create_debit_card(
        &self,
        token: &UnitCustomerToken,
        new: &NewDebitCard<'_>,
    ) -> Result<Card, UnitCustomerError> {
        let account_id = checked_id(new.account_id).map_err(UnitCustomerError)?;
        let attributes =
            NewCardAttributes { shipping_address: new.shipping_address, idempotency_key: new.idempotency_key };
        let body = to_body(
            &RequestDocument::new("individualDebitCard", attributes)
                .with_relationships(serde_json::json!({ "account": relationship("depositAccount", account_id) })),
        );
        let document: Document<CardAttributes> =
            self.call(token, Method::POST, "/cards", &[], Some(body), Idempotency::Safe).await?;
        card(document.data)
    }

    pub async fn freeze_card(&self, token: &UnitCustomerToken, id: &str) -> Result<Card, UnitCustomerError> {
        self.card_action(token, id, "freeze").await
    }

    pub async fn unfreeze_card(&self, token: &UnitCustomerToken, id: &str) -> Result<Card, UnitCustomerError> {
        self.card_action(token, id, "unfreeze").await
    }

    pub async fn close_card(&self, token: &UnitCustomerToken, id: &str) -> Result<Card, UnitCustomerError> {
        self.card_action(token, id, "close").await
    }

    /// Freeze, unfreeze and close move the card to a target state, so repeating one is harmless.
    async fn card_action(&self, token: &UnitCustomerToken, id: &str, action: &str) -> Result<Card, UnitCustomerError> {
        let path = card_path(id, &format!("/{action}"))?;
        let document: Document<CardAttributes> =
            self.call(token, Method::POST, &path, &[], None, Idempotency::Safe).await?;
        card(document.data)
    }
}
