//! `POST /v1/totps`, `POST /v1/totps/authenticate`, `POST /v1/totps/recover` and
//! `POST /v1/totps/recovery_codes`.

use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use super::{
    StytchClient, StytchError,
    types::{IssuedSession, SessionRef, User, secret_serde},
};
use crate::upstream::Idempotency;

/// Starts an authenticator-app enrolment; it becomes active with its first `authenticate`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TotpCreate {
    pub user_id: String,
    /// How long the enrolment waits for its first code: 5..=1440 (Stytch's default 1440).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiration_minutes: Option<u32>,
}

impl TotpCreate {
    pub fn new(user_id: impl Into<String>) -> Self {
        Self { user_id: user_id.into(), expiration_minutes: None }
    }
}

/// The new TOTP. `secret`, `qr_code` (a PNG of the `otpauth://` URI, so the secret again) and
/// the recovery codes are credentials: shown to the user once, never logged.
#[derive(Debug, Clone, Deserialize)]
pub struct TotpCreateResponse {
    pub request_id: String,
    pub user_id: String,
    pub totp_id: String,
    /// Base32.
    pub secret: SecretString,
    /// `data:image/png;base64,…`
    pub qr_code: SecretString,
    pub recovery_codes: Vec<SecretString>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TotpAuthenticate {
    pub user_id: String,
    #[serde(serialize_with = "secret_serde::expose")]
    pub totp_code: SecretString,
    /// The session this factor is added to (step-up).
    #[serde(flatten)]
    pub session: Option<SessionRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_duration_minutes: Option<u32>,
}

impl TotpAuthenticate {
    pub fn new(user_id: impl Into<String>, totp_code: impl Into<String>) -> Self {
        Self {
            user_id: user_id.into(),
            totp_code: SecretString::from(totp_code.into()),
            session: None,
            session_duration_minutes: None,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct TotpAuthenticateResponse {
    pub request_id: String,
    pub user_id: String,
    pub totp_id: String,
    #[serde(flatten)]
    pub issued: IssuedSession,
    #[serde(default)]
    pub user: Option<User>,
}

/// Authenticates with one of the TOTP's single-use recovery codes instead of a code.
#[derive(Debug, Clone, Serialize)]
pub struct TotpRecover {
    pub user_id: String,
    #[serde(serialize_with = "secret_serde::expose")]
    pub recovery_code: SecretString,
    #[serde(flatten)]
    pub session: Option<SessionRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_duration_minutes: Option<u32>,
}

impl TotpRecover {
    pub fn new(user_id: impl Into<String>, recovery_code: impl Into<String>) -> Self {
        Self {
            user_id: user_id.into(),
            recovery_code: SecretString::from(recovery_code.into()),
            session: None,
            session_duration_minutes: None,
        }
    }
}

/// Stytch answers a recovery exactly as it answers a code.
pub type TotpRecoverResponse = TotpAuthenticateResponse;

#[derive(Debug, Clone, Serialize)]
pub struct TotpRecoveryCodes {
    pub user_id: String,
}

/// The user's TOTPs with their unused recovery codes (credentials: never logged).
#[derive(Debug, Clone, Deserialize)]
pub struct TotpRecoveryCodesResponse {
    pub request_id: String,
    pub user_id: String,
    #[serde(default)]
    pub totps: Vec<TotpWithRecoveryCodes>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct TotpWithRecoveryCodes {
    pub totp_id: String,
    #[serde(default)]
    pub verified: bool,
    #[serde(default)]
    pub recovery_codes: Vec<SecretString>,
}

impl StytchClient {
    pub async fn totp_create(&self, request: &TotpCreate) -> Result<TotpCreateResponse, StytchError> {
        // Unsafe: each attempt makes a new secret and recovery codes; a repeat after a lost
        // answer would replace (or conflict with) the enrolment the user never saw.
        self.post("totps.create", &["v1", "totps"], request, Idempotency::Unsafe).await
    }

    pub async fn totp_authenticate(&self, request: &TotpAuthenticate) -> Result<TotpAuthenticateResponse, StytchError> {
        // Unsafe: a code is accepted once per time step, and attempts count towards lockout.
        self.post("totps.authenticate", &["v1", "totps", "authenticate"], request, Idempotency::Unsafe).await
    }

    pub async fn totp_recover(&self, request: &TotpRecover) -> Result<TotpRecoverResponse, StytchError> {
        // Unsafe: recovery codes are single-use.
        self.post("totps.recover", &["v1", "totps", "recover"], request, Idempotency::Unsafe).await
    }

    pub async fn totp_recovery_codes(
        &self,
        request: &TotpRecoveryCodes,
    ) -> Result<TotpRecoveryCodesResponse, StytchError> {
        // Safe: a read, though Stytch takes it as a POST.
        self.post("totps.recovery_codes", &["v1", "totps", "recovery_codes"], request, Idempotency::Safe).await
    }
}
