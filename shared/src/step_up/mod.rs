//! The step-up rule, in one place: which second factors count for sensitive Unit scopes and for
//! managing factors, and which factors are bound to the user.
//!
//! - [`rule`]: the rule itself, over a verified session ([`StepUpShortfall`] says why one fails).
//! - [`bound`]: the user's bound factors — the phone on their Unit KYC record and the TOTP they
//!   enrolled under a stepped-up session — and where they are recorded (Stytch `trusted_metadata`,
//!   which only a backend holding the project secret can write).

pub mod bound;
pub mod rule;

pub use bound::{BoundFactors, KycRecord, TotpProof};
pub use rule::{FactorCategory, StepUpShortfall, category};
