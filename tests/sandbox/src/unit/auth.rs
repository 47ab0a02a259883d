//! Who is calling: the org token (configured, holds every scope) or a customer token minted by
//! `POST /customers/{id}/token` (its customer only, its scopes only, until it expires).
//!
//! As Unit documents: a missing, unknown or expired token is 401; a valid token without the needed
//! scope, or of the wrong kind, is 403. Resources of another customer are reported as not found
//! (404) by the handlers, so a customer token cannot learn that they exist.

use std::collections::BTreeSet;

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use super::UnitState;
use super::jsonapi::UnitError;
use super::state::{self, ResourceLimits};

/// The authenticated caller of a Unit route.
#[derive(Debug, Clone)]
pub(crate) enum Caller {
    Org,
    Customer { customer_id: u64, scopes: BTreeSet<String>, limits: ResourceLimits },
}

impl FromRequestParts<UnitState> for Caller {
    type Rejection = UnitError;

    async fn from_request_parts(parts: &mut Parts, state: &UnitState) -> Result<Self, UnitError> {
        let Some(header) = parts.headers.get(AUTHORIZATION) else {
            return Err(UnitError::unauthorized(
                "The Authorization header is missing; send `Authorization: Bearer <token>`",
            ));
        };
        let token = header
            .to_str()
            .ok()
            .and_then(bearer_token)
            .ok_or_else(|| UnitError::unauthorized("The Authorization header must be `Bearer <token>`"))?;

        let mut store = state.store();
        if same_secret(token, &state.config().api_token) {
            if store.org_token_revoked {
                return Err(UnitError::unauthorized("The bearer token has been revoked"));
            }
            return Ok(Caller::Org);
        }

        let Some(minted) = store.tokens.get(token) else {
            return Err(UnitError::unauthorized("The bearer token is not valid"));
        };
        if minted.expires_at <= state::now() {
            store.tokens.remove(token);
            return Err(UnitError::unauthorized("The bearer token has expired"));
        }
        Ok(Caller::Customer {
            customer_id: minted.customer_id,
            scopes: minted.scopes.clone(),
            limits: minted.limits.clone(),
        })
    }
}

impl Caller {
    /// 403 unless the caller holds `scope` (the org token holds every scope).
    pub(crate) fn require_scope(&self, scope: &str) -> Result<(), UnitError> {
        match self {
            Caller::Org => Ok(()),
            Caller::Customer { scopes, .. } if scopes.contains(scope) => Ok(()),
            Caller::Customer { .. } => {
                Err(UnitError::forbidden(format!("This customer token lacks the `{scope}` scope")))
            }
        }
    }

    /// 403 for customer tokens on org-only operations (applications, minting customer tokens).
    pub(crate) fn require_org(&self, operation: &str) -> Result<(), UnitError> {
        match self {
            Caller::Org => Ok(()),
            Caller::Customer { .. } => Err(UnitError::forbidden(format!(
                "{operation} requires an org API token; customer tokens may not do it"
            ))),
        }
    }

    /// Whether the caller may see this customer's resources.
    pub(crate) fn sees_customer(&self, customer_id: u64) -> bool {
        match self {
            Caller::Org => true,
            Caller::Customer { customer_id: own, .. } => *own == customer_id,
        }
    }

    pub(crate) fn sees_account(&self, account: &state::Account) -> bool {
        self.sees_customer(account.customer_id)
            && match self {
                Caller::Org => true,
                Caller::Customer { limits, .. } => limits.accounts.as_ref().is_none_or(|ids| ids.contains(&account.id)),
            }
    }

    pub(crate) fn sees_card(&self, card: &state::Card) -> bool {
        self.sees_customer(card.customer_id)
            && match self {
                Caller::Org => true,
                Caller::Customer { limits, .. } => limits.cards.as_ref().is_none_or(|ids| ids.contains(&card.id)),
            }
    }
}

/// The token of an `Authorization: Bearer <token>` header (the scheme is case-insensitive).
fn bearer_token(header: &str) -> Option<&str> {
    let (scheme, token) = header.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// Compares without stopping at the first difference, so response timing does not reveal how much
/// of the org token a guess got right.
fn same_secret(given: &str, expected: &str) -> bool {
    given.len() == expected.len() && given.bytes().zip(expected.bytes()).fold(0u8, |diff, (a, b)| diff | (a ^ b)) == 0
}
