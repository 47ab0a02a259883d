//! `depositAccount`: one opened per approved application; `GET /accounts` and `GET /accounts/{id}`.

use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use serde_json::{Value, json};

use super::UnitState;
use super::auth::Caller;
use super::customers;
use super::ids::parse_id;
use super::jsonapi::{self, Resource, UnitError};
use super::pagination::{ListQuery, list_document};
use super::state::{self, Account, Store};

/// The routing number every sandbox account reports (a syntactically valid 9-digit ABA number).
const ROUTING_NUMBER: &str = "812345678";

/// The product name Unit's docs use for a checking deposit product.
const DEPOSIT_PRODUCT: &str = "checking";

/// Opens an empty, `Open` deposit account for a customer and returns its id.
pub(crate) fn open_for(store: &mut Store, customer_id: u64) -> u64 {
    let id = store.ids.account();
    let name = store.customers.get(&customer_id).map(|customer| customer.applicant.display_name()).unwrap_or_default();
    let now = state::now();
    store.accounts.insert(
        id,
        Account {
            id,
            customer_id,
            name,
            // 10 digits, unique per account id.
            account_number: format!("{:010}", 1_000_000_000 + id),
            created_at: now,
            updated_at: now,
        },
    );
    id
}

/// `GET /accounts`: the caller's accounts (all of them for the org token), newest first.
/// Filters: `filter[customerId]`, `filter[status][]`; `include=customer`.
pub(crate) async fn list(State(state): State<UnitState>, caller: Caller, uri: Uri) -> Result<Response, UnitError> {
    caller.require_scope("accounts")?;
    let query = ListQuery::from_uri(&uri)?;
    let page = query.page()?;
    let newest_first = query.newest_first()?;
    let includes = query.includes(&["customer"])?;
    let customer_filter = query.get("filter[customerId]");
    let statuses = query.all("filter[status]");

    let store = state.store();
    let mut matching: Vec<&Account> = store
        .accounts
        .values()
        .filter(|account| caller.sees_account(account))
        .filter(|account| customer_filter.is_none_or(|id| id == account.customer_id.to_string()))
        .filter(|_| statuses.is_empty() || statuses.contains(&"Open"))
        .collect();
    if newest_first {
        matching.reverse();
    }
    let (items, total) = page.slice(matching);
    let included =
        if includes.is_empty() { Vec::new() } else { related_customers(&store, items.iter().map(|a| a.customer_id)) };
    let data = items.into_iter().map(render).collect();
    Ok(list_document(data, total, page, included))
}

/// `GET /accounts/{id}`
pub(crate) async fn get_one(
    State(state): State<UnitState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, UnitError> {
    caller.require_scope("accounts")?;
    let store = state.store();
    let account = visible(&store, &caller, &id).ok_or_else(|| not_found(&id))?;
    Ok(jsonapi::ok(render(account)))
}

/// The account with this id if the caller may see it; else 404 (never 403).
pub(crate) fn visible<'a>(store: &'a Store, caller: &Caller, raw_id: &str) -> Option<&'a Account> {
    parse_id(raw_id).and_then(|id| store.accounts.get(&id)).filter(|account| caller.sees_account(account))
}

/// The rendered customers behind `ids`, each once, for `included`.
pub(crate) fn related_customers(store: &Store, ids: impl Iterator<Item = u64>) -> Vec<Value> {
    let mut seen = Vec::new();
    for id in ids {
        if !seen.contains(&id) {
            seen.push(id);
        }
    }
    seen.into_iter().filter_map(|id| store.customers.get(&id)).map(customers::render).collect()
}

/// A deposit account as Unit returns it. Balances are in cents and stay 0: the sandbox moves no money.
pub(crate) fn render(account: &Account) -> Value {
    let last4 = &account.account_number[account.account_number.len().saturating_sub(4)..];
    json!({
        "type": "depositAccount",
        "id": account.id.to_string(),
        "attributes": {
            "createdAt": state::rfc3339(account.created_at),
            "updatedAt": state::rfc3339(account.updated_at),
            "name": account.name,
            "depositProduct": DEPOSIT_PRODUCT,
            "routingNumber": ROUTING_NUMBER,
            "accountNumber": account.account_number,
            "maskedAccountNumber": format!("******{last4}"),
            "currency": "USD",
            "balance": 0,
            "hold": 0,
            "available": 0,
            "overdraftLimit": 0,
            "tags": {},
            "status": "Open",
            "isOverdrawnWithinLimit": false,
        },
        "relationships": {
            "customer": jsonapi::relationship("customer", account.customer_id),
        },
    })
}

/// 404 for an account named in the path.
pub(crate) fn not_found(raw_id: &str) -> UnitError {
    UnitError::not_found(Resource::Account, raw_id)
}
