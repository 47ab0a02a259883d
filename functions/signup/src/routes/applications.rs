//! `POST /applications` (apply for a Unit account) and `GET /applications/current`.
//!
//! The applicant is the verified session's user: the Unit application's `jwtSubject` and the
//! idempotency key both come from `session.user_id`, never from the body.

use axum::{Json, extract::State, http::StatusCode, response::IntoResponse};
use serde::Serialize;
use serde_json::Value;
use stytch_unit_common::{
    customer_link::{self, CustomerLink},
    dependencies::Dependencies,
    http::{ApiError, ApiJson, Code, StytchSession},
    onboarding::{self, Stage},
    session_response::NO_STORE,
    unit::{Application, ApplicationStatus, ApplicationTags, NewIndividualApplication, UnitClient, UnitError},
};
use uuid::Uuid;

use crate::validation;

/// Namespace of the per-user application idempotency keys (a fixed, random UUID).
const APPLICATION_KEY_NAMESPACE: Uuid = Uuid::from_u128(0x6a1c_2f0e_9b4d_4e57_8c3a_d15e_07f2_b9a4);

/// The idempotency key of a user's `attempt`-th application (0 for the first): a double submit (or
/// a retry after a lost answer) gets the application the first one created, and applying again
/// after a denial is a new attempt with a new key.
pub fn idempotency_key(user_id: &str, attempt: usize) -> String {
    let name = match attempt {
        0 => format!("unit-application:{user_id}"),
        n => format!("unit-application:{user_id}:attempt-{n}"),
    };
    Uuid::new_v5(&APPLICATION_KEY_NAMESPACE, name.as_bytes()).to_string()
}

/// The application and where onboarding stands (see `onboarding.rs`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationResponse {
    application_id: String,
    status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    customer_id: Option<String>,
    #[serde(flatten)]
    stage: Stage,
}

impl ApplicationResponse {
    fn new(application: Application, stage: Stage) -> Self {
        Self {
            status: application.status.as_str().to_owned(),
            application_id: application.id,
            customer_id: application.customer_id,
            stage,
        }
    }

    async fn read(unit: &UnitClient, application: Application) -> Result<Self, ApiError> {
        let stage = Stage::read(unit, &application).await?;
        Ok(Self::new(application, stage))
    }
}

/// `POST /applications` → `201 {applicationId, status, customerId?, code?, nextStep, …}`; `200`
/// with the same shape when this user already has a live application (nothing new is created).
/// A denied or canceled applicant applies again: a new attempt, the old one kept in the record.
/// Unit's answer is returned as it comes (often `Pending`): the decision is recorded later by the
/// webhook or the next read, never waited for here.
pub async fn submit(
    State(dependencies): State<Dependencies>,
    StytchSession { session, .. }: StytchSession,
    ApiJson(body): ApiJson<Value>,
) -> Result<impl IntoResponse, ApiError> {
    let valid = validation::application(&body, validation::today())?;
    drop(body);
    let user_id = session.user_id.as_str();
    let (stytch, unit) = (&dependencies.stytch, &dependencies.unit);

    let user = stytch.get_user(user_id).await?.user;
    let mut previous = CustomerLink::of(&user).previous_application_ids;
    // A second submit (or one after a lost answer) gets the recorded application, unchanged.
    if let Some(existing) = customer_link::current_application_of(stytch, unit, &user).await? {
        if !may_apply_again(&existing) {
            tracing::info!(user_id, application_id = %existing.id, "application already submitted");
            return Ok((StatusCode::OK, [NO_STORE], Json(ApplicationResponse::read(unit, existing).await?)));
        }
        previous.push(existing.id);
    }

    let new = NewIndividualApplication {
        full_name: valid.full_name(),
        email: valid.email.into_string(),
        phone: valid.phone.into(),
        date_of_birth: valid.date_of_birth.to_string(),
        address: valid.address.into(),
        ssn: valid.ssn.into_secret(),
        jwt_subject: user_id.to_owned(),
        idempotency_key: idempotency_key(user_id, previous.len()),
        tags: ApplicationTags { stytch_user_id: user_id.to_owned() },
    };
    let application = unit.create_application(&new).await.map_err(application_error)?;
    // The address this session signed in with: a magic link to it may stand beside the SMS step-up.
    let login_email =
        session.factors.iter().find_map(|factor| factor.email_factor.as_ref()).map(|e| e.email_address.as_str());
    customer_link::record(stytch, unit, user_id, &application, &previous, login_email).await?;
    tracing::info!(
        user_id,
        application_id = %application.id,
        status = application.status.as_str(),
        attempt = previous.len() + 1,
        "application submitted"
    );
    Ok((StatusCode::CREATED, [NO_STORE], Json(ApplicationResponse::read(unit, application).await?)))
}

/// Denied and canceled are final at Unit: the applicant's way on is a new application.
fn may_apply_again(application: &Application) -> bool {
    matches!(application.status, ApplicationStatus::Denied | ApplicationStatus::Canceled)
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
            ApiError::Refused {
                code: Code::DuplicateApplication,
                detail: "An application with these details (such as this SSN) already exists.".into(),
            }
        }
        UnitError::Api { status: 400, .. } => {
            tracing::info!(%error, "Unit refused the application");
            ApiError::Refused {
                code: Code::ApplicationRejected,
                detail: "Unit refused the application's details. Check them and submit again.".into(),
            }
        }
        _ => error.into(),
    }
}

/// `GET /applications/current` → `{applicationId, status, customerId?, code?, nextStep,
/// requiredDocuments?}`; 404 `no_application`.
pub async fn current(
    State(dependencies): State<Dependencies>,
    StytchSession { session, .. }: StytchSession,
) -> Result<impl IntoResponse, ApiError> {
    let (stytch, unit) = (&dependencies.stytch, &dependencies.unit);
    match customer_link::current_application(stytch, unit, &session.user_id).await? {
        Some(application) => Ok(([NO_STORE], Json(ApplicationResponse::read(unit, application).await?))),
        None => Err(onboarding::no_application()),
    }
}
