//! The link from a Stytch user to their Unit application and customer, kept in the Stytch user's
//! `trusted_metadata` (writable only with the project secret, never by the frontend SDKs).
//!
//! The Unit side of the link is the customer's `jwtSubject` (= the Stytch `user_id`); this record
//! only saves a lookup. Both signup (which creates the application) and token exchange (which
//! needs the customer) go through here.

use serde_json::{Map, Value};
use uuid::Uuid;

use crate::{
    http::ApiError,
    onboarding,
    step_up::bound,
    stytch::{StytchClient, UpdateUser, User},
    unit::{Application, Customer, UnitClient, UnitError, unit_id},
};

const APPLICATION_ID: &str = "unit_application_id";
const APPLICATION_STATUS: &str = "unit_application_status";
/// Earlier applications of a user who applied again after a denial or cancelation, oldest first.
const PREVIOUS_APPLICATION_IDS: &str = "unit_previous_application_ids";
const CUSTOMER_ID: &str = "unit_customer_id";
/// The Unit application form handed to the user, until the application it creates is recorded.
const APPLICATION_FORM_ID: &str = "unit_application_form_id";
const ACCOUNT_ID: &str = "unit_account_id";
/// An existing Unit customer this user asked to link, until Unit's SMS code proves the phone.
const PENDING_LINK_CUSTOMER_ID: &str = "unit_link_customer_id";

/// Namespace of the per-customer deposit account idempotency keys (a fixed, random UUID).
const ACCOUNT_KEY_NAMESPACE: Uuid = Uuid::from_u128(0x2d8e_51c4_7a0b_4f39_9e62_b3f1_c84d_0a75);

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomerLink {
    pub application_id: Option<String>,
    pub application_status: Option<String>,
    pub previous_application_ids: Vec<String>,
    pub customer_id: Option<String>,
    pub account_id: Option<String>,
    pub pending_link_customer_id: Option<String>,
    pub application_form_id: Option<String>,
}

impl CustomerLink {
    pub fn of(user: &User) -> Self {
        Self::from_metadata(&user.trusted_metadata)
    }

    fn from_metadata(metadata: &Map<String, Value>) -> Self {
        let text = |key: &str| metadata.get(key).and_then(Value::as_str).map(str::to_owned);
        let previous = metadata
            .get(PREVIOUS_APPLICATION_IDS)
            .and_then(Value::as_array)
            .map(|ids| ids.iter().filter_map(Value::as_str).map(str::to_owned).collect())
            .unwrap_or_default();
        Self {
            application_id: text(APPLICATION_ID),
            application_status: text(APPLICATION_STATUS),
            previous_application_ids: previous,
            customer_id: text(CUSTOMER_ID),
            account_id: text(ACCOUNT_ID),
            pending_link_customer_id: text(PENDING_LINK_CUSTOMER_ID),
            application_form_id: text(APPLICATION_FORM_ID),
        }
    }
}

/// The one idempotency key of a customer's deposit account: concurrent triggers (a webhook and a
/// read that both saw the approval) open one account, and a failed attempt is retried safely.
pub fn account_idempotency_key(customer_id: &str) -> String {
    Uuid::new_v5(&ACCOUNT_KEY_NAMESPACE, format!("unit-deposit-account:{customer_id}").as_bytes()).to_string()
}

