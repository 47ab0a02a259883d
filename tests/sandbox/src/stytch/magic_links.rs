//! `POST /v1/magic_links/email/login_or_create`, `POST /v1/magic_links/email/send` and
//! `POST /v1/magic_links/authenticate` (request and response shapes: stytch-node
//! `lib/b2c/magic_links_email.ts`, `lib/b2c/magic_links.ts`).
//!
//! PKCE (Stytch's "Adding PKCE to a Magic Link flow" guide; `code_challenge` on send and
//! login_or_create, `code_verifier` on authenticate; S256 only, Stytch takes no method field): a
//! link sent with a challenge authenticates only with the verifier whose base64url (unpadded)
//! SHA-256 it is; a wrong or missing verifier is 400 `pkce_mismatch` and leaves the link unused.

use aws_lc_rs::digest;
use axum::extract::State;
use axum::response::Response;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use serde_json::json;
use time::Duration;

use super::errors::{StytchError, StytchResult};
use super::extract::StytchJson;
use super::recipient::{Contact, recipient};
use super::respond::{object, ok};
use super::sandbox_values as sandbox;
use super::session::{Attributes, Factor};
use super::session_binding::{self, Authenticated, SessionOptions};
use super::state::{Data, MagicLink, StytchState};
use super::user::User;
use super::validate;
use crate::common::{clock, ids};

const DEFAULT_LOGIN_MINUTES: i64 = 60;
const DEFAULT_SIGNUP_MINUTES: i64 = 10_080;

#[derive(Deserialize)]
pub struct LoginOrCreate {
    email: String,
    login_expiration_minutes: Option<i64>,
    signup_expiration_minutes: Option<i64>,
    #[serde(default)]
    create_user_as_pending: bool,
    code_challenge: Option<String>,
}

pub async fn login_or_create(
    State(state): State<StytchState>,
    StytchJson(request): StytchJson<LoginOrCreate>,
) -> StytchResult<Response> {
    let email = validate::email(&request.email)?;
    let (login_minutes, signup_minutes) =
        expirations(request.login_expiration_minutes, request.signup_expiration_minutes)?;

    // The sandbox address answers like an existing user and no email is sent.
    if email.eq_ignore_ascii_case(sandbox::EMAIL) {
        return Ok(ok(object(json!({
            "user_id": sandbox::USER_ID, "email_id": sandbox::EMAIL_ID, "user_created": false,
        }))));
    }

    let mut data = state.data();
    let (user_id, email_id, user_created) = match data.user_id_by_email(&email) {
        Some((user_id, email_id)) => (user_id, email_id, false),
        None => {
            let mut user = User::new(ids::prefixed("user-test"), request.create_user_as_pending);
            let email_id = user.add_email(email.clone());
            let user_id = user.user_id.clone();
            data.users.insert(user_id.clone(), user);
            (user_id, email_id, true)
        }
    };
    let minutes = if user_created { signup_minutes } else { login_minutes };
    issue_link(&state, &mut data, (&user_id, &email_id, &email), minutes, request.code_challenge);
    Ok(ok(object(json!({ "user_id": user_id, "email_id": email_id, "user_created": user_created }))))
}

#[derive(Deserialize)]
pub struct Send {
    email: String,
    login_expiration_minutes: Option<i64>,
    signup_expiration_minutes: Option<i64>,
    user_id: Option<String>,
    session_token: Option<String>,
    session_jwt: Option<String>,
    code_challenge: Option<String>,
}

/// Sends a magic link to an existing user's email. With `user_id` or a session it first attaches the
/// email (unverified) to that user, as stytch-node documents for `magicLinks.email.send`.
pub async fn send(State(state): State<StytchState>, StytchJson(request): StytchJson<Send>) -> StytchResult<Response> {
    let email = validate::email(&request.email)?;
    let (login_minutes, signup_minutes) =
        expirations(request.login_expiration_minutes, request.signup_expiration_minutes)?;
    if email.eq_ignore_ascii_case(sandbox::EMAIL) && request.user_id.is_none() {
        return Ok(ok(object(json!({ "user_id": sandbox::USER_ID, "email_id": sandbox::EMAIL_ID }))));
    }

    let mut data = state.data();
    let named = (&request.user_id, &request.session_token, &request.session_jwt);
    let (user_id, email_id) = recipient(&state, &mut data, &Contact::Email(&email), named)?;
    let pending = data.user(&user_id)?.pending;
    let minutes = if pending { signup_minutes } else { login_minutes };
    issue_link(&state, &mut data, (&user_id, &email_id, &email), minutes, request.code_challenge);
    Ok(ok(object(json!({ "user_id": user_id, "email_id": email_id }))))
}

