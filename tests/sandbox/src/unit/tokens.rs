//! Customer tokens: `POST /customers/{id}/token` (→ `customerBearerToken`) and the 2FA challenge
//! `POST /customers/{id}/token/verification` (→ `verificationToken`). Both need the org token.
//!
//! Scopes that move money or expose or change cards need two-factor proof: a `jwtToken` from the
//! configured IdP (see `jwt.rs`) or a `verificationToken` with its code. Unit's sandbox never sends
//! an SMS; its documented passcode `000001` is the only code accepted.

use std::collections::BTreeSet;

use axum::extract::{Path, State};
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use serde_json::{Map, Value, json};
use time::Duration;

use super::UnitState;
use super::auth::Caller;
use super::body::{self, Expect, JsonBody};
use super::customers;
use super::fields;
use super::ids::parse_id;
use super::jsonapi::{self, Problems, UnitError};
use super::jwt;
use super::state::{self, CustomerToken, ResourceLimits, Verification};

/// Unit's documented sandbox passcode for customer-token verification.
pub(crate) const SANDBOX_PASSCODE: &str = "000001";

/// The longest (and default) customer token lifetime, in seconds.
const MAX_EXPIRES_IN: i64 = 86_400;

/// How long a verification challenge stays usable, and how many wrong codes it survives.
const VERIFICATION_LIFETIME: Duration = Duration::minutes(10);
const VERIFICATION_ATTEMPTS: u8 = 5;

/// Every scope name Unit documents.
const KNOWN_SCOPES: &[&str] = &[
    "applications",
    "applications-write",
    "customer-token",
    "customer-token-write",
    "customers",
    "customers-write",
    "customer-tags-write",
    "accounts",
    "accounts-write",
    "cards",
    "cards-write",
    "cards-sensitive",
    "cards-sensitive-write",
    "transactions",
    "transactions-write",
    "authorizations",
    "statements",
    "payments",
    "payments-write",
    "payments-write-counterparty",
    "payments-write-linked-account",
    "payments-write-ach-debit",
    "ach-payments-write",
    "wire-payments-write",
    "counterparties",
    "counterparties-write",
    "events",
    "events-write",
    "webhooks",
    "webhooks-write",
    "authorization-requests",
    "authorization-requests-write",
    "batch-releases",
    "batch-releases-write",
    "check-deposits",
    "check-deposits-write",
    "check-payments",
    "check-payments-write",
    "received-payments",
    "received-payments-write",
    "chargebacks",
    "chargebacks-write",
    "rewards",
    "rewards-write",
    "wire-drawdowns",
    "wire-drawdowns-write",
];

const TOKEN_ATTRIBUTES: &[&str] =
    &["scope", "expiresIn", "jwtToken", "verificationToken", "verificationCode", "resources", "upgradableScope"];

const LANGUAGES: &[&str] = &[
    "en", "af", "ar", "ca", "zh", "zh-CN", "zh-HK", "hr", "cs", "da", "nl", "en-GB", "et", "fi", "fr", "de", "el",
    "he", "hi", "hu", "id", "it", "ja", "kn", "ko", "ms", "mr", "nb", "pl", "pt-BR", "pt", "ro", "ru", "sk", "es",
    "sv", "tl", "te", "th", "tr", "vi",
];

/// Whether a scope needs two-factor proof in a customer token.
pub(crate) fn requires_two_factor(scope: &str) -> bool {
    matches!(scope, "cards-write" | "cards-sensitive" | "cards-sensitive-write" | "counterparties-write")
        || scope.starts_with("payments-write")
}

/// How the request proves the second factor.
enum Proof {
    None,
    Jwt(String),
    Verification { token: String, code: String },
}

/// A validated create-token request.
struct TokenRequest {
    scopes: BTreeSet<String>,
    expires_in: i64,
    proof: Proof,
    limits: ResourceLimits,
}

