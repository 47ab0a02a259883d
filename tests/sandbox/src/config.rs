//! Sandbox configuration: ports, credentials, recording, and where the Unit side fetches its JWKS.

use std::path::PathBuf;

pub const DEFAULT_PROJECT_ID: &str = "project-test-00000000-0000-4000-8000-000000000000";
pub const DEFAULT_SECRET: &str = "secret-test-sandbox-0000000000000000000000000000";
pub const DEFAULT_UNIT_API_TOKEN: &str = "v2.public.sandbox-org-token-0000000000000000000000000000";
/// The token that signs webhook deliveries; the Unit secret's `webhook_secret` must hold the same.
pub const DEFAULT_UNIT_WEBHOOK_SECRET: &str = "sandbox-webhook-token-0000000000000000";

#[derive(Clone)]
pub struct SandboxConfig {
    /// 0 picks a free port.
    pub stytch_port: u16,
    /// 0 picks a free port.
    pub unit_port: u16,
    pub project_id: String,
    pub secret: String,
    pub unit_api_token: String,
    /// Append every exchange to this file as JSON lines.
    pub record_path: Option<PathBuf>,
    /// The JWKS the Unit side verifies `jwtToken`s against; default: this sandbox's own Stytch JWKS.
    pub unit_jwks_url: Option<String>,
    /// Unit's org setting `preventDuplicateIndividualApplications` at start and after a reset.
    pub unit_prevent_duplicate_applications: bool,
    /// Where Unit events are delivered as webhooks; none: events are only listed (`GET /events`).
    pub unit_webhook_url: Option<String>,
    /// The token set on that webhook: it signs every delivery (`X-Unit-Signature`).
    pub unit_webhook_secret: String,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            stytch_port: 0,
            unit_port: 0,
            project_id: DEFAULT_PROJECT_ID.into(),
            secret: DEFAULT_SECRET.into(),
            unit_api_token: DEFAULT_UNIT_API_TOKEN.into(),
            record_path: None,
            unit_jwks_url: None,
            unit_prevent_duplicate_applications: false,
            unit_webhook_url: None,
            unit_webhook_secret: DEFAULT_UNIT_WEBHOOK_SECRET.into(),
        }
    }
}

// Credentials stay out of `Debug`, which ends up in logs and test output.
impl std::fmt::Debug for SandboxConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxConfig")
            .field("stytch_port", &self.stytch_port)
            .field("unit_port", &self.unit_port)
            .field("project_id", &self.project_id)
            .field("record_path", &self.record_path)
            .field("unit_jwks_url", &self.unit_jwks_url)
            .field("unit_prevent_duplicate_applications", &self.unit_prevent_duplicate_applications)
            .field("unit_webhook_url", &self.unit_webhook_url)
            .finish_non_exhaustive()
    }
}

impl SandboxConfig {
    /// The defaults, overridden by `SANDBOX_STYTCH_PORT`, `SANDBOX_UNIT_PORT`, `SANDBOX_STYTCH_PROJECT_ID`,
    /// `SANDBOX_STYTCH_SECRET`, `SANDBOX_UNIT_API_TOKEN`, `SANDBOX_RECORD`, `SANDBOX_UNIT_JWKS_URL`,
    /// `SANDBOX_UNIT_PREVENT_DUPLICATE_APPLICATIONS`, `SANDBOX_UNIT_WEBHOOK_URL` and `SANDBOX_UNIT_WEBHOOK_SECRET`.
    /// Empty variables count as unset.
    pub fn from_env() -> Result<Self, String> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// `from_env` over any variable source, so it can be tested without touching the process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let get = |name: &str| lookup(name).map(|value| value.trim().to_owned()).filter(|value| !value.is_empty());
        let port = |name: &str| -> Result<u16, String> {
            get(name).map_or(Ok(0), |value| {
                value.parse().map_err(|_| format!("{name} must be a port number (0-65535), got {value:?}"))
            })
        };
        let flag = |name: &str| -> Result<bool, String> {
            match get(name).as_deref() {
                None | Some("false" | "0") => Ok(false),
                Some("true" | "1") => Ok(true),
                Some(other) => Err(format!("{name} must be true or false, got {other:?}")),
            }
        };
        let defaults = Self::default();
        let config = Self {
            stytch_port: port("SANDBOX_STYTCH_PORT")?,
            unit_port: port("SANDBOX_UNIT_PORT")?,
            project_id: get("SANDBOX_STYTCH_PROJECT_ID").unwrap_or(defaults.project_id),
            secret: get("SANDBOX_STYTCH_SECRET").unwrap_or(defaults.secret),
            unit_api_token: get("SANDBOX_UNIT_API_TOKEN").unwrap_or(defaults.unit_api_token),
            record_path: get("SANDBOX_RECORD").map(PathBuf::from),
            unit_jwks_url: get("SANDBOX_UNIT_JWKS_URL"),
            unit_prevent_duplicate_applications: flag("SANDBOX_UNIT_PREVENT_DUPLICATE_APPLICATIONS")?,
            unit_webhook_url: get("SANDBOX_UNIT_WEBHOOK_URL"),
            unit_webhook_secret: get("SANDBOX_UNIT_WEBHOOK_SECRET").unwrap_or(defaults.unit_webhook_secret),
        };
        if config.project_id.contains(['/', ':', ' ']) {
            return Err("SANDBOX_STYTCH_PROJECT_ID must not contain '/', ':' or spaces".into());
        }
        if config.stytch_port != 0 && config.stytch_port == config.unit_port {
            return Err("SANDBOX_STYTCH_PORT and SANDBOX_UNIT_PORT must differ".into());
        }
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_overrides_and_rejects_bad_ports() {
        let config = SandboxConfig::from_lookup(|name| match name {
            "SANDBOX_STYTCH_PORT" => Some("4010".into()),
            "SANDBOX_STYTCH_SECRET" => Some("s3cret".into()),
            "SANDBOX_RECORD" => Some("".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(config.stytch_port, 4010);
        assert_eq!(config.unit_port, 0);
        assert_eq!(config.secret, "s3cret");
        assert_eq!(config.project_id, DEFAULT_PROJECT_ID);
        assert!(config.record_path.is_none());
        assert!(!config.unit_prevent_duplicate_applications, "duplicates are accepted unless asked otherwise");
        assert!(!format!("{config:?}").contains("s3cret"));

        let bad = SandboxConfig::from_lookup(|name| (name == "SANDBOX_UNIT_PORT").then(|| "http".into()));
        assert!(bad.is_err());

        let strict = |value: &str| {
            let value = value.to_owned();
            SandboxConfig::from_lookup(move |name| {
                (name == "SANDBOX_UNIT_PREVENT_DUPLICATE_APPLICATIONS").then(|| value.clone())
            })
        };
        assert!(strict("true").unwrap().unit_prevent_duplicate_applications);
        assert!(!strict("0").unwrap().unit_prevent_duplicate_applications);
        assert!(strict("yes").is_err());
    }
}
