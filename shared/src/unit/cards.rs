//! Cards: list (optionally by tag), get, create an individual debit card, virtual or physical.
//! Status changes, replacement, tags, limits and PIN status: `card_operations.rs`.

use reqwest::Method;
use serde::{Deserialize, Serialize};

use super::{
    Address, UnitCustomerClient, UnitCustomerError, UnitError,
    jsonapi::{Document, ListDocument, RequestDocument, Resource, relationship},
    to_body,
    transport::Operation,
};
use crate::validated::UnitId;
use crate::{http::UnitCustomerToken, upstream::Idempotency};

/// Virtual (usable at once, `Active` on creation) or physical (shipped, `Inactive` until the
/// cardholder activates it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CardType {
    Virtual,
    Physical,
}

impl CardType {
    /// Unit's resource type for an individual's debit card of this kind.
    pub fn unit_type(self) -> &'static str {
        match self {
            CardType::Virtual => "individualVirtualDebitCard",
            CardType::Physical => "individualDebitCard",
        }
    }

    /// Every Unit card type with `Virtual` in its name is virtual.
    fn of(unit_type: &str) -> Self {
        if unit_type.contains("Virtual") { CardType::Virtual } else { CardType::Physical }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Card {
    pub id: String,
    #[serde(rename = "type")]
    pub card_type: CardType,
    pub status: String,
    pub last4_digits: Option<String>,
    pub expiration_date: Option<String>,
    pub account_id: Option<String>,
    #[serde(skip)]
    pub customer_id: Option<String>,
    /// Where a physical card was shipped; the default address of its replacement.
    #[serde(skip)]
    pub shipping_address: Option<Address>,
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

/// Unit's `CardLevelLimits`, in cents; each is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CardLimits {
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub daily_withdrawal: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub daily_purchase: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub monthly_withdrawal: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub monthly_purchase: Option<u64>,
}

/// A new individual debit card. Unit takes `shipping_address` and `design` on physical cards only;
/// the caller checks that before building one.
pub struct NewCard<'a> {
    pub card_type: CardType,
    pub account_id: &'a UnitId,
    pub shipping_address: Option<&'a Address>,
    pub design: Option<&'a str>,
    pub limits: Option<&'a CardLimits>,
    /// From the caller's `Idempotency-Key`: a retry returns the first card, never a second.
    pub idempotency_key: &'a str,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct CardAttributes {
    status: String,
    #[serde(default)]
    last4_digits: Option<String>,
    #[serde(default)]
    expiration_date: Option<String>,
    #[serde(default)]
    shipping_address: Option<Address>,
    #[serde(default)]
    created_at: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NewCardAttributes<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    shipping_address: Option<&'a Address>,
    #[serde(skip_serializing_if = "Option::is_none")]
    design: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    limits: Option<&'a CardLimits>,
    idempotency_key: &'a str,
}

pub(super) fn card(resource: Resource<CardAttributes>) -> Result<Card, UnitCustomerError> {
    Ok(Card {
        account_id: resource.related_id("account"),
        customer_id: resource.related_id("customer"),
        id: resource.id.ok_or(UnitCustomerError(UnitError::UnexpectedBody { status: 200 }))?,
        card_type: CardType::of(&resource.kind),
        status: resource.attributes.status,
        last4_digits: resource.attributes.last4_digits,
        expiration_date: resource.attributes.expiration_date,
        shipping_address: resource.attributes.shipping_address,
        created_at: resource.attributes.created_at,
    })
}

pub(super) fn card_path(id: &UnitId, action: &str) -> String {
    format!("/cards/{id}{action}")
}

impl UnitCustomerClient {
    pub async fn list_cards(&self, token: &UnitCustomerToken, page: Page) -> Result<CardList, UnitCustomerError> {
        self.cards(token, page, None).await
    }

    /// The cards carrying tag `key` = `value` (`filter[tags]`), newest first.
    pub async fn cards_tagged(
        &self,
        token: &UnitCustomerToken,
        key: &str,
        value: &str,
    ) -> Result<Vec<Card>, UnitCustomerError> {
        let tags = serde_json::json!({ key: value }).to_string();
        Ok(self.cards(token, Page { limit: 10, offset: 0 }, Some(tags)).await?.cards)
    }

    async fn cards(
        &self,
        token: &UnitCustomerToken,
        page: Page,
        tags: Option<String>,
    ) -> Result<CardList, UnitCustomerError> {
        let mut query = vec![
            ("page[limit]", page.limit.to_string()),
            ("page[offset]", page.offset.to_string()),
            ("sort", "-createdAt".to_owned()),
        ];
        query.extend(tags.map(|tags| ("filter[tags]", tags)));
        let document: ListDocument<CardAttributes> =
            self.call(token, Operation::read("cards.list"), "/cards", &query, None).await?;
        let total = document.meta.and_then(|m| m.pagination).map(|p| p.total);
        let cards = document.data.into_iter().map(card).collect::<Result<Vec<_>, _>>()?;
        Ok(CardList { total: total.unwrap_or(cards.len() as u64), cards })
    }

    pub async fn get_card(&self, token: &UnitCustomerToken, id: &UnitId) -> Result<Card, UnitCustomerError> {
        let document: Document<CardAttributes> =
            self.call(token, Operation::read("cards.get"), &card_path(id, ""), &[], None).await?;
        card(document.data)
    }

    /// Safe to retry because Unit deduplicates on the idempotency key.
    pub async fn create_card(&self, token: &UnitCustomerToken, new: &NewCard<'_>) -> Result<Card, UnitCustomerError> {
        let attributes = NewCardAttributes {
            shipping_address: new.shipping_address,
            design: new.design,
            limits: new.limits,
            idempotency_key: new.idempotency_key,
        };
        let body = to_body(&RequestDocument::new(new.card_type.unit_type(), attributes).with_relationships(
            serde_json::json!({ "account": relationship("depositAccount", new.account_id.as_str()) }),
        ));
        let document: Document<CardAttributes> = self
            .call(token, Operation::write("cards.create", Method::POST, Idempotency::Safe), "/cards", &[], Some(body))
            .await?;
        card(document.data)
    }
}
