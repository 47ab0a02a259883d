//! "Has this session completed two factors from distinct categories, with a recent second one?"
//!
//! Categories follow Stytch's own MFA rule: (1) email or another online account, (2) phone,
//! (3) a dedicated second factor. Two factors of one category (magic link + email OTP, TOTP +
//! recovery code) are one factor twice. A pair counts when the later of its two factors — the
//! one that completed the second step — was authenticated within `max_age`.

use std::time::Duration;

use time::OffsetDateTime;

use super::claims::{AuthenticationFactor, FactorType, VerifiedSession};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactorCategory {
    /// Email magic link, email OTP, OAuth.
    EmailOrAccount,
    /// SMS or WhatsApp OTP.
    Phone,
    /// TOTP, WebAuthn / passkey, TOTP recovery code.
    Dedicated,
}

/// Why a session is not a fresh two-factor session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepUpShortfall {
    /// Fewer than two distinct categories.
    SingleFactor,
    /// Two categories, but the second was proved longer ago than allowed.
    StaleSecondFactor,
}

pub fn category(factor: &AuthenticationFactor) -> Option<FactorCategory> {
    let delivery = factor.delivery_method.as_deref().unwrap_or_default();
    match &factor.kind {
        FactorType::MagicLink | FactorType::EmailOtp | FactorType::Oauth => Some(FactorCategory::EmailOrAccount),
        FactorType::Otp if delivery == "email" => Some(FactorCategory::EmailOrAccount),
        FactorType::Otp if matches!(delivery, "sms" | "whatsapp") => Some(FactorCategory::Phone),
        FactorType::Totp | FactorType::Webauthn | FactorType::RecoveryCodes => Some(FactorCategory::Dedicated),
        // Passwords, unknown delivery methods and types Stytch adds later do not count until we
        // know which category they belong to.
        _ => None,
    }
}

impl VerifiedSession {
    /// `Ok` when two factors of distinct categories exist and the later of some such pair was
    /// authenticated no more than `max_age` before `now`.
    pub fn check_two_factor(&self, max_age: Duration, now: OffsetDateTime) -> Result<(), StepUpShortfall> {
        let categorised: Vec<(FactorCategory, OffsetDateTime)> =
            self.factors.iter().filter_map(|f| category(f).map(|c| (c, f.last_authenticated_at))).collect();
        let mut has_pair = false;
        for (i, (category_a, at_a)) in categorised.iter().enumerate() {
            for (category_b, at_b) in &categorised[i + 1..] {
                if category_a == category_b {
                    continue;
                }
                has_pair = true;
                let second = (*at_a).max(*at_b);
                // A factor dated in the future (clock skew) is as fresh as now, no fresher.
                if now - second <= max_age {
                    return Ok(());
                }
            }
        }
        Err(if has_pair { StepUpShortfall::StaleSecondFactor } else { StepUpShortfall::SingleFactor })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-11-21 12:00:00 UTC);

    fn factor(kind: &str, delivery: &str, seconds_ago: i64) -> AuthenticationFactor {
        AuthenticationFactor {
            kind: FactorType::from(kind.to_owned()),
            delivery_method: Some(delivery.to_owned()),
            last_authenticated_at: NOW - time::Duration::seconds(seconds_ago),
            email_factor: None,
            phone_number_factor: None,
            authenticator_app_factor: None,
            recovery_code_factor: None,
            other: BTreeMap::new(),
        }
    }

    fn session(factors: Vec<AuthenticationFactor>) -> VerifiedSession {
        VerifiedSession {
            user_id: "user-test-1".into(),
            session_id: "session-test-1".into(),
            factors,
            expires_at: NOW + time::Duration::hours(1),
            issued_at: NOW,
            started_at: None,
        }
    }

    const FIVE_MINUTES: Duration = Duration::from_secs(300);

    #[test]
    fn magic_link_plus_fresh_totp_passes() {
        let s = session(vec![factor("magic_link", "email", 3_000), factor("totp", "authenticator_app", 30)]);
        assert_eq!(s.check_two_factor(FIVE_MINUTES, NOW), Ok(()));
    }

    #[test]
    fn magic_link_plus_fresh_sms_passes() {
        let s = session(vec![factor("magic_link", "email", 3_000), factor("otp", "sms", 10)]);
        assert_eq!(s.check_two_factor(FIVE_MINUTES, NOW), Ok(()));
    }

    #[test]
    fn one_factor_is_refused() {
        let s = session(vec![factor("magic_link", "email", 10)]);
        assert_eq!(s.check_two_factor(FIVE_MINUTES, NOW), Err(StepUpShortfall::SingleFactor));
    }

    #[test]
    fn a_stale_second_factor_is_refused() {
        let s = session(vec![factor("magic_link", "email", 4_000), factor("totp", "authenticator_app", 301)]);
        assert_eq!(s.check_two_factor(FIVE_MINUTES, NOW), Err(StepUpShortfall::StaleSecondFactor));
    }

    #[test]
    fn two_factors_of_one_category_are_refused() {
        let email_twice = session(vec![factor("magic_link", "email", 10), factor("otp", "email", 5)]);
        assert_eq!(email_twice.check_two_factor(FIVE_MINUTES, NOW), Err(StepUpShortfall::SingleFactor));
        let dedicated_twice =
            session(vec![factor("totp", "authenticator_app", 10), factor("recovery_codes", "recovery_code", 5)]);
        assert_eq!(dedicated_twice.check_two_factor(FIVE_MINUTES, NOW), Err(StepUpShortfall::SingleFactor));
    }

    #[test]
    fn unknown_factor_types_are_kept_but_do_not_count() {
        let s = session(vec![factor("magic_link", "email", 10), factor("quantum_entanglement", "spooky", 5)]);
        assert_eq!(s.factors[1].kind, FactorType::Other("quantum_entanglement".into()));
        assert_eq!(s.check_two_factor(FIVE_MINUTES, NOW), Err(StepUpShortfall::SingleFactor));
    }
}
