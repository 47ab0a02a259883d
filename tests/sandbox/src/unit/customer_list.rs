//! `GET /customers` (Unit OpenAPI `customerPaths.json#/listCustomers`): `page[limit]`/`page[offset]`,
//! `sort`, and the filters `filter[email]`, `filter[status][]`, `filter[tags]` and `filter[query]`.
//!
//! Where the spec gives only a type, the sandbox chooses (written in `UNIT.md`): `filter[email]` matches
//! the whole address without regard to case; `filter[tags]` is a JSON object every pair of which the
//! customer must carry; `filter[query]` needs every word to appear in the name, email or phone.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use serde_json::Value;

use super::UnitState;
use super::auth::Caller;
use super::body::one_of;
use super::customers::render;
use super::jsonapi::UnitError;
use super::pagination::{ListQuery, list_document};
use super::state::Customer;

/// The statuses a customer can have (`IndividualCustomer.status`); the sandbox never archives one.
const STATUSES: &[&str] = &["Active", "Archived"];
const SANDBOX_STATUS: &str = "Active";

/// `GET /customers`: the org sees every customer, a customer token (scope `customers`) only its own.
pub(crate) async fn list(State(state): State<UnitState>, caller: Caller, uri: Uri) -> Result<Response, UnitError> {
    caller.require_scope("customers")?;
    let query = ListQuery::from_uri(&uri)?;
    let page = query.page()?;
    let newest_first = query.newest_first()?;
    let filter = Filter::from_query(&query)?;

    let store = state.store();
    let mut matching: Vec<&Customer> = store
        .customers
        .values()
        .filter(|customer| caller.sees_customer(customer.id) && filter.matches(customer))
        .collect();
    if newest_first {
        matching.reverse();
    }
    let (items, total) = page.slice(matching);
    Ok(list_document(items.into_iter().map(render).collect(), total, page, Vec::new()))
}

/// The list filters, parsed and checked.
struct Filter {
    email: Option<String>,
    statuses: Vec<String>,
    tags: BTreeMap<String, String>,
    words: Vec<String>,
}

impl Filter {
    fn from_query(query: &ListQuery) -> Result<Self, UnitError> {
        let statuses: Vec<String> = query.all("filter[status]").into_iter().map(str::to_string).collect();
        if let Some(bad) = statuses.iter().find(|status| !STATUSES.contains(&status.as_str())) {
            return Err(UnitError::invalid_parameter(
                "filter[status]",
                format!("`{bad}` is not a customer status; use {}", one_of(STATUSES)),
            ));
        }
        Ok(Self {
            email: query.get("filter[email]").map(str::to_lowercase),
            statuses,
            tags: query.get("filter[tags]").map(tags).transpose()?.unwrap_or_default(),
            words: query
                .get("filter[query]")
                .map(|text| text.split_whitespace().map(str::to_lowercase).collect())
                .unwrap_or_default(),
        })
    }

    fn matches(&self, customer: &Customer) -> bool {
        let applicant = &customer.applicant;
        let email_matches = self.email.as_deref().is_none_or(|email| applicant.email.to_lowercase() == email);
        let status_matches = self.statuses.is_empty() || self.statuses.iter().any(|status| status == SANDBOX_STATUS);
        let tags_match = self.tags.iter().all(|(key, value)| applicant.tags.get(key) == Some(value));
        email_matches && status_matches && tags_match && self.words_match(customer)
    }

    fn words_match(&self, customer: &Customer) -> bool {
        if self.words.is_empty() {
            return true;
        }
        let applicant = &customer.applicant;
        let text = |value: &Value, key: &str| value.get(key).and_then(Value::as_str).unwrap_or_default().to_string();
        let haystack = [
            text(&applicant.full_name, "first"),
            text(&applicant.full_name, "last"),
            applicant.email.clone(),
            format!("{}{}", text(&applicant.phone, "countryCode"), text(&applicant.phone, "number")),
        ]
        .join(" ")
        .to_lowercase();
        self.words.iter().all(|word| haystack.contains(word.as_str()))
    }
}

/// `filter[tags]`: a JSON object of string values.
fn tags(raw: &str) -> Result<BTreeMap<String, String>, UnitError> {
    serde_json::from_str(raw).map_err(|_| {
        UnitError::invalid_parameter("filter[tags]", "filter[tags] must be a JSON object of string values")
    })
}
