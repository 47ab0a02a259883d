//! Stytch's `{status_code, request_id, error_type, error_message}` errors, and what our API says
//! when Stytch says no. The translation to [`ApiError`] lives here and nowhere else.

use std::{fmt, time::Duration};

use crate::{
    http::{ApiError, Upstream},
    secrets::SecretsError,
    upstream::{TransportError, common_status_error},
};

macro_rules! error_types {
    ($($variant:ident => $wire:literal,)*) => {
        /// Stytch's `error_type`. The known ones we act on have a variant; any other is kept as
        /// [`StytchErrorType::Other`] (Stytch has hundreds and adds more), never refused.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum StytchErrorType {
            $($variant,)*
            Other(String),
        }

        impl StytchErrorType {
            pub fn as_str(&self) -> &str {
                match self {
                    $(StytchErrorType::$variant => $wire,)*
                    StytchErrorType::Other(other) => other,
                }
            }
        }

        impl From<&str> for StytchErrorType {
            fn from(value: &str) -> Self {
                match value {
                    $($wire => StytchErrorType::$variant,)*
                    other => StytchErrorType::Other(other.to_owned()),
                }
            }
        }
    };
}

error_types! {
    UnauthorizedCredentials => "unauthorized_credentials",
    TooManyRequests => "too_many_requests",
    UserLockLimitReached => "user_lock_limit_reached",
    SessionNotFound => "session_not_found",
    InvalidSessionToken => "invalid_session_token",
    UnableToParseSessionJwt => "unable_to_parse_session_jwt",
    MagicLinkNotFound => "magic_link_not_found",
    UnableToAuthMagicLink => "unable_to_auth_magic_link",
    PkceMismatch => "pkce_mismatch",
    OtpCodeNotFound => "otp_code_not_found",
    UnableToAuthOtpCode => "unable_to_auth_otp_code",
    InvalidTotpCode => "invalid_totp_code",
    UnableToAuthenticateTotp => "unable_to_authenticate_totp",
    TotpCodeAlreadyAuthenticated => "totp_code_already_authenticated",
    TotpNotFound => "totp_not_found",
    ActiveTotpExists => "active_totp_exists",
    PendingTotpExists => "pending_totp_exists",
    InvalidRecoveryCode => "invalid_recovery_code",
    UnableToAuthenticateRecoveryCode => "unable_to_authenticate_recovery_code",
    NoActiveRecoveryCodeBackedFactor => "no_active_recovery_code_backed_factor",
    UserNotFound => "user_not_found",
    PhoneNumberNotFound => "phone_number_not_found",
    InvalidPhoneNumber => "invalid_phone_number",
    DuplicatePhoneNumber => "duplicate_phone_number",
    MetadataTooLarge => "metadata_too_large",
    MetadataTooManyKeys => "metadata_too_many_keys",
}

impl StytchErrorType {
    /// A one-time code (SMS OTP, TOTP or recovery code) that is wrong, used or expired.
    pub fn is_invalid_code(&self) -> bool {
        matches!(
            self,
            StytchErrorType::OtpCodeNotFound
                | StytchErrorType::UnableToAuthOtpCode
                | StytchErrorType::InvalidTotpCode
                | StytchErrorType::UnableToAuthenticateTotp
                | StytchErrorType::TotpCodeAlreadyAuthenticated
                | StytchErrorType::InvalidRecoveryCode
                | StytchErrorType::UnableToAuthenticateRecoveryCode
        )
    }

    /// A magic-link token that is unknown, used or expired.
    pub fn is_invalid_magic_link(&self) -> bool {
        matches!(self, StytchErrorType::MagicLinkNotFound | StytchErrorType::UnableToAuthMagicLink)
    }

    /// The session named by a token or JWT is unknown, revoked or expired.
    pub fn is_session_gone(&self) -> bool {
        matches!(
            self,
            StytchErrorType::SessionNotFound
                | StytchErrorType::InvalidSessionToken
                | StytchErrorType::UnableToParseSessionJwt
        )
    }
}

