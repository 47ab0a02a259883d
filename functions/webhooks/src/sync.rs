//! What an event triggers: the resource it names is read again from Unit with the org token, and
//! the application as Unit holds it now is recorded for its `jwtSubject`
//! (`customer_link::sync_from_unit`). Because the record is always Unit's current state, the same
//! event twice, events out of order and retried deliveries all end in the same state.

use stytch_unit_common::{
    customer_link::{self, Synced},
    dependencies::WebhookDependencies,
    http::ApiError,
    unit::{UnitError, unit_id},
};

use crate::payload::Event;

/// The Unit resource an event is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Target {
    Application(String),
    /// A `customer.created` without its application relationship: found through the customer.
    Customer(String),
}

impl Target {
    /// `application.*` (created, pendingReview, awaitingDocuments, denied, canceled, and any added
    /// later) and `customer.created` (relationships `customer` and `application`, Unit's Node SDK
    /// `types/events.ts`); anything else is not about onboarding.
    pub fn of(event: &Event) -> Option<Self> {
        let application = event.related_id("application").map(|id| Self::Application(id.to_owned()));
        if event.kind.starts_with("application.") {
            return application;
        }
        if event.kind == "customer.created" {
            return application.or_else(|| event.related_id("customer").map(|id| Self::Customer(id.to_owned())));
        }
        None
    }
}

/// Re-reads `target` from Unit and records it.
pub async fn sync(dependencies: &WebhookDependencies, target: &Target) -> Result<Synced, ApiError> {
    let unit = &dependencies.unit;
    let application_id = match target {
        Target::Application(id) => id.clone(),
        Target::Customer(id) => {
            let customer = not_found_is_none(async { unit.get_customer(&unit_id(id)?).await }.await)?;
            match customer.and_then(|c| c.application_id) {
                Some(application_id) => application_id,
                None => return Ok(Synced::NotOurs),
            }
        }
    };
    let read = async { unit.get_application(&unit_id(&application_id)?).await };
    let Some(application) = not_found_is_none(read.await)? else {
        return Ok(Synced::NotOurs);
    };
    customer_link::sync_from_unit(&dependencies.stytch, unit, &application).await
}

/// An id Unit does not know with our org token (or that cannot be a Unit id) is not ours; any other
/// failure is an error, so that the delivery fails and Unit retries it.
fn not_found_is_none<T>(read: Result<T, UnitError>) -> Result<Option<T>, ApiError> {
    match read {
        Ok(found) => Ok(Some(found)),
        Err(UnitError::InvalidId) => Ok(None),
        Err(error) if error.status() == Some(404) => Ok(None),
        Err(error) => Err(error.into()),
    }
}
