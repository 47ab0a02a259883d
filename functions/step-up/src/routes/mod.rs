//! One module per group of routes.

pub mod me;
pub mod session;
pub mod sms;
pub mod totp;

use stytch_unit_common::{
    http::{ApiError, StytchSession},
    stytch::SessionRef,
};

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