impl fmt::Display for StytchErrorType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, thiserror::Error)]
pub enum StytchError {
    /// Stytch answered with its error document. `error_message` is Stytch's text for our logs
    /// and tests only: it is never passed on to our clients, and not part of `Display`/`Debug`.
    #[error("Stytch answered {status} {error_type} (request {})", request_id.as_deref().unwrap_or("-"))]
    Api {
        status: u16,
        error_type: StytchErrorType,
        error_message: String,
        request_id: Option<String>,
        /// From a `Retry-After` header, if any (on 429s).
        retry_after: Option<Duration>,
    },
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// The Stytch secret could not be read from Secrets Manager.
    #[error(transparent)]
    Secrets(#[from] SecretsError),
    /// A body that is not the documented shape (success or error).
    #[error("Stytch answered {status} with an unexpected body")]
    UnexpectedBody { status: u16 },
}

impl fmt::Debug for StytchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StytchError::Api { status, error_type, request_id, retry_after, .. } => f
                .debug_struct("Api")
                .field("status", status)
                .field("error_type", error_type)
                .field("request_id", request_id)
                .field("retry_after", retry_after)
                .finish_non_exhaustive(),
            StytchError::Transport(error) => f.debug_tuple("Transport").field(error).finish(),
            StytchError::Secrets(error) => f.debug_tuple("Secrets").field(error).finish(),
            StytchError::UnexpectedBody { status } => f.debug_struct("UnexpectedBody").field("status", status).finish(),
        }
    }
}

impl StytchError {
    pub fn status(&self) -> Option<u16> {
        match self {
            StytchError::Api { status, .. } | StytchError::UnexpectedBody { status } => Some(*status),
            _ => None,
        }
    }

    pub fn error_type(&self) -> Option<&StytchErrorType> {
        match self {
            StytchError::Api { error_type, .. } => Some(error_type),
            _ => None,
        }
    }

    /// Whether Stytch answered with this `error_type`.
    pub fn is(&self, wanted: &StytchErrorType) -> bool {
        self.error_type() == Some(wanted)
    }
}

/// The default translation. Routes match specific cases first when they mean something else
/// there, and fall back to this. Stytch's own messages are never passed on.
impl From<StytchError> for ApiError {
    fn from(error: StytchError) -> Self {
        let upstream = Upstream::Stytch;
        match error {
            StytchError::Transport(transport) => transport.into(),
            StytchError::Secrets(error) => {
                tracing::error!(%error, "Stytch credentials unavailable");
                ApiError::Unavailable { code: "secrets_unavailable", retry_after: None }
            }
            StytchError::UnexpectedBody { status } => {
                status_error(status, None).unwrap_or(ApiError::UpstreamFailed { upstream })
            }
            StytchError::Api { status, error_type, retry_after, .. } => {
                if matches!(error_type, StytchErrorType::TooManyRequests | StytchErrorType::UserLockLimitReached) {
                    return ApiError::RateLimited { upstream, retry_after };
                }
                // 429, 408/504 and 5xx mean the same whatever the error_type.
                if let Some(mapped) = status_error(status, retry_after) {
                    return mapped;
                }
                match error_type {
                    error_type if error_type.is_session_gone() => ApiError::Unauthorized {
                        code: "session_not_found",
                        detail: "The Stytch session is unknown, expired or revoked. Log in again.",
                    },
                    error_type if error_type.is_invalid_code() => ApiError::Unauthorized {
                        code: "invalid_code",
                        detail: "The code is wrong, already used or expired.",
                    },
                    error_type if error_type.is_invalid_magic_link() => ApiError::Unauthorized {
                        code: "invalid_magic_link",
                        detail: "The magic link is unknown, already used or expired. Request a new one.",
                    },
                    StytchErrorType::PkceMismatch => ApiError::Unauthorized {
                        code: "pkce_mismatch",
                        detail: "The code verifier does not match the code challenge the magic link was sent with.",
                    },
                    StytchErrorType::ActiveTotpExists => ApiError::Conflict {
                        code: "totp_already_enrolled",
                        detail: "An authenticator app is already enrolled for this user.".into(),
                    },
                    // Our project credentials (even after a refetch of the secret): our
                    // misconfiguration, not the user's. Any other 4xx is a request we should
                    // not have made.
                    _ => ApiError::UpstreamFailed { upstream },
                }
            }
        }
    }
}

