//! What every authenticate call shares: where the new factor goes (an existing session, a new session,
//! or nowhere) and the `session_token`/`session_jwt`/`session` fields of the response.

use axum::response::Response;
use serde::Deserialize;
use serde_json::{Map, Value};
use time::Duration;

use super::errors::{StytchError, StytchResult};
use super::jwt::{self, RESERVED_CLAIMS};
use super::respond::{object, ok};
use super::session::{Attributes, Factor, Session};
use super::state::{Data, StytchState};
use crate::common::{clock, ids};

const MIN_SESSION_MINUTES: i64 = 5;
const MAX_SESSION_MINUTES: i64 = 527_040;
const MAX_CUSTOM_CLAIMS_BYTES: usize = 4096;

/// The session fields of an authenticate request (flattened into each request type).
#[derive(Debug, Default, Deserialize)]
pub struct SessionOptions {
    pub session_token: Option<String>,
    pub session_jwt: Option<String>,
    pub session_duration_minutes: Option<i64>,
    pub session_custom_claims: Option<Map<String, Value>>,
}

/// Where an authentication lands, decided (and validated) before any credential is consumed.
#[derive(Debug)]
pub enum SessionTarget {
    /// Add the factor to this live session. `via_token` says whether the caller proved it with the
    /// session token, which alone earns the token back in the response.
    Existing { session_id: String, via_token: bool },
    /// Start a session that lasts this many minutes.
    New { minutes: i64 },
    /// Authenticate without a session.
    NoSession,
}

/// The session part of a response.
#[derive(Debug, Default)]
pub struct Issued {
    pub session_token: String,
    pub session_jwt: String,
    pub session: Option<Value>,
}

impl Issued {
    pub fn write_into(self, body: &mut Map<String, Value>) {
        body.insert("session_token".into(), Value::String(self.session_token));
        body.insert("session_jwt".into(), Value::String(self.session_jwt));
        body.insert("session".into(), self.session.unwrap_or(Value::Null));
    }
}

/// What a factor's credential check yields: whose factor it is, the factor, and the response fields
/// besides `user_id`, `user` and the session fields.
pub struct Authenticated {
    pub user_id: String,
    pub factor: Factor,
    pub fields: Value,
}

/// The frame of every factor's authenticate call: validates the session options and resolves a passed
/// session before `check` consumes the credential, then binds the factor and answers with `fields` plus
/// `user_id`, `user` and the session fields.
pub fn authenticate(
    state: &StytchState,
    options: &SessionOptions,
    attributes: Option<Attributes>,
    check: impl FnOnce(&mut Data) -> StytchResult<Authenticated>,
) -> StytchResult<Response> {
    let mut data = state.data();
    let target = target(state, &mut data, options)?;
    let Authenticated { user_id, factor, fields } = check(&mut data)?;
    let issued = bind(state, &mut data, target, &user_id, factor, options, attributes)?;
    let mut body = object(fields);
    body.insert("user".into(), data.user(&user_id)?.to_json());
    body.insert("user_id".into(), Value::String(user_id));
    issued.write_into(&mut body);
    Ok(ok(body))
}

/// Validates `session_duration_minutes` and `session_custom_claims`, and resolves a passed session.
pub fn target(state: &StytchState, data: &mut Data, options: &SessionOptions) -> StytchResult<SessionTarget> {
    if let Some(minutes) = options.session_duration_minutes {
        check_duration(minutes)?;
    }
    if let Some(claims) = &options.session_custom_claims {
        check_custom_claims(claims)?;
    }
    match (&options.session_token, &options.session_jwt) {
        (None, None) => Ok(match options.session_duration_minutes {
            Some(minutes) => SessionTarget::New { minutes },
            None => SessionTarget::NoSession,
        }),
        (token, jwt) => {
            let (session_id, via_token) = resolve(state, data, token.as_deref(), jwt.as_deref())?;
            Ok(SessionTarget::Existing { session_id, via_token })
        }
    }
}

