//! The stored user and its JSON view (the `User` object of Stytch's API).

use serde_json::{Map, Value, json};
use time::OffsetDateTime;

use crate::common::{clock, ids};

#[derive(Debug, Clone)]
pub struct User {
    pub user_id: String,
    pub created_at: OffsetDateTime,
    /// `pending` until the first successful authentication of a user created as pending.
    pub pending: bool,
    pub emails: Vec<Email>,
    pub phone_numbers: Vec<PhoneNumber>,
    pub totps: Vec<Totp>,
    pub name: Value,
    pub trusted_metadata: Map<String, Value>,
    pub untrusted_metadata: Map<String, Value>,
    pub external_id: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Email {
    pub email_id: String,
    pub email: String,
    pub verified: bool,
}

#[derive(Debug, Clone)]
pub struct PhoneNumber {
    pub phone_id: String,
    pub phone_number: String,
    pub verified: bool,
}

/// An authenticator-app registration with its recovery codes.
#[derive(Debug, Clone)]
pub struct Totp {
    pub totp_id: String,
    pub secret: Vec<u8>,
    /// Set by the first successful `totps/authenticate`; an unverified TOTP expires.
    pub verified: bool,
    pub expires_at: OffsetDateTime,
    pub recovery_codes: Vec<RecoveryCode>,
    /// The last 30-second step a code was accepted for; a code is not accepted twice.
    pub last_used_step: Option<u64>,
}

#[derive(Debug, Clone)]
pub struct RecoveryCode {
    pub id: String,
    pub code: String,
    pub used: bool,
}

impl User {
    pub fn new(user_id: String, pending: bool) -> Self {
        Self {
            user_id,
            created_at: clock::now(),
            pending,
            emails: Vec::new(),
            phone_numbers: Vec::new(),
            totps: Vec::new(),
            name: json!({ "first_name": "", "middle_name": "", "last_name": "" }),
            trusted_metadata: Map::new(),
            untrusted_metadata: Map::new(),
            external_id: None,
        }
    }

    /// Adds `email`, unverified until a link to it is authenticated; its new `email_id`.
    pub fn add_email(&mut self, email: String) -> String {
        let email_id = ids::prefixed("email-test");
        self.emails.push(Email { email_id: email_id.clone(), email, verified: false });
        email_id
    }

    /// Adds `phone_number`, unverified until a code to it is authenticated; its new `phone_id`.
    pub fn add_phone(&mut self, phone_number: String) -> String {
        let phone_id = ids::prefixed("phone-number-test");
        self.phone_numbers.push(PhoneNumber { phone_id: phone_id.clone(), phone_number, verified: false });
        phone_id
    }

    /// Sets the keys of `name` given to a create or an update, keeping the others.
    pub fn merge_name(&mut self, name: Map<String, Value>) {
        let mut merged = self.name.as_object().cloned().unwrap_or_default();
        merged.extend(name);
        self.name = Value::Object(merged);
    }

    /// TOTPs a caller can still use: verified ones, and unverified ones that have not expired.
    pub fn live_totps(&self, now: OffsetDateTime) -> impl Iterator<Item = &Totp> {
        self.totps.iter().filter(move |totp| totp.verified || totp.expires_at > now)
    }

    pub fn to_json(&self) -> Value {
        let now = clock::now();
        json!({
            "user_id": self.user_id,
            "emails": self.emails.iter().map(|email| json!({
                "email_id": email.email_id, "email": email.email, "verified": email.verified,
            })).collect::<Vec<_>>(),
            "status": if self.pending { "pending" } else { "active" },
            "phone_numbers": self.phone_numbers.iter().map(|phone| json!({
                "phone_id": phone.phone_id, "phone_number": phone.phone_number, "verified": phone.verified,
            })).collect::<Vec<_>>(),
            "webauthn_registrations": [],
            "providers": [],
            "totps": self.live_totps(now).map(|totp| json!({
                "totp_id": totp.totp_id, "verified": totp.verified,
            })).collect::<Vec<_>>(),
            "crypto_wallets": [],
            "biometric_registrations": [],
            "is_locked": false,
            "roles": [],
            "name": self.name,
            "created_at": clock::rfc3339(self.created_at),
            "password": null,
            "trusted_metadata": self.trusted_metadata,
            "untrusted_metadata": self.untrusted_metadata,
            "external_id": self.external_id,
            "lock_created_at": null,
            "lock_expires_at": null,
        })
    }
}
