//! `GET /accounts`: a card needs a deposit account.

use reqwest::Method;
use serde::Deserialize;

use super::{UnitCustomerClient, UnitCustomerError, UnitError, jsonapi::ListDocument};
use crate::{http::UnitCustomerToken, upstream::Idempotency};

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

impl UnitCustomerClient {
    /// Unit returns only the token's customer's accounts.
    pub async fn list_accounts(&self, token: &UnitCustomerToken) -> Result<Vec<Account>, UnitCustomerError> {
        let query = [("page[limit]", "100".to_owned())];
        let document: ListDocument<AccountAttributes> =
            self.call(token, Method::GET, "/accounts", &query, None, Idempotency::Safe).await?;
        document
            .data
            .into_iter()
            .map(|resource| {
                let customer_id = resource.related_id("customer");
                Ok(Account {
                    id: resource.id.ok_or(UnitCustomerError(UnitError::UnexpectedBody { status: 200 }))?,
                    kind: resource.kind,
                    status: resource.attributes.status,
                    customer_id,
                })
            })
            .collect()
    }
}
