//! What Unit's "no" means on a card route. The shared mapping covers the rest: an expired or
//! unknown token is `401 invalid_unit_token`, a token without the scope `403 insufficient_scope`,
//! a card status Unit refuses `409 card_status_conflict` (the actions read the card first and name
//! its status instead: `status_rules.rs`), Unit down `502`/`504`.

use stytch_unit_common::{
    http::ApiError,
    unit::{UnitCustomerError, UnitError},
};

use crate::validation::card_not_found;

/// Unit answers 404 for another customer's card as for one that does not exist; so do we.
pub fn card_error(error: UnitCustomerError) -> ApiError {
    match error.unit_error() {
        UnitError::InvalidId | UnitError::Api { status: 404, .. } => card_not_found(),
        _ => error.into(),
    }
}
