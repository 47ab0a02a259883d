//! "Has this session proved, recently, a second factor that was bound to the user before?"
//!
//! Categories follow Stytch's own MFA rule: (1) email or another online account, (2) phone,
//! (3) a dedicated second factor. Two factors of one category (magic link + email OTP, TOTP +
//! recovery code, SMS + SMS) are one factor twice. A session passes when it holds a **second
//! factor** (phone or dedicated) that
//! - was authenticated within `max_age` (the second factor itself: a fresh magic link does not
//!   revive an hours-old TOTP),
//! - is bound to the user ([`BoundFactors`]): the KYC phone, the trusted TOTP, or that TOTP's
//!   recovery codes. A factor added inside the session being checked proves nothing by itself;
//! - sits beside a factor of another category (the primary, of any age within the session) that
//!   is bound too: a magic link to a bound email, or another bound factor. So a stolen phone plus
//!   an email the thief adds to the session is still one factor.
//!
//! [`check_two_factor`](VerifiedSession::check_two_factor) applies the first two conditions from
//! the verified JWT alone, so a session that cannot pass is refused before anything upstream is
//! called; [`check_bound`](VerifiedSession::check_bound) adds the third once the user's bound
//! factors are known.

use std::time::Duration;

use time::OffsetDateTime;

use super::BoundFactors;

/// How far in the future a factor's time may lie (clocks disagree a little) and still count.
const CLOCK_SKEW: time::Duration = time::Duration::seconds(60);
use crate::session::{AuthenticationFactor, FactorType, VerifiedSession};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactorCategory {
    /// Email magic link, email OTP, OAuth.
    EmailOrAccount,
    /// SMS or WhatsApp OTP.
    Phone,
    /// TOTP, WebAuthn / passkey, TOTP recovery code.
    Dedicated,
}

