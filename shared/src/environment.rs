//! Sandbox or live: the one environment that Stytch, Unit and the deployment must agree on.
//!
//! A live Stytch project beside Unit's sandbox (or the reverse) half works: logins succeed and
//! every Unit call fails with a confusing 401, or a live org token is sent to the sandbox. So the
//! cold start compares what each credential says about its environment, and the environment the
//! stack declares (`VENDOR_ENVIRONMENT`), and refuses to serve when they disagree. A local
//! sandbox or a custom domain says nothing about its environment and is not compared.

use std::{fmt, str::FromStr};

use secrecy::ExposeSecret;
use url::Url;

use crate::secrets::{StytchCredentials, UnitCredentials};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VendorEnvironment {
    /// Stytch's test projects and Unit's sandbox.
    Sandbox,
    /// Stytch's live projects and Unit's production API.
    Live,
}

impl VendorEnvironment {
    pub const UNIT_SANDBOX_URL: &str = "https://api.s.unit.sh";
    pub const UNIT_LIVE_URL: &str = "https://api.unit.co";

    fn name(self) -> &'static str {
        match self {
            Self::Sandbox => "sandbox",
            Self::Live => "live",
        }
    }

    /// Unit's environment from its API host; `None` for any other host (a local sandbox).
    pub fn of_unit_url(url: &Url) -> Option<Self> {
        match url.host_str()? {
            "api.s.unit.sh" => Some(Self::Sandbox),
            "api.unit.co" => Some(Self::Live),
            _ => None,
        }
    }

    fn of_stytch_url(url: &Url) -> Option<Self> {
        match url.host_str()? {
            "test.stytch.com" => Some(Self::Sandbox),
            "api.stytch.com" => Some(Self::Live),
            _ => None,
        }
    }

    /// Stytch's project ids and secrets carry their environment: `project-test-…`, `secret-live-…`.
    fn of_stytch_prefix(value: &str, kind: &str) -> Option<Self> {
        let rest = value.strip_prefix(kind)?.strip_prefix('-')?;
        if rest.starts_with("test-") {
            Some(Self::Sandbox)
        } else if rest.starts_with("live-") {
            Some(Self::Live)
        } else {
            None
        }
    }
}

impl fmt::Display for VendorEnvironment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for VendorEnvironment {
    type Err = &'static str;
    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        match raw {
            "sandbox" => Ok(Self::Sandbox),
            "live" => Ok(Self::Live),
            _ => Err("expected sandbox or live"),
        }
    }
}

/// What the credentials and the deployment say, and where each came from.
#[derive(Default)]
pub struct Evidence(Vec<(String, VendorEnvironment)>);

impl Evidence {
    pub fn declared(mut self, declared: Option<VendorEnvironment>) -> Self {
        if let Some(environment) = declared {
            self.0.push(("VENDOR_ENVIRONMENT".to_owned(), environment));
        }
        self
    }

    /// The project id, the secret's prefix and the API host; never the secret itself.
    pub fn stytch(mut self, secret_id: &str, credentials: &StytchCredentials) -> Self {
        let facts = [
            ("project_id", VendorEnvironment::of_stytch_prefix(&credentials.project_id, "project")),
            ("secret", VendorEnvironment::of_stytch_prefix(credentials.secret.expose_secret(), "secret")),
            ("base_url", VendorEnvironment::of_stytch_url(&credentials.base_url)),
        ];
        for (field, environment) in facts {
            if let Some(environment) = environment {
                self.0.push((format!("the Stytch secret {secret_id}'s {field}"), environment));
            }
        }
        self
    }

    pub fn unit(self, secret_id: &str, credentials: &UnitCredentials) -> Self {
        self.unit_url(&format!("the Unit secret {secret_id}'s base_url"), &credentials.base_url)
    }

    pub fn unit_url(mut self, source: &str, url: &Url) -> Self {
        if let Some(environment) = VendorEnvironment::of_unit_url(url) {
            self.0.push((source.to_owned(), environment));
        }
        self
    }

    /// `Ok` when everything that says anything says the same.
    pub fn agree(&self) -> Result<(), Mismatch> {
        let Some((_, first)) = self.0.first() else {
            return Ok(());
        };
        if self.0.iter().all(|(_, environment)| environment == first) {
            return Ok(());
        }
        let said = self.0.iter().map(|(source, environment)| format!("{source} is {environment}")).collect::<Vec<_>>();
        Err(Mismatch(said.join(", ")))
    }
}

