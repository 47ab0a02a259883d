//! The sandbox's application decision: deterministic from the last four digits of the SSN, so that
//! tests and demos can choose an outcome. Most SSNs approve. (Documented in `UNIT.md`.)
//!
//! | SSN ends in | status          | then                                                     |
//! |-------------|-----------------|----------------------------------------------------------|
//! | `0000`      | `Denied`        | final                                                    |
//! | `0001`      | `Pending`       | until `POST /sandbox/applications/{id}/approve` (or deny) |
//! | `0002`      | `PendingReview` | until `POST /sandbox/applications/{id}/approve` (or deny) |
//! | other       | `Approved`      | customer and deposit account created at once             |
//!
//! Applicants with a passport instead of an SSN are approved.

use super::state::ApplicationStatus;

/// The decision for an application with this SSN (9 digits or the last 4).
pub(crate) fn decide(ssn: Option<&str>) -> ApplicationStatus {
    let last4 = ssn.and_then(|ssn| ssn.get(ssn.len().saturating_sub(4)..));
    match last4 {
        Some("0000") => ApplicationStatus::Denied,
        Some("0001") => ApplicationStatus::Pending,
        Some("0002") => ApplicationStatus::PendingReview,
        _ => ApplicationStatus::Approved,
    }
}

/// The `message` Unit shows on an application that is not (yet) approved.
pub(crate) fn message(status: ApplicationStatus) -> Option<&'static str> {
    match status {
        ApplicationStatus::Approved => None,
        ApplicationStatus::Denied => Some("Application was denied"),
        ApplicationStatus::Pending => Some("Application is being evaluated"),
        ApplicationStatus::PendingReview => Some("Application is waiting for manual review"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_four_digits_choose_the_outcome() {
        assert_eq!(decide(Some("123450000")), ApplicationStatus::Denied);
        assert_eq!(decide(Some("123450001")), ApplicationStatus::Pending);
        assert_eq!(decide(Some("0002")), ApplicationStatus::PendingReview);
        assert_eq!(decide(Some("123456789")), ApplicationStatus::Approved);
        assert_eq!(decide(None), ApplicationStatus::Approved);
    }
}
