//! `POST /v1/users/search` (stytch-node `lib/b2c/users.ts`: `UsersSearchRequest {cursor?, limit?,
//! query?: {operator, operands}}`, `UsersSearchResponse {results, results_metadata: {total,
//! next_cursor}}`).
//!
//! Operands emulated: `user_id`, `email_address`, `email_id`, `phone_number`, `phone_id` (lists),
//! `email_address_fuzzy`, `phone_number_fuzzy`, `full_name_fuzzy` (substrings), `status`,
//! `email_verified`, `phone_verified`, `totp_verified`, and `created_at_greater_than`,
//! `created_at_less_than`, `created_at_between`. Any other filter is 400 `invalid_argument`.
//! Results come oldest first; the cursor is opaque (`cursor-test-<offset>`).

use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::errors::{StytchError, StytchResult};
use super::extract::StytchJson;
use super::respond::{object, ok};
use super::state::StytchState;
use super::user::User;
use crate::common::clock;

const DEFAULT_LIMIT: usize = 100;
const MAX_LIMIT: usize = 1000;
const CURSOR_PREFIX: &str = "cursor-test-";

#[derive(Deserialize)]
pub struct Search {
    cursor: Option<String>,
    limit: Option<usize>,
    query: Option<Query>,
}

#[derive(Deserialize)]
struct Query {
    operator: String,
    #[serde(default)]
    operands: Vec<Operand>,
}

#[derive(Deserialize)]
struct Operand {
    filter_name: String,
    filter_value: Value,
}

pub async fn search(
    State(state): State<StytchState>,
    StytchJson(request): StytchJson<Search>,
) -> StytchResult<Response> {
    let limit = request.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(invalid(format!("limit must be between 1 and {MAX_LIMIT}.")));
    }
    let offset = match request.cursor.as_deref().filter(|cursor| !cursor.is_empty()) {
        None => 0,
        Some(cursor) => cursor
            .strip_prefix(CURSOR_PREFIX)
            .and_then(|n| n.parse::<usize>().ok())
            .ok_or_else(|| invalid("The cursor is not one this search returned.".into()))?,
    };
    let filters = match &request.query {
        None => Vec::new(),
        Some(query) => query.operands.iter().map(Filter::parse).collect::<StytchResult<Vec<_>>>()?,
    };
    let any = match request.query.as_ref().map(|query| query.operator.as_str()) {
        None | Some("AND") => false,
        Some("OR") => true,
        Some(other) => return Err(invalid(format!("operator must be AND or OR, not {other:?}."))),
    };

    let data = state.data();
    let mut users: Vec<&User> = data
        .users
        .values()
        .filter(|user| {
            filters.is_empty()
                || if any { filters.iter().any(|f| f.matches(user)) } else { filters.iter().all(|f| f.matches(user)) }
        })
        .collect();
    users.sort_by(|a, b| (a.created_at, &a.user_id).cmp(&(b.created_at, &b.user_id)));
    let total = users.len();
    let results: Vec<Value> = users.iter().skip(offset).take(limit).map(|user| user.to_json()).collect();
    let next_cursor = (offset + limit < total).then(|| format!("{CURSOR_PREFIX}{}", offset + limit));
    Ok(ok(object(json!({
        "results": results,
        "results_metadata": { "total": total, "next_cursor": next_cursor },
    }))))
}

fn invalid(message: String) -> StytchError {
    StytchError::bad_request("invalid_argument", message)
}

/// One operand, checked.
enum Filter {
    /// `(field, exact values)`; emails compare without regard to case.
    AnyOf(ListField, Vec<String>),
    Contains(TextField, String),
    Status(String),
    Verified(VerifiedField, bool),
    CreatedAfter(OffsetDateTime),
    CreatedBefore(OffsetDateTime),
    CreatedBetween(OffsetDateTime, OffsetDateTime),
}

#[derive(Clone, Copy)]
enum ListField {
    UserId,
    EmailAddress,
    EmailId,
    PhoneNumber,
    PhoneId,
}

#[derive(Clone, Copy)]
enum TextField {
    Email,
    Phone,
    FullName,
}

#[derive(Clone, Copy)]
enum VerifiedField {
    Email,
    Phone,
    Totp,
}

