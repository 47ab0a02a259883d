//! `POST /v1/magic_links/email/login_or_create` and `POST /v1/magic_links/authenticate`.

use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use super::{
    StytchClient, StytchError,
    types::{MethodAuthenticateResponse, SessionRef, secret_serde},
};
use crate::upstream::Idempotency;

/// Sends a login (existing user) or signup (new user) magic link to `email`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct MagicLinkLoginOrCreate {
    pub email: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub login_magic_link_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signup_magic_link_url: Option<String>,
    /// 5..=10080; Stytch's default is 60.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub login_expiration_minutes: Option<u32>,
    /// 5..=10080; Stytch's default is a week.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signup_expiration_minutes: Option<u32>,
    /// PKCE: base64url(SHA-256(code_verifier)), unpadded. The link then authenticates only with
    /// that `code_verifier`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code_challenge: Option<String>,
}

impl MagicLinkLoginOrCreate {
    pub fn new(email: impl Into<String>) -> Self {
        Self { email: email.into(), ..Self::default() }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct MagicLinkLoginOrCreateResponse {
    pub request_id: String,
    pub user_id: String,
    pub email_id: String,
    pub user_created: bool,
}

/// Redeems the `token` of a magic link. Without `session_duration_minutes` (and no `session`)
/// no session is started; with `session`, the factor is added to that session.
#[derive(Debug, Clone, Serialize)]
pub struct MagicLinkAuthenticate {
    #[serde(serialize_with = "secret_serde::expose")]
    pub token: SecretString,
    #[serde(flatten)]
    pub session: Option<SessionRef>,
    /// 5..=527040.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_duration_minutes: Option<u32>,
    /// PKCE: the verifier whose challenge was sent with the link.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "secret_serde::expose_option")]
    pub code_verifier: Option<SecretString>,
}

impl MagicLinkAuthenticate {
    pub fn new(token: impl Into<String>) -> Self {
        Self {
            token: SecretString::from(token.into()),
            session: None,
            session_duration_minutes: None,
            code_verifier: None,
        }
    }
}

/// `method_id` is the `email_id` the link was sent to.
pub type MagicLinkAuthenticateResponse = MethodAuthenticateResponse;

impl StytchClient {
    pub async fn magic_link_login_or_create(
        &self,
        request: &MagicLinkLoginOrCreate,
    ) -> Result<MagicLinkLoginOrCreateResponse, StytchError> {
        // Unsafe: every attempt that reaches Stytch sends an email (and counts against the
        // one-per-second limit per address), and may create the user.
        self.post(
            "magic_links.email.login_or_create",
            &["v1", "magic_links", "email", "login_or_create"],
            request,
            Idempotency::Unsafe,
        )
        .await
    }

    pub async fn magic_link_authenticate(
        &self,
        request: &MagicLinkAuthenticate,
    ) -> Result<MagicLinkAuthenticateResponse, StytchError> {
        // Unsafe: the token is single-use. If the first attempt was consumed but its answer
        // lost, a repeat would fail with unable_to_auth_magic_link and hide the session.
        self.post("magic_links.authenticate", &["v1", "magic_links", "authenticate"], request, Idempotency::Unsafe)
            .await
    }
}
