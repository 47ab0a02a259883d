//! Everything a cards request carries, checked before Unit is called.

use axum::extract::rejection::PathRejection;
use http::HeaderMap;
use serde_json::Value;
use sha2::{Digest, Sha256};
use stytch_unit_common::{
    http::{ApiError, Code, FieldError},
    unit::Page,
    validated::{Fields, UnitId, UsAddress},
};

pub const DEFAULT_LIMIT: u32 = 20;
pub const MAX_LIMIT: u32 = 100;
pub const MAX_OFFSET: u32 = 1_000_000;
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";
pub const MAX_IDEMPOTENCY_KEY: usize = 255;

pub fn card_not_found() -> ApiError {
    ApiError::Refused { code: Code::CardNotFound, detail: "No card with this id for this customer.".into() }
}

/// The `{cardId}` path segment. Something that cannot be a Unit id is no card of this customer,
/// answered without asking Unit.
pub fn card_id(path: Result<axum::extract::Path<String>, PathRejection>) -> Result<UnitId, ApiError> {
    path.ok().and_then(|axum::extract::Path(id)| UnitId::new(&id)).ok_or_else(card_not_found)
}

/// `accountId`, when given.
pub fn account_id(value: Option<&str>, errors: &mut Vec<FieldError>) -> Option<UnitId> {
    let id = UnitId::new(value?);
    if id.is_none() {
        errors.push(FieldError::new("accountId", "must be a Unit account id (digits only)"));
    }
    id
}

/// `shippingAddress`, when given: the address type (and rules, and messages) applications take.
pub fn shipping_address(value: Option<&Value>, errors: &mut Vec<FieldError>) -> Option<UsAddress> {
    let mut fields = Fields::default();
    let object = fields.object_at(value?, "shippingAddress");
    let address = UsAddress::read(&mut fields, &object);
    errors.extend(fields.into_errors());
    address
}

/// `?limit=&offset=`; other parameters are ignored, a repeated one is refused.
pub fn page(query: Option<&str>) -> Result<Page, ApiError> {
    let mut limit: Option<&str> = None;
    let mut offset: Option<&str> = None;
    let mut errors = Vec::new();
    for pair in query.unwrap_or_default().split('&').filter(|pair| !pair.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let slot = match name {
            "limit" => &mut limit,
            "offset" => &mut offset,
            _ => continue,
        };
        if slot.replace(value).is_some() {
            errors.push(FieldError::new(name, "is given more than once"));
        }
    }
    let number = |value: Option<&str>, field: &str, range: std::ops::RangeInclusive<u32>, default: u32| {
        let Some(value) = value else { return Ok(default) };
        match value.parse::<u32>() {
            Ok(n) if range.contains(&n) && value.bytes().all(|b| b.is_ascii_digit()) => Ok(n),
            _ => {
                Err(FieldError::new(field, format!("must be a whole number from {} to {}", range.start(), range.end())))
            }
        }
    };
    let limit = number(limit, "limit", 1..=MAX_LIMIT, DEFAULT_LIMIT).map_err(|e| errors.push(e)).ok();
    let offset = number(offset, "offset", 0..=MAX_OFFSET, 0).map_err(|e| errors.push(e)).ok();
    match (limit, offset) {
        (Some(limit), Some(offset)) if errors.is_empty() => Ok(Page { limit, offset }),
        _ => Err(ApiError::Validation(errors)),
    }
}

