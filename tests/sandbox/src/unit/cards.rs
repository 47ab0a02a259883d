//! Debit cards: `POST /cards`, `GET /cards`, `GET /cards/{id}`, `PATCH /cards/{id}`. Status changes
//! are in `card_status.rs`, replacing a card and its limits and PIN status in `card_extras.rs`.
//!
//! A physical card starts `Inactive` until the cardholder activates it, a virtual one `Active`
//! (Unit's cards guide; `UNIT.md`).

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use serde_json::{Map, Value, json};
use time::OffsetDateTime;

use super::UnitState;
use super::accounts;
use super::applications::tags_json;
use super::auth::Caller;
use super::body::{self, Expect, JsonBody};
use super::fields;
use super::ids::parse_id;
use super::jsonapi::{self, Problems, Resource, UnitError};
use super::pagination::{ListQuery, list_document};
use super::state::{self, Card, CardKind, CardStatus, Store};

const PHYSICAL_ATTRIBUTES: &[&str] = &[
    "shippingAddress",
    "design",
    "tags",
    "limits",
    "idempotencyKey",
    "bin",
    "cardQualifier",
    "cardDesignId",
    "additionalEmbossedText",
    "activeForOnlineUse",
    "printOnlyBusinessName",
    "expiryDate",
];

const VIRTUAL_ATTRIBUTES: &[&str] = &["tags", "limits", "idempotencyKey", "bin", "cardQualifier", "expiryDate"];

const ACCOUNT_TYPES: &[&str] = &["account", "depositAccount", "creditAccount", "batchAccount"];
const CUSTOMER_TYPES: &[&str] = &["customer", "individualCustomer", "businessCustomer"];
/// The statuses `filter[status]` takes (Unit's spec enum).
const LISTED_STATUSES: &[&str] =
    &["Inactive", "Active", "Stolen", "Lost", "Frozen", "ClosedByCustomer", "SuspectedFraud"];
const LIMIT_KEYS: &[&str] = &["dailyWithdrawal", "dailyPurchase", "monthlyWithdrawal", "monthlyPurchase"];

/// How long a new card is valid, in years.
const CARD_LIFETIME_YEARS: i32 = 4;

/// A validated create request.
struct NewCard {
    kind: CardKind,
    account_id: String,
    customer_id: Option<String>,
    shipping_address: Option<Value>,
    design: Option<String>,
    tags: BTreeMap<String, String>,
    limits: Option<Map<String, Value>>,
    idempotency_key: Option<String>,
    expiration: Option<String>,
}

/// `POST /cards` (`individualDebitCard` or `individualVirtualDebitCard`). The same
/// `idempotencyKey` returns the card it first created, never a second one, whoever asks: Unit
/// keeps one key space per org (UNIT.md), so the caller namespaces its keys.
pub(crate) async fn create(
    State(state): State<UnitState>,
    caller: Caller,
    JsonBody(body): JsonBody,
) -> Result<Response, UnitError> {
    caller.require_scope("cards-write")?;
    let data = body::data(
        &body,
        &Expect {
            types: &["individualDebitCard", "individualVirtualDebitCard"],
            attributes_required: true,
            relationships_allowed: true,
        },
    )?;
    let new = validate(&data)?;

    let mut store = state.store();
    let account = accounts::visible(&store, &caller, &new.account_id).ok_or_else(|| {
        UnitError::missing_reference(Resource::Account, &new.account_id, "/data/relationships/account/data/id")
    })?;
    let (account_id, customer_id) = (account.id, account.customer_id);
    if let Some(named) = &new.customer_id
        && *named != customer_id.to_string()
    {
        return Err(UnitError::rejected(
            "account_customer_mismatch",
            "/data/relationships/customer/data/id",
            format!("Customer {named} does not own account {account_id}"),
        ));
    }

    if let Some(key) = &new.idempotency_key
        && let Some(existing) = store.card_keys.get(key).and_then(|id| store.cards.get(id))
    {
        return Ok(jsonapi::created(render(existing)));
    }

    let id = store.ids.card();
    let now = state::now();
    let shipping_address = match new.kind {
        // Unit ships to the individual's own address when none is given.
        CardKind::Physical => new
            .shipping_address
            .or_else(|| store.customers.get(&customer_id).map(|customer| customer.applicant.address.clone())),
        CardKind::Virtual => None,
    };
    let card = Card {
        id,
        kind: new.kind,
        account_id,
        customer_id,
        last4: format!("{:04}", id % 10_000),
        expiration: new.expiration.unwrap_or_else(|| expiration_from(now)),
        shipping_address,
        status: match new.kind {
            CardKind::Physical => CardStatus::Inactive,
            CardKind::Virtual => CardStatus::Active,
        },
        design: new.design,
        tags: new.tags,
        limits: new.limits,
        replaces: None,
        created_at: now,
        updated_at: now,
    };
    let rendered = render(&card);
    store.cards.insert(id, card);
    if let Some(key) = new.idempotency_key {
        store.card_keys.insert(key, id);
    }
    Ok(jsonapi::created(rendered))
}

