//! The Stytch project's JWKS, fetched from `{base_url}/v1/sessions/jwks/{project_id}`.
//!
//! Cached for a TTL (5–10 minutes). A `kid` we do not know triggers at most one refresh per
//! cooldown, then fails closed: a flood of tokens with made-up `kid`s costs Stytch one request
//! per cooldown, not one per token. Only the configured URL is ever fetched; a token's
//! `jku`/`x5u` headers are refused before we get here.

use std::{
    collections::HashMap,
    sync::Arc,
    time::{Duration, Instant},
};

use jsonwebtoken::DecodingKey;
use serde::Deserialize;
use tokio::sync::{Mutex, RwLock};
use url::Url;

use super::VerifyError;
use crate::{http::Upstream, upstream::within_deadline};

#[derive(Debug, Clone)]
pub struct JwksSettings {
    pub ttl: Duration,
    pub refresh_cooldown: Duration,
    /// `UPSTREAM_TIMEOUT_MS`; inside a request, cut to what the request has left.
    pub fetch_timeout: Duration,
}

pub struct JwksCache {
    http: reqwest::Client,
    url: Url,
    settings: JwksSettings,
    state: RwLock<KeySet>,
    refreshing: Mutex<()>,
}

#[derive(Default)]
struct KeySet {
    keys: HashMap<String, Arc<DecodingKey>>,
    fetched_at: Option<Instant>,
    last_attempt: Option<Instant>,
    /// The last refresh caused by an unknown `kid`. Routine fetches (cold start, TTL) do not count:
    /// a key Stytch rotates in just after one must still be learnt at once.
    last_unknown_kid_refresh: Option<Instant>,
}

#[derive(Deserialize)]
struct JwksDocument {
    keys: Vec<JwkEntry>,
}

#[derive(Deserialize)]
struct JwkEntry {
    kid: Option<String>,
    kty: String,
    alg: Option<String>,
    #[serde(rename = "use")]
    key_use: Option<String>,
    n: Option<String>,
    e: Option<String>,
}

impl JwksCache {
    pub fn new(http: reqwest::Client, url: Url, settings: JwksSettings) -> Self {
        Self { http, url, settings, state: RwLock::new(KeySet::default()), refreshing: Mutex::new(()) }
    }

    pub fn jwks_url(base_url: &Url, project_id: &str) -> Url {
        let mut url = base_url.clone();
        url.path_segments_mut()
            .expect("an http(s) URL has path segments")
            .pop_if_empty()
            .extend(["v1", "sessions", "jwks", project_id]);
        url
    }

    /// Warms the cache at cold start. A failure is only logged: the first request retries.
    pub async fn prefetch(&self) {
        if let Err(error) = self.refresh_if(|_| true).await {
            tracing::warn!(%error, "could not prefetch the Stytch JWKS; will retry on first use");
        }
    }

    /// The key for `kid`, fetching or refreshing the set as the rules above allow.
    pub async fn key(&self, kid: &str) -> Result<Arc<DecodingKey>, VerifyError> {
        {
            let state = self.state.read().await;
            if self.is_fresh(&state)
                && let Some(key) = state.keys.get(kid)
            {
                return Ok(key.clone());
            }
        }
        let ttl = self.settings.ttl;
        let cooldown = self.settings.refresh_cooldown;
        let cooled = |at: Option<Instant>| at.is_none_or(|at| at.elapsed() >= cooldown);
        self.refresh_if(|state| {
            let expired = state.fetched_at.is_none_or(|at| at.elapsed() >= ttl);
            if expired {
                cooled(state.last_attempt)
            } else {
                !state.keys.contains_key(kid) && cooled(state.last_unknown_kid_refresh)
            }
        })
        .await?;
        let state = self.state.read().await;
        // Fail closed: expired keys are not used, even while Stytch cannot be reached.
        if !self.is_fresh(&state) {
            return Err(VerifyError::JwksUnavailable);
        }
        state.keys.get(kid).cloned().ok_or(VerifyError::UnknownKeyId)
    }

    fn is_fresh(&self, state: &KeySet) -> bool {
        state.fetched_at.is_some_and(|at| at.elapsed() < self.settings.ttl)
    }

    /// Fetches when `should(state)` still holds once this task has the refresh lock, so that
    /// concurrent callers who all saw a miss cause a single fetch.
    async fn refresh_if(&self, should: impl Fn(&KeySet) -> bool) -> Result<(), VerifyError> {
        let _refreshing = self.refreshing.lock().await;
        if !should(&*self.state.read().await) {
            return Ok(());
        }
        {
            let mut state = self.state.write().await;
            let now = Instant::now();
            // With fresh keys, only an unknown `kid` gets here.
            if self.is_fresh(&state) {
                state.last_unknown_kid_refresh = Some(now);
            }
            state.last_attempt = Some(now);
        }
        let keys = self.fetch().await?;
        let mut state = self.state.write().await;
        state.keys = keys;
        state.fetched_at = Some(Instant::now());
        Ok(())
    }

    async fn fetch(&self) -> Result<HashMap<String, Arc<DecodingKey>>, VerifyError> {
        let unavailable = |reason: &dyn std::fmt::Display| {
            tracing::warn!(url = %self.url, %reason, "Stytch JWKS fetch failed");
            VerifyError::JwksUnavailable
        };
        let request = within_deadline(self.http.get(self.url.clone()), Upstream::Stytch, self.settings.fetch_timeout)
            .map_err(|e| unavailable(&e))?;
        let response = request.send().await.map_err(|e| unavailable(&e))?;
        if !response.status().is_success() {
            return Err(unavailable(&response.status()));
        }
        let document: JwksDocument = response.json().await.map_err(|e| unavailable(&e))?;
        let keys: HashMap<_, _> = document.keys.into_iter().filter_map(usable_key).collect();
        tracing::debug!(count = keys.len(), "Stytch JWKS fetched");
        Ok(keys)
    }
}

/// RSA signing keys for RS256 with a `kid`; anything else in the set is ignored.
fn usable_key(jwk: JwkEntry) -> Option<(String, Arc<DecodingKey>)> {
    let kid = jwk.kid?;
    let rs256 = jwk.kty == "RSA"
        && jwk.alg.as_deref().is_none_or(|alg| alg == "RS256")
        && jwk.key_use.as_deref().is_none_or(|u| u == "sig");
    if !rs256 {
        return None;
    }
    let key = DecodingKey::from_rsa_components(jwk.n.as_deref()?, jwk.e.as_deref()?).ok()?;
    Some((kid, Arc::new(key)))
}
