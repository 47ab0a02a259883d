//! The in-memory Unit store: every record the sandbox keeps, and nothing about HTTP.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{Map, Value};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::ids::IdCounters;
use super::org_settings::OrgSettings;

/// Everything the Unit side remembers. `Default` is the empty sandbox (also what reset restores).
#[derive(Debug, Default)]
pub(crate) struct Store {
    pub(crate) ids: IdCounters,
    pub(crate) applications: BTreeMap<u64, Application>,
    /// `idempotencyKey` → application id: the same key always answers with the same application.
    pub(crate) application_keys: HashMap<String, u64>,
    pub(crate) customers: BTreeMap<u64, Customer>,
    pub(crate) accounts: BTreeMap<u64, Account>,
    /// `idempotencyKey` → account id: the same key always answers with the account it opened.
    pub(crate) account_keys: HashMap<String, u64>,
    pub(crate) cards: BTreeMap<u64, Card>,
    /// `idempotencyKey` → card id, one key space for the whole org, as Unit keeps it (UNIT.md):
    /// physical and virtual cards share it, and a key one customer used answers any caller with
    /// that first card. Callers must namespace their keys themselves.
    pub(crate) card_keys: HashMap<String, u64>,
    pub(crate) application_forms: BTreeMap<u64, ApplicationForm>,
    /// Customer bearer tokens by their opaque value.
    pub(crate) tokens: HashMap<String, CustomerToken>,
    /// Pending 2FA verifications by their `verificationToken`.
    pub(crate) verifications: HashMap<String, Verification>,
    /// Set by `POST /__sandbox/org-token/revoke`: the org token is then refused as an unknown one.
    pub(crate) org_token_revoked: bool,
    /// The org settings in force (configured at start, changed by `/__sandbox/org-settings`).
    pub(crate) settings: OrgSettings,
    /// Events and their webhook deliveries.
    pub(crate) webhooks: super::webhooks::EventLog,
}

impl Store {
    /// The empty sandbox with these org settings.
    pub(crate) fn with_settings(settings: OrgSettings) -> Self {
        Self { settings, ..Self::default() }
    }
}

/// What an applicant told us, validated. Kept on the customer too, where email, phone and address
/// can later be patched.
#[derive(Debug, Clone)]
pub(crate) struct Applicant {
    pub(crate) full_name: Value,
    pub(crate) email: String,
    pub(crate) phone: Value,
    pub(crate) address: Value,
    pub(crate) date_of_birth: String,
    /// 9 digits, or the last 4 (Unit accepts both).
    pub(crate) ssn: Option<String>,
    pub(crate) passport: Option<String>,
    pub(crate) nationality: Option<String>,
    pub(crate) tags: BTreeMap<String, String>,
    /// Optional attributes echoed back on the application as given (ip, occupation, …).
    pub(crate) echoed: Map<String, Value>,
}

impl Applicant {
    /// `*****1234`, Unit's masked form; the sandbox never echoes a full SSN.
    pub(crate) fn masked_ssn(&self) -> Option<String> {
        let ssn = self.ssn.as_deref()?;
        let last4 = ssn.get(ssn.len().saturating_sub(4)..)?;
        Some(format!("*****{last4}"))
    }

    pub(crate) fn masked_passport(&self) -> Option<String> {
        let passport = self.passport.as_deref()?;
        let keep = passport.len().saturating_sub(4);
        let tail = passport.get(keep..).unwrap_or_default();
        Some(format!("{}{tail}", "*".repeat(keep)))
    }

    /// "First Last", used to name the deposit account.
    pub(crate) fn display_name(&self) -> String {
        let part = |key: &str| self.full_name.get(key).and_then(Value::as_str).unwrap_or_default().to_string();
        format!("{} {}", part("first"), part("last"))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ApplicationStatus {
    Approved,
    Denied,
    Canceled,
    Pending,
    PendingReview,
    AwaitingDocuments,
}

impl ApplicationStatus {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ApplicationStatus::Approved => "Approved",
            ApplicationStatus::Denied => "Denied",
            ApplicationStatus::Canceled => "Canceled",
            ApplicationStatus::Pending => "Pending",
            ApplicationStatus::PendingReview => "PendingReview",
            ApplicationStatus::AwaitingDocuments => "AwaitingDocuments",
        }
    }

