//! Session JWTs laid out exactly as Stytch issues them, and their verification for
//! `sessions/authenticate` (which, like Stytch, accepts an expired JWT of a live session).

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, Header, Validation};
use serde_json::{Map, Value, json};
use time::OffsetDateTime;

use super::errors::{StytchError, StytchResult};
use super::keys::{KeyRing, SigningKey};
use super::session::Session;

pub const SESSION_CLAIM: &str = "https://stytch.com/session";

/// A session JWT lives five minutes whatever the session's own lifetime.
pub const JWT_LIFETIME_SECONDS: i64 = 300;

/// Claim names a session's custom claims cannot override.
pub const RESERVED_CLAIMS: [&str; 8] = ["aud", "exp", "iat", "iss", "jti", "nbf", "sub", SESSION_CLAIM];

pub fn issuer(project_id: &str) -> String {
    format!("stytch.com/{project_id}")
}

/// The payload of a JWT for `session` issued at `issued_at`. Keys come out in alphabetical order, which
/// is also the order Stytch's own tokens use.
pub fn claims(project_id: &str, session: &Session, issued_at: OffsetDateTime) -> Map<String, Value> {
    let iat = issued_at.unix_timestamp();
    let mut claims: Map<String, Value> = session
        .custom_claims
        .iter()
        .filter(|(name, _)| !RESERVED_CLAIMS.contains(&name.as_str()))
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect();
    claims.insert("aud".into(), json!([project_id]));
    claims.insert("exp".into(), json!(iat + JWT_LIFETIME_SECONDS));
    claims.insert(SESSION_CLAIM.into(), session.jwt_claim());
    claims.insert("iat".into(), json!(iat));
    claims.insert("iss".into(), json!(issuer(project_id)));
    claims.insert("nbf".into(), json!(iat));
    claims.insert("sub".into(), json!(session.user_id));
    claims
}

/// Signs `claims` with header `{"alg":"RS256","kid":…,"typ":"JWT"}`.
pub fn sign(key: &SigningKey, claims: &Map<String, Value>) -> StytchResult<String> {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(key.kid.clone());
    header.typ = Some("JWT".into());
    jsonwebtoken::encode(&header, claims, &key.encoding).map_err(|error| {
        tracing::error!(%error, "signing a session JWT failed");
        StytchError::new(
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            "internal_server_error",
            "Could not sign the session JWT.",
        )
    })
}

/// The session id inside a JWT this project signed. Signature, `aud` and `iss` are checked; `exp` and
/// `nbf` are not, because an expired JWT of a live session is how clients refresh.
pub fn session_id_from_jwt(keys: &KeyRing, project_id: &str, jwt: &str) -> StytchResult<String> {
    let unparseable =
        || StytchError::bad_request("unable_to_parse_session_jwt", "The session_jwt could not be parsed.");
    let rejected =
        || StytchError::unauthorized("unable_to_parse_session_jwt", "The session_jwt is not valid for this project.");

    let header = jsonwebtoken::decode_header(jwt).map_err(|_| unparseable())?;
    let key = header.kid.as_deref().and_then(|kid| keys.find(kid)).ok_or_else(rejected)?;

    let mut validation = Validation::new(Algorithm::RS256);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.required_spec_claims.clear();
    validation.set_audience(&[project_id]);
    validation.set_issuer(&[issuer(project_id)]);

    let payload =
        jsonwebtoken::decode::<Value>(jwt, &key.decoding, &validation).map_err(|error| match error.kind() {
            ErrorKind::InvalidToken | ErrorKind::Base64(_) | ErrorKind::Json(_) | ErrorKind::Utf8(_) => unparseable(),
            _ => rejected(),
        })?;
    payload
        .claims
        .get(SESSION_CLAIM)
        .and_then(|claim| claim.get("id"))
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(unparseable)
}