/// Finds the live session named by exactly one of a token or a JWT (an expired JWT is fine).
pub fn resolve(
    state: &StytchState,
    data: &mut Data,
    token: Option<&str>,
    jwt: Option<&str>,
) -> StytchResult<(String, bool)> {
    let (session_id, via_token) = match (token.filter(|t| !t.is_empty()), jwt.filter(|j| !j.is_empty())) {
        (Some(_), Some(_)) => {
            return Err(StytchError::bad_request(
                "too_many_session_arguments",
                "Pass either session_token or session_jwt, not both.",
            ));
        }
        (None, None) => {
            return Err(StytchError::bad_request("no_session_arguments", "Pass session_token or session_jwt."));
        }
        (Some(token), None) => (data.session_id_by_token(token)?, true),
        (None, Some(jwt)) => (jwt::session_id_from_jwt(&state.keys(), &state.config().project_id, jwt)?, false),
    };
    data.live_session_mut(&session_id)?;
    Ok((session_id, via_token))
}

/// Records `factor` for `user_id` according to `target` and returns the session fields of the response.
pub fn bind(
    state: &StytchState,
    data: &mut Data,
    target: SessionTarget,
    user_id: &str,
    factor: Factor,
    options: &SessionOptions,
    attributes: Option<Attributes>,
) -> StytchResult<Issued> {
    let now = clock::now();
    let (session_id, via_token) = match target {
        SessionTarget::NoSession => return Ok(Issued::default()),
        SessionTarget::Existing { session_id, via_token } => {
            let session = data.live_session_mut(&session_id)?;
            if session.user_id != user_id {
                return Err(StytchError::bad_request(
                    "session_user_mismatch",
                    "The session passed belongs to a different user than the one authenticating.",
                ));
            }
            session.add_factor(factor);
            (session_id, via_token)
        }
        SessionTarget::New { minutes } => {
            let session = Session {
                session_id: ids::prefixed("session-test"),
                user_id: user_id.to_owned(),
                session_token: ids::session_token(),
                started_at: now,
                last_accessed_at: now,
                expires_at: now + Duration::minutes(minutes),
                attributes: attributes.unwrap_or_default(),
                factors: vec![factor],
                custom_claims: Map::new(),
                is_sandbox: false,
            };
            let session_id = session.session_id.clone();
            data.insert_session(session);
            (session_id, true)
        }
    };
    let session = data.live_session_mut(&session_id)?;
    touch(session, options);
    issue(state, session, via_token)
}

/// Marks the session used now, extends it when asked, and stores new custom claims.
pub fn touch(session: &mut Session, options: &SessionOptions) {
    let now = clock::now();
    session.last_accessed_at = now;
    match options.session_duration_minutes {
        Some(minutes) => session.expires_at = now + Duration::minutes(minutes),
        // The sandbox session never ends; keep its advertised expiry an hour ahead.
        None if session.is_sandbox => session.expires_at = now + Duration::minutes(60),
        None => {}
    }
    if let Some(claims) = &options.session_custom_claims {
        for (name, value) in claims {
            if RESERVED_CLAIMS.contains(&name.as_str()) {
                continue;
            }
            if value.is_null() {
                session.custom_claims.remove(name);
            } else {
                session.custom_claims.insert(name.clone(), value.clone());
            }
        }
    }
}

/// A fresh JWT for `session`; the token only when the caller proved it with the token (or it is new).
pub fn issue(state: &StytchState, session: &Session, include_token: bool) -> StytchResult<Issued> {
    let claims = jwt::claims(&state.config().project_id, session, clock::now());
    let session_jwt = jwt::sign(&state.keys().current(), &claims)?;
    Ok(Issued {
        session_token: if include_token { session.session_token.clone() } else { String::new() },
        session_jwt,
        session: Some(session.api_json()),
    })
}

fn check_duration(minutes: i64) -> StytchResult<()> {
    if (MIN_SESSION_MINUTES..=MAX_SESSION_MINUTES).contains(&minutes) {
        Ok(())
    } else {
        Err(StytchError::bad_request(
            "invalid_session_duration_minutes",
            format!("session_duration_minutes must be between {MIN_SESSION_MINUTES} and {MAX_SESSION_MINUTES}."),
        ))
    }
}

fn check_custom_claims(claims: &Map<String, Value>) -> StytchResult<()> {
    if serde_json::to_vec(claims).map_or(0, |bytes| bytes.len()) > MAX_CUSTOM_CLAIMS_BYTES {
        return Err(StytchError::bad_request("custom_claims_too_large", "session_custom_claims must be at most 4 KB."));
    }
    Ok(())
}