/// `GET /cards`: the caller's cards (all for the org token), newest first by default. Filters, as
/// Unit's spec lists them: `filter[accountId]`, `filter[customerId]`, `filter[status][]` and
/// `filter[tags]` (a JSON object; every tag must match). Any other `filter[…]` is 400.
/// `include=customer,account`.
pub(crate) async fn list(State(state): State<UnitState>, caller: Caller, uri: Uri) -> Result<Response, UnitError> {
    caller.require_scope("cards")?;
    let query = ListQuery::from_uri(&uri)?;
    let page = query.page()?;
    let newest_first = query.newest_first()?;
    let includes = query.includes(&["customer", "account"])?;
    query.only_filters(&["accountId", "customerId", "status", "tags"])?;
    let account_filter = query.get("filter[accountId]");
    let customer_filter = query.get("filter[customerId]");
    let statuses = query.all("filter[status]");
    if let Some(unknown) = statuses.iter().find(|status| !LISTED_STATUSES.contains(status)) {
        return Err(UnitError::invalid_parameter("filter[status]", format!("`{unknown}` is not a card status")));
    }
    let tags = query.get("filter[tags]").map(tags_filter).transpose()?.unwrap_or_default();

    let store = state.store();
    let mut matching: Vec<&Card> = store
        .cards
        .values()
        .filter(|card| caller.sees_card(card))
        .filter(|card| account_filter.is_none_or(|id| id == card.account_id.to_string()))
        .filter(|card| customer_filter.is_none_or(|id| id == card.customer_id.to_string()))
        .filter(|card| statuses.is_empty() || statuses.contains(&card.status.as_str()))
        .filter(|card| tags.iter().all(|(key, value)| card.tags.get(key) == Some(value)))
        .collect();
    if newest_first {
        matching.reverse();
    }
    let (items, total) = page.slice(matching);
    let included = included(&store, &caller, &items, &includes);
    let data = items.into_iter().map(render).collect();
    Ok(list_document(data, total, page, included))
}

/// `filter[tags]`: a JSON object of string values, as Unit's spec types it.
fn tags_filter(raw: &str) -> Result<BTreeMap<String, String>, UnitError> {
    let refused = || UnitError::invalid_parameter("filter[tags]", "filter[tags] must be a JSON object of strings");
    let object: Map<String, Value> = serde_json::from_str(raw).map_err(|_| refused())?;
    object.into_iter().map(|(key, value)| value.as_str().map(|v| (key, v.to_string())).ok_or_else(refused)).collect()
}

/// `PATCH /cards/{id}` (`cards-write`): the type must be the card's own; physical cards take
/// `shippingAddress`, `design`, `tags`, `limits`, virtual ones `tags` and `limits`
/// (`defaultFundingAccountId` is for business cards the sandbox does not serve). Tags are merged
/// key by key and a `null` value removes a key, as for customers (UNIT.md).
pub(crate) async fn patch(
    State(state): State<UnitState>,
    caller: Caller,
    Path(raw_id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Response, UnitError> {
    caller.require_scope("cards-write")?;
    let mut store = state.store();
    let card = visible(&store, &caller, &raw_id)?;
    let (id, kind) = (card.id, card.kind);
    let expect = Expect { types: &[kind.type_name()], attributes_required: true, relationships_allowed: false };
    let data = body::data(&body, &expect)?;
    const AT: &str = "/data/attributes";
    let pointer = |key: &str| format!("{AT}/{key}");
    let attributes = &data.attributes;
    let mut problems = Problems::default();
    let allowed: &[&str] = match kind {
        CardKind::Physical => &["shippingAddress", "design", "tags", "limits"],
        CardKind::Virtual => &["tags", "limits"],
    };
    fields::reject_unknown(attributes, allowed, AT, &mut problems);
    let shipping_address =
        attributes.get("shippingAddress").and_then(|v| fields::address(v, &pointer("shippingAddress"), &mut problems));
    let design = attributes.get("design").and_then(|v| fields::string(v, &pointer("design"), 1, 255, &mut problems));
    let limits = attributes.get("limits").and_then(|v| card_limits(v, &pointer("limits"), &mut problems));
    let tag_changes = attributes.get("tags").map(|v| fields::tag_changes(v, &pointer("tags"), &mut problems));
    problems.finish()?;

    let Some(card) = store.cards.get_mut(&id) else {
        return Err(UnitError::not_found(Resource::Card, &raw_id));
    };
    if shipping_address.is_some() {
        card.shipping_address = shipping_address;
    }
    if design.is_some() {
        card.design = design;
    }
    if limits.is_some() {
        card.limits = limits;
    }
    for (key, value) in tag_changes.into_iter().flatten() {
        match value {
            Some(value) => card.tags.insert(key, value),
            None => card.tags.remove(&key),
        };
    }
    card.updated_at = state::now();
    Ok(jsonapi::ok(render(card)))
}

/// `GET /cards/{id}` (`include=customer,account` supported).
pub(crate) async fn get_one(
    State(state): State<UnitState>,
    caller: Caller,
    Path(id): Path<String>,
    uri: Uri,
) -> Result<Response, UnitError> {
    caller.require_scope("cards")?;
    let includes = ListQuery::from_uri(&uri)?.includes(&["customer", "account"])?;
    let store = state.store();
    let card = visible(&store, &caller, &id)?;
    let mut body = json!({ "data": render(card) });
    let included = included(&store, &caller, &[card], &includes);
    if !included.is_empty() {
        body["included"] = Value::Array(included);
    }
    Ok(jsonapi::document(axum::http::StatusCode::OK, body))
}

/// The card named in the path if the caller may see it; else 404 (never 403, so that a customer
/// token cannot learn that another customer's card exists).
pub(crate) fn visible<'a>(store: &'a Store, caller: &Caller, raw_id: &str) -> Result<&'a Card, UnitError> {
    parse_id(raw_id)
        .and_then(|id| store.cards.get(&id))
        .filter(|card| caller.sees_card(card))
        .ok_or_else(|| UnitError::not_found(Resource::Card, raw_id))
}

