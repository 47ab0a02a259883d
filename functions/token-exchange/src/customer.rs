//! The caller's Unit customer: found from the verified session's `sub` only, and double-checked
//! against the customer's own `jwtSubject` before any token is minted for it.

use stytch_unit_common::{customer_link, http::ApiError, startup::Dependencies, unit::UnitError};

/// The Unit customer of `user_id` (the verified `sub`), or 409 `no_application` /
/// `application_pending` / `application_denied`.
///
/// Defence in depth: the trusted metadata could be wrong (an operator's edit, a bug elsewhere), and
/// Unit's SMS path does not look at `jwtSubject` at all. So the customer must name this user as its
/// `jwtSubject`; anything else is our data being wrong, a 500 that is logged, never a token.
pub async fn linked_customer(dependencies: &Dependencies, user_id: &str) -> Result<String, ApiError> {
    let stytch = dependencies.stytch()?;
    let unit = dependencies.unit()?;
    let customer_id = customer_link::customer_id(stytch, unit, user_id).await?;
    let customer = unit.get_customer(&customer_id).await.map_err(|error| match error {
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
    Ok(customer_id)
}
