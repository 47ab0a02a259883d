//! `GET /accounts`: a card needs a deposit account.

use reqwest::Method;
use serde::Deserialize;

use super::{UnitAuth, UnitClient, UnitError, jsonapi::ListDocument};
use crate::upstream::Idempotency;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: String,
    pub kind: String,
    pub status: Option<String>,
    pub customer_id: Option<String>,
}

#[derive(Deserialize)]
struct AccountAttributes {
    #[serde(default)]
    status: Option<String>,
}

impl UnitClient {
    /// With a customer token Unit returns only that customer's accounts.
    pub async fn list_accounts(&self, auth: UnitAuth<'_>) -> Result<Vec<Account>, UnitError> {
        let query = [("page[limit]", "100".to_owned())];
        let document: ListDocument<AccountAttributes> =
            self.call(auth, Method::GET, "/accounts", &query, None, Idempotency::Safe).await?;
        document
            .data
            .into_iter()
            .map(|resource| {
                let customer_id = resource.related_id("customer");
                Ok(Account {
                    id: resource.id.ok_or(UnitError::UnexpectedBody { status: 200 })?,
                    kind: resource.kind,
                    status: resource.attributes.status,
                    customer_id,
                })
            })
            .collect()
    }
}
