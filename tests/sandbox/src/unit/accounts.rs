//! `depositAccount`: `POST /accounts` (the integrator opens it once the customer exists; Unit opens
//! no account on approval), `GET /accounts` and `GET /accounts/{id}`.
//!
//! Source: Unit's OpenAPI `accountPaths.json#/accounts` and `createAccount.json#CreateDepositAccount`
//! (`depositProduct` required, `tags`, `idempotencyKey`, relationship `customer`); both official SDKs'
//! own tests open the account explicitly after approval.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::UnitState;
use super::applications::tags_json;
use super::auth::Caller;
use super::body::{self, Expect, JsonBody};
use super::customers;
use super::fields;
use super::ids::parse_id;
use super::jsonapi::{self, Problems, Resource, UnitError};
use super::pagination::{ListQuery, list_document};
use super::state::{self, Account, Store};

/// The routing number every sandbox account reports (a syntactically valid 9-digit ABA number).
const ROUTING_NUMBER: &str = "812345678";

/// The deposit products the sandbox org has. Unit's docs use `checking`; products are configured
/// per org in Unit's dashboard, so any other name is refused as an unknown product would be.
const DEPOSIT_PRODUCTS: &[&str] = &["checking", "savings"];

const CUSTOMER_TYPES: &[&str] = &["customer", "individualCustomer"];

struct NewAccount {
    customer_id: String,
    deposit_product: String,
    tags: BTreeMap<String, String>,
    idempotency_key: Option<String>,
}

/// `POST /accounts` with a `depositAccount`. The same `idempotencyKey` answers with the account it
/// first opened (Unit keys idempotency per org: the org token is the only caller that may open one).
pub(crate) async fn create(
    State(state): State<UnitState>,
    caller: Caller,
    JsonBody(body): JsonBody,
) -> Result<Response, UnitError> {
    caller.require_scope("accounts-write")?;
    let data = body::data(
        &body,
        &Expect { types: &["depositAccount"], attributes_required: true, relationships_allowed: true },
    )?;
    let new = validate(&data.attributes, data.relationships.as_ref())?;

    let mut store = state.store();
    if let Some(existing) =
        new.idempotency_key.as_ref().and_then(|key| store.account_keys.get(key)).and_then(|id| store.accounts.get(id))
    {
        return Ok(jsonapi::created(render(existing)));
    }
    let customer = parse_id(&new.customer_id)
        .and_then(|id| store.customers.get(&id))
        .filter(|customer| caller.sees_customer(customer.id))
        .ok_or_else(|| {
            UnitError::missing_reference(Resource::Customer, &new.customer_id, "/data/relationships/customer")
        })?;
    let (customer_id, name) = (customer.id, customer.applicant.display_name());

    let id = store.ids.account();
    let now = state::now();
    store.accounts.insert(
        id,
        Account {
            id,
            customer_id,
            name,
            deposit_product: new.deposit_product,
            // 10 digits, unique per account id.
            account_number: format!("{:010}", 1_000_000_000 + id),
            tags: new.tags,
            created_at: now,
            updated_at: now,
        },
    );
    if let Some(key) = new.idempotency_key {
        store.account_keys.insert(key, id);
    }
    Ok(jsonapi::created(store.accounts.get(&id).map(render).unwrap_or(Value::Null)))
}

fn validate(
    attributes: &Map<String, Value>,
    relationships: Option<&Map<String, Value>>,
) -> Result<NewAccount, UnitError> {
    const AT: &str = "/data/attributes";
    let mut problems = Problems::default();
    fields::reject_unknown(attributes, &["depositProduct", "tags", "idempotencyKey"], AT, &mut problems);
    let deposit_product = fields::require(attributes, "depositProduct", AT, &mut problems)
        .and_then(|v| fields::one_of_strings(v, &format!("{AT}/depositProduct"), DEPOSIT_PRODUCTS, &mut problems));
    let tags = attributes.get("tags").and_then(|v| fields::tags(v, &format!("{AT}/tags"), &mut problems));
    let idempotency_key = attributes
        .get("idempotencyKey")
        .and_then(|v| fields::idempotency_key(v, &format!("{AT}/idempotencyKey"), &mut problems));
    let customer_id = body::relationship_id(relationships, "customer", CUSTOMER_TYPES, &mut problems);
    if customer_id.is_none() && problems.is_empty() {
        problems.invalid("/data/relationships/customer", "`relationships.customer` is required");
    }
    problems.finish()?;
    match (customer_id, deposit_product) {
        (Some(customer_id), Some(deposit_product)) => {
            Ok(NewAccount { customer_id, deposit_product, tags: tags.unwrap_or_default(), idempotency_key })
        }
        // Unreachable: every missing required field was recorded as a problem above.
        _ => Err(UnitError::invalid(AT, "Required attributes are missing")),
    }
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

/// `GET /accounts/{id}`, with `include=customer` as the list has.
pub(crate) async fn get_one(
    State(state): State<UnitState>,
    caller: Caller,
    Path(id): Path<String>,
    uri: Uri,
) -> Result<Response, UnitError> {
    caller.require_scope("accounts")?;
    let query = ListQuery::from_uri(&uri)?;
    let includes = query.includes(&["customer"])?;
    let store = state.store();
    let account = visible(&store, &caller, &id).ok_or_else(|| not_found(&id))?;
    if includes.is_empty() {
        return Ok(jsonapi::ok(render(account)));
    }
    let included = related_customers(&store, std::iter::once(account.customer_id));
    Ok(jsonapi::document(axum::http::StatusCode::OK, json!({ "data": render(account), "included": included })))
}

/// `GET /accounts/{id}/limits` (`accountPaths.json#/getAccountLimits`, `limits.json#DepositLimits`):
/// the deposit product's limits in cents. The sandbox moves no money, so every total is 0; the
/// limits are plausible values of its own (Unit's are set per deposit product).
pub(crate) async fn limits(
    State(state): State<UnitState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, UnitError> {
    caller.require_scope("accounts")?;
    let store = state.store();
    let account = visible(&store, &caller, &id).ok_or_else(|| not_found(&id))?;
    Ok(jsonapi::ok(json!({
        "type": "limits",
        "id": account.id.to_string(),
        "attributes": {
            "ach": {
                "limits": { "dailyDebit": 2_500_000, "dailyCredit": 2_500_000, "monthlyDebit": 10_000_000, "monthlyCredit": 10_000_000 },
                "totalsDaily": { "debits": 0, "credits": 0 },
                "totalsMonthly": { "debits": 0, "credits": 0 },
            },
            "card": {
                "limits": { "dailyWithdrawal": 100_000, "dailyDeposit": 100_000, "dailyPurchase": 500_000, "dailyCardTransaction": 500_000 },
                "totalsDaily": { "withdrawals": 0, "deposits": 0, "purchases": 0, "cardTransactions": 0 },
            },
            "checkDeposit": {
                "limits": { "daily": 1_000_000, "monthly": 5_000_000, "dailySoft": 500_000, "monthlySoft": 2_500_000 },
                "totalsDaily": 0,
                "totalsMonthly": 0,
            },
        },
    })))
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
            "depositProduct": account.deposit_product,
            "routingNumber": ROUTING_NUMBER,
            "accountNumber": account.account_number,
            "maskedAccountNumber": format!("******{last4}"),
            "currency": "USD",
            "balance": 0,
            "hold": 0,
            "available": 0,
            "overdraftLimit": 0,
            "tags": tags_json(&account.tags),
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