/// Why a session does not pass step-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepUpShortfall {
    /// No second factor beside a factor of another category.
    SingleFactor,
    /// A second factor, but proved longer ago than allowed.
    StaleSecondFactor,
    /// A fresh second factor, but not one bound to the user (an attacker's phone, a TOTP that was
    /// never trusted).
    UnboundSecondFactor,
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
    /// The shape of the rule, from the JWT alone: `Ok` when a second factor authenticated no more
    /// than `max_age` before `now` sits beside a factor of another category. Necessary, not
    /// sufficient: [`check_bound`](Self::check_bound) decides.
    pub fn check_two_factor(&self, max_age: Duration, now: OffsetDateTime) -> Result<(), StepUpShortfall> {
        self.freshest_second_factor(max_age, now, |_| true, |_| true).map(|_| ())
    }

    /// The whole rule: as [`check_two_factor`](Self::check_two_factor), with a second factor that
    /// `bound` names.
    pub fn check_bound(
        &self,
        bound: &BoundFactors,
        max_age: Duration,
        now: OffsetDateTime,
    ) -> Result<(), StepUpShortfall> {
        self.passes_until(bound, max_age, now).map(|_| ())
    }

    /// [`check_bound`](Self::check_bound), saying until when the session passes: the freshest
    /// qualifying second factor's `last_authenticated_at` (at most `now`) plus `max_age`.
    pub fn passes_until(
        &self,
        bound: &BoundFactors,
        max_age: Duration,
        now: OffsetDateTime,
    ) -> Result<OffsetDateTime, StepUpShortfall> {
        let freshest = self.freshest_second_factor(
            max_age,
            now,
            |factor| bound.binds(factor),
            |factor| bound.binds_beside(factor),
        )?;
        Ok(freshest.last_authenticated_at.min(now) + max_age)
    }

    /// Whether Unit's own SMS code may serve as this session's second factor: Unit texts the
    /// customer's (KYC) phone, so that phone must still be bound (the user may have removed it), and
    /// the session's other factor must be bound and not a phone too.
    pub fn can_pair_with_unit_sms(&self, bound: &BoundFactors) -> bool {
        bound.kyc_phone.is_some()
            && self.factors.iter().any(|factor| {
                matches!(category(factor), Some(c) if c != FactorCategory::Phone) && bound.binds_beside(factor)
            })
    }

    /// The most recently authenticated second factor that qualifies, else why none does.
    fn freshest_second_factor(
        &self,
        max_age: Duration,
        now: OffsetDateTime,
        is_bound: impl Fn(&AuthenticationFactor) -> bool,
        is_bound_beside: impl Fn(&AuthenticationFactor) -> bool,
    ) -> Result<&AuthenticationFactor, StepUpShortfall> {
        let mut freshest: Option<&AuthenticationFactor> = None;
        let mut shortfall = StepUpShortfall::SingleFactor;
        for (index, second) in self.factors.iter().enumerate() {
            let Some(second_category @ (FactorCategory::Phone | FactorCategory::Dedicated)) = category(second) else {
                continue;
            };
            let primaries: Vec<&AuthenticationFactor> = self
                .factors
                .iter()
                .enumerate()
                .filter(|(other, primary)| {
                    *other != index && category(primary).is_some_and(|primary| primary != second_category)
                })
                .map(|(_, primary)| primary)
                .collect();
            if primaries.is_empty() {
                continue;
            }
            // A factor dated beyond clock skew in the future is not fresh: it is wrong.
            let age = now - second.last_authenticated_at;
            if age > max_age || age < -CLOCK_SKEW {
                if shortfall == StepUpShortfall::SingleFactor {
                    shortfall = StepUpShortfall::StaleSecondFactor;
                }
                continue;
            }
            if !(is_bound(second) && primaries.iter().any(|primary| is_bound_beside(primary))) {
                shortfall = StepUpShortfall::UnboundSecondFactor;
            } else if freshest.is_none_or(|best| second.last_authenticated_at > best.last_authenticated_at) {
                freshest = Some(second);
            }
        }
        freshest.ok_or(shortfall)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::{AuthenticatorAppFactor, EmailFactor, PhoneNumberFactor, RecoveryCodeFactor};
    use std::collections::BTreeMap;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-11-21 12:00:00 UTC);
    const FIVE_MINUTES: Duration = Duration::from_secs(300);
    const KYC_PHONE: &str = "+15555550100";

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

    fn sms(phone: &str, seconds_ago: i64) -> AuthenticationFactor {
        let phone_number_factor =
            Some(PhoneNumberFactor { phone_id: format!("phone-{phone}"), phone_number: phone.into() });
        AuthenticationFactor { phone_number_factor, ..factor("otp", "sms", seconds_ago) }
    }

    fn totp(totp_id: &str, seconds_ago: i64) -> AuthenticationFactor {
        let authenticator_app_factor = Some(AuthenticatorAppFactor { totp_id: totp_id.into() });
        AuthenticationFactor { authenticator_app_factor, ..factor("totp", "authenticator_app", seconds_ago) }
    }

    fn recovery(seconds_ago: i64) -> AuthenticationFactor {
        let recovery_code_factor = Some(RecoveryCodeFactor { totp_recovery_code_id: "recovery-1".into() });
        AuthenticationFactor { recovery_code_factor, ..factor("recovery_codes", "recovery_code", seconds_ago) }
    }

    fn magic_link(seconds_ago: i64) -> AuthenticationFactor {
        magic_link_to("ada@example.com", seconds_ago)
    }

    fn magic_link_to(address: &str, seconds_ago: i64) -> AuthenticationFactor {
        let email_factor = Some(EmailFactor { email_id: format!("email-{address}"), email_address: address.into() });
        AuthenticationFactor { email_factor, ..factor("magic_link", "email", seconds_ago) }
    }

    fn session(factors: Vec<AuthenticationFactor>) -> VerifiedSession {
        VerifiedSession {
            user_id: "user-test-1".into(),
            session_id: "session-test-1".into(),
            factors,
            expires_at: NOW + time::Duration::hours(1),
            jwt_expires_at: NOW + time::Duration::minutes(5),
            issued_at: NOW,
            started_at: None,
        }
    }

    fn bound() -> BoundFactors {
        BoundFactors {
            kyc_phone: Some(KYC_PHONE.into()),
            emails: vec!["ada@example.com".into()],
            trusted_totp_id: Some("totp-trusted".into()),
            only_verified_totp_is_trusted: true,
        }
    }

    fn check(factors: Vec<AuthenticationFactor>) -> Result<(), StepUpShortfall> {
        session(factors).check_bound(&bound(), FIVE_MINUTES, NOW)
    }

    #[test]
    fn the_kyc_phone_or_the_trusted_totp_beside_a_magic_link_passes() {
        assert_eq!(check(vec![magic_link(3_000), sms(KYC_PHONE, 10)]), Ok(()));
        assert_eq!(check(vec![magic_link(3_000), totp("totp-trusted", 30)]), Ok(()));
        assert_eq!(check(vec![magic_link(3_000), recovery(30)]), Ok(()));
        // SMS as the primary, the trusted TOTP as the second.
        assert_eq!(check(vec![sms(KYC_PHONE, 3_000), totp("totp-trusted", 30)]), Ok(()));
    }

    #[test]
    fn a_factor_that_was_never_bound_does_not_count() {
        let attacker_phone = vec![magic_link(60), sms("+15005550006", 10)];
        assert_eq!(session(attacker_phone.clone()).check_two_factor(FIVE_MINUTES, NOW), Ok(()));
        assert_eq!(check(attacker_phone), Err(StepUpShortfall::UnboundSecondFactor));
        assert_eq!(check(vec![magic_link(60), totp("totp-rogue", 10)]), Err(StepUpShortfall::UnboundSecondFactor));
        let untrusted_recovery = BoundFactors { only_verified_totp_is_trusted: false, ..bound() };
        assert_eq!(
            session(vec![magic_link(60), recovery(10)]).check_bound(&untrusted_recovery, FIVE_MINUTES, NOW),
            Err(StepUpShortfall::UnboundSecondFactor)
        );
        let nothing_bound = BoundFactors::default();
        assert_eq!(
            session(vec![magic_link(60), sms(KYC_PHONE, 10)]).check_bound(&nothing_bound, FIVE_MINUTES, NOW),
            Err(StepUpShortfall::UnboundSecondFactor)
        );
    }

    #[test]
    fn the_factor_beside_it_must_be_bound_too() {
        // A stolen phone, and an email or OAuth account the thief added to the session.
        assert_eq!(
            check(vec![magic_link_to("thief@example.com", 60), sms(KYC_PHONE, 10)]),
            Err(StepUpShortfall::UnboundSecondFactor)
        );
        assert_eq!(
            check(vec![factor("oauth", "google", 60), sms(KYC_PHONE, 10)]),
            Err(StepUpShortfall::UnboundSecondFactor)
        );
        assert_eq!(check(vec![magic_link_to("ADA@example.com", 60), sms(KYC_PHONE, 10)]), Ok(()));
        assert!(session(vec![magic_link(10)]).can_pair_with_unit_sms(&bound()));
        assert!(!session(vec![magic_link_to("thief@example.com", 10)]).can_pair_with_unit_sms(&bound()));
    }

    #[test]
    fn whatsapp_to_the_kyc_phone_is_not_the_sms_it_is_bound_by() {
        let mut whatsapp = sms(KYC_PHONE, 10);
        whatsapp.delivery_method = Some("whatsapp".into());
        assert_eq!(check(vec![magic_link(60), whatsapp]), Err(StepUpShortfall::UnboundSecondFactor));
    }

    #[test]
    fn a_factor_dated_well_in_the_future_is_not_fresh() {
        assert_eq!(check(vec![magic_link(60), totp("totp-trusted", -30)]), Ok(()), "within clock skew");
        assert_eq!(check(vec![magic_link(60), totp("totp-trusted", -3_600)]), Err(StepUpShortfall::StaleSecondFactor));
    }

    #[test]
    fn the_second_factor_itself_must_be_fresh() {
        assert_eq!(check(vec![magic_link(4_000), totp("totp-trusted", 301)]), Err(StepUpShortfall::StaleSecondFactor));
        // A fresh primary factor does not revive an old second factor.
        assert_eq!(check(vec![magic_link(0), totp("totp-trusted", 3_600)]), Err(StepUpShortfall::StaleSecondFactor));
        assert_eq!(
            session(vec![magic_link(0), totp("totp-trusted", 3_600)]).check_two_factor(FIVE_MINUTES, NOW),
            Err(StepUpShortfall::StaleSecondFactor)
        );
    }

    #[test]
    fn one_factor_or_one_category_twice_is_a_single_factor() {
        assert_eq!(check(vec![magic_link(10)]), Err(StepUpShortfall::SingleFactor));
        assert_eq!(check(vec![magic_link(10), factor("email_otp", "email", 5)]), Err(StepUpShortfall::SingleFactor));
        assert_eq!(check(vec![totp("totp-trusted", 10), recovery(5)]), Err(StepUpShortfall::SingleFactor));
        // A phone-only user cannot pass with a second SMS to the same (or any) phone.
        assert_eq!(check(vec![sms(KYC_PHONE, 100), sms(KYC_PHONE, 5)]), Err(StepUpShortfall::SingleFactor));
        assert_eq!(check(vec![]), Err(StepUpShortfall::SingleFactor));
    }

    #[test]
    fn unknown_factor_types_are_kept_but_do_not_count() {
        let s = session(vec![magic_link(10), factor("quantum_entanglement", "spooky", 5)]);
        assert_eq!(s.factors[1].kind, FactorType::Other("quantum_entanglement".into()));
        assert_eq!(s.check_bound(&bound(), FIVE_MINUTES, NOW), Err(StepUpShortfall::SingleFactor));
        let password = session(vec![factor("password", "knowledge", 60), totp("totp-trusted", 0)]);
        assert_eq!(password.check_bound(&bound(), FIVE_MINUTES, NOW), Err(StepUpShortfall::SingleFactor));
    }

    #[test]
    fn a_passing_session_passes_until_its_freshest_bound_second_factor_is_too_old() {
        let until = |factors| session(factors).passes_until(&bound(), FIVE_MINUTES, NOW);
        let seconds = time::Duration::seconds;
        assert_eq!(
            until(vec![magic_link(3_000), sms(KYC_PHONE, 200), totp("totp-trusted", 10)]),
            Ok(NOW + seconds(290))
        );
        // A fresher factor that is not bound does not lengthen it.
        assert_eq!(until(vec![magic_link(60), sms(KYC_PHONE, 200), totp("totp-rogue", 1)]), Ok(NOW + seconds(100)));
        // A factor dated a little in the future (clock skew) counts from now.
        assert_eq!(until(vec![magic_link(60), sms(KYC_PHONE, -30)]), Ok(NOW + seconds(300)));
        assert_eq!(until(vec![magic_link(60), sms(KYC_PHONE, 301)]), Err(StepUpShortfall::StaleSecondFactor));
    }

    #[test]
    fn unit_sms_pairs_only_with_a_non_phone_factor() {
        assert!(session(vec![magic_link(10)]).can_pair_with_unit_sms(&bound()));
        assert!(!session(vec![sms(KYC_PHONE, 10)]).can_pair_with_unit_sms(&bound()));
        assert!(!session(vec![]).can_pair_with_unit_sms(&bound()));
        let phone_removed = BoundFactors { kyc_phone: None, ..bound() };
        assert!(!session(vec![magic_link(10)]).can_pair_with_unit_sms(&phone_removed));
    }
}
