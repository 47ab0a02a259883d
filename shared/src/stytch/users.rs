//! `GET /v1/users/{user_id}`, `PUT /v1/users/{user_id}`, and removing a factor from a user:
//! `DELETE /v1/users/phone_numbers/{phone_id}` and `DELETE /v1/users/totps/{totp_id}`.

use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{Auth, Call, StytchClient, StytchError, json_body, types::User};
use crate::upstream::Idempotency;

/// The user, flattened at the top level as Stytch returns it.
#[derive(Debug, Clone, Deserialize)]
pub struct GetUserResponse {
    pub request_id: String,
    #[serde(flatten)]
    pub user: User,
}

/// A metadata update. Stytch merges each object into the stored one at the top level: keys sent
/// are set, keys not sent are kept, and a key sent as `null` is deleted. At most 20 top-level
/// keys and 4 KB per object; never put secrets in either.
#[derive(Debug, Clone, Default, Serialize)]
pub struct UpdateUser {
    /// Writable only by backends like this one; the frontend can read but not change it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trusted_metadata: Option<Map<String, Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub untrusted_metadata: Option<Map<String, Value>>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct UpdateUserResponse {
    pub request_id: String,
    pub user_id: String,
    pub user: User,
}

/// What Stytch answers when it removes a factor from a user: the user without it.
#[derive(Debug, Clone, Deserialize)]
pub struct DeleteFactorResponse {
    pub request_id: String,
    pub user_id: String,
    pub user: User,
}

impl StytchClient {
    pub async fn get_user(&self, user_id: &str) -> Result<GetUserResponse, StytchError> {
        self.call(Call {
            operation: "users.get",
            method: Method::GET,
            path: &["v1", "users", user_id],
            body: None,
            // Safe: a read.
            idempotency: Idempotency::Safe,
            auth: Auth::Basic,
        })
        .await
    }

    pub async fn update_user(&self, user_id: &str, request: &UpdateUser) -> Result<UpdateUserResponse, StytchError> {
        self.call(Call {
            operation: "users.update",
            method: Method::PUT,
            path: &["v1", "users", user_id],
            body: Some(json_body(request)),
            // Safe: a top-level merge of the same values; applying it twice leaves the user as
            // applying it once does (a `null` deletes a key that is then already gone).
            idempotency: Idempotency::Safe,
            auth: Auth::Basic,
        })
        .await
    }

    /// Removes a phone number (and with it the SMS factor to it) from its user.
    pub async fn delete_phone_number(&self, phone_id: &str) -> Result<DeleteFactorResponse, StytchError> {
        self.delete("users.delete_phone_number", &["v1", "users", "phone_numbers", phone_id]).await
    }

    /// Removes a TOTP (active or pending, with its recovery codes) from its user.
    pub async fn delete_totp(&self, totp_id: &str) -> Result<DeleteFactorResponse, StytchError> {
        self.delete("users.delete_totp", &["v1", "users", "totps", totp_id]).await
    }

    async fn delete(&self, operation: &'static str, path: &[&str]) -> Result<DeleteFactorResponse, StytchError> {
        self.call(Call {
            operation,
            method: Method::DELETE,
            path,
            body: None,
            // Unsafe: a repeat after a lost answer finds the factor gone (`*_not_found`), which
            // the caller reads as done; retrying here would only turn success into that error.
            idempotency: Idempotency::Unsafe,
            auth: Auth::Basic,
        })
        .await
    }
}
