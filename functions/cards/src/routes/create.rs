//! `POST /cards` with `Idempotency-Key`: a debit card on the customer's deposit account, virtual
//! (the default: `Active` at once, usable online before anything is shipped) or physical (shipped,
//! `Inactive` until the cardholder activates it with Unit's component). A retry with the same key
//! answers with the card the first request created, never a second one, whatever its type.

use axum::{Json, extract::State, response::IntoResponse};
use http::{HeaderMap, StatusCode};
use serde::Deserialize;
use serde_json::Value;
use stytch_unit_common::{
    http::{ApiError, ApiJson, Code, FieldError, UnitCustomerToken},
    metrics::catalogue,
    unit::{Account, Address, CardLimits, CardType, NewCard, UnitCustomerClient, UnitCustomerError, UnitError},
    validated::UnitId,
};

use crate::validation;

/// All optional; the body may be left out. Unknown fields (a smuggled `customerId`) are ignored:
/// the customer is whoever the Unit token belongs to.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct NewCardBody {
    /// `virtual` when left out.
    #[serde(default, rename = "type")]
    pub card_type: Option<CardType>,
    /// Physical cards only; without it Unit ships to the customer's address. Kept as JSON and read
    /// by `validation::shipping_address`, so that every problem in it is named with the others.
    #[serde(default)]
    pub shipping_address: Option<Value>,
    /// Physical cards only: a card design name set up with Unit.
    #[serde(default)]
    pub design: Option<String>,
    /// Both types, in cents.
    #[serde(default)]
    pub limits: Option<CardLimits>,
    #[serde(default)]
    pub account_id: Option<String>,
}

pub async fn create(
    State(unit): State<UnitCustomerClient>,
    token: UnitCustomerToken,
    headers: HeaderMap,
    body: Option<ApiJson<NewCardBody>>,
) -> Result<impl IntoResponse, ApiError> {
    let body = body.map(|ApiJson(body)| body).unwrap_or_default();
    let mut errors = Vec::new();
    let key = match validation::idempotency_key(&headers) {
        Ok(key) => Some(key),
        Err(ApiError::Validation(mut key_errors)) => {
            errors.append(&mut key_errors);
            None
        }
        Err(other) => return Err(other),
    };
    let account_id = validation::account_id(body.account_id.as_deref(), &mut errors);
    let card_type = body.card_type.unwrap_or(CardType::Virtual);
    let shipping_address = validation::shipping_address(body.shipping_address.as_ref(), &mut errors).map(Address::from);
    if card_type == CardType::Virtual {
        for (field, given) in [("shippingAddress", body.shipping_address.is_some()), ("design", body.design.is_some())]
        {
            if given {
                errors.push(FieldError::new(field, "is for physical cards only (\"type\": \"physical\")"));
            }
        }
    }
    if body.design.as_deref().is_some_and(|design| !(1..=255).contains(&design.trim().chars().count())) {
        errors.push(FieldError::new("design", "must be 1 to 255 characters"));
    }
    let Some(key) = key.filter(|_| errors.is_empty()) else {
        return Err(ApiError::Validation(errors));
    };

    let account_id = match account_id {
        Some(account_id) => account_id,
        None => only_deposit_account(&unit, &token).await?,
    };
    let new = NewCard {
        card_type,
        account_id: &account_id,
        shipping_address: shipping_address.as_ref(),
        design: body.design.as_deref().map(str::trim),
        limits: body.limits.as_ref(),
        idempotency_key: &validation::unit_idempotency_key(account_id.as_str(), key),
    };
    let card = unit.create_card(&token, &new).await.map_err(create_error)?;
    tracing::info!(card_id = card.id, %account_id, ?card_type, "debit card created (or replayed by idempotency key)");
    catalogue::card_created(card_type);
    Ok((StatusCode::CREATED, Json(card)))
}

/// The customer's one open deposit account, when the caller did not name one.
async fn only_deposit_account(unit: &UnitCustomerClient, token: &UnitCustomerToken) -> Result<UnitId, ApiError> {
    let accounts = unit.list_accounts(token).await.map_err(|error| match error.status() {
        Some(403) => ApiError::Refused {
            code: Code::InsufficientScope,
            detail: "Without `accountId`, the Unit token needs the `accounts` scope to find the deposit account. \
                     Send `accountId`, or ask POST /token for `accounts` as well."
                .into(),
        },
        _ => error.into(),
    })?;
    choose_account(accounts)
}

/// The one open deposit account among `accounts`: none is 409 `no_account`, several 400
/// `account_required`.
pub fn choose_account(accounts: Vec<Account>) -> Result<UnitId, ApiError> {
    let mut open = accounts
        .into_iter()
        .filter(|account| account.kind == "depositAccount" && account.status.as_deref() != Some("Closed"));
    match (open.next(), open.next()) {
        (Some(account), None) => Ok(UnitId::new(&account.id).ok_or(UnitError::InvalidId)?),
        (None, _) => Err(ApiError::Refused {
            code: Code::NoAccount,
            detail: "This customer has no open deposit account to issue a card on.".into(),
        }),
        (Some(_), Some(_)) => Err(ApiError::Refused {
            code: Code::AccountRequired,
            detail: "This customer has several deposit accounts. Send `accountId` to choose one.".into(),
        }),
    }
}

fn create_error(error: UnitCustomerError) -> ApiError {
    if error.has_code("account_not_found") || error.status() == Some(404) {
        return ApiError::Validation(vec![FieldError::new("accountId", "is not an account of this customer")]);
    }
    error.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(id: &str, kind: &str, status: &str) -> Account {
        Account { id: id.into(), kind: kind.into(), status: Some(status.into()), customer_id: Some("200001".into()) }
    }

    #[test]
    fn the_only_open_deposit_account_is_chosen() {
        let accounts = vec![account("300001", "depositAccount", "Closed"), account("300002", "depositAccount", "Open")];
        assert_eq!(choose_account(accounts).unwrap().as_str(), "300002");
        let loan = vec![account("300003", "creditAccount", "Open"), account("300004", "depositAccount", "Frozen")];
        assert_eq!(choose_account(loan).unwrap().as_str(), "300004");
    }

    #[test]
    fn none_or_several_is_refused() {
        assert_eq!(choose_account(vec![]).unwrap_err().code(), "no_account");
        let two = vec![account("300001", "depositAccount", "Open"), account("300002", "depositAccount", "Open")];
        let error = choose_account(two).unwrap_err();
        assert_eq!((error.status().as_u16(), error.code()), (400, "account_required"));
    }
}
