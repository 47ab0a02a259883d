//! Linking an existing Unit customer to the Stytch user (Unit's "Patch Customer" path for
//! `jwtSubject`), self-service and with proof:
//!
//! 1. `POST /customers/link`: the one `Active` individual customer whose email is one of the user's
//!    *verified* Stytch emails, with no `jwtSubject` yet. Unit texts the phone on its record
//!    (`POST /customers/{id}/token/verification`) → `202 {verificationToken}`. The customer id is not
//!    revealed; it is remembered in the user's `trusted_metadata`, never taken from a request.
//! 2. `POST /customers/link/verify {verificationToken, verificationCode}`: Unit accepting the code
//!    (a customer token is minted and thrown away) proves the phone; then `jwtSubject` is set (only if
//!    still empty) and the link recorded. Nothing is patched on any failure.
//!
//! The email proves the mailbox (Stytch verified it), the code the phone: both factors of the
//! customer's own KYC record.

use axum::{Json, extract::State, http::StatusCode, response::IntoResponse};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::json;
use stytch_unit_common::{
    customer_link::{self, CustomerLink},
    dependencies::Dependencies,
    http::{ApiError, ApiJson, Code, FieldError, StytchSession},
    session_response::NO_STORE,
    stytch::User,
    unit::{Customer, CustomerTokenRequest, TokenProof, UnitClient, UnitError, VerificationChannel, unit_id},
    validated::{OneTimeCode, VerificationToken},
};

/// `POST /customers/link` → `202 {verificationToken}`, or `200 {status: "linked"}` when the
/// customer already names this user.
pub async fn start(
    State(dependencies): State<Dependencies>,
    caller: StytchSession,
) -> Result<impl IntoResponse, ApiError> {
    let (stytch, unit) = (&dependencies.stytch, &dependencies.unit);
    let user = caller.check_with_stytch(stytch).await?;
    let link = CustomerLink::of(&user);
    if link.customer_id.is_some() || link.application_id.is_some() {
        return Err(ApiError::Refused {
            code: Code::AlreadyOnboarded,
            detail: "This user already has a Unit application or customer; there is nothing to link.".into(),
        });
    }
    let (customer, email) = only_match(unit, &user).await?;
    match customer.jwt_subject.as_deref() {
        Some(subject) if subject == user.user_id => {
            customer_link::record_linked_customer(stytch, unit, &user.user_id, &customer, &email).await?;
            Ok((StatusCode::OK, [NO_STORE], Json(json!({ "status": "linked" }))))
        }
        Some(_) => Err(linked_to_another_user()),
        None => {
            let token = unit.create_token_verification(&unit_id(&customer.id)?, VerificationChannel::Sms).await?;
            customer_link::start_link(stytch, &user.user_id, &customer.id).await?;
            tracing::info!(user_id = %user.user_id, customer_id = %customer.id, "customer link started: Unit texted its phone");
            Ok((StatusCode::ACCEPTED, [NO_STORE], Json(json!({ "verificationToken": token.expose_secret() }))))
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifyBody {
    verification_token: Option<SecretString>,
    verification_code: Option<SecretString>,
}

/// `POST /customers/link/verify {verificationToken, verificationCode}` → `200 {status: "linked"}`.
pub async fn verify(
    State(dependencies): State<Dependencies>,
    caller: StytchSession,
    ApiJson(body): ApiJson<VerifyBody>,
) -> Result<impl IntoResponse, ApiError> {
    let (token, code) = validate(body)?;
    let (stytch, unit) = (&dependencies.stytch, &dependencies.unit);
    let user = caller.check_with_stytch(stytch).await?;
    let Some(customer_id) = CustomerLink::of(&user).pending_link_customer_id else {
        return Err(ApiError::Refused {
            code: Code::NoLinkPending,
            detail: "Start with POST /customers/link; then send the code Unit texted.".into(),
        });
    };
    // Unit checks the code by minting a token for that customer; the token is not used.
    let proof = CustomerTokenRequest {
        scopes: &["customers".to_owned()],
        expires_in: Some(60),
        proof: TokenProof::Verification { token: &token, code: &code },
    };
    let customer_id = unit_id(&customer_id)?;
    unit.create_customer_token(&customer_id, &proof).await.map_err(wrong_code)?;

    let customer = unit.get_customer(&customer_id).await?;
    let customer = match customer.jwt_subject.as_deref() {
        None => unit.set_customer_jwt_subject(&customer_id, &user.user_id).await?,
        Some(subject) if subject == user.user_id => customer,
        Some(_) => return Err(linked_to_another_user()),
    };
    let email = matching_email(&user, &customer).ok_or_else(no_customer)?;
    customer_link::record_linked_customer(stytch, unit, &user.user_id, &customer, &email).await?;
    Ok(([NO_STORE], Json(json!({ "status": "linked" }))))
}

/// The one active customer whose email is a verified email of the user, and that email.
async fn only_match(unit: &UnitClient, user: &User) -> Result<(Customer, String), ApiError> {
    let mut matches: Vec<(Customer, String)> = Vec::new();
    for email in user.emails.iter().filter(|email| email.verified) {
        for customer in unit.active_customers_with_email(&email.email).await? {
            if !matches.iter().any(|(known, _)| known.id == customer.id) {
                matches.push((customer, email.email.clone()));
            }
        }
    }
    match matches.len() {
        0 => Err(no_customer()),
        1 => Ok(matches.remove(0)),
        _ => Err(ApiError::Refused {
            code: Code::SeveralCustomersMatch,
            detail: "More than one Unit customer has this email; the bank must link the right one.".into(),
        }),
    }
}

/// The user's verified email that is the customer's (a re-check at the second step).
fn matching_email(user: &User, customer: &Customer) -> Option<String> {
    let on_record = customer.email.as_deref()?;
    user.emails
        .iter()
        .find(|email| email.verified && email.email.eq_ignore_ascii_case(on_record))
        .map(|email| email.email.clone())
}

fn validate(body: VerifyBody) -> Result<(SecretString, SecretString), ApiError> {
    let mut errors = Vec::new();
    let token = body.verification_token.and_then(VerificationToken::new);
    if token.is_none() {
        errors.push(FieldError::new("verificationToken", "must be the token from POST /customers/link"));
    }
    let code = body.verification_code.as_ref().map(|code| code.expose_secret()).unwrap_or_default();
    let code = OneTimeCode::parse("verificationCode", code).map_err(|e| errors.push(e)).ok();
    match (token, code) {
        (Some(token), Some(code)) => Ok((token.into_secret(), code.into_secret())),
        _ => Err(ApiError::Validation(errors)),
    }
}

fn no_customer() -> ApiError {
    ApiError::Refused {
        code: Code::NoCustomerToLink,
        detail: "No active Unit customer has a verified email of this user.".into(),
    }
}

fn linked_to_another_user() -> ApiError {
    ApiError::Refused {
        code: Code::CustomerLinkedToAnotherUser,
        detail: "That Unit customer is already linked to another login.".into(),
    }
}

/// Unit answers a wrong, expired or spent code with 400 or 403 (our org token is fine).
fn wrong_code(error: UnitError) -> ApiError {
    match error.status() {
        Some(400 | 403) => ApiError::Refused {
            code: Code::InvalidVerificationCode,
            detail: "The verification code is wrong, or the verification expired or was used up. \
                     Start again with POST /customers/link."
                .into(),
        },
        _ => error.into(),
    }
}
