//! All Stytch-side state: configuration, signing keys and the in-memory records.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use serde_json::json;
use time::{Duration, OffsetDateTime};

use super::errors::{StytchError, StytchResult};
use super::keys::KeyRing;
use super::sandbox_values as sandbox;
use super::session::{Attributes, Factor, Session};
use super::user::{Email, User};
use crate::common::{Outbox, clock};

/// What the Stytch side needs from the outside.
#[derive(Clone)]
pub struct StytchConfig {
    pub project_id: String,
    pub secret: String,
}

impl std::fmt::Debug for StytchConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StytchConfig").field("project_id", &self.project_id).finish_non_exhaustive()
    }
}

/// The Stytch side's state; clones share it.
#[derive(Clone)]
pub struct StytchState {
    shared: Arc<Shared>,
}

struct Shared {
    config: StytchConfig,
    outbox: Outbox,
    keys: Mutex<KeyRing>,
    data: Mutex<Data>,
}

/// A pending magic link.
#[derive(Debug, Clone)]
pub struct MagicLink {
    pub user_id: String,
    pub email_id: String,
    pub expires_at: OffsetDateTime,
    pub used: bool,
    /// PKCE: the `code_challenge` the link was sent with; it then authenticates only with its verifier.
    pub code_challenge: Option<String>,
}

/// The latest one-time code sent to a phone.
#[derive(Debug, Clone)]
pub struct OtpCode {
    pub user_id: String,
    pub code: String,
    pub expires_at: OffsetDateTime,
    pub used: bool,
    /// The sandbox phone's `000000` may be used again and again.
    pub reusable: bool,
}

/// The records. Lock order, where both are needed: `data` first, then `keys`.
#[derive(Debug, Default)]
pub struct Data {
    pub users: HashMap<String, User>,
    /// By magic-link token.
    pub magic_links: HashMap<String, MagicLink>,
    /// By phone id (the `method_id` of `otps/authenticate`).
    pub otps: HashMap<String, OtpCode>,
    pub sessions: HashMap<String, Session>,
    pub session_ids_by_token: HashMap<String, String>,
}

impl StytchState {
    pub fn new(config: StytchConfig, outbox: Outbox) -> Result<Self, String> {
        let shared = Shared { config, outbox, keys: Mutex::new(KeyRing::new()?), data: Mutex::new(Data::seeded()) };
        Ok(Self { shared: Arc::new(shared) })
    }

    pub fn config(&self) -> &StytchConfig {
        &self.shared.config
    }

    pub fn outbox(&self) -> &Outbox {
        &self.shared.outbox
    }

    pub fn data(&self) -> MutexGuard<'_, Data> {
        // Handlers never panic half-way through an update, so a poisoned lock still holds sound data.
        self.shared.data.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn keys(&self) -> MutexGuard<'_, KeyRing> {
        self.shared.keys.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Forgets every user, link, code and session. Signing keys survive, so verifiers that cached the
    /// JWKS keep working across tests.
    pub fn reset(&self) {
        *self.data() = Data::seeded();
    }
}

impl Data {
    /// Empty, except for the documented sandbox user and session.
    pub fn seeded() -> Self {
        let mut data = Data::default();
        let mut user = User::new(sandbox::USER_ID.to_owned(), false);
        user.emails.push(Email { email_id: sandbox::EMAIL_ID.into(), email: sandbox::EMAIL.into(), verified: true });
        data.users.insert(user.user_id.clone(), user);

        let started_at = OffsetDateTime::from_unix_timestamp_nanos(sandbox::SESSION_STARTED_AT_UNIX_NANOS)
            .unwrap_or_else(|_| clock::now());
        let now = clock::now();
        let mut factor = Factor::new(
            "magic_link",
            "email",
            "email_factor",
            json!({ "email_id": sandbox::EMAIL_ID, "email_address": sandbox::EMAIL }),
        );
        factor.created_at = started_at;
        data.insert_session(Session {
            session_id: sandbox::SESSION_ID.into(),
            user_id: sandbox::USER_ID.into(),
            session_token: sandbox::SESSION_TOKEN.into(),
            started_at,
            last_accessed_at: now,
            expires_at: now + Duration::minutes(60),
            attributes: Attributes::default(),
            factors: vec![factor],
            custom_claims: Default::default(),
            is_sandbox: true,
        });
        data
    }

    pub fn user(&self, user_id: &str) -> StytchResult<&User> {
        self.users.get(user_id).ok_or_else(StytchError::user_not_found)
    }

    pub fn user_mut(&mut self, user_id: &str) -> StytchResult<&mut User> {
        self.users.get_mut(user_id).ok_or_else(StytchError::user_not_found)
    }

    /// Emails are matched case-insensitively, as addresses are in practice.
    pub fn user_id_by_email(&self, email: &str) -> Option<(String, String)> {
        self.users.values().find_map(|user| {
            let found = user.emails.iter().find(|known| known.email.eq_ignore_ascii_case(email))?;
            Some((user.user_id.clone(), found.email_id.clone()))
        })
    }

    pub fn user_id_by_phone(&self, phone_number: &str) -> Option<(String, String)> {
        self.users.values().find_map(|user| {
            let found = user.phone_numbers.iter().find(|known| known.phone_number == phone_number)?;
            Some((user.user_id.clone(), found.phone_id.clone()))
        })
    }

    pub fn insert_session(&mut self, session: Session) {
        self.session_ids_by_token.insert(session.session_token.clone(), session.session_id.clone());
        self.sessions.insert(session.session_id.clone(), session);
    }

    pub fn remove_session(&mut self, session_id: &str) {
        if let Some(session) = self.sessions.remove(session_id) {
            self.session_ids_by_token.remove(&session.session_token);
        }
    }

    /// The session if it exists and has not expired; an expired one is forgotten on the way.
    pub fn live_session_mut(&mut self, session_id: &str) -> StytchResult<&mut Session> {
        let now = clock::now();
        if self.sessions.get(session_id).is_some_and(|session| session.is_expired(now)) {
            self.remove_session(session_id);
        }
        self.sessions.get_mut(session_id).ok_or_else(StytchError::session_not_found)
    }

    pub fn session_id_by_token(&self, session_token: &str) -> StytchResult<String> {
        self.session_ids_by_token.get(session_token).cloned().ok_or_else(StytchError::session_not_found)
    }
}