fn status_error(status: u16, retry_after: Option<Duration>) -> Option<ApiError> {
    let status = http::StatusCode::from_u16(status).ok()?;
    let mut headers = http::HeaderMap::new();
    if let Some(after) = retry_after {
        headers.insert(http::header::RETRY_AFTER, http::HeaderValue::from(after.as_secs()));
    }
    common_status_error(Upstream::Stytch, status, &headers)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: u16, error_type: &str) -> StytchError {
        StytchError::Api {
            status,
            error_type: error_type.into(),
            error_message: "Stytch's words about user@example.com".into(),
            request_id: Some("request-id-test-1".into()),
            retry_after: None,
        }
    }

    fn mapped(error: StytchError) -> (u16, &'static str) {
        let error = ApiError::from(error);
        (error.status().as_u16(), error.code())
    }

    #[test]
    fn error_types_round_trip_and_unknown_ones_are_kept() {
        assert_eq!(StytchErrorType::from("active_totp_exists"), StytchErrorType::ActiveTotpExists);
        assert_eq!(StytchErrorType::ActiveTotpExists.as_str(), "active_totp_exists");
        let unknown = StytchErrorType::from("brand_new_error");
        assert_eq!(unknown, StytchErrorType::Other("brand_new_error".into()));
        assert_eq!(unknown.to_string(), "brand_new_error");
    }

    #[test]
    fn each_error_maps_to_a_stable_code() {
        assert_eq!(mapped(api(404, "session_not_found")), (401, "session_not_found"));
        assert_eq!(mapped(api(404, "otp_code_not_found")), (401, "invalid_code"));
        assert_eq!(mapped(api(401, "unable_to_auth_otp_code")), (401, "invalid_code"));
        assert_eq!(mapped(api(400, "invalid_totp_code")), (401, "invalid_code"));
        assert_eq!(mapped(api(401, "unable_to_authenticate_totp")), (401, "invalid_code"));
        assert_eq!(mapped(api(401, "invalid_recovery_code")), (401, "invalid_code"));
        assert_eq!(mapped(api(404, "magic_link_not_found")), (401, "invalid_magic_link"));
        assert_eq!(mapped(api(401, "unable_to_auth_magic_link")), (401, "invalid_magic_link"));
        assert_eq!(mapped(api(400, "active_totp_exists")), (409, "totp_already_enrolled"));
        assert_eq!(mapped(api(400, "pkce_mismatch")), (401, "pkce_mismatch"));
        assert_eq!(mapped(api(401, "unauthorized_credentials")), (502, "upstream_error"));
        assert_eq!(mapped(api(400, "something_we_did_wrong")), (502, "upstream_error"));
        assert_eq!(mapped(api(503, "service_unavailable")), (502, "upstream_error"));
        assert_eq!(mapped(api(500, "session_not_found")), (502, "upstream_error"));
        assert_eq!(mapped(api(504, "anything")), (504, "upstream_timeout"));
        assert_eq!(mapped(api(429, "user_lock_limit_reached")), (429, "rate_limited"));
        assert_eq!(mapped(StytchError::UnexpectedBody { status: 200 }), (502, "upstream_error"));
        assert_eq!(mapped(StytchError::UnexpectedBody { status: 429 }), (429, "rate_limited"));
        assert_eq!(mapped(TransportError::Timeout(Upstream::Stytch).into()), (504, "upstream_timeout"));
        assert_eq!(mapped(TransportError::Unreachable(Upstream::Stytch).into()), (502, "upstream_error"));
    }

    #[test]
    fn rate_limits_keep_retry_after() {
        let error = StytchError::Api {
            status: 429,
            error_type: StytchErrorType::TooManyRequests,
            error_message: String::new(),
            request_id: None,
            retry_after: Some(Duration::from_secs(3)),
        };
        match ApiError::from(error) {
            ApiError::RateLimited { upstream: Upstream::Stytch, retry_after } => {
                assert_eq!(retry_after, Some(Duration::from_secs(3)));
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn stytch_messages_stay_out_of_display_debug_and_problems() {
        let error = api(400, "something_we_did_wrong");
        assert!(!error.to_string().contains("user@example.com"));
        assert!(!format!("{error:?}").contains("user@example.com"));
        assert!(error.to_string().contains("something_we_did_wrong"));
        let problem = ApiError::from(error).to_problem(&crate::http::RequestId::from("req-1"));
        assert!(!serde_json::to_string(&problem).unwrap().contains("example.com"));
    }
}