/// `POST /customers/{id}/token` → 201 `customerBearerToken`.
pub(crate) async fn create_token(
    State(state): State<UnitState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Response, UnitError> {
    caller.require_org("Creating a customer token")?;
    let (customer_id, subjects) = {
        let store = state.store();
        let customer = customers::visible(&store, &caller, &id)?;
        (customer.id, customers::jwt_subjects(customer))
    };
    let data = body::data(
        &body,
        &Expect { types: &["customerToken"], attributes_required: true, relationships_allowed: true },
    )?;
    let request = validate_token_request(&data.attributes)?;

    match &request.proof {
        Proof::Jwt(token) => jwt::verify(state.jwks(), token, &subjects).await?,
        Proof::Verification { token, code } => check_verification(&state, customer_id, token, code)?,
        Proof::None => {
            if let Some(scope) = request.scopes.iter().find(|s| requires_two_factor(s)) {
                return Err(UnitError::forbidden(format!(
                    "The `{scope}` scope requires two-factor authentication: \
                     send jwtToken, or verificationToken and verificationCode"
                )));
            }
        }
    }

    let token = format!("v2.public.{}", random_token());
    let expires_at = state::now() + Duration::seconds(request.expires_in);
    state.store().tokens.insert(
        token.clone(),
        CustomerToken { customer_id, scopes: request.scopes, expires_at, limits: request.limits },
    );
    Ok(jsonapi::created(json!({
        "type": "customerBearerToken",
        "attributes": { "token": token, "expiresIn": request.expires_in },
    })))
}

/// `POST /customers/{id}/token/verification` → 201 `customerTokenVerification`.
pub(crate) async fn create_verification(
    State(state): State<UnitState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Response, UnitError> {
    caller.require_org("Creating a customer token verification")?;
    {
        let store = state.store();
        customers::visible(&store, &caller, &id)?;
    }
    let data = body::data(
        &body,
        &Expect { types: &["customerTokenVerification"], attributes_required: true, relationships_allowed: false },
    )?;
    validate_verification_request(&data.attributes)?;

    let mut store = state.store();
    let customer_id = customers::visible(&store, &caller, &id)?.id;
    let verification_token = random_token();
    store.verifications.insert(
        verification_token.clone(),
        Verification {
            customer_id,
            expires_at: state::now() + VERIFICATION_LIFETIME,
            attempts_left: VERIFICATION_ATTEMPTS,
        },
    );
    // No `id`: Unit's schema requires one but never defines it (see UNIT.md).
    Ok(jsonapi::created(json!({
        "type": "customerTokenVerification",
        "attributes": { "verificationToken": verification_token },
    })))
}

/// Checks a verification token and code. A token is single-use once the right code is given, and
/// is spent after `VERIFICATION_ATTEMPTS` wrong codes.
fn check_verification(state: &UnitState, customer_id: u64, token: &str, code: &str) -> Result<(), UnitError> {
    let mut store = state.store();
    let now = state::now();
    let Some(verification) = store.verifications.get_mut(token) else {
        return Err(UnitError::forbidden("verificationToken is unknown or already used"));
    };
    if verification.customer_id != customer_id || verification.expires_at <= now {
        store.verifications.remove(token);
        return Err(UnitError::forbidden("verificationToken is expired or belongs to another customer"));
    }
    if code != SANDBOX_PASSCODE {
        verification.attempts_left = verification.attempts_left.saturating_sub(1);
        if verification.attempts_left == 0 {
            store.verifications.remove(token);
        }
        return Err(UnitError::forbidden("verificationCode is incorrect"));
    }
    store.verifications.remove(token);
    Ok(())
}

fn validate_token_request(attributes: &Map<String, Value>) -> Result<TokenRequest, UnitError> {
    const AT: &str = "/data/attributes";
    let pointer = |key: &str| format!("{AT}/{key}");
    let mut problems = Problems::default();
    fields::reject_unknown(attributes, TOKEN_ATTRIBUTES, AT, &mut problems);

    let scopes = fields::require(attributes, "scope", AT, &mut problems)
        .and_then(|v| scope_list(v, &pointer("scope"), &mut problems))
        .unwrap_or_default();
    if let Some(upgradable) = attributes.get("upgradableScope")
        && scope_list(upgradable, &pointer("upgradableScope"), &mut problems).is_some()
        && !scopes.contains("customer-token-write")
    {
        problems.invalid(pointer("upgradableScope"), "upgradableScope needs `customer-token-write` in scope");
    }

    let expires_in = match attributes.get("expiresIn") {
        None => MAX_EXPIRES_IN,
        Some(value) => match value.as_i64() {
            Some(seconds) if (1..=MAX_EXPIRES_IN).contains(&seconds) => seconds,
            _ => {
                problems.invalid(
                    pointer("expiresIn"),
                    format!("expiresIn must be an integer number of seconds from 1 to {MAX_EXPIRES_IN}"),
                );
                MAX_EXPIRES_IN
            }
        },
    };

    let text = |key: &str, problems: &mut Problems| {
        attributes.get(key).and_then(|v| fields::string(v, &pointer(key), 1, 16_384, problems))
    };
    let jwt_token = text("jwtToken", &mut problems);
    let verification_token = text("verificationToken", &mut problems);
    let verification_code = text("verificationCode", &mut problems);
    let proof = match (jwt_token, verification_token, verification_code) {
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
            problems.invalid(
                pointer("jwtToken"),
                "send either jwtToken or verificationToken and verificationCode, not both",
            );
            Proof::None
        }
        (Some(jwt), None, None) => Proof::Jwt(jwt),
        (None, Some(token), Some(code)) => Proof::Verification { token, code },
        (None, Some(_), None) => {
            problems.invalid(pointer("verificationCode"), "verificationCode is required with verificationToken");
            Proof::None
        }
        (None, None, Some(_)) => {
            problems.invalid(pointer("verificationToken"), "verificationToken is required with verificationCode");
            Proof::None
        }
        (None, None, None) => Proof::None,
    };

    let limits =
        attributes.get("resources").map(|v| resources(v, &pointer("resources"), &mut problems)).unwrap_or_default();

    problems.finish()?;
    Ok(TokenRequest { scopes, expires_in, proof, limits })
}

/// A space-separated list of known scopes.
fn scope_list(value: &Value, pointer: &str, problems: &mut Problems) -> Option<BTreeSet<String>> {
    let Some(text) = value.as_str() else {
        problems.invalid(pointer, "must be a space-separated string of scopes");
        return None;
    };
    let scopes: BTreeSet<String> = text.split_whitespace().map(str::to_string).collect();
    if scopes.is_empty() {
        problems.invalid(pointer, "must name at least one scope");
        return None;
    }
    let unknown: Vec<&str> = scopes.iter().map(String::as_str).filter(|s| !KNOWN_SCOPES.contains(s)).collect();
    if !unknown.is_empty() {
        problems.invalid(pointer, format!("unknown scope(s): {}", unknown.join(", ")));
        return None;
    }
    Some(scopes)
}

/// `resources`: `[{"type": "card"|"account", "ids": ["…"]}]`, at least one item.
fn resources(value: &Value, pointer: &str, problems: &mut Problems) -> ResourceLimits {
    let mut limits = ResourceLimits::default();
    let Some(items) = value.as_array().filter(|items| !items.is_empty()) else {
        problems.invalid(pointer, "must be a non-empty array of {type, ids}");
        return limits;
    };
    for (index, item) in items.iter().enumerate() {
        let at = format!("{pointer}/{index}");
        let kind = item.get("type").and_then(Value::as_str);
        let target = match kind {
            Some("card") => &mut limits.cards,
            Some("account") => &mut limits.accounts,
            _ => {
                problems.invalid(format!("{at}/type"), "must be \"card\" or \"account\"");
                continue;
            }
        };
        let Some(ids) = item.get("ids").and_then(Value::as_array) else {
            problems.invalid(format!("{at}/ids"), "must be an array of ids");
            continue;
        };
        let set = target.get_or_insert_with(BTreeSet::new);
        for (position, id) in ids.iter().enumerate() {
            match id.as_str().and_then(parse_id) {
                Some(id) => {
                    set.insert(id);
                }
                None => problems.invalid(format!("{at}/ids/{position}"), "must be a numeric string id"),
            }
        }
    }
    limits
}

fn validate_verification_request(attributes: &Map<String, Value>) -> Result<(), UnitError> {
    const AT: &str = "/data/attributes";
    let pointer = |key: &str| format!("{AT}/{key}");
    let mut problems = Problems::default();
    fields::reject_unknown(attributes, &["channel", "phone", "appHash", "language"], AT, &mut problems);
    if let Some(channel) = fields::require(attributes, "channel", AT, &mut problems) {
        fields::one_of_strings(channel, &pointer("channel"), &["sms", "call"], &mut problems);
    }
    if let Some(phone) = attributes.get("phone") {
        fields::phone(phone, &pointer("phone"), &mut problems);
    }
    if let Some(hash) = attributes.get("appHash") {
        fields::string(hash, &pointer("appHash"), 11, 11, &mut problems);
    }
    if let Some(language) = attributes.get("language") {
        fields::one_of_strings(language, &pointer("language"), LANGUAGES, &mut problems);
    }
    problems.finish()
}

/// 32 random bytes, base64url: unguessable and safe in headers and JSON.
fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_factor_scopes_are_the_documented_ones() {
        for scope in [
            "cards-write",
            "cards-sensitive",
            "cards-sensitive-write",
            "payments-write",
            "payments-write-counterparty",
            "counterparties-write",
        ] {
            assert!(requires_two_factor(scope), "{scope}");
        }
        for scope in ["customers", "accounts", "cards", "payments", "transactions"] {
            assert!(!requires_two_factor(scope), "{scope}");
        }
    }
}
