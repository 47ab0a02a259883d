//! One module per group of routes.

pub mod factors;
pub mod me;
pub mod session;
pub mod sms;
pub mod totp;

use stytch_unit_common::{
    http::{ApiError, StytchSession},
    startup::Dependencies,
    step_up::{BoundFactors, bound},
    stytch::{SessionRef, User},
};
use time::OffsetDateTime;

/// The rule for changing factors, as for `POST /token`'s sensitive scopes: a session that passes
/// step-up now with a factor bound before (the JWT's shape first, then Stytch, so a revoked session
/// cannot change anything), else `403 step_up_required`. The user and their bound factors.
async fn require_step_up(
    dependencies: &Dependencies,
    caller: &StytchSession,
) -> Result<(User, BoundFactors), ApiError> {
    let (stytch, unit) = (dependencies.stytch()?, dependencies.unit()?);
    let max_age = dependencies.config.session.step_up_max_age;
    let now = OffsetDateTime::now_utc();
    caller.session.check_two_factor(max_age, now).map_err(|_| ApiError::StepUpRequired)?;
    let user = caller.check_with_stytch(stytch).await?;
    let bound = bound::load(stytch, unit, &user).await?;
    caller.session.check_bound(&bound, max_age, now).map_err(|shortfall| {
        tracing::info!(user_id = %user.user_id, ?shortfall, "a factor change without a stepped-up session");
        ApiError::StepUpRequired
    })?;
    Ok((user, bound))
}

/// The caller's session, named by its JWT, so a factor is added to this very session.
fn this_session(caller: &StytchSession) -> SessionRef {
    SessionRef::Jwt(caller.jwt.clone())
}

/// "Enrol first": authenticating a factor the user does not have.
fn totp_not_enrolled() -> ApiError {
    ApiError::Conflict {
        code: "totp_not_enrolled",
        detail: "This user has no active authenticator app. Enrol one with POST /step-up/totp.".into(),
    }
}
