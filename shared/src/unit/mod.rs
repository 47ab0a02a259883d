//! The Unit API: JSON:API over HTTPS, in two clients split by whose token a call carries.
//!
//! - [`UnitClient`] (`org_client.rs`): our org token from the Unit secret, for applications (and
//!   application forms), customers and customer tokens. Used by signup and token-exchange.
//! - [`UnitCustomerClient`] (`customer_client.rs`): the caller's customer token, for cards
//!   (`cards.rs`, `card_operations.rs`) and accounts. Used by cards, which has no Unit secret at all.
//!
//! The two share `transport.rs` (sending, retries, reading answers) and `jsonapi.rs`, and differ in
//! what Unit's 401 or 403 means (`error.rs`).

mod accounts;
mod application_forms;
mod applications;
mod card_operations;
mod cards;
mod customer_client;
mod customers;
mod documents;
mod error;
pub mod jsonapi;
mod org_client;
mod tokens;
mod transport;

pub use accounts::Account;
pub use application_forms::{ApplicantDetails, ApplicationForm, NewApplicationForm};
pub use applications::{
    Address, Application, ApplicationStatus, ApplicationTags, FullName, NewIndividualApplication, Phone,
};
pub use card_operations::{CardAction, CardLimitsReport, CardTotals, PinStatus};
pub use cards::{Card, CardLimits, CardList, CardType, NewCard, Page};
pub use customer_client::UnitCustomerClient;
pub use customers::Customer;
pub use documents::{ApplicationDocument, DocumentFileType, DocumentSide};
pub use error::{UnitCustomerError, UnitError, UnitErrorItem};
pub use org_client::{DEFAULT_DEPOSIT_PRODUCT, UnitClient};
pub use tokens::{CustomerToken, CustomerTokenRequest, TokenProof, VerificationChannel};

use crate::validated::UnitId;

/// `id` as a [`UnitId`], for an id held as text (a stored link, a webhook, one of Unit's own
/// answers). The clients take only `&UnitId` where an id goes into a URL path, so anything else
/// never reaches one.
pub fn unit_id(id: &str) -> Result<UnitId, UnitError> {
    UnitId::new(id).ok_or(UnitError::InvalidId)
}

fn to_body(document: &impl serde::Serialize) -> Vec<u8> {
    serde_json::to_vec(document).expect("request documents serialise")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_ids() {
        assert_eq!(unit_id("400001").unwrap().as_str(), "400001");
        for bad in ["", "0", "01", "abc", "1/../2", "123456789012345678901"] {
            assert!(matches!(unit_id(bad), Err(UnitError::InvalidId)), "{bad}");
        }
    }
}
