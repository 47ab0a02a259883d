//! The two secrets' JSON shapes, parsed into typed credentials.
//!
//! Parsing errors name the secret id and the field, never the secret's contents: serde's own
//! messages quote values, so fields are read by hand from a `serde_json::Value`.

use std::fmt;

use secrecy::SecretString;
use serde_json::{Map, Value};
use url::Url;

use super::SecretsError;

const STYTCH_LIVE_URL: &str = "https://api.stytch.com";
const STYTCH_TEST_URL: &str = "https://test.stytch.com";

/// `{"project_id", "secret", "base_url"?}`
pub struct StytchCredentials {
    pub project_id: String,
    pub secret: SecretString,
    pub base_url: Url,
    /// Set when `base_url` came from the secret: a custom domain, which Stytch also uses as `iss`.
    pub custom_base_url: bool,
}

/// `{"api_token", "base_url", "webhook_secret"?, "previous_webhook_secret"?}`. No default base URL:
/// a live org token sent to a silently defaulted sandbox only gets confusing 401s.
pub struct UnitCredentials {
    pub api_token: SecretString,
    pub base_url: Url,
    /// The token set on the Unit webhook: it signs each delivery (`X-Unit-Signature`).
    pub webhook_secret: Option<SecretString>,
    /// During a rotation, the token being replaced: deliveries signed with it still verify until
    /// the operator removes it from the secret (README, "Receiving Unit webhooks").
    pub previous_webhook_secret: Option<SecretString>,
}

/// Parsed from the `SecretString` of a Secrets Manager secret.
pub trait FromSecretJson: Sized + Send + Sync + 'static {
    fn from_secret_json(secret_id: &str, raw: &str) -> Result<Self, SecretsError>;
}

impl FromSecretJson for StytchCredentials {
    fn from_secret_json(secret_id: &str, raw: &str) -> Result<Self, SecretsError> {
        let fields = SecretFields::parse(secret_id, raw)?;
        let project_id = fields.required("project_id")?;
        let secret = SecretString::from(fields.required("secret")?);
        let (base_url, custom_base_url) = match fields.optional("base_url")? {
            Some(url) => (fields.url("base_url", &url)?, true),
            None if project_id.starts_with("project-live-") => (fixed_url(STYTCH_LIVE_URL), false),
            None => (fixed_url(STYTCH_TEST_URL), false),
        };
        Ok(Self { project_id, secret, base_url, custom_base_url })
    }
}

impl FromSecretJson for UnitCredentials {
    fn from_secret_json(secret_id: &str, raw: &str) -> Result<Self, SecretsError> {
        let fields = SecretFields::parse(secret_id, raw)?;
        let api_token = SecretString::from(fields.required("api_token")?);
        let base_url = fields.url("base_url", &fields.required("base_url")?)?;
        let webhook_secret = fields.optional("webhook_secret")?.map(SecretString::from);
        let previous_webhook_secret = fields.optional("previous_webhook_secret")?.map(SecretString::from);
        Ok(Self { api_token, base_url, webhook_secret, previous_webhook_secret })
    }
}

fn fixed_url(url: &str) -> Url {
    Url::parse(url).expect("built-in URL parses")
}

struct SecretFields<'a> {
    secret_id: &'a str,
    object: Map<String, Value>,
}

impl<'a> SecretFields<'a> {
    fn parse(secret_id: &'a str, raw: &str) -> Result<Self, SecretsError> {
        match serde_json::from_str::<Value>(raw) {
            Ok(Value::Object(object)) => Ok(Self { secret_id, object }),
            _ => Err(SecretsError::NotJsonObject { secret_id: secret_id.to_owned() }),
        }
    }

    fn invalid(&self, field: &'static str, reason: &'static str) -> SecretsError {
        SecretsError::InvalidField { secret_id: self.secret_id.to_owned(), field, reason }
    }

    fn optional(&self, field: &'static str) -> Result<Option<String>, SecretsError> {
        match self.object.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.trim().to_owned())),
            Some(_) => Err(self.invalid(field, "must be a string")),
        }
    }

    fn required(&self, field: &'static str) -> Result<String, SecretsError> {
        self.optional(field)?.ok_or_else(|| SecretsError::MissingField { secret_id: self.secret_id.to_owned(), field })
    }

    fn url(&self, field: &'static str, raw: &str) -> Result<Url, SecretsError> {
        crate::upstream::base_url(raw).map_err(|reason| self.invalid(field, reason))
    }
}