/// Records the application, its status and (once there is one) the customer with its deposit
/// account, which is opened here the first time a customer is seen: Unit opens none on approval.
/// The applicant's phone is recorded as Unit holds it: the KYC phone step-up texts until Unit has a
/// customer (then the customer's record is the authority). `login_email`, the address the applying
/// session signed in with, is recorded as a bound email (step-up's other factor). Only our keys are
/// written; Stytch merges them into whatever else the metadata holds. `previous` is the user's
/// earlier attempts (kept when a denied applicant applies again).
pub async fn record(
    stytch: &StytchClient,
    unit: &UnitClient,
    user_id: &str,
    application: &Application,
    previous: &[String],
    login_email: Option<&str>,
) -> Result<CustomerLink, ApiError> {
    let mut metadata = Map::new();
    metadata.insert(APPLICATION_ID.into(), Value::String(application.id.clone()));
    metadata.insert(APPLICATION_STATUS.into(), Value::String(application.status.as_str().to_owned()));
    if !previous.is_empty() {
        metadata.insert(PREVIOUS_APPLICATION_IDS.into(), previous.iter().cloned().map(Value::String).collect());
    }
    let mut account_id = None;
    if let Some(customer_id) = &application.customer_id {
        metadata.insert(CUSTOMER_ID.into(), Value::String(customer_id.clone()));
        let account = unit.open_deposit_account(&unit_id(customer_id)?, &account_idempotency_key(customer_id)).await?;
        tracing::info!(user_id, customer_id, account_id = %account.id, "deposit account open");
        metadata.insert(ACCOUNT_ID.into(), Value::String(account.id.clone()));
        account_id = Some(account.id);
    }
    if let Some(phone) = &application.phone {
        bound::record_kyc_phone(&mut metadata, phone);
    }
    if let Some(email) = login_email {
        bound::record_login_email(&mut metadata, email);
    }
    stytch.update_user(user_id, &UpdateUser { trusted_metadata: Some(metadata), untrusted_metadata: None }).await?;
    Ok(CustomerLink {
        application_id: Some(application.id.clone()),
        application_status: Some(application.status.as_str().to_owned()),
        previous_application_ids: previous.to_vec(),
        customer_id: application.customer_id.clone(),
        account_id,
        pending_link_customer_id: None,
        application_form_id: None,
    })
}

/// Remembers which existing customer the user asked to link (`POST /customers/link`), so that the
/// proof that follows is checked against that customer, never one the request names.
pub async fn start_link(stytch: &StytchClient, user_id: &str, customer_id: &str) -> Result<(), ApiError> {
    let metadata = Map::from_iter([(PENDING_LINK_CUSTOMER_ID.to_owned(), Value::String(customer_id.to_owned()))]);
    stytch.update_user(user_id, &UpdateUser { trusted_metadata: Some(metadata), untrusted_metadata: None }).await?;
    Ok(())
}

/// Records an existing customer (already carrying this user's `jwtSubject`) as the user's own: the
/// customer, its open deposit account (or one opened now, once), the phone on its KYC record, and
/// `login_email` (the verified address that matched it) as the bound email. There is no application
/// of ours to record. The pending link is cleared.
pub async fn record_linked_customer(
    stytch: &StytchClient,
    unit: &UnitClient,
    user_id: &str,
    customer: &Customer,
    login_email: &str,
) -> Result<(), ApiError> {
    let customer_id = unit_id(&customer.id)?;
    let existing = unit.open_deposit_accounts_of(&customer_id).await?.into_iter().next();
    let account = match existing {
        Some(account) => account,
        None => unit.open_deposit_account(&customer_id, &account_idempotency_key(&customer.id)).await?,
    };
    let mut metadata = Map::new();
    metadata.insert(CUSTOMER_ID.into(), Value::String(customer.id.clone()));
    metadata.insert(ACCOUNT_ID.into(), Value::String(account.id.clone()));
    metadata.insert(PENDING_LINK_CUSTOMER_ID.into(), Value::Null);
    if let Some(phone) = &customer.phone {
        bound::record_kyc_phone(&mut metadata, phone);
    }
    bound::record_login_email(&mut metadata, login_email);
    stytch.update_user(user_id, &UpdateUser { trusted_metadata: Some(metadata), untrusted_metadata: None }).await?;
    tracing::info!(user_id, customer_id = %customer.id, account_id = %account.id, "existing Unit customer linked");
    Ok(())
}

/// Records the application form handed to `user_id`, so that a repeated request reuses it and the
/// next read finds the application it creates (see [`current_application`]).
pub async fn record_application_form(stytch: &StytchClient, user_id: &str, form_id: &str) -> Result<(), ApiError> {
    let mut metadata = Map::new();
    metadata.insert(APPLICATION_FORM_ID.into(), Value::String(form_id.to_owned()));
    stytch.update_user(user_id, &UpdateUser { trusted_metadata: Some(metadata), untrusted_metadata: None }).await?;
    Ok(())
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
    let Some(application_id) = link.application_id.clone() else {
        return application_from_form(stytch, unit, user_id, &link).await;
    };
    let application = unit.get_application(&unit_id(&application_id)?).await?;
    // Never trust the metadata alone: the application must belong to this Stytch user.
    if application.jwt_subject.as_deref() != Some(user_id) {
        tracing::error!(application_id, "application in trusted metadata has another jwtSubject");
        return Err(ApiError::internal("customer link points at another user's application"));
    }
    // A decision (or a customer) Unit made since we last looked is recorded on the way; a customer
    // whose account could not be opened last time is retried here.
    let customer_changed =
        application.customer_id.is_some() && (link.customer_id != application.customer_id || link.account_id.is_none());
    if customer_changed || link.application_status.as_deref() != Some(application.status.as_str()) {
        record(stytch, unit, user_id, &application, &link.previous_application_ids, None).await?;
    }
    Ok(Some(application))
}

