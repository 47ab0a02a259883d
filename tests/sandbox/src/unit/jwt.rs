//! Verifying the external-IdP JWT (`jwtToken`) of a customer-token request, as Unit documents it:
//! RS256, signed by a key of the configured JWKS (matched by the header's `kid`), `exp` in the
//! future, and `sub` equal to the customer's `jwtSubject`.
//!
//! The JWKS is fetched on first use, cached, and fetched again when a token names a `kid` the cache
//! does not hold (so rotated keys are picked up without restarting). `iss` and `aud` are not checked:
//! Unit does not document checking them for the Stytch provider.
//!
//! A JWT that fails verification is 401 (the customer is not authenticated); a valid JWT for another
//! subject is 403 (authenticated, but not as this customer).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use serde_json::Value;

use super::jsonapi::UnitError;

/// How long the sandbox waits for the JWKS endpoint.
const JWKS_TIMEOUT: Duration = Duration::from_secs(5);

/// The JWKS used to verify `jwtToken`s, cached in memory.
#[derive(Clone)]
pub(crate) struct JwksCache {
    url: Arc<str>,
    keys: Arc<Mutex<Option<JwkSet>>>,
    /// `None` only if the HTTP client could not be built; fetching then reports that.
    http: Option<reqwest::Client>,
}

impl JwksCache {
    pub(crate) fn new(url: String) -> Self {
        let http = reqwest::Client::builder().timeout(JWKS_TIMEOUT).connect_timeout(JWKS_TIMEOUT).build().ok();
        Self { url: url.into(), keys: Arc::new(Mutex::new(None)), http }
    }

    /// Forgets the cached keys (the next verification fetches the JWKS again).
    pub(crate) fn clear(&self) {
        *self.lock() = None;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<JwkSet>> {
        self.keys.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn cached_key(&self, kid: &str) -> Option<Result<DecodingKey, String>> {
        let keys = self.lock();
        let jwk = keys.as_ref()?.find(kid)?;
        Some(DecodingKey::from_jwk(jwk).map_err(|e| format!("JWKS key `{kid}` is unusable: {e}")))
    }

    /// The key for `kid`: from the cache, else from a fresh fetch of the JWKS.
    async fn key(&self, kid: &str) -> Result<DecodingKey, UnitError> {
        if let Some(key) = self.cached_key(kid) {
            return key.map_err(UnitError::unauthorized);
        }
        let fresh = self
            .fetch()
            .await
            .map_err(|problem| UnitError::unauthorized(format!("jwtToken could not be verified: {problem}")))?;
        *self.lock() = Some(fresh);
        match self.cached_key(kid) {
            Some(key) => key.map_err(UnitError::unauthorized),
            None => Err(UnitError::unauthorized(format!(
                "jwtToken is signed with key `{kid}`, which the configured JWKS does not contain"
            ))),
        }
    }

    async fn fetch(&self) -> Result<JwkSet, String> {
        let http = self.http.as_ref().ok_or("the sandbox's HTTP client is unavailable")?;
        let response =
            http.get(&*self.url).send().await.map_err(|e| format!("the JWKS at {} is unreachable ({e})", self.url))?;
        if !response.status().is_success() {
            return Err(format!("the JWKS at {} answered {}", self.url, response.status()));
        }
        response.json::<JwkSet>().await.map_err(|e| format!("the JWKS at {} is not a JWK set ({e})", self.url))
    }
}

/// Verifies `token` and checks that its `sub` is one of `subjects`: the customer's `jwtSubject` or an
/// authorized user's, as Unit documents.
pub(crate) async fn verify(cache: &JwksCache, token: &str, subjects: &[String]) -> Result<(), UnitError> {
    let header = decode_header(token).map_err(|_| UnitError::unauthorized("jwtToken is not a well-formed JWT"))?;
    if header.alg != Algorithm::RS256 {
        return Err(UnitError::unauthorized(format!("jwtToken must be signed with RS256, not {:?}", header.alg)));
    }
    let Some(kid) = header.kid.as_deref() else {
        return Err(UnitError::unauthorized("jwtToken has no `kid` header naming its signing key"));
    };
    let key = cache.key(kid).await?;

    let mut validation = Validation::new(Algorithm::RS256);
    // "exp in the future", exactly: no grace period.
    validation.leeway = 0;
    validation.validate_exp = true;
    validation.validate_aud = false;
    validation.set_required_spec_claims(&["exp", "sub"]);
    let claims =
        decode::<Value>(token, &key, &validation).map_err(|error| UnitError::unauthorized(describe(&error)))?.claims;

    let subject = claims.get("sub").and_then(Value::as_str).unwrap_or_default();
    if subjects.is_empty() {
        Err(UnitError::forbidden(
            "This customer has no jwtSubject; set it (PATCH /customers/{id}) before using jwtToken",
        ))
    } else if subjects.iter().any(|expected| expected == subject) {
        Ok(())
    } else {
        Err(UnitError::forbidden("jwtToken's subject does not match this customer's jwtSubject"))
    }
}

fn describe(error: &jsonwebtoken::errors::Error) -> String {
    use jsonwebtoken::errors::ErrorKind;
    match error.kind() {
        ErrorKind::ExpiredSignature => "jwtToken has expired".to_string(),
        ErrorKind::InvalidSignature => "jwtToken's signature is not valid".to_string(),
        ErrorKind::MissingRequiredClaim(claim) => format!("jwtToken lacks the `{claim}` claim"),
        _ => format!("jwtToken is not valid ({error})"),
    }
}
