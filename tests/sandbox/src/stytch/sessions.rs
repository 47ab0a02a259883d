//! `POST /v1/sessions/authenticate`, `POST /v1/sessions/revoke`, `GET /v1/sessions` and
//! `GET /v1/sessions/jwks/{project_id}`.

use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

use super::errors::{StytchError, StytchResult};
use super::extract::StytchJson;

use super::respond::{object, ok};
use super::session_binding::{self, SessionOptions};
use super::state::StytchState;

#[derive(Deserialize)]
pub struct Authenticate {
    #[serde(flatten)]
    session: SessionOptions,
}

/// Checks a session and hands back a fresh JWT; an expired JWT of a live session is accepted, which is
/// how clients refresh. `session_duration_minutes` extends the session.
pub async fn authenticate(
    State(state): State<StytchState>,
    StytchJson(request): StytchJson<Authenticate>,
) -> StytchResult<Response> {
    let options = &request.session;
    let mut data = state.data();
    // Validates duration and custom claims as the other authenticate calls do.
    let target = session_binding::target(&state, &mut data, options)?;
    let session_binding::SessionTarget::Existing { session_id, via_token } = target else {
        return Err(StytchError::bad_request("no_session_arguments", "Pass session_token or session_jwt."));
    };
    let session = data.live_session_mut(&session_id)?;
    session_binding::touch(session, options);
    let user_id = session.user_id.clone();
    let issued = session_binding::issue(&state, session, via_token)?;

    let mut body = object(json!({ "user": data.user(&user_id)?.to_json() }));
    issued.write_into(&mut body);
    Ok(ok(body))
}

#[derive(Deserialize)]
pub struct Revoke {
    session_id: Option<String>,
    session_token: Option<String>,
    session_jwt: Option<String>,
}

pub async fn revoke(
    State(state): State<StytchState>,
    StytchJson(request): StytchJson<Revoke>,
) -> StytchResult<Response> {
    let given = [&request.session_id, &request.session_token, &request.session_jwt]
        .iter()
        .filter(|field| field.is_some())
        .count();
    if given == 0 {
        return Err(StytchError::bad_request(
            "no_session_revoke_arguments",
            "Pass one of session_id, session_token or session_jwt.",
        ));
    }
    if given > 1 {
        return Err(StytchError::bad_request(
            "too_many_session_revoke_arguments",
            "Pass only one of session_id, session_token or session_jwt.",
        ));
    }
    let mut data = state.data();
    let session_id = match request.session_id {
        Some(session_id) => session_id,
        None => {
            session_binding::resolve(
                &state,
                &mut data,
                request.session_token.as_deref(),
                request.session_jwt.as_deref(),
            )?
            .0
        }
    };
    let session = data.live_session_mut(&session_id)?;
    // Stytch's Test environment refuses to revoke its sandbox session; it answers as if there were none.
    if session.is_sandbox {
        return Err(StytchError::session_not_found());
    }
    data.remove_session(&session_id);
    Ok(ok(object(json!({}))))
}

#[derive(Deserialize)]
pub struct ListQuery {
    user_id: String,
}

/// The live sessions of a user.
pub async fn list(State(state): State<StytchState>, Query(query): Query<ListQuery>) -> StytchResult<Response> {
    let mut data = state.data();
    data.user(&query.user_id)?;
    let ids: Vec<String> =
        data.sessions.values().filter(|s| s.user_id == query.user_id).map(|s| s.session_id.clone()).collect();
    let sessions: Vec<_> = ids.iter().filter_map(|id| data.live_session_mut(id).ok().map(|s| s.api_json())).collect();
    Ok(ok(object(json!({ "sessions": sessions }))))
}

/// Every published key, the current one last. No credentials needed.
pub async fn jwks(State(state): State<StytchState>, Path(project_id): Path<String>) -> StytchResult<Response> {
    if project_id != state.config().project_id {
        return Err(StytchError::not_found("project_not_found", "Project could not be found."));
    }
    let keys: Vec<_> = state.keys().published().iter().map(|key| key.jwk()).collect();
    Ok(ok(object(json!({ "keys": keys }))))
}