impl fmt::Debug for StytchCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StytchCredentials")
            .field("project_id", &self.project_id)
            .field("secret", &"[REDACTED]")
            .field("base_url", &self.base_url.as_str())
            .finish()
    }
}

impl fmt::Debug for UnitCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnitCredentials")
            .field("api_token", &"[REDACTED]")
            .field("base_url", &self.base_url.as_str())
            .field("webhook_secret", &self.webhook_secret.as_ref().map(|_| "[REDACTED]"))
            .field("previous_webhook_secret", &self.previous_webhook_secret.as_ref().map(|_| "[REDACTED]"))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    #[test]
    fn stytch_base_url_defaults_from_the_project_id() {
        let live =
            StytchCredentials::from_secret_json("s", r#"{"project_id":"project-live-1","secret":"secret-live-xyz"}"#)
                .unwrap();
        assert_eq!(live.base_url.as_str(), "https://api.stytch.com/");
        assert!(!live.custom_base_url);
        let test =
            StytchCredentials::from_secret_json("s", r#"{"project_id":"project-test-1","secret":"secret-test-xyz"}"#)
                .unwrap();
        assert_eq!(test.base_url.as_str(), "https://test.stytch.com/");
        assert_eq!(test.secret.expose_secret(), "secret-test-xyz");
    }

    #[test]
    fn custom_domains_are_allowed_but_only_over_https_or_loopback() {
        let custom = StytchCredentials::from_secret_json(
            "s",
            r#"{"project_id":"p","secret":"x","base_url":"https://login.example.com/"}"#,
        )
        .unwrap();
        assert!(custom.custom_base_url);
        assert_eq!(custom.base_url.as_str(), "https://login.example.com/");
        let err = StytchCredentials::from_secret_json(
            "s",
            r#"{"project_id":"p","secret":"x","base_url":"http://login.example.com"}"#,
        )
        .unwrap_err();
        assert!(matches!(err, SecretsError::InvalidField { field: "base_url", .. }));
        assert!(
            StytchCredentials::from_secret_json(
                "s",
                r#"{"project_id":"p","secret":"x","base_url":"http://127.0.0.1:4010"}"#,
            )
            .is_ok()
        );
    }

    #[test]
    fn unit_needs_its_base_url_and_keeps_the_webhook_secret() {
        let err = UnitCredentials::from_secret_json("u", r#"{"api_token":"v2.public.abc","base_url":""}"#).unwrap_err();
        assert!(matches!(err, SecretsError::MissingField { field: "base_url", .. }), "no silent sandbox: {err}");
        let unit = UnitCredentials::from_secret_json(
            "u",
            r#"{"api_token":"v2.public.abc","base_url":"https://api.s.unit.sh","webhook_secret":"whsec"}"#,
        )
        .unwrap();
        assert_eq!(unit.base_url.as_str(), "https://api.s.unit.sh/");
        assert_eq!(unit.webhook_secret.unwrap().expose_secret(), "whsec");
        assert!(unit.previous_webhook_secret.is_none());
        let rotating = UnitCredentials::from_secret_json(
            "u",
            r#"{"api_token":"t","base_url":"https://api.unit.co","webhook_secret":"new-token","previous_webhook_secret":"old-token"}"#,
        )
        .unwrap();
        assert_eq!(rotating.previous_webhook_secret.as_ref().unwrap().expose_secret(), "old-token");
        assert!(!format!("{rotating:?}").contains("old-token"));
    }

    #[test]
    fn errors_name_the_secret_and_field_but_not_the_contents() {
        let err = StytchCredentials::from_secret_json("prod/stytch", r#"{"project_id":"p"}"#).unwrap_err();
        assert_eq!(err.to_string(), "secret prod/stytch is missing the field `secret`");
        let err = UnitCredentials::from_secret_json("prod/unit", "v2.public.not-json").unwrap_err();
        assert!(err.to_string().contains("prod/unit"));
        assert!(!err.to_string().contains("v2.public"));
        let err = UnitCredentials::from_secret_json("prod/unit", r#"{"api_token":12345678}"#).unwrap_err();
        assert!(!err.to_string().contains("12345678"));
    }

    #[test]
    fn debug_never_prints_secret_values() {
        let c = StytchCredentials::from_secret_json("s", r#"{"project_id":"p","secret":"secret-test-very-private"}"#)
            .unwrap();
        assert!(!format!("{c:?}").contains("very-private"));
        let u = UnitCredentials::from_secret_json(
            "u",
            r#"{"api_token":"v2.public.private-token","base_url":"https://api.unit.co"}"#,
        )
        .unwrap();
        assert!(!format!("{u:?}").contains("private-token"));
    }
}
