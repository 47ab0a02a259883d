//! What a function that reads secrets builds at cold start, typed by what its routes use: a client
//! a route needs and its function lacks is a compile error, not a 500 at run time.
//!
//! - [`Dependencies`] (signup, step-up, token-exchange): the Stytch and Unit clients and the
//!   verifier of the callers' session JWTs.
//! - [`WebhookDependencies`] (webhooks): the Stytch and Unit clients and the Unit secret, whose
//!   webhook tokens sign Unit's deliveries; no session verifier (Unit is the caller).
//!
//! Cards reads no secret and builds its own state (`functions/cards/src/dependencies.rs`).

use std::{fmt, future::Future, sync::Arc, time::Instant};

use aws_sdk_secretsmanager::Client;

use crate::{
    config::{Config, SecretNeeds},
    environment::{Evidence, Mismatch},
    secrets::{CachedSecret, SecretsError, SecretsStore, StytchCredentials, UnitCredentials},
    session::{JwksCache, JwksSettings, SessionVerifier, VerifierSettings},
    stytch::StytchClient,
    unit::UnitClient,
    upstream::RetryPolicy,
};

/// A function's state, built once per cold start from its secrets ([`crate::startup::run`]), and
/// built again by [`crate::recovering`] while the secrets cannot be read.
pub trait ColdStart: Clone + Send + Sync + Sized + 'static {
    /// The secrets the function reads: its configuration must name them.
    const NEEDS: SecretNeeds;

    fn build(
        config: Config,
        http: reqwest::Client,
        secrets_client: Client,
    ) -> impl Future<Output = Result<Self, ColdStartError>> + Send;
}

