//! The sandbox's application decision: deterministic from the SSN, so that tests and demos can
//! choose an outcome. (Documented in `UNIT.md`.)
//!
//! Unit's own sandbox values come first (Unit's "Sandbox Simulations" page,
//! `unit.co/docs/api/applications/simulations/`):
//!
//! | SSN         | status              | documents asked for   |
//! |-------------|---------------------|-----------------------|
//! | `000000001` | `Denied`            |                       |
//! | `000000002` | `AwaitingDocuments` | `AddressVerification` |
//! | `000000003` | `AwaitingDocuments` | `IdDocument`          |
//! | `000000004` | `PendingReview`     |                       |
//! | `000000006` | `AwaitingDocuments` | `SocialSecurityCard`  |
//!
//! Then the sandbox's own, by the last four digits (Unit's values never end in `9xxx`, so these do
//! not collide, and tests can give each applicant a distinct SSN, as duplicates may be refused):
//!
//! | SSN ends in | status              |
//! |-------------|---------------------|
//! | `9000`      | `Denied`            |
//! | `9001`      | `Pending` (Unit documents no value for it) |
//! | `9002`      | `PendingReview`     |
//! | `9003`      | `AwaitingDocuments` (`AddressVerification`) |
//!
//! Everything else, and applicants with a passport instead of an SSN, are approved. Undecided
//! applications are decided with `POST /sandbox/applications/{id}/approve|deny`.

use super::state::ApplicationStatus;

/// What Unit decides when an application is created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Decision {
    pub(crate) status: ApplicationStatus,
    /// The documents asked for (only with `AwaitingDocuments`).
    pub(crate) documents: &'static [&'static str],
}

const fn decision(status: ApplicationStatus) -> Decision {
    Decision { status, documents: &[] }
}

const fn awaiting(documents: &'static [&'static str]) -> Decision {
    Decision { status: ApplicationStatus::AwaitingDocuments, documents }
}

/// The decision for an application with this SSN (9 digits or the last 4).
pub(crate) fn decide(ssn: Option<&str>) -> Decision {
    match ssn {
        Some("000000001") => return decision(ApplicationStatus::Denied),
        Some("000000002") => return awaiting(&["AddressVerification"]),
        Some("000000003") => return awaiting(&["IdDocument"]),
        Some("000000004") => return decision(ApplicationStatus::PendingReview),
        Some("000000006") => return awaiting(&["SocialSecurityCard"]),
        _ => {}
    }
    let last4 = ssn.and_then(|ssn| ssn.get(ssn.len().saturating_sub(4)..));
    match last4 {
        Some("9000") => decision(ApplicationStatus::Denied),
        Some("9001") => decision(ApplicationStatus::Pending),
        Some("9002") => decision(ApplicationStatus::PendingReview),
        Some("9003") => awaiting(&["AddressVerification"]),
        _ => decision(ApplicationStatus::Approved),
    }
}

/// The `message` Unit shows on an application that is not (yet) approved.
pub(crate) fn message(status: ApplicationStatus) -> Option<&'static str> {
    match status {
        ApplicationStatus::Approved => None,
        ApplicationStatus::Denied => Some("Application was denied"),
        ApplicationStatus::Canceled => Some("Application was canceled"),
        ApplicationStatus::Pending => Some("Application is being evaluated"),
        ApplicationStatus::PendingReview => Some("Application is waiting for manual review"),
        ApplicationStatus::AwaitingDocuments => Some("Application is waiting for documents"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_documented_sandbox_ssns_decide_as_unit_says() {
        // Source: Unit's "Sandbox Simulations" page (applications).
        assert_eq!(decide(Some("000000001")).status, ApplicationStatus::Denied);
        assert_eq!(decide(Some("000000002")), awaiting(&["AddressVerification"]));
        assert_eq!(decide(Some("000000003")), awaiting(&["IdDocument"]));
        assert_eq!(decide(Some("000000004")).status, ApplicationStatus::PendingReview);
        assert_eq!(decide(Some("000000006")), awaiting(&["SocialSecurityCard"]));
        assert_eq!(decide(Some("000000005")).status, ApplicationStatus::Approved);
    }

    #[test]
    fn the_sandboxs_own_values_end_in_9xxx() {
        assert_eq!(decide(Some("123459000")).status, ApplicationStatus::Denied);
        assert_eq!(decide(Some("123459001")).status, ApplicationStatus::Pending);
        assert_eq!(decide(Some("9002")).status, ApplicationStatus::PendingReview);
        assert_eq!(decide(Some("123459003")), awaiting(&["AddressVerification"]));
        assert_eq!(decide(Some("123456789")).status, ApplicationStatus::Approved);
        // Unit's values are whole SSNs: another SSN ending in 0001 is approved.
        assert_eq!(decide(Some("123450001")).status, ApplicationStatus::Approved);
        assert_eq!(decide(None).status, ApplicationStatus::Approved);
    }
}
