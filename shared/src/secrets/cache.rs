//! One secret's cache: TTL expiry, and a single refetch when an upstream rejects the value in use.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use aws_sdk_secretsmanager::Client;
use tokio::sync::{Mutex, RwLock};

use super::{FromSecretJson, SecretsError, fetch_secret_string};

pub struct CachedSecret<T> {
    client: Client,
    secret_id: String,
    ttl: Duration,
    current: RwLock<Option<Entry<T>>>,
    /// Serialises fetches, so that a burst of requests after expiry or a burst of 401s causes
    /// one `GetSecretValue`, not one per request.
    fetching: Mutex<()>,
}

struct Entry<T> {
    value: Arc<T>,
    /// Secrets Manager's `VersionId`: tells a rotated secret from the same one fetched again.
    version_id: Option<String>,
    fetched_at: Instant,
    /// When a rejection last made us check Secrets Manager and the value had not changed. A
    /// credential that is simply wrong then costs one fetch per cooldown, not one per request.
    unchanged_after_rejection: Option<Instant>,
}

/// How long a rejected-but-unchanged secret is not fetched again.
const REJECTION_RECHECK_COOLDOWN: Duration = Duration::from_secs(30);

impl<T: FromSecretJson> CachedSecret<T> {
    pub fn new(client: Client, secret_id: String, ttl: Duration) -> Self {
        Self { client, secret_id, ttl, current: RwLock::new(None), fetching: Mutex::new(()) }
    }

    pub fn secret_id(&self) -> &str {
        &self.secret_id
    }

    /// The cached value while it is fresh; otherwise a new fetch. If the refetch of an expired
    /// value fails, the expired value is still served: it was valid a TTL ago, and an outage of
    /// Secrets Manager should not take the API down with it.
    pub async fn get(&self) -> Result<Arc<T>, SecretsError> {
        if let Some(value) = self.fresh().await {
            return Ok(value);
        }
        let _fetching = self.fetching.lock().await;
        if let Some(value) = self.fresh().await {
            return Ok(value);
        }
        match self.fetch_and_store().await {
            Ok(value) => Ok(value),
            Err(error) => match self.current.read().await.as_ref() {
                Some(stale) => {
                    tracing::warn!(secret_id = %self.secret_id, %error, "serving an expired secret");
                    Ok(stale.value.clone())
                }
                None => Err(error),
            },
        }
    }

    /// An upstream answered 401 with `rejected`. Fetch again unless someone already replaced it;
    /// returns the new value, or `None` when Secrets Manager still holds the rejected one (then
    /// retrying would only fail again).
    pub async fn refresh_after_rejection(&self, rejected: &Arc<T>) -> Result<Option<Arc<T>>, SecretsError> {
        let _fetching = self.fetching.lock().await;
        if let Some(entry) = self.current.read().await.as_ref() {
            if !Arc::ptr_eq(&entry.value, rejected) {
                return Ok(Some(entry.value.clone()));
            }
            if entry.unchanged_after_rejection.is_some_and(|at| at.elapsed() < REJECTION_RECHECK_COOLDOWN) {
                return Ok(None);
            }
        }
        tracing::info!(secret_id = %self.secret_id, "credential rejected upstream; fetching the secret again");
        let fetched = fetch_secret_string(&self.client, &self.secret_id).await?;
        let mut current = self.current.write().await;
        // Keep the old Arc if nothing changed, so that further rejections of it do not refetch.
        if let Some(entry) = current.as_mut()
            && fetched.version_id.is_some()
            && entry.version_id == fetched.version_id
        {
            entry.fetched_at = Instant::now();
            entry.unchanged_after_rejection = Some(Instant::now());
            return Ok(None);
        }
        let value = Arc::new(T::from_secret_json(&self.secret_id, &fetched.secret_string)?);
        *current = Some(Entry {
            value: value.clone(),
            version_id: fetched.version_id,
            fetched_at: Instant::now(),
            unchanged_after_rejection: None,
        });
        Ok(Some(value))
    }

    async fn fresh(&self) -> Option<Arc<T>> {
        let current = self.current.read().await;
        current.as_ref().filter(|entry| entry.fetched_at.elapsed() < self.ttl).map(|entry| entry.value.clone())
    }

    async fn fetch_and_store(&self) -> Result<Arc<T>, SecretsError> {
        let fetched = fetch_secret_string(&self.client, &self.secret_id).await?;
        let value = Arc::new(T::from_secret_json(&self.secret_id, &fetched.secret_string)?);
        *self.current.write().await = Some(Entry {
            value: value.clone(),
            version_id: fetched.version_id,
            fetched_at: Instant::now(),
            unchanged_after_rejection: None,
        });
        Ok(value)
    }
}
