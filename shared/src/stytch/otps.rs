//! `POST /v1/otps/sms/send` and `POST /v1/otps/authenticate`.

use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use super::{
    StytchClient, StytchError,
    types::{MethodAuthenticateResponse, SessionRef, secret_serde},
};
use crate::upstream::Idempotency;

/// Texts a code to a phone of an existing user. With `user_id` or `session`, attaches the phone
/// to that user first (unverified until its code is authenticated).
#[derive(Debug, Clone, Default, Serialize)]
pub struct SmsSend {
    /// E.164, e.g. `+14155550100`.
    pub phone_number: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    #[serde(flatten)]
    pub session: Option<SessionRef>,
    /// 1..=10 (Stytch's default 2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiration_minutes: Option<u32>,
}

impl SmsSend {
    pub fn new(phone_number: impl Into<String>) -> Self {
        Self { phone_number: phone_number.into(), ..Self::default() }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct SmsSendResponse {
    pub request_id: String,
    pub user_id: String,
    pub phone_id: String,
}

/// Checks a code sent by SMS (or email OTP); `method_id` is the `phone_id` it was sent to.
#[derive(Debug, Clone, Serialize)]
pub struct OtpAuthenticate {
    pub method_id: String,
    #[serde(serialize_with = "secret_serde::expose")]
    pub code: SecretString,
    #[serde(flatten)]
    pub session: Option<SessionRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_duration_minutes: Option<u32>,
}

impl OtpAuthenticate {
    pub fn new(method_id: impl Into<String>, code: impl Into<String>) -> Self {
        Self {
            method_id: method_id.into(),
            code: SecretString::from(code.into()),
            session: None,
            session_duration_minutes: None,
        }
    }
}

/// `method_id` is the `phone_id` the code was sent to.
pub type OtpAuthenticateResponse = MethodAuthenticateResponse;

impl StytchClient {
    pub async fn sms_send(&self, request: &SmsSend) -> Result<SmsSendResponse, StytchError> {
        // Unsafe: every attempt texts a new code (costs money, is rate limited per phone,
        // and replaces the code the user may already be typing).
        self.post("otps.sms.send", &["v1", "otps", "sms", "send"], request, Idempotency::Unsafe).await
    }

    pub async fn otp_authenticate(&self, request: &OtpAuthenticate) -> Result<OtpAuthenticateResponse, StytchError> {
        // Unsafe: the code is single-use, and attempts count towards brute-force limits.
        self.post("otps.authenticate", &["v1", "otps", "authenticate"], request, Idempotency::Unsafe).await
    }
}