/// The caller's `Idempotency-Key`: required, 1–255 printable ASCII characters.
pub fn idempotency_key(headers: &HeaderMap) -> Result<&str, ApiError> {
    let mut values = headers.get_all(IDEMPOTENCY_KEY).iter();
    let Some(value) = values.next() else {
        return Err(ApiError::Refused {
            code: Code::IdempotencyKeyRequired,
            detail:
                "Send an `Idempotency-Key` header (for example a UUID) so that a retry never creates a second card."
                    .into(),
        });
    };
    let key = value.to_str().ok().map(str::trim).filter(|key| {
        values.next().is_none()
            && (1..=MAX_IDEMPOTENCY_KEY).contains(&key.len())
            && key.bytes().all(|b| b == b' ' || b.is_ascii_graphic())
    });
    key.ok_or_else(|| {
        ApiError::Validation(vec![FieldError::new(
            "Idempotency-Key",
            format!("must be one header of 1 to {MAX_IDEMPOTENCY_KEY} printable ASCII characters"),
        )])
    })
}

/// The key sent to Unit. Unit keeps one key space for the whole org, so the caller's key is bound
/// to the account (which belongs to exactly one customer): two customers who happen to choose the
/// same key can never receive each other's card. Hashed so that it fits Unit's 255 characters.
pub fn unit_idempotency_key(account_id: &str, key: &str) -> String {
    let digest = Sha256::digest(key.as_bytes());
    let hex: String = digest.iter().map(|byte| format!("{byte:02x}")).collect();
    format!("card:{account_id}:{hex}")
}

/// The tag a replacement card carries: the card it replaces and the caller's key, hashed. A retry
/// with the same key finds the card by it (`filter[tags]`) instead of replacing again.
pub fn replacement_tag(card_id: &str, key: &str) -> String {
    let digest = Sha256::digest(key.as_bytes());
    let hex: String = digest.iter().map(|byte| format!("{byte:02x}")).collect();
    format!("replace:{card_id}:{hex}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    #[test]
    fn pages_default_and_bound() {
        assert_eq!(page(None).unwrap(), Page { limit: 20, offset: 0 });
        assert_eq!(page(Some("limit=5&offset=10&x=y")).unwrap(), Page { limit: 5, offset: 10 });
        for bad in ["limit=0", "limit=101", "limit=abc", "offset=-1", "limit=+5", "limit=1&limit=2", "limit="] {
            assert!(matches!(page(Some(bad)), Err(ApiError::Validation(_))), "{bad}");
        }
        let Err(ApiError::Validation(errors)) = page(Some("limit=0&offset=x")) else { panic!() };
        assert_eq!(errors.len(), 2);
    }

    #[test]
    fn idempotency_keys_are_checked_and_namespaced() {
        let mut headers = HeaderMap::new();
        assert_eq!(idempotency_key(&headers).unwrap_err().code(), "idempotency_key_required");
        headers.insert(IDEMPOTENCY_KEY, HeaderValue::from_static("abc-123"));
        assert_eq!(idempotency_key(&headers).unwrap(), "abc-123");
        headers.insert(IDEMPOTENCY_KEY, HeaderValue::from_str(&"k".repeat(256)).unwrap());
        assert_eq!(idempotency_key(&headers).unwrap_err().code(), "validation_failed");
        headers.insert(IDEMPOTENCY_KEY, HeaderValue::from_bytes("é".as_bytes()).unwrap());
        assert_eq!(idempotency_key(&headers).unwrap_err().code(), "validation_failed");

        let key = unit_idempotency_key("300001", &"k".repeat(255));
        assert!(key.len() <= 255);
        assert_ne!(key, unit_idempotency_key("300002", &"k".repeat(255)));
        assert_eq!(key, unit_idempotency_key("300001", &"k".repeat(255)));
    }

    #[test]
    fn replacement_tags_bind_the_key_to_the_card() {
        let tag = replacement_tag("400001", &"k".repeat(255));
        assert!(tag.len() <= 255, "a Unit tag value is at most 255 characters");
        assert_eq!(tag, replacement_tag("400001", &"k".repeat(255)));
        assert_ne!(tag, replacement_tag("400002", &"k".repeat(255)));
        assert_ne!(tag, replacement_tag("400001", "k"));
        assert!(!replacement_tag("400001", "secret-key").contains("secret-key"));
    }
}