impl Filter {
    fn parse(operand: &Operand) -> StytchResult<Self> {
        let value = &operand.filter_value;
        let name = operand.filter_name.as_str();
        let strings = || -> StytchResult<Vec<String>> {
            value
                .as_array()
                .and_then(|items| items.iter().map(|v| v.as_str().map(str::to_string)).collect())
                .ok_or_else(|| invalid(format!("{name} takes an array of strings.")))
        };
        let text = || value.as_str().map(str::to_lowercase).ok_or_else(|| invalid(format!("{name} takes a string.")));
        let flag = || value.as_bool().ok_or_else(|| invalid(format!("{name} takes a boolean.")));
        let time = |value: &Value| {
            value
                .as_str()
                .and_then(|text| OffsetDateTime::parse(text, &Rfc3339).ok())
                .ok_or_else(|| invalid(format!("{name} takes RFC 3339 timestamps.")))
        };
        Ok(match name {
            "user_id" => Filter::AnyOf(ListField::UserId, strings()?),
            "email_address" => Filter::AnyOf(ListField::EmailAddress, strings()?),
            "email_id" => Filter::AnyOf(ListField::EmailId, strings()?),
            "phone_number" => Filter::AnyOf(ListField::PhoneNumber, strings()?),
            "phone_id" => Filter::AnyOf(ListField::PhoneId, strings()?),
            "email_address_fuzzy" => Filter::Contains(TextField::Email, text()?),
            "phone_number_fuzzy" => Filter::Contains(TextField::Phone, text()?),
            "full_name_fuzzy" => Filter::Contains(TextField::FullName, text()?),
            "status" => match value.as_str() {
                Some(status @ ("active" | "pending")) => Filter::Status(status.to_string()),
                _ => return Err(invalid("status takes active or pending.".into())),
            },
            "email_verified" => Filter::Verified(VerifiedField::Email, flag()?),
            "phone_verified" => Filter::Verified(VerifiedField::Phone, flag()?),
            "totp_verified" => Filter::Verified(VerifiedField::Totp, flag()?),
            "created_at_greater_than" => Filter::CreatedAfter(time(value)?),
            "created_at_less_than" => Filter::CreatedBefore(time(value)?),
            "created_at_between" => Filter::CreatedBetween(time(&value["greater_than"])?, time(&value["less_than"])?),
            other => return Err(invalid(format!("The search filter {other:?} is not emulated by the sandbox."))),
        })
    }

    fn matches(&self, user: &User) -> bool {
        match self {
            Filter::AnyOf(field, values) => {
                let held: Vec<String> = match field {
                    ListField::UserId => vec![user.user_id.clone()],
                    ListField::EmailAddress => user.emails.iter().map(|e| e.email.to_lowercase()).collect(),
                    ListField::EmailId => user.emails.iter().map(|e| e.email_id.clone()).collect(),
                    ListField::PhoneNumber => user.phone_numbers.iter().map(|p| p.phone_number.clone()).collect(),
                    ListField::PhoneId => user.phone_numbers.iter().map(|p| p.phone_id.clone()).collect(),
                };
                let case_blind = matches!(field, ListField::EmailAddress);
                values.iter().any(|value| {
                    let value = if case_blind { value.to_lowercase() } else { value.clone() };
                    held.contains(&value)
                })
            }
            Filter::Contains(field, needle) => match field {
                TextField::Email => user.emails.iter().any(|e| e.email.to_lowercase().contains(needle.as_str())),
                TextField::Phone => user.phone_numbers.iter().any(|p| p.phone_number.contains(needle.as_str())),
                TextField::FullName => {
                    let part = |key: &str| user.name.get(key).and_then(Value::as_str).unwrap_or_default().to_string();
                    let full = [part("first_name"), part("middle_name"), part("last_name")].join(" ").to_lowercase();
                    full.contains(needle.as_str())
                }
            },
            Filter::Status(status) => (if user.pending { "pending" } else { "active" }) == status,
            Filter::Verified(field, wanted) => match field {
                VerifiedField::Email => user.emails.iter().any(|e| e.verified == *wanted),
                VerifiedField::Phone => user.phone_numbers.iter().any(|p| p.verified == *wanted),
                VerifiedField::Totp => user.live_totps(clock::now()).any(|t| t.verified == *wanted),
            },
            Filter::CreatedAfter(at) => user.created_at > *at,
            Filter::CreatedBefore(at) => user.created_at < *at,
            Filter::CreatedBetween(after, before) => user.created_at > *after && user.created_at < *before,
        }
    }
}
