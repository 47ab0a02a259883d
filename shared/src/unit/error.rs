//! Unit's `{"errors": [{status, title, code, detail, source: {pointer}}]}`, and what our API says
//! when Unit says no.

use std::time::Duration;

use serde::Deserialize;

use crate::{
    http::{ApiError, Upstream},
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

/// The default translation. Routes match specific cases first (a missing customer, a card in
/// the wrong state) and fall back to this. Unit's own messages are never passed on.
impl From<UnitError> for ApiError {
    fn from(error: UnitError) -> Self {
        let upstream = Upstream::Unit;
        match error {
            UnitError::Transport(transport) => transport.into(),
            UnitError::UnexpectedBody { .. } => ApiError::UpstreamFailed { upstream },
            UnitError::Secrets(error) => {
                tracing::error!(%error, "Unit credentials unavailable");
                ApiError::Unavailable { code: "secrets_unavailable", retry_after: None }
            }
            UnitError::InvalidId => ApiError::NotFound { code: "not_found", detail: "No such resource.".into() },
            UnitError::Api { status, retry_after, ref errors } => match status {
                429 => ApiError::RateLimited { upstream, retry_after },
                408 | 504 => ApiError::UpstreamTimeout { upstream },
                // A customer token that Unit refuses: the client should get a new one from /token.
                401 => ApiError::Unauthorized {
                    code: "invalid_unit_token",
                    detail: "The Unit customer token is invalid or has expired. Get a new one from POST /token.",
                },
                403 => ApiError::Forbidden {
                    code: "insufficient_scope",
                    detail: "The Unit customer token does not carry the scope this action needs.".into(),
                },
                404 => ApiError::NotFound { code: "not_found", detail: "No such resource.".into() },
                400 if errors.iter().any(|e| e.code.as_deref() == Some("not_supported_for_card_status")) => {
                    ApiError::Conflict {
                        code: "card_status_conflict",
                        detail: "The card's current status does not allow this action.".into(),
                    }
                }
                409 => ApiError::Conflict { code: "conflict", detail: "Unit reports a conflict.".into() },
                _ => ApiError::UpstreamFailed { upstream },
            },
        }
    }
}
