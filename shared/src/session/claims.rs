//! The claims of a Stytch session JWT, and the verified session handed to business code.

use std::collections::BTreeMap;

use serde::Deserialize;
use time::OffsetDateTime;

/// Claims as they arrive. Private to the verifier: business code gets a [`VerifiedSession`].
#[derive(Debug, Deserialize)]
pub(super) struct RawClaims {
    pub sub: String,
    pub iat: i64,
    pub exp: i64,
    #[serde(rename = "https://stytch.com/session")]
    pub session: SessionClaim,
}

/// `https://stytch.com/session`.
#[derive(Debug, Clone, Deserialize)]
pub(super) struct SessionClaim {
    pub id: String,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub started_at: Option<OffsetDateTime>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub expires_at: Option<OffsetDateTime>,
    #[serde(default)]
    pub authentication_factors: Vec<AuthenticationFactor>,
}

/// One way the user proved who they are in this session.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct AuthenticationFactor {
    #[serde(rename = "type")]
    pub kind: FactorType,
    #[serde(default)]
    pub delivery_method: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub last_authenticated_at: OffsetDateTime,
    #[serde(default)]
    pub email_factor: Option<EmailFactor>,
    #[serde(default)]
    pub phone_number_factor: Option<PhoneNumberFactor>,
    #[serde(default)]
    pub authenticator_app_factor: Option<AuthenticatorAppFactor>,
    #[serde(default)]
    pub recovery_code_factor: Option<RecoveryCodeFactor>,
    /// Factor-specific objects of other types (`google_oauth_factor`, `webauthn_factor`, …),
    /// kept as they came.
    #[serde(flatten)]
    pub other: BTreeMap<String, serde_json::Value>,
}

macro_rules! factor_types {
    ($($variant:ident => $wire:literal,)*) => {
        /// Stytch's factor `type`. Types Stytch adds later are kept as [`FactorType::Other`], not refused.
        #[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
        #[serde(from = "String")]
        pub enum FactorType {
            $($variant,)*
            Other(String),
        }

        impl From<String> for FactorType {
            fn from(value: String) -> Self {
                match value.as_str() {
                    $($wire => FactorType::$variant,)*
                    _ => FactorType::Other(value),
                }
            }
        }

        impl FactorType {
            /// Stytch's name for the type.
            pub fn as_str(&self) -> &str {
                match self {
                    $(FactorType::$variant => $wire,)*
                    FactorType::Other(other) => other,
                }
            }
        }
    };
}

factor_types! {
    MagicLink => "magic_link",
    Otp => "otp",
    EmailOtp => "email_otp",
    Oauth => "oauth",
    Totp => "totp",
    Webauthn => "webauthn",
    RecoveryCodes => "recovery_codes",
    Password => "password",
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct EmailFactor {
    pub email_id: String,
    pub email_address: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PhoneNumberFactor {
    pub phone_id: String,
    pub phone_number: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AuthenticatorAppFactor {
    pub totp_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct RecoveryCodeFactor {
    pub totp_recovery_code_id: String,
}

/// A Stytch session whose JWT passed every check. The only thing handlers learn of a token.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedSession {
    /// The Stytch `user_id` (`sub`): the link to Unit's `jwtSubject`.
    pub user_id: String,
    pub session_id: String,
    pub factors: Vec<AuthenticationFactor>,
    /// The session's own expiry (the claim's `expires_at`), else the JWT's `exp`.
    pub expires_at: OffsetDateTime,
    /// The JWT's own `exp`. It verifies here within the configured leeway; Unit allows none.
    pub jwt_expires_at: OffsetDateTime,
    pub issued_at: OffsetDateTime,
    pub started_at: Option<OffsetDateTime>,
}
