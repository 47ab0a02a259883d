//! The checks, in order: shape and header, key by `kid`, RS256 signature, then claims.

use std::{collections::HashSet, time::Duration};

use jsonwebtoken::{Algorithm, Validation, errors::ErrorKind};
use time::OffsetDateTime;

use super::{JwksCache, VerifiedSession, VerifyError, claims::RawClaims};

/// A session JWT is a few kilobytes at most; anything far larger is refused before parsing.
const MAX_TOKEN_BYTES: usize = 16 * 1024;

#[derive(Debug, Clone)]
pub struct VerifierSettings {
    pub project_id: String,
    /// Accepted `iss` values besides `stytch.com/{project_id}`: the custom base URL, if any.
    pub extra_issuers: Vec<String>,
    pub leeway: Duration,
    pub max_token_age: Option<Duration>,
}

pub struct SessionVerifier {
    jwks: JwksCache,
    validation: Validation,
    leeway: i64,
    max_token_age: Option<i64>,
}

impl SessionVerifier {
    pub fn new(jwks: JwksCache, settings: VerifierSettings) -> Self {
        let mut validation = Validation::new(Algorithm::RS256);
        validation.algorithms = vec![Algorithm::RS256];
        // Every claim we rely on is required, so a claim of the wrong type can never be read as
        // absent and skipped (GHSA-h395-gr6q-cpjc). `iat` is required by `RawClaims` itself.
        validation.set_required_spec_claims(&["exp", "nbf", "sub", "iss", "aud"]);
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.validate_aud = true;
        validation.leeway = settings.leeway.as_secs();
        validation.set_audience(&[settings.project_id.as_str()]);
        let mut issuers: HashSet<String> = HashSet::from([format!("stytch.com/{}", settings.project_id)]);
        issuers.extend(settings.extra_issuers.iter().map(|i| i.trim_end_matches('/').to_owned()));
        validation.iss = Some(issuers);
        Self {
            jwks,
            validation,
            leeway: settings.leeway.as_secs() as i64,
            max_token_age: settings.max_token_age.map(|age| age.as_secs() as i64),
        }
    }

    pub fn jwks(&self) -> &JwksCache {
        &self.jwks
    }

    pub async fn verify(&self, token: &str) -> Result<VerifiedSession, VerifyError> {
        self.verify_at(token, OffsetDateTime::now_utc()).await
    }

    async fn verify_at(&self, token: &str, now: OffsetDateTime) -> Result<VerifiedSession, VerifyError> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(VerifyError::Malformed);
        }
        // `decode_header` refuses `alg: none` and unknown algorithms: they are not `Algorithm`s.
        let header = jsonwebtoken::decode_header(token).map_err(|_| VerifyError::Malformed)?;
        if header.alg != Algorithm::RS256 {
            return Err(VerifyError::DisallowedAlgorithm);
        }
        if header.typ.as_deref().is_some_and(|typ| !typ.eq_ignore_ascii_case("JWT")) {
            return Err(VerifyError::WrongType);
        }
        if header.jku.is_some()
            || header.x5u.is_some()
            || header.jwk.is_some()
            || header.x5c.is_some()
            || header.crit.is_some()
        {
            return Err(VerifyError::ForbiddenHeader);
        }
        let kid = header.kid.as_deref().ok_or(VerifyError::MissingKeyId)?;
        let key = self.jwks.key(kid).await?;
        let data = jsonwebtoken::decode::<RawClaims>(token, &key, &self.validation).map_err(map_jwt_error)?;
        self.check_claims(data.claims, now)
    }

    fn check_claims(&self, claims: RawClaims, now: OffsetDateTime) -> Result<VerifiedSession, VerifyError> {
        let now_ts = now.unix_timestamp();
        if claims.iat > now_ts + self.leeway {
            return Err(VerifyError::IssuedInFuture);
        }
        if let Some(max_age) = self.max_token_age
            && now_ts - claims.iat >= max_age
        {
            return Err(VerifyError::TooOld);
        }
        if claims.sub.is_empty() || claims.session.id.is_empty() {
            return Err(VerifyError::MissingClaim);
        }
        let timestamp = |ts: i64| OffsetDateTime::from_unix_timestamp(ts).map_err(|_| VerifyError::MissingClaim);
        let expires_at = match claims.session.expires_at {
            Some(at) => at,
            None => timestamp(claims.exp)?,
        };
        if expires_at.unix_timestamp() < now_ts - self.leeway {
            return Err(VerifyError::SessionExpired);
        }
        Ok(VerifiedSession {
            user_id: claims.sub,
            session_id: claims.session.id,
            factors: claims.session.authentication_factors,
            expires_at,
            jwt_expires_at: timestamp(claims.exp)?,
            issued_at: timestamp(claims.iat)?,
            started_at: claims.session.started_at,
        })
    }
}

fn map_jwt_error(error: jsonwebtoken::errors::Error) -> VerifyError {
    match error.kind() {
        ErrorKind::InvalidSignature => VerifyError::BadSignature,
        ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName | ErrorKind::UnsupportedAlgorithm => {
            VerifyError::DisallowedAlgorithm
        }
        ErrorKind::ExpiredSignature => VerifyError::Expired,
        ErrorKind::ImmatureSignature => VerifyError::NotYetValid,
        ErrorKind::InvalidAudience => VerifyError::WrongAudience,
        ErrorKind::InvalidIssuer => VerifyError::WrongIssuer,
        ErrorKind::MissingRequiredClaim(_) | ErrorKind::InvalidClaimFormat(_) | ErrorKind::Json(_) => {
            VerifyError::MissingClaim
        }
        _ => VerifyError::Malformed,
    }
}
