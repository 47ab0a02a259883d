//! What the send calls (`POST /v1/magic_links/email/send`, `POST /v1/otps/sms/send`) share: who a
//! link or code goes to. With `user_id` or a session, the email or phone is first attached to that
//! user (unverified; stytch-node documents it for `magicLinks.email.send`); without, it must
//! already be a user's.

use super::errors::{StytchError, StytchResult};
use super::session_binding::resolve;
use super::state::{Data, StytchState};
use super::user::User;

/// Where a link or code is sent.
pub enum Contact<'a> {
    Email(&'a str),
    Phone(&'a str),
}

impl Contact<'_> {
    /// `(user_id, email_id or phone_id)` of the user who has it.
    fn holder(&self, data: &Data) -> Option<(String, String)> {
        match self {
            Contact::Email(email) => data.user_id_by_email(email),
            Contact::Phone(phone_number) => data.user_id_by_phone(phone_number),
        }
    }

    fn attach(&self, user: &mut User) -> String {
        match self {
            Contact::Email(email) => user.add_email((*email).to_owned()),
            Contact::Phone(phone_number) => user.add_phone((*phone_number).to_owned()),
        }
    }

    fn of_another_user(&self) -> StytchError {
        match self {
            Contact::Email(_) => {
                StytchError::bad_request("duplicate_email", "That email address belongs to another user.")
            }
            Contact::Phone(_) => {
                StytchError::bad_request("duplicate_phone_number", "That phone number belongs to another user.")
            }
        }
    }

    fn of_no_user(&self) -> StytchError {
        match self {
            Contact::Email(_) => StytchError::not_found(
                "email_not_found",
                "No user has that email address; use login_or_create to create one.",
            ),
            Contact::Phone(_) => {
                StytchError::not_found("phone_number_not_found", "No user has that phone number; use login_or_create.")
            }
        }
    }
}

/// `(user_id, email_id or phone_id)` the link or code goes to, from the call's `contact` and its
/// `(user_id, session_token, session_jwt)`.
pub fn recipient(
    state: &StytchState,
    data: &mut Data,
    contact: &Contact,
    named: (&Option<String>, &Option<String>, &Option<String>),
) -> StytchResult<(String, String)> {
    match (owner(state, data, named)?, contact.holder(data)) {
        (Some(owner), Some((holder, id))) if owner == holder => Ok((owner, id)),
        (Some(_), Some(_)) => Err(contact.of_another_user()),
        (Some(owner), None) => {
            let id = contact.attach(data.user_mut(&owner)?);
            Ok((owner, id))
        }
        (None, Some(found)) => Ok(found),
        (None, None) => Err(contact.of_no_user()),
    }
}

/// The user named by `user_id`, else the user of the session, else no one.
fn owner(
    state: &StytchState,
    data: &mut Data,
    named: (&Option<String>, &Option<String>, &Option<String>),
) -> StytchResult<Option<String>> {
    Ok(match named {
        (Some(user_id), _, _) => Some(data.user(user_id)?.user_id.clone()),
        (None, None, None) => None,
        (None, token, jwt) => {
            let (session_id, _) = resolve(state, data, token.as_deref(), jwt.as_deref())?;
            Some(data.live_session_mut(&session_id)?.user_id.clone())
        }
    })
}
