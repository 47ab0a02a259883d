//! The cold start of the functions that read secrets (signup, step-up, token-exchange), run once:
//! configuration, logging, secrets, HTTP client, and (for functions that verify Stytch sessions)
//! the JWKS cache. Everything built here is reused by every invocation of the execution
//! environment. Cards reads no secret and builds its own state, then [`serve`]s it.

use std::{fmt, sync::Arc, time::Instant};

use crate::{
    cold_start::Phases,
    config::{Config, ConfigError, SecretNeeds},
    environment::{Evidence, Mismatch},
    http::ApiError,
    http_client,
    secrets::{self, SecretsError, SecretsStore, StytchCredentials},
    session::{JwksCache, JwksSettings, SessionVerifier, VerifierSettings},
    stytch::StytchClient,
    telemetry,
    unit::UnitClient,
    upstream::RetryPolicy,
};

/// What a handler needs, built once. Cheap to clone (one `Arc`).
#[derive(Clone)]
pub struct Dependencies(Arc<DependenciesInner>);

pub struct DependenciesInner {
    pub config: Config,
    pub http: reqwest::Client,
    pub secrets: SecretsStore,
    /// Present when the function has the Stytch secret (it knows the project to verify against).
    pub verifier: Option<SessionVerifier>,
    /// Present when the function has the Stytch secret.
    pub stytch: Option<StytchClient>,
    /// Present when the function has the Unit secret.
    pub unit: Option<UnitClient>,
}

impl std::ops::Deref for Dependencies {
    type Target = DependenciesInner;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

/// Why a cold start failed. `Debug` is `Display`, so `main` returning it prints one clear line.
#[derive(thiserror::Error)]
pub enum StartupError {
    #[error("configuration error: {0}")]
    Config(#[from] ConfigError),
    #[error("secrets error: {0}")]
    Secrets(#[from] SecretsError),
    #[error("environment error: {0}")]
    Environment(#[from] Mismatch),
    #[error("lambda runtime error: {0}")]
    Runtime(String),
}

impl fmt::Debug for StartupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl Dependencies {
    /// The Stytch client; an internal error if this function was deployed without the secret.
    pub fn stytch(&self) -> Result<&StytchClient, ApiError> {
        self.stytch.as_ref().ok_or_else(|| ApiError::internal("function has no Stytch secret configured"))
    }

    /// The Unit client; an internal error if this function was deployed without the secret.
    pub fn unit(&self) -> Result<&UnitClient, ApiError> {
        self.unit.as_ref().ok_or_else(|| ApiError::internal("function has no Unit secret configured"))
    }

    pub fn verifier(&self) -> Result<&SessionVerifier, ApiError> {
        self.verifier.as_ref().ok_or_else(|| ApiError::internal("function has no Stytch secret configured"))
    }

    /// The cold start from given parts: the one HTTP client of the function, and the Secrets Manager
    /// client (tests pass one aimed at moto).
    ///
    /// Both secrets are read concurrently, and the JWKS — which needs only the Stytch secret — is
    /// fetched while the Unit secret may still be on its way: the cold start waits for the slower of
    /// (Stytch secret + JWKS) and (Unit secret), not their sum. The JWKS fetch also opens the
    /// pooled TLS connection to Stytch that the first request reuses. Both branches run to the end
    /// even when one fails (bounded by the upstream timeouts), so a Stytch error is reported before
    /// a Unit one, as the order of the secrets in the configuration suggests. Then the secrets and
    /// `VENDOR_ENVIRONMENT` must agree on sandbox or live ([`crate::environment`]).
    pub async fn build(
        config: Config,
        http: reqwest::Client,
        secrets_client: aws_sdk_secretsmanager::Client,
    ) -> Result<Self, StartupError> {
        let secrets = SecretsStore::new(secrets_client, &config.secrets);
        let waiting = Instant::now();
        let (stytch, unit) = tokio::join!(
            async {
                let Some(credentials) = secrets.fetch_stytch().await? else {
                    return Ok::<_, SecretsError>(None);
                };
                let verifier = session_verifier(&config, &http, &credentials);
                verifier.jwks().prefetch().await;
                Ok(Some((credentials, verifier)))
            },
            secrets.fetch_unit(),
        );
        let (stytch, unit) = (stytch?, unit?);
        let mut evidence = Evidence::default().declared(config.vendor_environment);
        if let (Some((credentials, _)), Ok(secret)) = (&stytch, secrets.stytch()) {
            evidence = evidence.stytch(secret.secret_id(), credentials);
        }
        if let (Some(credentials), Ok(secret)) = (&unit, secrets.unit()) {
            evidence = evidence.unit(secret.secret_id(), credentials);
        }
        evidence.agree()?;
        let verifier = stytch.map(|(_, verifier)| verifier);
        // Most of a cold start is this wait on Secrets Manager and Stytch; logged so that it can be
        // told apart from the function's own start-up time, in CloudWatch and by `make bench`.
        // Rounded to the microsecond: a full f64 of milliseconds prints 15+ digits in a row, which the
        // log checks rightly take for a card number.
        tracing::info!(
            elapsed_ms = waiting.elapsed().as_micros() as f64 / 1e3,
            jwks = verifier.is_some(),
            "upstream reads at cold start done"
        );
        let retry = RetryPolicy::new(config.upstream.request_timeout);
        let stytch = secrets.stytch().ok().map(|c| StytchClient::new(http.clone(), c.clone(), retry.clone()));
        let unit = secrets.unit().ok().map(|c| {
            UnitClient::new(http.clone(), c.clone(), retry).with_deposit_product(config.api.deposit_product.clone())
        });
        Ok(Self(Arc::new(DependenciesInner { config, http, secrets, verifier, stytch, unit })))
    }
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

/// What a function serves after its cold start: the real router, or — when a secret cannot be
/// read — the [`recovering`](crate::recovering) stand-in that answers 503 and retries. A
/// configuration error is not retried: it needs a deployment to fix.
pub async fn app(
    config: Config,
    http: reqwest::Client,
    secrets_client: aws_sdk_secretsmanager::Client,
    make_router: fn(Dependencies) -> axum::Router,
) -> axum::Router {
    match Dependencies::build(config.clone(), http.clone(), secrets_client.clone()).await {
        Ok(dependencies) => make_router(dependencies),
        Err(error) => {
            tracing::error!(%error, "cold start could not read its secrets; answering 503 until it can");
            crate::recovering::router(config, http, secrets_client, make_router)
        }
    }
}

/// A function's whole `main`: configuration and logging, the cold start, then the Lambda runtime.
pub async fn run(needs: SecretNeeds, make_router: fn(Dependencies) -> axum::Router) -> Result<(), StartupError> {
    let mut phases = Phases::start();
    let config = Config::from_env(needs)?;
    phases.end("config");
    telemetry::init(config.log_level);
    phases.end("tracing");
    // One HTTP client for Secrets Manager, Stytch, Unit and the JWKS: one trust store, one pool.
    let http = http_client::build(&config.upstream);
    phases.end("http_client");
    let secrets_client = secrets::client(&http).await;
    phases.end("sdk_client");
    let router = app(config, http, secrets_client, make_router).await;
    phases.end("upstream_reads_and_router");
    phases.log();
    serve(router).await
}

/// Hands `router` to the Lambda runtime for the life of the execution environment. A function that
/// builds its own state (cards) calls this after its own cold start.
pub async fn serve(router: axum::Router) -> Result<(), StartupError> {
    lambda_http::run(router).await.map_err(|error| StartupError::Runtime(error.to_string()))
}
