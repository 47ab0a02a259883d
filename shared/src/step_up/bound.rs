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
//!   per user, so they do when that TOTP is the user's only one and is the trusted one.
//! - **The bound emails**, for the factor beside the second one: the address on the Unit customer
//!   record and the one the user signed in with when they applied (recorded at submit). An email
//!   or OAuth account added inside the session being checked is neither, so a stolen phone alone
//!   does not make two factors.
//!
//! - **An unbound phone**: a user who removes the KYC phone (`DELETE /step-up/factors/phones/{id}`,
//!   a lost or stolen phone) has it recorded as `kyc_phone_unbound`; SMS to that number then
//!   counts for nothing until Unit's record names another number.
//!
//! `trusted_metadata` is writable only with the project secret, never by the frontend SDKs.

use serde_json::{Map, Value};

use crate::{
    customer_link,
    http::ApiError,
    session::{AuthenticationFactor, FactorType},
    stytch::{StytchClient, UpdateUser, User},
    unit::{Customer, Phone, UnitClient},
};

const KYC_PHONE: &str = "kyc_phone";
const LOGIN_EMAIL: &str = "login_email";
const TRUSTED_TOTP_ID: &str = "trusted_totp_id";
const KYC_PHONE_UNBOUND: &str = "kyc_phone_unbound";

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BoundFactors {
    /// E.164.
    pub kyc_phone: Option<String>,
    /// Lower-cased.
    pub emails: Vec<String>,
    pub trusted_totp_id: Option<String>,
    /// Whether the user's recovery codes belong to the trusted TOTP.
    pub only_verified_totp_is_trusted: bool,
}

/// What proved a TOTP factor: a code from the authenticator app, or one of its recovery codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TotpProof {
    Code,
    RecoveryCode,
}

/// What the user's Unit record says: the customer's, or before approval what was recorded at submit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KycRecord {
    /// E.164.
    pub phone: Option<String>,
    pub email: Option<String>,
}

impl KycRecord {
    pub fn of(customer: &Customer) -> Self {
        Self { phone: customer.phone.as_ref().map(Phone::e164), email: customer.email.clone() }
    }
}

impl BoundFactors {
    /// From the Stytch user (its trusted metadata and TOTPs) and the Unit record.
    pub fn new(user: &User, kyc: KycRecord) -> Self {
        let trusted_totp_id = text(&user.trusted_metadata, TRUSTED_TOTP_ID);
        // Every TOTP, pending ones included: recovery codes are then certainly the trusted one's.
        let only_verified_totp_is_trusted = match (&trusted_totp_id, user.totps.as_slice()) {
            (Some(trusted), [only]) => only.verified && &only.totp_id == trusted,
            _ => false,
        };
        let emails = [kyc.email, text(&user.trusted_metadata, LOGIN_EMAIL)]
            .into_iter()
            .flatten()
            .map(|email| email.to_lowercase())
            .collect();
        let unbound = text(&user.trusted_metadata, KYC_PHONE_UNBOUND);
        let kyc_phone = kyc.phone.filter(|phone| unbound.as_ref() != Some(phone));
        Self { kyc_phone, emails, trusted_totp_id, only_verified_totp_is_trusted }
    }

    /// Whether the trusted TOTP is active (verified with its first code) for `user`: an
    /// authenticator app that can step a session up.
    pub fn trusted_totp_is_active(&self, user: &User) -> bool {
        let trusted = self.trusted_totp_id.as_deref();
        user.totps.iter().any(|totp| totp.verified && Some(totp.totp_id.as_str()) == trusted)
    }

    /// Whether the TOTP Stytch just matched (`totp_id`, proved by `proof`) is the user's trusted
    /// one. A recovery code also needs the trusted TOTP to be the user's only one: the codes are
    /// the user's, not one TOTP's, so another TOTP's codes could have matched.
    pub fn trusts_totp(&self, totp_id: &str, proof: TotpProof) -> bool {
        self.trusted_totp_id.as_deref() == Some(totp_id)
            && (proof == TotpProof::Code || self.only_verified_totp_is_trusted)
    }

