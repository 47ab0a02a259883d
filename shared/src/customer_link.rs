//! The link from a Stytch user to their Unit application and customer, kept in the Stytch user's
//! `trusted_metadata` (writable only with the project secret, never by the frontend SDKs).
//!
//! The Unit side of the link is the customer's `jwtSubject` (= the Stytch `user_id`); this record
//! only saves a lookup. Both signup (which creates the application) and token exchange (which
//! needs the customer) go through here.

use serde_json::{Map, Value};

use crate::{
    http::ApiError,
    step_up::bound,
    stytch::{StytchClient, UpdateUser, User},
    unit::{Application, ApplicationStatus, Customer, UnitClient, UnitError},
};

const APPLICATION_ID: &str = "unit_application_id";
const CUSTOMER_ID: &str = "unit_customer_id";

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomerLink {
    pub application_id: Option<String>,
    pub customer_id: Option<String>,
}

impl CustomerLink {
    pub fn of(user: &User) -> Self {
        Self::from_metadata(&user.trusted_metadata)
    }

    fn from_metadata(metadata: &Map<String, Value>) -> Self {
        let text = |key: &str| metadata.get(key).and_then(Value::as_str).map(str::to_owned);
        Self { application_id: text(APPLICATION_ID), customer_id: text(CUSTOMER_ID) }
    }
}

/// Records the application (and the customer, once there is one), with the applicant's phone as
/// Unit holds it: the KYC phone step-up texts until Unit has a customer (then the customer's
/// record is the authority). `login_email`, the address the applying session signed in with, is
/// recorded as a bound email (step-up's other factor). Only our keys are written; Stytch merges
/// them into whatever else the metadata holds.
pub async fn record(
    stytch: &StytchClient,
    user_id: &str,
    application: &Application,
    login_email: Option<&str>,
) -> Result<CustomerLink, ApiError> {
    let mut metadata = Map::new();
    metadata.insert(APPLICATION_ID.into(), Value::String(application.id.clone()));
    if let Some(customer_id) = &application.customer_id {
        metadata.insert(CUSTOMER_ID.into(), Value::String(customer_id.clone()));
    }
    if let Some(phone) = &application.phone {
        bound::record_kyc_phone(&mut metadata, phone);
    }
    if let Some(email) = login_email {
        bound::record_login_email(&mut metadata, email);
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
    current_application_of(stytch, unit, &stytch.get_user(user_id).await?.user).await
}

/// [`current_application`] for a user already read (from `users.get` or `sessions.authenticate`).
pub async fn current_application_of(
    stytch: &StytchClient,
    unit: &UnitClient,
    user: &User,
) -> Result<Option<Application>, ApiError> {
    application_of(stytch, unit, &user.user_id, CustomerLink::of(user)).await
}

async fn application_of(
    stytch: &StytchClient,
    unit: &UnitClient,
    user_id: &str,
    link: CustomerLink,
) -> Result<Option<Application>, ApiError> {
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
        record(stytch, user_id, &application, None).await?;
    }
    Ok(Some(application))
}

/// The user's Unit customer id if there is one, asking Unit about the application when the
/// metadata does not name a customer yet (an approval that came later is recorded on the way).
pub async fn linked_customer_id(
    stytch: &StytchClient,
    unit: &UnitClient,
    user: &User,
) -> Result<Option<String>, ApiError> {
    let link = CustomerLink::of(user);
    if link.customer_id.is_some() {
        return Ok(link.customer_id);
    }
    Ok(application_of(stytch, unit, &user.user_id, link).await?.and_then(|application| application.customer_id))
}

/// The Unit customer of this Stytch user, or the reason there is none yet (409).
pub async fn customer_id(stytch: &StytchClient, unit: &UnitClient, user_id: &str) -> Result<String, ApiError> {
    customer_id_of(stytch, unit, &stytch.get_user(user_id).await?.user).await
}

