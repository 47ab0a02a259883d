//! `POST /application-forms`: Unit's hosted application form instead of `POST /applications`, for a
//! frontend that would rather not collect the applicant's SSN and details itself.
//!
//! The form is prefilled with the verified session's user as `jwtSubject` (never a body field), so
//! the application the applicant submits there is this user's: the webhook, or the next read
//! (`GET /applications/current`), records it as `POST /applications` would have.

use axum::{Json, extract::State, http::StatusCode, response::IntoResponse};
use serde::Serialize;
use stytch_unit_common::{
    customer_link::{self, CustomerLink},
    dependencies::Dependencies,
    http::{ApiError, Code, StytchSession},
    session_response::NO_STORE,
    unit::{ApplicationForm, NewApplicationForm, UnitClient, unit_id},
};

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationFormResponse {
    application_form_id: String,
    url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    stage: Option<String>,
}

impl From<ApplicationForm> for ApplicationFormResponse {
    fn from(form: ApplicationForm) -> Self {
        Self { application_form_id: form.id, url: form.url, stage: form.stage }
    }
}

/// `POST /application-forms` → `201 {applicationFormId, url, stage}`; `200` with the same form when
/// one was already handed out and not submitted yet; `409 application_exists` once the user has an
/// application (from a form or from `POST /applications`); `401 session_not_found` for a session
/// Stytch no longer knows.
pub async fn create(
    State(dependencies): State<Dependencies>,
    caller: StytchSession,
) -> Result<impl IntoResponse, ApiError> {
    let (stytch, unit) = (&dependencies.stytch, &dependencies.unit);
    // The form's URL lets whoever holds it apply as this user: a session that was logged out or
    // revoked (its JWT still verifies locally) gets none.
    let user = caller.check_with_stytch(stytch).await?;
    let (user_id, session) = (user.user_id.as_str(), &caller.session);
    // This also finds an application a submitted form created before its webhook came.
    if customer_link::current_application_of(stytch, unit, &user).await?.is_some() {
        return Err(ApiError::Refused {
            code: Code::ApplicationExists,
            detail: "This user already has an application: see GET /applications/current.".into(),
        });
    }
    if let Some(form) = recorded_form(unit, user_id, &CustomerLink::of(&user)).await? {
        tracing::info!(user_id, application_form_id = %form.id, "application form handed out again");
        return Ok((StatusCode::OK, [NO_STORE], Json(ApplicationFormResponse::from(form))));
    }

    let login_email =
        session.factors.iter().find_map(|factor| factor.email_factor.as_ref()).map(|e| e.email_address.clone());
    let redirect_url = dependencies.config.api.application_form_redirect_url.clone();
    let form =
        unit.create_application_form(&NewApplicationForm::individual(user_id, login_email, redirect_url)).await?;
    customer_link::record_application_form(stytch, user_id, &form.id).await?;
    tracing::info!(user_id, application_form_id = %form.id, "application form created");
    Ok((StatusCode::CREATED, [NO_STORE], Json(ApplicationFormResponse::from(form))))
}

/// The form recorded for this user, if it is still theirs to fill in.
async fn recorded_form(
    unit: &UnitClient,
    user_id: &str,
    link: &CustomerLink,
) -> Result<Option<ApplicationForm>, ApiError> {
    let Some(form_id) = &link.application_form_id else {
        return Ok(None);
    };
    let form = unit.get_application_form(&unit_id(form_id)?).await?;
    if form.jwt_subject.as_deref() != Some(user_id) {
        tracing::error!(application_form_id = %form_id, "application form in trusted metadata has another jwtSubject");
        return Err(ApiError::internal("customer link points at another user's application form"));
    }
    Ok(Some(form))
}
