//! Deposit accounts: `POST /accounts` (org token: Unit opens none on approval, the integrator
//! does) and `GET /accounts` (customer token: a card needs a deposit account).

use reqwest::Method;
use serde::{Deserialize, Serialize};

use super::{
    UnitClient, UnitCustomerClient, UnitCustomerError, UnitError,
    jsonapi::{Document, ListDocument, RequestDocument, Resource, relationship},
    to_body,
    transport::Operation,
};
use crate::validated::UnitId;
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

/// A `depositAccount` to open for a customer (`createAccount.json#CreateDepositAccount`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct NewDepositAccount<'a> {
    deposit_product: &'a str,
    idempotency_key: &'a str,
}

impl UnitClient {
    /// Opens a deposit account of the configured product for `customer_id`. Safe to retry: the
    /// idempotency key makes Unit answer a repeat with the account it opened.
    pub async fn open_deposit_account(
        &self,
        customer_id: &UnitId,
        idempotency_key: &str,
    ) -> Result<Account, UnitError> {
        let customer = relationship("customer", customer_id.as_str());
        let new = NewDepositAccount { deposit_product: &self.deposit_product, idempotency_key };
        let body = to_body(
            &RequestDocument::new("depositAccount", new)
                .with_relationships(serde_json::json!({ "customer": customer })),
        );
        let document: Document<AccountAttributes> = self
            .call(Operation::write("accounts.create", Method::POST, Idempotency::Safe), "/accounts", &[], Some(body))
            .await?;
        account(document.data)
    }
}

impl UnitClient {
    /// The open deposit accounts of `customer_id` (an existing customer may already have one).
    pub async fn open_deposit_accounts_of(&self, customer_id: &UnitId) -> Result<Vec<Account>, UnitError> {
        let query = [
            ("filter[customerId]", customer_id.to_string()),
            ("filter[status][0]", "Open".to_owned()),
            ("page[limit]", "100".to_owned()),
        ];
        let list: ListDocument<AccountAttributes> =
            self.call(Operation::read("accounts.list"), "/accounts", &query, None).await?;
        list.data.into_iter().filter(|resource| resource.kind == "depositAccount").map(account).collect()
    }
}

impl UnitCustomerClient {
    /// Unit returns only the token's customer's accounts.
    pub async fn list_accounts(&self, token: &UnitCustomerToken) -> Result<Vec<Account>, UnitCustomerError> {
        let query = [("page[limit]", "100".to_owned())];
        let document: ListDocument<AccountAttributes> =
            self.call(token, Operation::read("accounts.list"), "/accounts", &query, None).await?;
        document.data.into_iter().map(|resource| account(resource).map_err(UnitCustomerError)).collect()
    }
}

fn account(resource: Resource<AccountAttributes>) -> Result<Account, UnitError> {
    let customer_id = resource.related_id("customer");
    Ok(Account {
        id: resource.id.ok_or(UnitError::UnexpectedBody { status: 200 })?,
        kind: resource.kind,
        status: resource.attributes.status,
        customer_id,
    })
}