/// The `included` resources asked for, each once.
fn included(store: &Store, caller: &Caller, cards: &[&Card], includes: &[String]) -> Vec<Value> {
    let mut included = Vec::new();
    if includes.iter().any(|name| name == "customer") {
        included.extend(accounts::related_customers(store, cards.iter().map(|card| card.customer_id)));
    }
    if includes.iter().any(|name| name == "account") {
        let mut seen = Vec::new();
        for card in cards {
            if !seen.contains(&card.account_id) {
                seen.push(card.account_id);
            }
        }
        included.extend(
            seen.into_iter()
                .filter_map(|id| store.accounts.get(&id))
                .filter(|account| caller.sees_customer(account.customer_id))
                .map(accounts::render),
        );
    }
    included
}

fn validate(data: &body::Data) -> Result<NewCard, UnitError> {
    const AT: &str = "/data/attributes";
    let pointer = |key: &str| format!("{AT}/{key}");
    let attributes = &data.attributes;
    let kind = if data.kind == "individualVirtualDebitCard" { CardKind::Virtual } else { CardKind::Physical };
    let mut problems = Problems::default();
    let allowed = match kind {
        CardKind::Physical => PHYSICAL_ATTRIBUTES,
        CardKind::Virtual => VIRTUAL_ATTRIBUTES,
    };
    fields::reject_unknown(attributes, allowed, AT, &mut problems);

    let shipping_address =
        attributes.get("shippingAddress").and_then(|v| fields::address(v, &pointer("shippingAddress"), &mut problems));
    let design = attributes.get("design").and_then(|v| fields::string(v, &pointer("design"), 1, 255, &mut problems));
    let tags =
        attributes.get("tags").and_then(|v| fields::tags(v, &pointer("tags"), &mut problems)).unwrap_or_default();
    let idempotency_key = attributes
        .get("idempotencyKey")
        .and_then(|v| fields::idempotency_key(v, &pointer("idempotencyKey"), &mut problems));
    let expiration = attributes.get("expiryDate").and_then(|v| expiry_date(v, &pointer("expiryDate"), &mut problems));
    let limits = attributes.get("limits").and_then(|limits| card_limits(limits, &pointer("limits"), &mut problems));
    if let Some(bin) = attributes.get("bin") {
        card_bin(bin, &pointer("bin"), &mut problems);
    }
    if let Some(qualifier) = attributes.get("cardQualifier") {
        fields::pattern(
            qualifier,
            &pointer("cardQualifier"),
            "3 digits",
            |t| fields::digits_between(t, 3, 3) || (kind == CardKind::Physical && t == "   "),
            &mut problems,
        );
    }
    if let Some(design_id) = attributes.get("cardDesignId") {
        fields::string(design_id, &pointer("cardDesignId"), 1, 16, &mut problems);
    }
    if let Some(text) = attributes.get("additionalEmbossedText") {
        fields::string(text, &pointer("additionalEmbossedText"), 0, 26, &mut problems);
    }
    for flag in ["activeForOnlineUse", "printOnlyBusinessName"] {
        if let Some(value) = attributes.get(flag) {
            fields::boolean(value, &pointer(flag), &mut problems);
        }
    }

    let relationships = data.relationships.as_ref();
    if relationships.is_none_or(|r| !r.contains_key("account")) {
        problems.invalid("/data/relationships/account", "`relationships.account` is required");
    }
    if let Some(relationships) = relationships {
        fields::reject_unknown(
            relationships,
            &["account", "customer", "defaultFundingAccount"],
            "/data/relationships",
            &mut problems,
        );
    }
    let account_id = body::relationship_id(relationships, "account", ACCOUNT_TYPES, &mut problems);
    let customer_id = body::relationship_id(relationships, "customer", CUSTOMER_TYPES, &mut problems);

    problems.finish()?;
    let Some(account_id) = account_id else {
        // Unreachable: a missing account was recorded as a problem above.
        return Err(UnitError::invalid("/data/relationships/account", "`relationships.account` is required"));
    };
    Ok(NewCard { kind, account_id, customer_id, shipping_address, design, tags, limits, idempotency_key, expiration })
}

