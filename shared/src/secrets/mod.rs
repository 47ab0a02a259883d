//! Stytch and Unit credentials from AWS Secrets Manager.
//!
//! Both secrets are fetched concurrently at cold start, then served from memory. A cached value
//! is fetched again after the configured TTL, or — at most once per stale value — when an
//! upstream answers 401 with it (the secret was rotated). The Secrets Manager endpoint is chosen
//! only by the SDK's standard `AWS_ENDPOINT_URL_SECRETS_MANAGER` / `AWS_ENDPOINT_URL` variables.

mod cache;
mod credentials;
mod sdk_config;
mod transport;

use std::sync::Arc;

use aws_sdk_secretsmanager::Client;
use aws_smithy_types::error::display::DisplayErrorContext;

pub use cache::CachedSecret;
pub use credentials::{FromSecretJson, StytchCredentials, UnitCredentials};
pub use transport::SdkHttpClient;

use crate::{
    config::SecretsConfig,
    http::problem::Upstream,
    metrics::{UpstreamCall, catalogue::Outcome},
};

#[derive(Debug, Clone, thiserror::Error)]
pub enum SecretsError {
    #[error("secret {secret_id} was not found")]
    NotFound { secret_id: String },
    #[error("secret {secret_id} could not be read: access denied")]
    AccessDenied { secret_id: String },
    #[error("secret {secret_id} could not be fetched: {cause}")]
    Unreachable { secret_id: String, cause: String },
    #[error("secret {secret_id} has no SecretString (binary secrets are not supported)")]
    NotAString { secret_id: String },
    #[error("secret {secret_id} is not a JSON object")]
    NotJsonObject { secret_id: String },
    #[error("secret {secret_id} is missing the field `{field}`")]
    MissingField { secret_id: String, field: &'static str },
    #[error("secret {secret_id} has an invalid field `{field}`: {reason}")]
    InvalidField { secret_id: String, field: &'static str, reason: &'static str },
    #[error("this function is not configured with the {0} secret")]
    NotConfigured(&'static str),
}

/// The Secrets Manager client of a cold start, sending through the function's own HTTP client
/// ([`SdkHttpClient`]). Region, credentials and endpoint come from the SDK's standard variables,
/// the environment's read alone when it has them (`secrets/sdk_config.rs`).
pub async fn client(http: &reqwest::Client) -> Client {
    let aws = sdk_config::load(SdkHttpClient::new(http.clone()), |name| std::env::var(name).ok()).await;
    Client::new(&aws)
}

/// The credentials a function uses, each cached on its own.
pub struct SecretsStore {
    stytch: Option<Arc<CachedSecret<StytchCredentials>>>,
    unit: Option<Arc<CachedSecret<UnitCredentials>>>,
}

impl SecretsStore {
    /// The store for the configured secrets; nothing is fetched yet.
    pub fn new(client: Client, config: &SecretsConfig) -> Self {
        let stytch = config
            .stytch_secret_id
            .clone()
            .map(|id| Arc::new(CachedSecret::<StytchCredentials>::new(client.clone(), id, config.cache_ttl)));
        let unit = config
            .unit_secret_id
            .clone()
            .map(|id| Arc::new(CachedSecret::<UnitCredentials>::new(client, id, config.cache_ttl)));
        Self { stytch, unit }
    }

    pub fn stytch(&self) -> Result<&Arc<CachedSecret<StytchCredentials>>, SecretsError> {
        self.stytch.as_ref().ok_or(SecretsError::NotConfigured("Stytch"))
    }

    pub fn unit(&self) -> Result<&Arc<CachedSecret<UnitCredentials>>, SecretsError> {
        self.unit.as_ref().ok_or(SecretsError::NotConfigured("Unit"))
    }
}

struct FetchedSecret {
    secret_string: String,
    version_id: Option<String>,
}

/// One `GetSecretValue` call, its failures sorted into errors a person can act on.
async fn fetch_secret_string(client: &Client, secret_id: &str) -> Result<FetchedSecret, SecretsError> {
    use aws_sdk_secretsmanager::{error::SdkError, operation::get_secret_value::GetSecretValueError};
    let call = UpstreamCall::start(Upstream::SecretsManager, "GetSecretValue");
    let sent = client.get_secret_value().secret_id(secret_id).send().await;
    let status = match &sent {
        Ok(_) => Some(200),
        Err(error) => error.raw_response().map(|response| response.status().as_u16()),
    };
    let outcome = match (&sent, status) {
        (Err(SdkError::TimeoutError(_)), _) => Outcome::Timeout,
        (_, Some(status)) => Outcome::of_status(status),
        (_, None) => Outcome::Unreachable,
    };
    // The SDK retries inside `send`; its attempts are not counted here.
    call.finish(outcome, status, 1);
    let output = sent.map_err(|error| {
        let secret_id = secret_id.to_owned();
        match error.as_service_error() {
            Some(GetSecretValueError::ResourceNotFoundException(_)) => SecretsError::NotFound { secret_id },
            Some(service) if service.meta().code() == Some("AccessDeniedException") => {
                SecretsError::AccessDenied { secret_id }
            }
            // The SDK's Display is only "dispatch failure"; the context names the cause. It never
            // includes the secret value, which only a successful response carries.
            _ => SecretsError::Unreachable { secret_id, cause: DisplayErrorContext(&error).to_string() },
        }
    })?;
    let secret_string =
        output.secret_string.ok_or_else(|| SecretsError::NotAString { secret_id: secret_id.to_owned() })?;
    Ok(FetchedSecret { secret_string, version_id: output.version_id })
}
