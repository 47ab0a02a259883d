//! The factors bound to a user before any session uses them, and where they are recorded.
//!
//! - **The KYC phone**: the phone on the user's Unit record. Once Unit has a customer, the
//!   customer's phone (read from Unit) is the authority; before that, the application's phone as
//!   Unit answered it, recorded in the Stytch user's `trusted_metadata` when the application is
//!   submitted. A later submit never replaces it: Unit answers a repeat with the first application.
//! - **The trusted TOTP**: its `totp_id` is recorded in `trusted_metadata` when it is enrolled,
//!   which needs a session that already passed step-up. A TOTP created any other way (a frontend
//!   SDK, an attacker inside a one-factor session) is never trusted.
//! - **Recovery codes** count only when they are the trusted TOTP's: Stytch keeps one active TOTP
//!   per user, so they do when that TOTP is the user's only verified one and is the trusted one.
//!
//! `trusted_metadata` is writable only with the project secret, never by the frontend SDKs.

use serde_json::{Map, Value};

use crate::{
    customer_link::{self, CustomerLink},
    http::ApiError,
    session::{AuthenticationFactor, FactorType},
    stytch::{StytchClient, UpdateUser, User},
    unit::{Phone, UnitClient},
};

const KYC_PHONE: &str = "kyc_phone";
const TRUSTED_TOTP_ID: &str = "trusted_totp_id";

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BoundFactors {
    /// E.164.
    pub kyc_phone: Option<String>,
    pub trusted_totp_id: Option<String>,
    /// Whether the user's recovery codes belong to the trusted TOTP.
    pub only_verified_totp_is_trusted: bool,
}

impl BoundFactors {
    /// From the Stytch user (its trusted metadata and TOTPs) and the KYC phone's authority.
    pub fn new(user: &User, kyc_phone: Option<String>) -> Self {
        let trusted_totp_id = text(&user.trusted_metadata, TRUSTED_TOTP_ID);
        let verified: Vec<&str> =
            user.totps.iter().filter(|totp| totp.verified).map(|totp| totp.totp_id.as_str()).collect();
        let only_verified_totp_is_trusted =
            matches!((&trusted_totp_id, verified.as_slice()), (Some(trusted), [only]) if trusted == only);
        Self { kyc_phone, trusted_totp_id, only_verified_totp_is_trusted }
    }

    /// Whether the trusted TOTP is active (verified with its first code) for `user`: an
    /// authenticator app that can step a session up.
    pub fn trusted_totp_is_active(&self, user: &User) -> bool {
        let trusted = self.trusted_totp_id.as_deref();
        user.totps.iter().any(|totp| totp.verified && Some(totp.totp_id.as_str()) == trusted)
    }

    /// Whether `factor` is one of these.
    pub fn binds(&self, factor: &AuthenticationFactor) -> bool {
        match factor.kind {
            FactorType::Otp => factor
                .phone_number_factor
                .as_ref()
                .is_some_and(|phone| self.kyc_phone.as_deref() == Some(phone.phone_number.as_str())),
            FactorType::Totp => factor
                .authenticator_app_factor
                .as_ref()
                .is_some_and(|app| self.trusted_totp_id.as_deref() == Some(app.totp_id.as_str())),
            FactorType::RecoveryCodes => self.only_verified_totp_is_trusted,
            _ => false,
        }
    }
}

/// The user's bound factors, the KYC phone read from its authority.
pub async fn load(unit: &UnitClient, user: &User) -> Result<BoundFactors, ApiError> {
    let kyc_phone = match CustomerLink::of(user).customer_id {
        Some(customer_id) => {
            customer_link::verified_customer(unit, &user.user_id, &customer_id).await?.phone.as_ref().map(Phone::e164)
        }
        None => text(&user.trusted_metadata, KYC_PHONE),
    };
    Ok(BoundFactors::new(user, kyc_phone))
}

/// Adds the KYC phone to a metadata update.
pub(crate) fn record_kyc_phone(metadata: &mut Map<String, Value>, phone: &Phone) {
    metadata.insert(KYC_PHONE.into(), Value::String(phone.e164()));
}

/// Records `totp_id` as the user's trusted TOTP. Only a stepped-up session may enrol one.
pub async fn trust_totp(stytch: &StytchClient, user_id: &str, totp_id: &str) -> Result<(), ApiError> {
    let metadata = Map::from_iter([(TRUSTED_TOTP_ID.to_owned(), Value::String(totp_id.to_owned()))]);
    stytch.update_user(user_id, &UpdateUser { trusted_metadata: Some(metadata), untrusted_metadata: None }).await?;
    Ok(())
}

fn text(metadata: &Map<String, Value>, key: &str) -> Option<String> {
    metadata.get(key).and_then(Value::as_str).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(metadata: Value, totps: &[(&str, bool)]) -> User {
        serde_json::from_value(serde_json::json!({
            "user_id": "user-test-1",
            "trusted_metadata": metadata,
            "totps": totps.iter().map(|(id, verified)| serde_json::json!({"totp_id": id, "verified": verified}))
                .collect::<Vec<_>>(),
        }))
        .unwrap()
    }

    #[test]
    fn recovery_codes_are_trusted_only_when_the_only_verified_totp_is_the_trusted_one() {
        let trusted = serde_json::json!({ "trusted_totp_id": "totp-a" });
        assert!(BoundFactors::new(&user(trusted.clone(), &[("totp-a", true)]), None).only_verified_totp_is_trusted);
        assert!(
            BoundFactors::new(&user(trusted.clone(), &[("totp-a", true), ("totp-b", false)]), None)
                .only_verified_totp_is_trusted
        );
        assert!(!BoundFactors::new(&user(trusted.clone(), &[("totp-b", true)]), None).only_verified_totp_is_trusted);
        assert!(!BoundFactors::new(&user(trusted, &[]), None).only_verified_totp_is_trusted);
        assert!(
            !BoundFactors::new(&user(serde_json::json!({}), &[("totp-a", true)]), None).only_verified_totp_is_trusted
        );
    }

    #[test]
    fn only_a_verified_trusted_totp_is_active() {
        let trusted = serde_json::json!({ "trusted_totp_id": "totp-a" });
        let active = |user: User| BoundFactors::new(&user, None).trusted_totp_is_active(&user);
        assert!(active(user(trusted.clone(), &[("totp-b", true), ("totp-a", true)])));
        assert!(!active(user(trusted.clone(), &[("totp-a", false)])), "enrolled, never used");
        assert!(!active(user(trusted, &[("totp-b", true)])));
        assert!(!active(user(serde_json::json!({}), &[("totp-a", true)])));
    }

    #[test]
    fn the_kyc_phone_is_recorded_in_e164() {
        let mut metadata = Map::new();
        record_kyc_phone(&mut metadata, &Phone { country_code: "1".into(), number: "5555550100".into() });
        assert_eq!(text(&metadata, KYC_PHONE).as_deref(), Some("+15555550100"));
    }
}
