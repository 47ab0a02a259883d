//! The link from a Stytch user to their Unit application and customer, kept in the Stytch user's
//! `trusted_metadata` (writable only with the project secret, never by the frontend SDKs).
//!
//! The Unit side of the link is the customer's `jwtSubject` (= the Stytch `user_id`); this record
//! only saves a lookup. Both signup (which creates the application) and token exchange (which
//! needs the customer) go through here.

use serde_json::{Map, Value};

use crate::{
    http::ApiError,
    stytch::{StytchClient, UpdateUser},
    unit::{Application, ApplicationStatus, UnitClient},
};

const APPLICATION_ID: &str = "unit_application_id";
const CUSTOMER_ID: &str = "unit_customer_id";

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomerLink {
    pub application_id: Option<String>,
    pub customer_id: Option<String>,
}

impl CustomerLink {
    fn from_metadata(metadata: &Map<String, Value>) -> Self {
        let text = |key: &str| metadata.get(key).and_then(Value::as_str).map(str::to_owned);
        Self { application_id: text(APPLICATION_ID), customer_id: text(CUSTOMER_ID) }
    }
}

/// What the Stytch user's metadata says today.
pub async fn read(stytch: &StytchClient, user_id: &str) -> Result<CustomerLink, ApiError> {
    let user = stytch.get_user(user_id).await?;
    Ok(CustomerLink::from_metadata(&user.user.trusted_metadata))
}

/// Records the application (and the customer, once there is one). Only our two keys are
/// written; Stytch merges them into whatever else the metadata holds.
pub async fn record(stytch: &StytchClient, user_id: &str, application: &Application) -> Result<CustomerLink, ApiError> {
    let mut metadata = Map::new();
    metadata.insert(APPLICATION_ID.into(), Value::String(application.id.clone()));
    if let Some(customer_id) = &application.customer_id {
        metadata.insert(CUSTOMER_ID.into(), Value::String(customer_id.clone()));
    }
    stytch.update_user(user_id, &UpdateUser { trusted_metadata: Some(metadata), untrusted_metadata: None }).await?;
    Ok(CustomerLink { application_id: Some(application.id.clone()), customer_id: application.customer_id.clone() })
}

/// The user's application as Unit sees it now, recording the customer id if it was just approved.
pub async fn current_application(
    stytch: &StytchClient,
    unit: &UnitClient,
    user_id: &str,
) -> Result<Option<Application>, ApiError> {
    let link = read(stytch, user_id).await?;
    let Some(application_id) = link.application_id else {
        return Ok(None);
    };
    let application = unit.get_application(&application_id).await?;
    // Never trust the metadata alone: the application must belong to this Stytch user.
    if application.jwt_subject.as_deref() != Some(user_id) {
        tracing::error!(application_id, "application in trusted metadata has another jwtSubject");
        return Err(ApiError::internal("customer link points at another user's application"));
    }
    if application.customer_id.is_some() && link.customer_id != application.customer_id {
        record(stytch, user_id, &application).await?;
    }
    Ok(Some(application))
}

/// The Unit customer of this Stytch user, or the reason there is none yet (409).
pub async fn customer_id(stytch: &StytchClient, unit: &UnitClient, user_id: &str) -> Result<String, ApiError> {
    let link = read(stytch, user_id).await?;
    if let Some(customer_id) = link.customer_id {
        return Ok(customer_id);
    }
    match current_application(stytch, unit, user_id).await? {
        None => Err(ApiError::Conflict {
            code: "no_application",
            detail: "This user has no Unit application yet. Submit one with POST /applications.".into(),
        }),
        Some(Application { customer_id: Some(customer_id), .. }) => Ok(customer_id),
        Some(Application { status: ApplicationStatus::Denied | ApplicationStatus::Canceled, .. }) => {
            Err(ApiError::Conflict {
                code: "application_denied",
                detail: "The Unit application was not approved.".into(),
            })
        }
        Some(_) => Err(ApiError::Conflict {
            code: "application_pending",
            detail: "The Unit application is still under review; there is no customer yet.".into(),
        }),
    }
}