/// The application a user's recorded form created at Unit, recorded on the way (its webhook may not
/// have come yet); `None` while the applicant has not submitted the form, or without a form.
/// Only a user with no application yet gets here, so the form's application is their first.
async fn application_from_form(
    stytch: &StytchClient,
    unit: &UnitClient,
    user_id: &str,
    link: &CustomerLink,
) -> Result<Option<Application>, ApiError> {
    let Some(form_id) = &link.application_form_id else {
        return Ok(None);
    };
    let Some(application_id) = unit.get_application_form(&unit_id(form_id)?).await?.application_id else {
        return Ok(None);
    };
    let application = unit.get_application(&unit_id(&application_id)?).await?;
    // Unit copies the prefilled jwtSubject to the application; anything else is not this user's.
    if application.jwt_subject.as_deref() != Some(user_id) {
        tracing::error!(form_id, application_id, "the recorded application form created another user's application");
        return Err(ApiError::internal("application form created an application for another user"));
    }
    record(stytch, unit, user_id, &application, &link.previous_application_ids, None).await?;
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
    if link.customer_id.is_some() && link.account_id.is_some() {
        return Ok(link.customer_id);
    }
    Ok(application_of(stytch, unit, &user.user_id, link).await?.and_then(|application| application.customer_id))
}

/// The Unit customer (with its deposit account open) of a user read from `users.get` or
/// `sessions.authenticate`, or where onboarding stands instead (`onboarding::not_ready`).
pub async fn customer_id_of(stytch: &StytchClient, unit: &UnitClient, user: &User) -> Result<String, ApiError> {
    let link = CustomerLink::of(user);
    if let (Some(customer_id), Some(_)) = (&link.customer_id, &link.account_id) {
        return Ok(customer_id.clone());
    }
    match application_of(stytch, unit, &user.user_id, link).await? {
        None => Err(onboarding::no_application()),
        Some(Application { customer_id: Some(customer_id), .. }) => Ok(customer_id),
        Some(application) => Err(onboarding::not_ready(unit, &application).await),
    }
}

/// The Unit customer `customer_id`, which must name `user_id` as its `jwtSubject`.
///
/// Defence in depth: the trusted metadata could be wrong (an operator's edit, a bug elsewhere), and
/// Unit's SMS path does not look at `jwtSubject` at all. So the customer must name this user;
/// anything else is our data being wrong, a 500 that is logged, never a token or a text message.
pub async fn verified_customer(unit: &UnitClient, user_id: &str, customer_id: &str) -> Result<Customer, ApiError> {
    let id =
        unit_id(customer_id).map_err(|_| ApiError::internal("customer id in trusted metadata is not a Unit id"))?;
    let customer = unit.get_customer(&id).await.map_err(|error| match error {
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
/// (Unit webhooks), as [`record`] does: application id and status, customer id with its deposit
/// account (opened here if it is not yet), KYC phone.
///
/// Safe to repeat and to run out of order: it writes only what Unit says now, skips the write when
/// the metadata already says it, and never lets a read that raced a newer one put a final status
/// (Approved, Denied, Canceled: Unit never changes them) back to an earlier one.
pub async fn sync_from_unit(
    stytch: &StytchClient,
    unit: &UnitClient,
    application: &Application,
) -> Result<Synced, ApiError> {
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
        && (application.customer_id.is_none()
            || (link.customer_id == application.customer_id && link.account_id.is_some()));
    if stale || same {
        return Ok(Synced::Unchanged);
    }
    record(stytch, unit, user_id, application, &link.previous_application_ids, None).await?;
    Ok(Synced::Recorded)
}
