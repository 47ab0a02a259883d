//! Test control on the Unit port: `POST /__sandbox/org-token/revoke`, as an operator revoking the org
//! token (Unit: `DELETE /users/{userId}/api-tokens/{tokenId}`). From then on the configured org token
//! is answered like any invalid token, 401 `unauthorized`, until `POST /__sandbox/reset`.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;

use super::UnitState;

pub fn router(state: UnitState) -> Router {
    Router::new().route("/__sandbox/org-token/revoke", post(revoke_org_token)).with_state(state)
}

async fn revoke_org_token(State(state): State<UnitState>) -> StatusCode {
    state.store().org_token_revoked = true;
    tracing::info!("org token revoked");
    StatusCode::NO_CONTENT
}