/// [`customer_id`] for a user already read (from `users.get` or `sessions.authenticate`).
pub async fn customer_id_of(stytch: &StytchClient, unit: &UnitClient, user: &User) -> Result<String, ApiError> {
    let link = CustomerLink::of(user);
    if let Some(customer_id) = link.customer_id {
        return Ok(customer_id);
    }
    match application_of(stytch, unit, &user.user_id, link).await? {
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

/// The Unit customer `customer_id`, which must name `user_id` as its `jwtSubject`.
///
/// Defence in depth: the trusted metadata could be wrong (an operator's edit, a bug elsewhere), and
/// Unit's SMS path does not look at `jwtSubject` at all. So the customer must name this user;
/// anything else is our data being wrong, a 500 that is logged, never a token or a text message.
pub async fn verified_customer(unit: &UnitClient, user_id: &str, customer_id: &str) -> Result<Customer, ApiError> {
    let customer = unit.get_customer(customer_id).await.map_err(|error| match error {
        UnitError::InvalidId => ApiError::internal("customer id in trusted metadata is not a Unit id"),
        UnitError::Api { status: 404, .. } => {
            tracing::error!(customer_id, "customer in trusted metadata does not exist at Unit");
            ApiError::internal("linked customer not found at Unit")
        }
        other => other.into(),
    })?;
    if customer.jwt_subject.as_deref() != Some(user_id) {
        tracing::error!(customer_id, "Unit customer's jwtSubject is not the session's user");
        return Err(ApiError::internal("customer link points at a customer of another user"));
    }
    Ok(customer)
}

/// What [`sync_from_unit`] did with an application Unit told us about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Synced {
    /// The user's trusted metadata now holds the application's id, status and customer.
    Recorded,
    /// It already did, or it holds something newer (a final status is never replaced by an earlier one).
    Unchanged,
    /// The application has no `jwtSubject`, names no Stytch user of this project, or the user is
    /// linked to another application: not ours to record.
    NotOurs,
}

/// Records `application`, as just read from Unit, for the Stytch user its `jwtSubject` names
/// (Unit webhooks): application id and status (`unit_application_status`), customer id, KYC phone.
///
/// Safe to repeat and to run out of order: it writes only what Unit says now, skips the write when
/// the metadata already says it, and never lets a read that raced a newer one put a final status
/// (Approved, Denied, Canceled: Unit never changes them) back to an earlier one.
pub async fn sync_from_unit(stytch: &StytchClient, application: &Application) -> Result<Synced, ApiError> {
    const APPLICATION_STATUS: &str = "unit_application_status";
    let is_final = |status: &str| matches!(status, "Approved" | "Denied" | "Canceled");

    let Some(user_id) = application.jwt_subject.as_deref() else {
        return Ok(Synced::NotOurs);
    };
    let user = match stytch.get_user(user_id).await {
        Ok(found) => found.user,
        Err(error) if error.status() == Some(404) => return Ok(Synced::NotOurs),
        Err(error) => return Err(error.into()),
    };
    let link = CustomerLink::of(&user);
    if link.application_id.as_ref().is_some_and(|recorded| *recorded != application.id) {
        tracing::warn!(application_id = application.id, "the Stytch user is linked to another application");
        return Ok(Synced::NotOurs);
    }
    let recorded_status = user.trusted_metadata.get(APPLICATION_STATUS).and_then(Value::as_str);
    let status = application.status.as_str();
    let stale = recorded_status.is_some_and(|recorded| is_final(recorded) && !is_final(status));
    let same = link.application_id.is_some()
        && recorded_status == Some(status)
        && (application.customer_id.is_none() || link.customer_id == application.customer_id);
    if stale || same {
        return Ok(Synced::Unchanged);
    }

    let mut metadata = Map::new();
    metadata.insert(APPLICATION_ID.into(), Value::String(application.id.clone()));
    metadata.insert(APPLICATION_STATUS.into(), Value::String(status.to_owned()));
    if let Some(customer_id) = &application.customer_id {
        metadata.insert(CUSTOMER_ID.into(), Value::String(customer_id.clone()));
    }
    if let Some(phone) = &application.phone {
        bound::record_kyc_phone(&mut metadata, phone);
    }
    stytch.update_user(user_id, &UpdateUser { trusted_metadata: Some(metadata), untrusted_metadata: None }).await?;
    Ok(Synced::Recorded)
}