/// Why a cold start could not build its state.
#[derive(thiserror::Error)]
pub enum ColdStartError {
    #[error("secrets error: {0}")]
    Secrets(#[from] SecretsError),
    #[error("environment error: {0}")]
    Environment(#[from] Mismatch),
}

impl fmt::Debug for ColdStartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// The state of signup, step-up and token-exchange. Cheap to clone (one `Arc`).
#[derive(Clone)]
pub struct Dependencies(Arc<DependenciesInner>);

pub struct DependenciesInner {
    pub config: Config,
    pub verifier: SessionVerifier,
    pub stytch: StytchClient,
    pub unit: UnitClient,
}

impl std::ops::Deref for Dependencies {
    type Target = DependenciesInner;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl ColdStart for Dependencies {
    const NEEDS: SecretNeeds = SecretNeeds { stytch: true, unit: true };

    async fn build(config: Config, http: reqwest::Client, secrets_client: Client) -> Result<Self, ColdStartError> {
        let (vendors, verifier) = read_secrets::<SessionVerifier>(&config, &http, secrets_client).await?;
        let Vendors { stytch, unit, .. } = vendors;
        Ok(Self(Arc::new(DependenciesInner { config, verifier, stytch, unit })))
    }
}

/// The state of the webhooks function. Cheap to clone (one `Arc`).
#[derive(Clone)]
pub struct WebhookDependencies(Arc<WebhookDependenciesInner>);

pub struct WebhookDependenciesInner {
    pub config: Config,
    /// The Unit secret itself: its webhook tokens, refetched when a signature matches none of them.
    pub unit_secret: Arc<CachedSecret<UnitCredentials>>,
    pub stytch: StytchClient,
    pub unit: UnitClient,
}

impl std::ops::Deref for WebhookDependencies {
    type Target = WebhookDependenciesInner;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl ColdStart for WebhookDependencies {
    const NEEDS: SecretNeeds = SecretNeeds { stytch: true, unit: true };

    async fn build(config: Config, http: reqwest::Client, secrets_client: Client) -> Result<Self, ColdStartError> {
        let (Vendors { unit_secret, stytch, unit }, ()) = read_secrets::<()>(&config, &http, secrets_client).await?;
        Ok(Self(Arc::new(WebhookDependenciesInner { config, unit_secret, stytch, unit })))
    }
}

/// Both vendors' clients, and the Unit secret they were made from.
struct Vendors {
    unit_secret: Arc<CachedSecret<UnitCredentials>>,
    stytch: StytchClient,
    unit: UnitClient,
}

/// What a cold start does with the Stytch credentials while the Unit secret may still be on its way.
trait WithStytchSecret: Sized + Send {
    /// Whether that is the JWKS fetch (for the cold start's log line).
    const JWKS: bool;
    fn build(
        config: &Config,
        http: &reqwest::Client,
        credentials: &StytchCredentials,
    ) -> impl Future<Output = Self> + Send;
}

/// Nothing: the function verifies no session.
impl WithStytchSecret for () {
    const JWKS: bool = false;
    async fn build(_: &Config, _: &reqwest::Client, _: &StytchCredentials) {}
}

/// The session verifier, its JWKS fetched. The fetch also opens the pooled TLS connection to Stytch
/// that the first request reuses.
impl WithStytchSecret for SessionVerifier {
    const JWKS: bool = true;
    async fn build(config: &Config, http: &reqwest::Client, credentials: &StytchCredentials) -> Self {
        let verifier = session_verifier(config, http, credentials);
        verifier.jwks().prefetch().await;
        verifier
    }
}

/// Both secrets are read concurrently, and `T` — which needs only the Stytch secret — is built
/// while the Unit secret may still be on its way: the cold start waits for the slower of
/// (Stytch secret + `T`) and (Unit secret), not their sum. Both branches run to the end even when
/// one fails (bounded by the upstream timeouts), so a Stytch error is reported before a Unit one,
/// as the order of the secrets in the configuration suggests. Then the secrets and
/// `VENDOR_ENVIRONMENT` must agree on sandbox or live ([`crate::environment`]).
async fn read_secrets<T: WithStytchSecret>(
    config: &Config,
    http: &reqwest::Client,
    secrets_client: Client,
) -> Result<(Vendors, T), ColdStartError> {
    let secrets = SecretsStore::new(secrets_client, &config.secrets);
    let (stytch_secret, unit_secret) = (secrets.stytch()?.clone(), secrets.unit()?.clone());
    let waiting = Instant::now();
    let (stytch, unit) = tokio::join!(
        async {
            let credentials = stytch_secret.get().await?;
            let built = T::build(config, http, &credentials).await;
            Ok::<_, SecretsError>((credentials, built))
        },
        unit_secret.get(),
    );
    let ((stytch_credentials, built), unit_credentials) = (stytch?, unit?);
    Evidence::default()
        .declared(config.vendor_environment)
        .stytch(stytch_secret.secret_id(), &stytch_credentials)
        .unit(unit_secret.secret_id(), &unit_credentials)
        .agree()?;
    // Most of a cold start is this wait on Secrets Manager and Stytch; logged so that it can be
    // told apart from the function's own start-up time, in CloudWatch and by `make bench`.
    // Rounded to the microsecond: a full f64 of milliseconds prints 15+ digits in a row, which the
    // log checks rightly take for a card number.
    tracing::info!(
        elapsed_ms = waiting.elapsed().as_micros() as f64 / 1e3,
        jwks = T::JWKS,
        "upstream reads at cold start done"
    );
    let retry = RetryPolicy::new(config.upstream.request_timeout);
    let stytch = StytchClient::new(http.clone(), stytch_secret, retry.clone());
    let unit = UnitClient::new(http.clone(), unit_secret.clone(), retry)
        .with_deposit_product(config.api.deposit_product.clone());
    Ok((Vendors { unit_secret, stytch, unit }, built))
}

/// The verifier of this project's session JWTs, its JWKS cache empty.
fn session_verifier(config: &Config, http: &reqwest::Client, credentials: &StytchCredentials) -> SessionVerifier {
    let jwks = JwksCache::new(
        http.clone(),
        JwksCache::jwks_url(&credentials.base_url, &credentials.project_id),
        JwksSettings {
            ttl: config.session.jwks_cache_ttl,
            refresh_cooldown: config.session.jwks_refresh_cooldown,
            fetch_timeout: config.upstream.request_timeout,
        },
    );
    let extra_issuers = if credentials.custom_base_url {
        vec![credentials.base_url.as_str().trim_end_matches('/').to_owned()]
    } else {
        Vec::new()
    };
    SessionVerifier::new(
        jwks,
        VerifierSettings {
            project_id: credentials.project_id.clone(),
            extra_issuers,
            leeway: config.session.leeway,
            max_token_age: config.session.max_token_age,
        },
    )
}