/// Stores a fresh single-use magic-link token for `(user_id, email_id, email)` and puts it in the outbox.
fn issue_link(
    state: &StytchState,
    data: &mut Data,
    (user_id, email_id, email): (&str, &str, &str),
    minutes: i64,
    code_challenge: Option<String>,
) {
    let token = ids::magic_link_token();
    let link = MagicLink {
        user_id: user_id.to_owned(),
        email_id: email_id.to_owned(),
        expires_at: clock::now() + Duration::minutes(minutes),
        used: false,
        code_challenge,
    };
    data.magic_links.insert(token.clone(), link);
    state.outbox().push_email(email, &token);
}

#[derive(Deserialize)]
pub struct Authenticate {
    token: String,
    code_verifier: Option<String>,
    attributes: Option<Attributes>,
    #[serde(flatten)]
    session: SessionOptions,
}

pub async fn authenticate(
    State(state): State<StytchState>,
    StytchJson(request): StytchJson<Authenticate>,
) -> StytchResult<Response> {
    session_binding::authenticate(&state, &request.session, request.attributes, |data| {
        let used = || {
            StytchError::unauthorized(
                "unable_to_auth_magic_link",
                "The magic link could not be authenticated because it was either already used or expired. \
                 Send another magic link to this user.",
            )
        };
        let (user_id, email_id) = match request.token.as_str() {
            sandbox::MAGIC_LINK_TOKEN_OK => (sandbox::USER_ID.to_owned(), sandbox::EMAIL_ID.to_owned()),
            sandbox::MAGIC_LINK_TOKEN_USED => return Err(used()),
            token => {
                let now = clock::now();
                let link = data.magic_links.get_mut(token).ok_or_else(|| {
                    StytchError::not_found(
                        "magic_link_not_found",
                        "The magic link could not be authenticated, try sending another magic link to the user.",
                    )
                })?;
                if link.used || link.expires_at <= now {
                    return Err(used());
                }
                if !pkce_matches(link.code_challenge.as_deref(), request.code_verifier.as_deref()) {
                    return Err(StytchError::bad_request(
                        "pkce_mismatch",
                        "The submitted code_verifier does not match the code_challenge sent at the start of the flow.",
                    ));
                }
                link.used = true;
                (link.user_id.clone(), link.email_id.clone())
            }
        };

        let user = data.user_mut(&user_id)?;
        user.pending = false;
        let email = user.emails.iter_mut().find(|email| email.email_id == email_id);
        let email_address = email.map(|email| {
            email.verified = true;
            email.email.clone()
        });
        let factor = Factor::new(
            "magic_link",
            "email",
            "email_factor",
            json!({ "email_id": email_id, "email_address": email_address.unwrap_or_default() }),
        );
        Ok(Authenticated { user_id, factor, fields: json!({ "method_id": email_id, "reset_sessions": false }) })
    })
}

/// No challenge and no verifier, or the verifier whose S256 is the challenge. A verifier for a
/// link sent without a challenge is refused too (Stytch says nothing of it; see the README).
fn pkce_matches(challenge: Option<&str>, verifier: Option<&str>) -> bool {
    match (challenge, verifier) {
        (None, None) => true,
        (Some(challenge), Some(verifier)) => {
            URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, verifier.as_bytes())) == challenge
        }
        _ => false,
    }
}

/// `login_expiration_minutes` and `signup_expiration_minutes`: 5 to 10080, with Stytch's defaults.
fn expirations(login: Option<i64>, signup: Option<i64>) -> StytchResult<(i64, i64)> {
    let login = validate::minutes(login, DEFAULT_LOGIN_MINUTES, 5, 10_080, "login_expiration_minutes")?;
    let signup = validate::minutes(signup, DEFAULT_SIGNUP_MINUTES, 5, 10_080, "signup_expiration_minutes")?;
    Ok((login, signup))
}
