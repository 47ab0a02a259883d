//! Unit's `{"errors": [{status, title, code, detail, source: {pointer}}]}`, and what our API says
//! when Unit says no.

use std::time::Duration;

use serde::Deserialize;

use crate::{
    http::{ApiError, Code, Upstream},
    secrets::SecretsError,
    upstream::TransportError,
};

#[derive(Debug, Clone, Deserialize)]
pub struct UnitErrorItem {
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub detail: Option<String>,
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum UnitError {
    /// Unit answered with an error document.
    #[error("Unit answered {status} ({codes})", codes = codes(errors))]
    Api { status: u16, errors: Vec<UnitErrorItem>, retry_after: Option<Duration> },
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// The Unit secret could not be read.
    #[error(transparent)]
    Secrets(#[from] SecretsError),
    /// An id that cannot be a Unit id; refused before any call.
    #[error("not a Unit id")]
    InvalidId,
    /// A success status with a body that is not the documented shape.
    #[error("Unit answered {status} with an unexpected body")]
    UnexpectedBody { status: u16 },
}

fn codes(errors: &[UnitErrorItem]) -> String {
    let codes: Vec<&str> = errors.iter().filter_map(|e| e.code.as_deref().or(e.title.as_deref())).collect();
    if codes.is_empty() { "no code".into() } else { codes.join(", ") }
}

impl UnitError {
    pub fn status(&self) -> Option<u16> {
        match self {
            UnitError::Api { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Whether any error item carries `code`.
    pub fn has_code(&self, code: &str) -> bool {
        matches!(self, UnitError::Api { errors, .. } if errors.iter().any(|e| e.code.as_deref() == Some(code)))
    }
}

/// What Unit said to a call made with our caller's customer token ([`UnitCustomerClient`]). Only
/// that client makes one, so only a refusal of the caller's own token can become the caller's
/// 401 or 403.
///
/// [`UnitCustomerClient`]: super::UnitCustomerClient
#[derive(Debug, Clone, thiserror::Error)]
#[error(transparent)]
pub struct UnitCustomerError(pub(super) UnitError);

impl UnitCustomerError {
    /// What Unit said, for routes that match specific cases (a card not found, a missing account).
    pub fn unit_error(&self) -> &UnitError {
        &self.0
    }

    pub fn status(&self) -> Option<u16> {
        self.0.status()
    }

    pub fn has_code(&self, code: &str) -> bool {
        self.0.has_code(code)
    }
}

/// An org-token call ([`UnitClient`](super::UnitClient)). Unit refusing OUR token — 401 (revoked,
/// or rotated away and not yet in the secret) or 403 (a scope it lacks) — is our misconfiguration:
/// 502 and an error log for the operator, never a 401 or 403 that would send the caller to fix
/// credentials they do not have.
impl From<UnitError> for ApiError {
    fn from(error: UnitError) -> Self {
        translate(error, |status| {
            tracing::error!(
                status,
                "Unit refused our org token (revoked, missing a scope such as customer-token-write) or, on a \
                 customer-token request, Unit's JWT settings do not trust Stytch; check the Unit secret and settings"
            );
            ApiError::UpstreamFailed { upstream: Upstream::Unit, cause: None }
        })
    }
}

/// A customer-token call: Unit refusing the caller's token is the caller's to fix.
impl From<UnitCustomerError> for ApiError {
    fn from(UnitCustomerError(error): UnitCustomerError) -> Self {
        translate(error, |status| match status {
            401 => ApiError::Refused {
                code: Code::InvalidUnitToken,
                detail: "The Unit customer token is invalid or has expired. Get a new one from POST /token.".into(),
            },
            _ => ApiError::Refused {
                code: Code::InsufficientScope,
                detail: "The Unit customer token does not carry the scope this action needs.".into(),
            },
        })
    }
}

/// The translation both kinds share, `refused` deciding what Unit's 401 or 403 means. Routes
/// match specific cases first (a missing customer, a card in the wrong state) and fall back to
/// this. Unit's own messages are never passed on.
fn translate(error: UnitError, refused: impl FnOnce(u16) -> ApiError) -> ApiError {
    let upstream = Upstream::Unit;
    let cause = error.clone();
    let translated = match error {
        UnitError::Transport(transport) => transport.into(),
        UnitError::UnexpectedBody { .. } => ApiError::UpstreamFailed { upstream, cause: None },
        UnitError::Secrets(error) => {
            tracing::error!(%error, "Unit credentials unavailable");
            ApiError::Unavailable { code: Code::SecretsUnavailable, retry_after: None }
        }
        UnitError::InvalidId => ApiError::Refused { code: Code::NotFound, detail: "No such resource.".into() },
        UnitError::Api { status, retry_after, ref errors } => match status {
            429 => ApiError::RateLimited { upstream, retry_after },
            408 | 504 => ApiError::UpstreamTimeout { upstream, cause: None },
            401 | 403 => refused(status),
            404 => ApiError::Refused { code: Code::NotFound, detail: "No such resource.".into() },
            400 if errors.iter().any(|e| e.code.as_deref() == Some("not_supported_for_card_status")) => {
                ApiError::Refused {
                    code: Code::CardStatusConflict,
                    detail: "The card's current status does not allow this action.".into(),
                }
            }
            409 => ApiError::Refused { code: Code::Conflict, detail: "Unit reports a conflict.".into() },
            _ => ApiError::UpstreamFailed { upstream, cause: None },
        },
    };
    translated.caused_by(cause)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(status: u16) -> UnitError {
        UnitError::Api { status, errors: Vec::new(), retry_after: None }
    }

    #[test]
    fn unit_refusing_our_org_token_is_a_bad_gateway() {
        for status in [401, 403] {
            let error = ApiError::from(refused(status));
            assert_eq!((error.status().as_u16(), error.code()), (502, "upstream_error"), "{status}");
        }
    }

    #[test]
    fn unit_refusing_the_callers_token_is_the_callers() {
        let error = ApiError::from(UnitCustomerError(refused(401)));
        assert_eq!((error.status().as_u16(), error.code()), (401, "invalid_unit_token"));
        let error = ApiError::from(UnitCustomerError(refused(403)));
        assert_eq!((error.status().as_u16(), error.code()), (403, "insufficient_scope"));
    }

    #[test]
    fn everything_else_means_the_same_whoever_s_token_it_was() {
        for status in [400, 404, 409, 429, 500, 503, 504] {
            let org = ApiError::from(refused(status));
            let customer = ApiError::from(UnitCustomerError(refused(status)));
            assert_eq!((org.status(), org.code()), (customer.status(), customer.code()), "{status}");
        }
    }
}
