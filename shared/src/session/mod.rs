//! Local verification of Stytch session JWTs.
//!
//! Handlers never see raw claims: a token either becomes a [`VerifiedSession`] or a
//! [`VerifyError`] that maps to 401 (or 503 when the JWKS cannot be had).

mod claims;
mod jwks;
mod verifier;

pub use claims::{
    AuthenticationFactor, AuthenticatorAppFactor, EmailFactor, FactorType, PhoneNumberFactor, RecoveryCodeFactor,
    VerifiedSession,
};
pub use jwks::{JwksCache, JwksSettings};
pub use verifier::{SessionVerifier, VerifierSettings};

use crate::http::{ApiError, Code};

/// Why a token was refused. The variant is for logs and tests; clients see a stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("the token is not a well-formed JWT")]
    Malformed,
    #[error("the token's algorithm is not RS256")]
    DisallowedAlgorithm,
    #[error("the token's typ header is not JWT")]
    WrongType,
    #[error("the token carries a key reference header (jku, x5u, jwk, x5c) or crit")]
    ForbiddenHeader,
    #[error("the token has no kid")]
    MissingKeyId,
    #[error("no key in the JWKS has the token's kid")]
    UnknownKeyId,
    #[error("the signature does not verify")]
    BadSignature,
    #[error("a required claim is missing or has the wrong type")]
    MissingClaim,
    #[error("the audience is not this Stytch project")]
    WrongAudience,
    #[error("the issuer is not this Stytch project")]
    WrongIssuer,
    #[error("the token has expired")]
    Expired,
    #[error("the token is not valid yet")]
    NotYetValid,
    #[error("the token was issued in the future")]
    IssuedInFuture,
    #[error("the token is older than the configured maximum age")]
    TooOld,
    #[error("the Stytch session has expired")]
    SessionExpired,
    #[error("the Stytch JWKS could not be fetched")]
    JwksUnavailable,
}

impl From<VerifyError> for ApiError {
    fn from(error: VerifyError) -> Self {
        match error {
            VerifyError::JwksUnavailable => ApiError::Unavailable { code: Code::JwksUnavailable, retry_after: None },
            VerifyError::Expired | VerifyError::SessionExpired => ApiError::Refused {
                code: Code::SessionExpired,
                detail: "The session JWT has expired. Refresh it with Stytch and retry.".into(),
            },
            VerifyError::TooOld => ApiError::Refused {
                code: Code::SessionTooOld,
                detail: "The session JWT is older than this API accepts. Refresh it with Stytch and retry.".into(),
            },
            _ => ApiError::Refused { code: Code::InvalidSession, detail: "The session JWT is not valid.".into() },
        }
    }
}