    /// Whether `factor` is a bound second factor: an SMS to the KYC phone (not WhatsApp: an account
    /// there can outlive the number's owner), the trusted TOTP, or its recovery codes.
    pub fn binds(&self, factor: &AuthenticationFactor) -> bool {
        match factor.kind {
            FactorType::Otp if factor.delivery_method.as_deref() == Some("sms") => factor
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

    /// Whether `factor` may stand beside the second factor: a bound second factor, or a magic link
    /// or email code to a bound email.
    pub fn binds_beside(&self, factor: &AuthenticationFactor) -> bool {
        let bound_email = factor
            .email_factor
            .as_ref()
            .is_some_and(|email| self.emails.iter().any(|bound| bound.eq_ignore_ascii_case(&email.email_address)));
        bound_email || self.binds(factor)
    }
}

/// The user's bound factors, the KYC record read from its authority: the Unit customer (Unit is
/// asked about the application when no customer is recorded yet, so a later approval and any change
/// of phone at Unit since are seen), else what was recorded at submit.
pub async fn load(stytch: &StytchClient, unit: &UnitClient, user: &User) -> Result<BoundFactors, ApiError> {
    let customer_id = customer_link::linked_customer_id(stytch, unit, user).await?;
    load_for(unit, user, customer_id.as_deref()).await
}

/// [`load`] for a caller that already knows the user's customer id (or that there is none).
pub async fn load_for(unit: &UnitClient, user: &User, customer_id: Option<&str>) -> Result<BoundFactors, ApiError> {
    let kyc = match customer_id {
        Some(customer_id) => KycRecord::of(&customer_link::verified_customer(unit, &user.user_id, customer_id).await?),
        None => KycRecord { phone: text(&user.trusted_metadata, KYC_PHONE), email: None },
    };
    Ok(BoundFactors::new(user, kyc))
}

/// Adds the KYC phone to a metadata update.
pub(crate) fn record_kyc_phone(metadata: &mut Map<String, Value>, phone: &Phone) {
    metadata.insert(KYC_PHONE.into(), Value::String(phone.e164()));
}

/// Adds the address the applying session signed in with to a metadata update.
pub(crate) fn record_login_email(metadata: &mut Map<String, Value>, email: &str) {
    metadata.insert(LOGIN_EMAIL.into(), Value::String(email.to_lowercase()));
}

/// Records `totp_id` as the user's trusted TOTP. Only a stepped-up session may enrol one.
pub async fn trust_totp(stytch: &StytchClient, user_id: &str, totp_id: &str) -> Result<(), ApiError> {
    record(stytch, user_id, TRUSTED_TOTP_ID, Value::String(totp_id.to_owned())).await
}

/// Records that the user no longer trusts a TOTP (it is being replaced), before it is deleted.
pub async fn untrust_totp(stytch: &StytchClient, user_id: &str) -> Result<(), ApiError> {
    record(stytch, user_id, TRUSTED_TOTP_ID, Value::Null).await
}

/// Records `phone` (E.164), the KYC phone, as no longer a second factor of the user.
pub async fn unbind_kyc_phone(stytch: &StytchClient, user_id: &str, phone: &str) -> Result<(), ApiError> {
    record(stytch, user_id, KYC_PHONE_UNBOUND, Value::String(phone.to_owned())).await
}

/// One top-level key of `trusted_metadata` (`null` deletes it).
async fn record(stytch: &StytchClient, user_id: &str, key: &str, value: Value) -> Result<(), ApiError> {
    let metadata = Map::from_iter([(key.to_owned(), value)]);
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

    fn recovery_trusted(metadata: Value, totps: &[(&str, bool)]) -> bool {
        BoundFactors::new(&user(metadata, totps), KycRecord::default()).only_verified_totp_is_trusted
    }

    #[test]
    fn recovery_codes_are_trusted_only_when_the_only_totp_is_the_trusted_verified_one() {
        let trusted = serde_json::json!({ "trusted_totp_id": "totp-a" });
        assert!(recovery_trusted(trusted.clone(), &[("totp-a", true)]));
        assert!(!recovery_trusted(trusted.clone(), &[("totp-a", true), ("totp-b", false)]), "a pending one too");
        assert!(!recovery_trusted(trusted.clone(), &[("totp-a", false)]));
        assert!(!recovery_trusted(trusted.clone(), &[("totp-b", true)]));
        assert!(!recovery_trusted(trusted, &[]));
        assert!(!recovery_trusted(serde_json::json!({}), &[("totp-a", true)]));
    }

    #[test]
    fn a_recovery_code_proves_the_trusted_totp_only_when_it_is_the_users_only_one() {
        let trusted = serde_json::json!({ "trusted_totp_id": "totp-a" });
        let alone = BoundFactors::new(&user(trusted.clone(), &[("totp-a", true)]), KycRecord::default());
        assert!(alone.trusts_totp("totp-a", TotpProof::Code));
        assert!(alone.trusts_totp("totp-a", TotpProof::RecoveryCode));
        assert!(!alone.trusts_totp("totp-b", TotpProof::Code));
        let beside_another =
            BoundFactors::new(&user(trusted, &[("totp-a", true), ("totp-b", false)]), KycRecord::default());
        assert!(beside_another.trusts_totp("totp-a", TotpProof::Code));
        assert!(!beside_another.trusts_totp("totp-a", TotpProof::RecoveryCode), "the codes may be totp-b's");
    }

    #[test]
    fn bound_emails_are_the_unit_records_and_the_one_signed_in_with_at_submit() {
        let metadata = serde_json::json!({ "login_email": "ada@example.com" });
        let kyc = KycRecord { phone: None, email: Some("Ada.Work@Example.com".into()) };
        let bound = BoundFactors::new(&user(metadata, &[]), kyc);
        assert_eq!(bound.emails, ["ada.work@example.com", "ada@example.com"]);
    }

    #[test]
    fn only_a_verified_trusted_totp_is_active() {
        let trusted = serde_json::json!({ "trusted_totp_id": "totp-a" });
        let active = |user: User| BoundFactors::new(&user, KycRecord::default()).trusted_totp_is_active(&user);
        assert!(active(user(trusted.clone(), &[("totp-b", true), ("totp-a", true)])));
        assert!(!active(user(trusted.clone(), &[("totp-a", false)])), "enrolled, never used");
        assert!(!active(user(trusted, &[("totp-b", true)])));
        assert!(!active(user(serde_json::json!({}), &[("totp-a", true)])));
    }

    #[test]
    fn an_unbound_kyc_phone_is_no_second_factor_until_unit_names_another() {
        let metadata = serde_json::json!({ "kyc_phone_unbound": "+15555550100" });
        let kyc = |phone: &str| KycRecord { phone: Some(phone.into()), email: None };
        assert_eq!(BoundFactors::new(&user(metadata.clone(), &[]), kyc("+15555550100")).kyc_phone, None);
        assert_eq!(
            BoundFactors::new(&user(metadata, &[]), kyc("+15555550199")).kyc_phone.as_deref(),
            Some("+15555550199")
        );
    }

    #[test]
    fn the_kyc_phone_is_recorded_in_e164() {
        let mut metadata = Map::new();
        record_kyc_phone(&mut metadata, &Phone { country_code: "1".into(), number: "5555550100".into() });
        assert_eq!(text(&metadata, KYC_PHONE).as_deref(), Some("+15555550100"));
    }
}