/// Which sources disagree; names and environments only, no credential.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "Stytch and Unit must both be sandbox or both be live, and match VENDOR_ENVIRONMENT: {0} (README, Deploy: the two secrets per stage)"
)]
pub struct Mismatch(String);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::FromSecretJson;

    fn stytch(json: &str) -> StytchCredentials {
        StytchCredentials::from_secret_json("prod/stytch", json).unwrap()
    }

    fn unit(url: &str) -> UnitCredentials {
        UnitCredentials::from_secret_json("prod/unit", &format!(r#"{{"api_token":"v2.public.x","base_url":"{url}"}}"#))
            .unwrap()
    }

    const LIVE_STYTCH: &str = r#"{"project_id":"project-live-1","secret":"secret-live-abc"}"#;
    const TEST_STYTCH: &str = r#"{"project_id":"project-test-1","secret":"secret-test-abc"}"#;

    #[test]
    fn matching_environments_agree() {
        for (environment, stytch_json, unit_url) in [
            (VendorEnvironment::Live, LIVE_STYTCH, "https://api.unit.co"),
            (VendorEnvironment::Sandbox, TEST_STYTCH, "https://api.s.unit.sh"),
        ] {
            let evidence = Evidence::default()
                .declared(Some(environment))
                .stytch("prod/stytch", &stytch(stytch_json))
                .unit("prod/unit", &unit(unit_url));
            assert_eq!(evidence.agree(), Ok(()), "{environment}");
        }
    }

    #[test]
    fn a_live_stytch_project_with_unit_s_sandbox_is_refused_with_every_source_named() {
        let err = Evidence::default()
            .stytch("prod/stytch", &stytch(LIVE_STYTCH))
            .unit("prod/unit", &unit("https://api.s.unit.sh"))
            .agree()
            .unwrap_err()
            .to_string();
        assert!(err.contains("the Stytch secret prod/stytch's project_id is live"), "{err}");
        assert!(err.contains("the Unit secret prod/unit's base_url is sandbox"), "{err}");
        assert!(!err.contains("secret-live-abc") && !err.contains("v2.public"), "no credential: {err}");
    }

    #[test]
    fn the_reverse_and_a_declared_environment_are_refused_too() {
        let reverse =
            Evidence::default().stytch("s", &stytch(TEST_STYTCH)).unit("u", &unit("https://api.unit.co")).agree();
        assert!(reverse.is_err());
        let declared_live = Evidence::default()
            .declared(Some(VendorEnvironment::Live))
            .stytch("s", &stytch(TEST_STYTCH))
            .unit("u", &unit("https://api.s.unit.sh"))
            .agree()
            .unwrap_err();
        assert!(declared_live.to_string().contains("VENDOR_ENVIRONMENT is live"), "{declared_live}");
        let live_project_on_the_test_api = stytch(
            r#"{"project_id":"project-live-1","secret":"secret-live-abc","base_url":"https://test.stytch.com"}"#,
        );
        assert!(Evidence::default().stytch("s", &live_project_on_the_test_api).agree().is_err());
    }

    #[test]
    fn local_sandboxes_and_custom_domains_say_nothing() {
        let local = stytch(r#"{"project_id":"project-test-1","secret":"s","base_url":"http://127.0.0.1:4010"}"#);
        let evidence = Evidence::default()
            .declared(Some(VendorEnvironment::Sandbox))
            .stytch("s", &local)
            .unit("u", &unit("http://127.0.0.1:4011"));
        assert_eq!(evidence.agree(), Ok(()));
        let custom = stytch(r#"{"project_id":"p","secret":"s","base_url":"https://login.example.com"}"#);
        let live_unit = unit("https://api.unit.co");
        assert_eq!(Evidence::default().stytch("s", &custom).unit("u", &live_unit).agree(), Ok(()));
    }

    #[test]
    fn the_declared_environment_parses_strictly() {
        assert_eq!("live".parse(), Ok(VendorEnvironment::Live));
        assert_eq!("sandbox".parse(), Ok(VendorEnvironment::Sandbox));
        assert!("production".parse::<VendorEnvironment>().is_err());
    }
}