    /// Whether a decision is still to come (the sandbox approve/deny endpoints and cancel apply).
    pub(crate) fn is_undecided(self) -> bool {
        matches!(
            self,
            ApplicationStatus::Pending | ApplicationStatus::PendingReview | ApplicationStatus::AwaitingDocuments
        )
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Application {
    pub(crate) id: u64,
    pub(crate) applicant: Applicant,
    pub(crate) jwt_subject: Option<String>,
    pub(crate) status: ApplicationStatus,
    pub(crate) message: Option<String>,
    pub(crate) decision: Option<DecisionRecord>,
    pub(crate) customer_id: Option<u64>,
    /// The application form the applicant filled in, when the application came from one.
    pub(crate) application_form_id: Option<u64>,
    /// The documents Unit asked for, ids `1..` per application.
    pub(crate) documents: Vec<Document>,
    pub(crate) created_at: OffsetDateTime,
    pub(crate) updated_at: OffsetDateTime,
}

/// A white-label application form (`applicationForm.json#ApplicationForm`): what the org prefilled
/// and, once the applicant submitted it, the application it created.
#[derive(Debug, Clone)]
pub(crate) struct ApplicationForm {
    pub(crate) id: u64,
    /// `applicantDetails` as given (validated), echoed back as Unit does.
    pub(crate) applicant_details: Map<String, Value>,
    pub(crate) settings_override: Option<Value>,
    pub(crate) allowed_application_types: Option<Vec<String>>,
    pub(crate) tags: BTreeMap<String, String>,
    pub(crate) stage: &'static str,
    pub(crate) application_id: Option<u64>,
    pub(crate) created_at: OffsetDateTime,
}

/// A document an application needs (`document.json#ApplicationDocument`).
#[derive(Debug, Clone)]
pub(crate) struct Document {
    pub(crate) id: u64,
    /// `AddressVerification`, `IdDocument`, `SocialSecurityCard`, … (Unit's SDK `DocumentType`).
    pub(crate) document_type: &'static str,
    /// `Required`, `ReceivedFront`, `ReceivedBack`, `PendingReview`, `Approved`, `Invalid`.
    pub(crate) status: &'static str,
    pub(crate) front_received: bool,
    pub(crate) back_received: bool,
}

/// How and when an application was decided.
#[derive(Debug, Clone)]
pub(crate) struct DecisionRecord {
    /// `Automatically` (by the SSN rules) or `Manually` (by the sandbox approve/deny endpoints).
    pub(crate) method: &'static str,
    pub(crate) reason: Option<String>,
    pub(crate) at: OffsetDateTime,
}

#[derive(Debug, Clone)]
pub(crate) struct Customer {
    pub(crate) id: u64,
    /// `None` for a customer created directly by `POST /__sandbox/customers`.
    pub(crate) application_id: Option<u64>,
    pub(crate) applicant: Applicant,
    pub(crate) jwt_subject: Option<String>,
    pub(crate) dba: Option<String>,
    /// `AuthorizedUser[]` as validated JSON.
    pub(crate) authorized_users: Vec<Value>,
    pub(crate) created_at: OffsetDateTime,
}

#[derive(Debug, Clone)]
pub(crate) struct Account {
    pub(crate) id: u64,
    pub(crate) customer_id: u64,
    pub(crate) name: String,
    pub(crate) deposit_product: String,
    pub(crate) account_number: String,
    pub(crate) tags: BTreeMap<String, String>,
    pub(crate) created_at: OffsetDateTime,
    pub(crate) updated_at: OffsetDateTime,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CardKind {
    /// `individualDebitCard`
    Physical,
    /// `individualVirtualDebitCard`
    Virtual,
}

impl CardKind {
    pub(crate) fn type_name(self) -> &'static str {
        match self {
            CardKind::Physical => "individualDebitCard",
            CardKind::Virtual => "individualVirtualDebitCard",
        }
    }
}

/// The statuses the sandbox moves a card through (Unit's `SuspectedFraud` and `Unknown` are set by
/// Unit's risk systems, which the sandbox does not emulate).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CardStatus {
    /// A new physical card, until the cardholder activates it.
    Inactive,
    Active,
    Frozen,
    /// Final, like `Stolen` and `ClosedByCustomer`.
    Lost,
    Stolen,
    ClosedByCustomer,
}

impl CardStatus {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            CardStatus::Inactive => "Inactive",
            CardStatus::Active => "Active",
            CardStatus::Frozen => "Frozen",
            CardStatus::Lost => "Lost",
            CardStatus::Stolen => "Stolen",
            CardStatus::ClosedByCustomer => "ClosedByCustomer",
        }
    }

    /// Lost, stolen and closed cards never change again.
    pub(crate) fn is_final(self) -> bool {
        matches!(self, CardStatus::Lost | CardStatus::Stolen | CardStatus::ClosedByCustomer)
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Card {
    pub(crate) id: u64,
    pub(crate) kind: CardKind,
    pub(crate) account_id: u64,
    pub(crate) customer_id: u64,
    pub(crate) last4: String,
    /// `YYYY-MM`.
    pub(crate) expiration: String,
    pub(crate) shipping_address: Option<Value>,
    pub(crate) status: CardStatus,
    pub(crate) design: Option<String>,
    pub(crate) tags: BTreeMap<String, String>,
    /// `CardLevelLimits` as given at creation or by `PATCH`, in cents.
    pub(crate) limits: Option<Map<String, Value>>,
    /// The card this one replaces (`POST /cards/{id}/replace`); closed when this one is activated.
    pub(crate) replaces: Option<u64>,
    pub(crate) created_at: OffsetDateTime,
    pub(crate) updated_at: OffsetDateTime,
}

/// A customer bearer token minted by `POST /customers/{id}/token`.
#[derive(Debug, Clone)]
pub(crate) struct CustomerToken {
    pub(crate) customer_id: u64,
    pub(crate) scopes: BTreeSet<String>,
    pub(crate) expires_at: OffsetDateTime,
    pub(crate) limits: ResourceLimits,
}

/// The optional `resources` restriction of a customer token: when a list is present, only those
/// ids of that kind are visible to the token.
#[derive(Debug, Clone, Default)]
pub(crate) struct ResourceLimits {
    pub(crate) cards: Option<BTreeSet<u64>>,
    pub(crate) accounts: Option<BTreeSet<u64>>,
}

/// A 2FA challenge from `POST /customers/{id}/token/verification`.
#[derive(Debug, Clone)]
pub(crate) struct Verification {
    pub(crate) customer_id: u64,
    pub(crate) expires_at: OffsetDateTime,
    pub(crate) attempts_left: u8,
}

/// Now, to the millisecond (Unit's timestamps carry milliseconds).
pub(crate) fn now() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    now.replace_millisecond(now.millisecond()).unwrap_or(now)
}

/// RFC 3339, as every Unit `createdAt`/`updatedAt` is written.
pub(crate) fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_default()
}
