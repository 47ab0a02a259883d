//! Customer tokens: `POST /customers/{id}/token` (by JWT or by Unit's SMS verification) and
//! `POST /customers/{id}/token/verification`.

use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use super::{
    UnitClient, UnitError,
    jsonapi::{Document, RequestDocument},
    to_body,
    transport::Operation,
};
use crate::upstream::Idempotency;
use crate::validated::UnitId;

/// How the customer proved a second factor for a token with sensitive scopes.
pub enum TokenProof<'a> {
    /// A Stytch session JWT whose `sub` is the customer's `jwtSubject`.
    Jwt(&'a SecretString),
    /// Unit's own SMS one-time code, after `create_token_verification`.
    Verification { token: &'a SecretString, code: &'a SecretString },
}

pub struct CustomerTokenRequest<'a> {
    pub scopes: &'a [String],
    pub expires_in: Option<u32>,
    pub proof: TokenProof<'a>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VerificationChannel {
    Sms,
    Call,
}

/// A Unit customer bearer token. `Debug` shows no token.
#[derive(Debug, Clone)]
pub struct CustomerToken {
    pub token: SecretString,
    pub expires_in: u64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TokenAttributes<'a> {
    scope: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    expires_in: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    jwt_token: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    verification_token: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    verification_code: Option<&'a str>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BearerTokenAttributes {
    token: SecretString,
    expires_in: u64,
}

#[derive(Serialize)]
struct VerificationAttributes {
    channel: VerificationChannel,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct VerificationResult {
    verification_token: SecretString,
}

impl UnitClient {
    /// Not retried: a proof (a JWT, a one-time code) is spent on the first try that reaches Unit.
    pub async fn create_customer_token(
        &self,
        customer_id: &UnitId,
        request: &CustomerTokenRequest<'_>,
    ) -> Result<CustomerToken, UnitError> {
        let path = format!("/customers/{customer_id}/token");
        let (jwt_token, verification_token, verification_code) = match &request.proof {
            TokenProof::Jwt(jwt) => (Some(jwt.expose_secret()), None, None),
            TokenProof::Verification { token, code } => (None, Some(token.expose_secret()), Some(code.expose_secret())),
        };
        let attributes = TokenAttributes {
            scope: request.scopes.join(" "),
            expires_in: request.expires_in,
            jwt_token,
            verification_token,
            verification_code,
        };
        let body = to_body(&RequestDocument::new("customerToken", attributes));
        let document: Document<BearerTokenAttributes> = self
            .call(Operation::write("customers.token", Method::POST, Idempotency::Unsafe), &path, &[], Some(body))
            .await?;
        Ok(CustomerToken { token: document.data.attributes.token, expires_in: document.data.attributes.expires_in })
    }

    /// Sends the customer a one-time code by SMS (or voice); returns the token to pair it with.
    pub async fn create_token_verification(
        &self,
        customer_id: &UnitId,
        channel: VerificationChannel,
    ) -> Result<SecretString, UnitError> {
        let path = format!("/customers/{customer_id}/token/verification");
        let body = to_body(&RequestDocument::new("customerTokenVerification", VerificationAttributes { channel }));
        let document: Document<VerificationResult> = self
            .call(
                Operation::write("customers.token_verification", Method::POST, Idempotency::Unsafe),
                &path,
                &[],
                Some(body),
            )
            .await?;
        Ok(document.data.attributes.verification_token)
    }
}
