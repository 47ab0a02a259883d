//! `POST /applications` (apply for a Unit account) and `GET /applications/current`.
//!
//! The applicant is the verified session's user: the Unit application's `jwtSubject` and the
//! idempotency key both come from `session.user_id`, never from the body.

use axum::{Json, extract::State, http::StatusCode, response::IntoResponse};
use serde::Serialize;
use serde_json::Value;
use stytch_unit_common::{
    customer_link,
    http::{ApiError, ApiJson, StytchSession},
    startup::Dependencies,
    unit::{Application, NewIndividualApplication, UnitError},
};
use uuid::Uuid;

use crate::validation;

/// Namespace of the per-user application idempotency keys (a fixed, random UUID).
const APPLICATION_KEY_NAMESPACE: Uuid = Uuid::from_u128(0x6a1c_2f0e_9b4d_4e57_8c3a_d15e_07f2_b9a4);

/// The one idempotency key of a user's application: a double submit (or a retry after a lost
/// answer) gets the application the first one created.
pub fn idempotency_key(user_id: &str) -> String {
    Uuid::new_v5(&APPLICATION_KEY_NAMESPACE, format!("unit-application:{user_id}").as_bytes()).to_string()
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationResponse {
    application_id: String,
    status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    customer_id: Option<String>,
}

impl From<Application> for ApplicationResponse {
    fn from(application: Application) -> Self {
        Self {
            status: application.status.as_str().to_owned(),
            application_id: application.id,
            customer_id: application.customer_id,
        }
    }
}

/// `POST /applications` → `201 {applicationId, status, customerId?}`; `200` with the same shape
/// when this user already has an application (nothing new is created).
pub async fn submit(
    State(dependencies): State<Dependencies>,
    StytchSession { session, .. }: StytchSession,
    ApiJson(body): ApiJson<Value>,
) -> Result<impl IntoResponse, ApiError> {
    let valid = validation::application(&body, validation::today())?;
    drop(body);
    let user_id = session.user_id.as_str();
    let (stytch, unit) = (dependencies.stytch()?, dependencies.unit()?);

    // A second submit (or one after a lost answer) gets the recorded application, unchanged.
    if let Some(existing) = customer_link::current_application(stytch, unit, user_id).await? {
        tracing::info!(user_id, application_id = %existing.id, "application already submitted");
        return Ok((StatusCode::OK, Json(ApplicationResponse::from(existing))));
    }

    let new = NewIndividualApplication {
        full_name: valid.full_name,
        email: valid.email,
        phone: valid.phone,
        date_of_birth: valid.date_of_birth,
        address: valid.address,
        ssn: valid.ssn,
        jwt_subject: user_id.to_owned(),
        idempotency_key: idempotency_key(user_id),
    };
    let application = unit.create_application(&new).await.map_err(application_error)?;
    // The address this session signed in with: a magic link to it may stand beside the SMS step-up.
    let login_email =
        session.factors.iter().find_map(|factor| factor.email_factor.as_ref()).map(|e| e.email_address.as_str());
    customer_link::record(stytch, user_id, &application, login_email).await?;
    tracing::info!(
        user_id,
        application_id = %application.id,
        status = application.status.as_str(),
        "application submitted"
    );
    Ok((StatusCode::CREATED, Json(ApplicationResponse::from(application))))
}

/// Unit's refusals of an application, in our words (Unit's detail may quote the applicant).
fn application_error(error: UnitError) -> ApiError {
    match &error {
        UnitError::Api { status: 400 | 409, errors, .. }
            if error.has_code("already_exists")
                || errors.iter().any(|e| {
                    e.detail
                        .as_deref()
                        .or(e.title.as_deref())
                        .is_some_and(|t| t.to_lowercase().contains("already exists"))
                }) =>
        {
            ApiError::Conflict {
                code: "duplicate_application",
                detail: "An application with these details (such as this SSN) already exists.".into(),
            }
        }
        UnitError::Api { status: 400, .. } => {
            tracing::info!(%error, "Unit refused the application");
            ApiError::BadRequest {
                code: "application_rejected",
                detail: "Unit refused the application's details. Check them and submit again.".into(),
            }
        }
        _ => error.into(),
    }
}

/// `GET /applications/current` → `{applicationId, status, customerId?}`; 404 `no_application`.
pub async fn current(
    State(dependencies): State<Dependencies>,
    StytchSession { session, .. }: StytchSession,
) -> Result<impl IntoResponse, ApiError> {
    let (stytch, unit) = (dependencies.stytch()?, dependencies.unit()?);
    match customer_link::current_application(stytch, unit, &session.user_id).await? {
        Some(application) => Ok(Json(ApplicationResponse::from(application))),
        None => Err(ApiError::NotFound {
            code: "no_application",
            detail: "This user has no Unit application yet. Submit one with POST /applications.".into(),
        }),
    }
}
