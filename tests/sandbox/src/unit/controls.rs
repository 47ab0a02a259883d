//! Test controls on the Unit port.
//!
//! - `POST /__sandbox/org-token/revoke`, as an operator revoking the org token (Unit:
//!   `DELETE /users/{userId}/api-tokens/{tokenId}`). From then on the configured org token is answered
//!   like any invalid token, 401 `unauthorized`, until `POST /__sandbox/reset`.
//! - `GET`/`PATCH /__sandbox/org-settings`, as an org admin changing Unit's org settings
//!   (`preventDuplicateIndividualApplications`); reset restores the configured settings.
//! - `POST /__sandbox/customers`: a customer without an application (`direct_customers.rs`).
//! - `POST /__sandbox/application-forms/{id}/submit`: the applicant filling in an application form
//!   (`application_forms.rs`).
//! - `GET`/`POST /__sandbox/application-forms/{id}`: the form's page, as a browser sees it at the form's
//!   `url` (`hosted_form.rs`).

use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};

use super::org_settings::OrgSettingsPatch;
use super::{UnitState, application_forms, direct_customers, hosted_form};
use crate::common::controls::control_error;

pub fn router(state: UnitState) -> Router {
    Router::new()
        .route("/__sandbox/org-token/revoke", post(revoke_org_token))
        .route("/__sandbox/org-settings", get(org_settings).patch(change_org_settings))
        .route("/__sandbox/customers", post(direct_customers::create))
        .route("/__sandbox/application-forms/{id}/submit", post(application_forms::submit))
        .route("/__sandbox/application-forms/{id}", get(hosted_form::page).post(hosted_form::post))
        .with_state(state)
}

async fn revoke_org_token(State(state): State<UnitState>) -> StatusCode {
    state.store().org_token_revoked = true;
    tracing::info!("org token revoked");
    StatusCode::NO_CONTENT
}

async fn org_settings(State(state): State<UnitState>) -> Response {
    Json(state.store().settings).into_response()
}

async fn change_org_settings(
    State(state): State<UnitState>,
    body: Result<Json<OrgSettingsPatch>, JsonRejection>,
) -> Response {
    let patch = match body {
        Ok(Json(patch)) => patch,
        Err(rejection) => return control_error(StatusCode::BAD_REQUEST, &rejection.body_text()),
    };
    let mut store = state.store();
    store.settings.apply(patch);
    tracing::info!(settings = ?store.settings, "org settings changed");
    Json(store.settings).into_response()
}
