//! The stored session, its authentication factors, and their two JSON views: the API's `Session`
//! object and the `https://stytch.com/session` JWT claim.

use serde::Deserialize;
use serde_json::{Map, Value, json};
use time::OffsetDateTime;

use crate::common::clock;

#[derive(Debug, Clone)]
pub struct Session {
    pub session_id: String,
    pub user_id: String,
    pub session_token: String,
    pub started_at: OffsetDateTime,
    pub last_accessed_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub attributes: Attributes,
    pub factors: Vec<Factor>,
    /// Top-level claims added to every JWT of this session (`session_custom_claims`).
    pub custom_claims: Map<String, Value>,
    /// The documented sandbox session: never expires and cannot be revoked.
    pub is_sandbox: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Attributes {
    #[serde(default)]
    pub ip_address: String,
    #[serde(default)]
    pub user_agent: String,
}

/// One authentication factor. `detail` is the factor-specific object, e.g.
/// `("email_factor", {"email_id", "email_address"})`.
#[derive(Debug, Clone)]
pub struct Factor {
    pub kind: &'static str,
    pub delivery_method: &'static str,
    pub detail_key: &'static str,
    pub detail: Value,
    pub created_at: OffsetDateTime,
    pub last_authenticated_at: OffsetDateTime,
}

impl Factor {
    pub fn new(kind: &'static str, delivery_method: &'static str, detail_key: &'static str, detail: Value) -> Self {
        let now = clock::now();
        Self { kind, delivery_method, detail_key, detail, created_at: now, last_authenticated_at: now }
    }

    /// Whether `other` is a fresh authentication of this same factor (same method and same
    /// email/phone/TOTP), which refreshes it instead of adding a second entry.
    pub fn same_factor_as(&self, other: &Factor) -> bool {
        self.kind == other.kind && self.delivery_method == other.delivery_method && self.detail == other.detail
    }

    /// The factor inside the JWT claim: no `created_at`/`updated_at`, and whole seconds, as in tokens
    /// Stytch issues.
    pub fn jwt_json(&self) -> Value {
        self.json(clock::rfc3339_seconds(self.last_authenticated_at))
    }

    /// The factor in API bodies: with `created_at`/`updated_at`, and microseconds.
    pub fn api_json(&self) -> Value {
        let mut factor = self.json(clock::rfc3339(self.last_authenticated_at));
        if let Some(object) = factor.as_object_mut() {
            object.insert("created_at".into(), json!(clock::rfc3339(self.created_at)));
            object.insert("updated_at".into(), json!(clock::rfc3339(self.last_authenticated_at)));
        }
        factor
    }

    fn json(&self, last_authenticated_at: String) -> Value {
        let mut factor = Map::new();
        factor.insert("type".into(), json!(self.kind));
        factor.insert("delivery_method".into(), json!(self.delivery_method));
        factor.insert("last_authenticated_at".into(), json!(last_authenticated_at));
        factor.insert(self.detail_key.into(), self.detail.clone());
        Value::Object(factor)
    }
}

impl Session {
    pub fn is_expired(&self, now: OffsetDateTime) -> bool {
        !self.is_sandbox && self.expires_at <= now
    }

    /// Adds `factor`, or refreshes it when the session already holds the same factor.
    pub fn add_factor(&mut self, factor: Factor) {
        match self.factors.iter_mut().find(|existing| existing.same_factor_as(&factor)) {
            Some(existing) => existing.last_authenticated_at = factor.last_authenticated_at,
            None => self.factors.push(factor),
        }
    }

    /// The `Session` object of API responses.
    pub fn api_json(&self) -> Value {
        json!({
            "session_id": self.session_id,
            "user_id": self.user_id,
            "started_at": clock::rfc3339(self.started_at),
            "last_accessed_at": clock::rfc3339(self.last_accessed_at),
            "expires_at": clock::rfc3339(self.expires_at),
            "attributes": { "ip_address": self.attributes.ip_address, "user_agent": self.attributes.user_agent },
            "authentication_factors": self.factors.iter().map(Factor::api_json).collect::<Vec<_>>(),
            "custom_claims": self.custom_claims,
            "roles": [],
        })
    }

    /// The `https://stytch.com/session` claim, key for key (and to the second) as Stytch issues it.
    pub fn jwt_claim(&self) -> Value {
        json!({
            "id": self.session_id,
            "started_at": clock::rfc3339_seconds(self.started_at),
            "last_accessed_at": clock::rfc3339_seconds(self.last_accessed_at),
            "expires_at": clock::rfc3339_seconds(self.expires_at),
            "attributes": { "user_agent": self.attributes.user_agent, "ip_address": self.attributes.ip_address },
            "authentication_factors": self.factors.iter().map(Factor::jwt_json).collect::<Vec<_>>(),
        })
    }
}