/// `expiryDate`: `MM/YY`, `YYYY-MM` or `YY-MM`, returned as `YYYY-MM`.
fn expiry_date(value: &Value, pointer: &str, problems: &mut Problems) -> Option<String> {
    let parsed = value.as_str().and_then(|text| {
        let (year, month) = if let Some((month, year)) = text.split_once('/') {
            (format!("20{year}"), month.to_string())
        } else {
            let (year, month) = text.split_once('-')?;
            let year = if year.len() == 2 { format!("20{year}") } else { year.to_string() };
            (year, month.to_string())
        };
        let month_ok = month.len() == 2 && matches!(month.parse::<u8>(), Ok(1..=12));
        (fields::digits_between(&year, 4, 4) && month_ok).then(|| format!("{year}-{month}"))
    });
    if parsed.is_none() {
        problems.invalid(pointer, "must be MM/YY, YYYY-MM or YY-MM");
    }
    parsed
}

/// `CardLevelLimits`: non-negative integer amounts in cents.
pub(crate) fn card_limits(value: &Value, pointer: &str, problems: &mut Problems) -> Option<Map<String, Value>> {
    let Some(limits) = value.as_object() else {
        problems.invalid(pointer, "must be an object");
        return None;
    };
    let before = problems.len();
    fields::reject_unknown(limits, LIMIT_KEYS, pointer, problems);
    for (key, amount) in limits {
        if LIMIT_KEYS.contains(&key.as_str()) && amount.as_u64().is_none() {
            problems.invalid(format!("{pointer}/{key}"), "must be a non-negative integer (cents)");
        }
    }
    (problems.len() == before).then(|| limits.clone())
}

/// `Bin`: `{"bin", "institutionId"}`, 9 digits each.
fn card_bin(value: &Value, pointer: &str, problems: &mut Problems) {
    let Some(bin) = value.as_object() else {
        problems.invalid(pointer, "must be an object with `bin` and `institutionId`");
        return;
    };
    fields::reject_unknown(bin, &["bin", "institutionId"], pointer, problems);
    for key in ["bin", "institutionId"] {
        if let Some(digits) = fields::require(bin, key, pointer, problems) {
            fields::pattern(
                digits,
                &format!("{pointer}/{key}"),
                "9 digits",
                |t| fields::digits_between(t, 9, 9),
                problems,
            );
        }
    }
}

/// `YYYY-MM`, `CARD_LIFETIME_YEARS` after `created`.
pub(crate) fn expiration_from(created: OffsetDateTime) -> String {
    format!("{:04}-{:02}", created.year() + CARD_LIFETIME_YEARS, u8::from(created.month()))
}

/// A card as Unit returns it.
pub(crate) fn render(card: &Card) -> Value {
    let mut attributes = Map::new();
    attributes.insert("createdAt".into(), json!(state::rfc3339(card.created_at)));
    attributes.insert("updatedAt".into(), json!(state::rfc3339(card.updated_at)));
    attributes.insert("last4Digits".into(), json!(card.last4));
    attributes.insert("expirationDate".into(), json!(card.expiration));
    attributes.insert("status".into(), json!(card.status.as_str()));
    attributes.insert("tags".into(), tags_json(&card.tags));
    if let Some(address) = &card.shipping_address {
        attributes.insert("shippingAddress".into(), address.clone());
    }
    if let Some(design) = &card.design {
        attributes.insert("design".into(), json!(design));
    }
    json!({
        "type": card.kind.type_name(),
        "id": card.id.to_string(),
        "attributes": attributes,
        "relationships": {
            "account": jsonapi::relationship("depositAccount", card.account_id),
            "customer": jsonapi::relationship("customer", card.customer_id),
        },
    })
}
