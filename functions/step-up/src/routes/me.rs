//! `GET /me`: who the caller is and where their session stands, so that a frontend can decide what
//! to show next (the application, a step-up, the cards) without decoding JWTs.
//!
//! The session is checked with Stytch first (revoked → `401 session_not_found`); Stytch's answer
//! brings the user and its `trusted_metadata`, so no `users.get` follows. The step-up status is the
//! rule `POST /token` applies, to the JWT sent. Phones are masked, and no id of Unit's (application,
//! customer) or of a factor is shown: the frontend needs none of them.

use axum::{Json, extract::State, response::IntoResponse};
use serde::Serialize;
use stytch_unit_common::{
    customer_link,
    dependencies::Dependencies,
    http::{ApiError, StytchSession},
    session::AuthenticationFactor,
    session_response::NO_STORE,
    step_up::{BoundFactors, bound},
};
use time::OffsetDateTime;

use crate::masking;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MeResponse {
    user_id: String,
    /// Verified email addresses.
    emails: Vec<String>,
    /// Verified phone numbers, masked.
    phones: Vec<String>,
    /// The factors of the session JWT sent.
    factors: Vec<Factor>,
    step_up: StepUp,
    bound_factors: BoundFactorsView,
    onboarding: Onboarding,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Factor {
    #[serde(rename = "type")]
    kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    delivery_method: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    last_authenticated_at: OffsetDateTime,
    /// One of the user's bound second factors (the KYC phone, the trusted TOTP or its recovery codes).
    bound: bool,
}

/// Whether this JWT may ask `POST /token` for two-factor scopes, and until when.
#[derive(Serialize)]
struct StepUp {
    passes: bool,
    #[serde(skip_serializing_if = "Option::is_none", with = "time::serde::rfc3339::option")]
    until: Option<OffsetDateTime>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct BoundFactorsView {
    /// The phone SMS step-up texts, masked.
    #[serde(skip_serializing_if = "Option::is_none")]
    kyc_phone: Option<String>,
    /// A trusted authenticator app is active.
    totp: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Onboarding {
    /// Unit's status of the user's application, if there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    application_status: Option<String>,
    /// A Unit customer is linked to the user: `POST /token` can mint tokens.
    customer_linked: bool,
}

/// `GET /me` → `200 {userId, emails, phones, factors, stepUp, boundFactors, onboarding}`.
pub async fn me(
    State(dependencies): State<Dependencies>,
    caller: StytchSession,
) -> Result<impl IntoResponse, ApiError> {
    let (stytch, unit) = (&dependencies.stytch, &dependencies.unit);
    let user = caller.check_with_stytch(stytch).await?;
    // The application first: it names the customer (recording a later approval once), whose record
    // then gives the bound factors, so Unit is asked about the application only once.
    let application = customer_link::current_application_of(stytch, unit, &user).await?;
    let customer_id = application.as_ref().and_then(|application| application.customer_id.as_deref());
    let bound = bound::load_for(unit, &user, customer_id).await?;
    let max_age = dependencies.config.session.step_up_max_age;
    let until = caller.session.passes_until(&bound, max_age, OffsetDateTime::now_utc()).ok();
    // Unit names the customer on the approved application (and the link then records it).
    let customer_linked = application.as_ref().is_some_and(|application| application.customer_id.is_some());
    let response = MeResponse {
        emails: user.emails.iter().filter(|email| email.verified).map(|email| email.email.clone()).collect(),
        phones: user
            .phone_numbers
            .iter()
            .filter(|phone| phone.verified)
            .map(|p| masking::phone(&p.phone_number))
            .collect(),
        factors: caller.session.factors.iter().map(|factor| Factor::of(factor, &bound)).collect(),
        step_up: StepUp { passes: until.is_some(), until },
        bound_factors: BoundFactorsView {
            kyc_phone: bound.kyc_phone.as_deref().map(masking::phone),
            totp: bound.trusted_totp_is_active(&user),
        },
        onboarding: Onboarding {
            application_status: application.map(|application| application.status.as_str().to_owned()),
            customer_linked,
        },
        user_id: user.user_id,
    };
    Ok(([NO_STORE], Json(response)))
}

impl Factor {
    fn of(factor: &AuthenticationFactor, bound: &BoundFactors) -> Self {
        Self {
            kind: factor.kind.as_str().to_owned(),
            delivery_method: factor.delivery_method.clone(),
            last_authenticated_at: factor.last_authenticated_at,
            bound: bound.binds(factor),
        }
    }
}
