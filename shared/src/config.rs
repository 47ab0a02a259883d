//! Configuration from environment variables, parsed once at cold start.
//!
//! Every variable is documented in the README's configuration table. A missing or invalid variable
//! fails the cold start with one message that names it.

use std::time::Duration;

use tracing::level_filters::LevelFilter;
use url::Url;

use crate::environment::{Evidence, VendorEnvironment};

/// The secrets a function reads. Each function asks only for what it uses, so least-privilege IAM
/// and configuration stay in step.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SecretNeeds {
    pub stytch: bool,
    pub unit: bool,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub secrets: SecretsConfig,
    pub session: SessionConfig,
    pub upstream: UpstreamConfig,
    pub api: ApiConfig,
    pub log_level: LevelFilter,
    /// `VENDOR_ENVIRONMENT`: `sandbox` or `live`, declared by the stack; the secrets must agree
    /// ([`crate::environment`]). Unset in local runs against the sandbox.
    pub vendor_environment: Option<VendorEnvironment>,
}

/// The cards function's configuration: the common settings, no secret, and Unit's base URL.
/// Cards calls Unit only with its callers' customer tokens; the other functions take the base URL
/// from the Unit secret, which also holds the org token that cards must not have.
#[derive(Debug, Clone)]
pub struct CardsConfig {
    pub common: Config,
    /// `UNIT_API_URL`: `https://api.s.unit.sh` (sandbox) or `https://api.unit.co` (live).
    pub unit_api_url: Url,
}

#[derive(Debug, Clone)]
pub struct ApiConfig {
    /// `CORS_ALLOWED_ORIGINS`: comma-separated origins allowed to call the API from a browser.
    pub cors_allowed_origins: Vec<String>,
    /// `MAGIC_LINK_REDIRECT_URL`: where Stytch's magic link sends the user (login and signup).
    /// Unset: the redirect URLs configured in the Stytch dashboard.
    pub magic_link_redirect_url: Option<String>,
    /// `APPLICATION_FORM_REDIRECT_URL`: where Unit's hosted application form sends the applicant once
    /// they submit it (`settingsOverride.redirectUrl`). Unset: Unit's own completion page.
    pub application_form_redirect_url: Option<String>,
    /// `SESSION_DURATION_MINUTES`: the Stytch session lifetime set at login and step-up.
    pub session_duration_minutes: u32,
    /// `REQUEST_DEADLINE_MS`: the most one request may take, every upstream call included (in
    /// Lambda, the invocation's own deadline may end it sooner: see `http::deadline`).
    pub request_deadline: Duration,
    /// `UNIT_DEPOSIT_PRODUCT`: the deposit product (as named in Unit's dashboard) of the account
    /// opened for each new customer. Default `checking`.
    pub deposit_product: String,
    /// `REQUIRE_PKCE`: `true` refuses `POST /signup` without a `codeChallenge` (and
    /// `POST /signup/authenticate` without a `codeVerifier`), so no magic link can be spent by
    /// whoever reads it alone. Default `false` (PKCE is the client's choice).
    pub require_pkce: bool,
    /// `SESSION_COOKIE`: `true` puts the session token in an `HttpOnly` cookie scoped to
    /// `/session` instead of the JSON body, for browser frontends (see `session_cookie`). Default
    /// `false`.
    pub session_cookie: bool,
}

#[derive(Debug, Clone)]
pub struct SecretsConfig {
    /// `STYTCH_SECRET_ID`: name or ARN of the Stytch secret, when the function needs it.
    pub stytch_secret_id: Option<String>,
    /// `UNIT_SECRET_ID`: name or ARN of the Unit secret, when the function needs it.
    pub unit_secret_id: Option<String>,
    /// `SECRETS_CACHE_TTL_SECONDS`: how long a fetched secret is used before it is fetched again.
    pub cache_ttl: Duration,
}

#[derive(Debug, Clone)]
pub struct SessionConfig {
    /// `JWT_LEEWAY_SECONDS`: clock skew tolerated on `exp`, `nbf` and `iat`.
    pub leeway: Duration,
    /// `JWT_MAX_TOKEN_AGE_SECONDS`: refuse session JWTs issued longer ago than this.
    pub max_token_age: Option<Duration>,
    /// `JWKS_CACHE_TTL_SECONDS`: how long the Stytch JWKS is trusted before it is fetched again.
    pub jwks_cache_ttl: Duration,
    /// `JWKS_REFRESH_COOLDOWN_SECONDS`: at most one refresh for an unknown `kid` per this period.
    pub jwks_refresh_cooldown: Duration,
    /// `STEP_UP_MAX_AGE_SECONDS`: how recent the second factor must be for sensitive scopes.
    pub step_up_max_age: Duration,
    /// `SENSITIVE_TOKEN_MAX_SECONDS`: the longest a Unit customer token with a two-factor scope
    /// (`cards-write`, `cards-sensitive*`) may live; Unit cannot revoke one once issued.
    pub sensitive_token_max_lifetime: Duration,
}

#[derive(Debug, Clone)]
pub struct UpstreamConfig {
    /// `UPSTREAM_CONNECT_TIMEOUT_MS`: TCP + TLS connect timeout for Stytch, Unit, the JWKS and Secrets Manager.
    pub connect_timeout: Duration,
    /// `UPSTREAM_TIMEOUT_MS`: whole-request timeout for one upstream attempt.
    pub request_timeout: Duration,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("missing environment variable {name}: {meaning}")]
    Missing { name: &'static str, meaning: &'static str },
    #[error("invalid environment variable {name}: {reason}")]
    Invalid { name: &'static str, reason: String },
}

impl Config {
    /// Reads the process environment.
    pub fn from_env(needs: SecretNeeds) -> Result<Self, ConfigError> {
        Self::from_lookup(needs, |name| std::env::var(name).ok())
    }

    /// Reads configuration through `lookup`, so tests need not touch the process environment.
    pub fn from_lookup(needs: SecretNeeds, lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let env = Env(&lookup);
        let leeway = env.seconds("JWT_LEEWAY_SECONDS", 5, 0..=60)?;
        Ok(Self {
            secrets: SecretsConfig {
                stytch_secret_id: env.secret_id(
                    needs.stytch,
                    "STYTCH_SECRET_ID",
                    "the Secrets Manager name or ARN of the Stytch secret",
                )?,
                unit_secret_id: env.secret_id(
                    needs.unit,
                    "UNIT_SECRET_ID",
                    "the Secrets Manager name or ARN of the Unit secret",
                )?,
                cache_ttl: env.seconds("SECRETS_CACHE_TTL_SECONDS", 300, 0..=86_400)?,
            },
            session: SessionConfig {
                leeway,
                max_token_age: env.optional_seconds("JWT_MAX_TOKEN_AGE_SECONDS", 1..=86_400)?,
                jwks_cache_ttl: env.seconds("JWKS_CACHE_TTL_SECONDS", 600, 60..=3_600)?,
                jwks_refresh_cooldown: env.seconds("JWKS_REFRESH_COOLDOWN_SECONDS", 30, 1..=3_600)?,
                step_up_max_age: env.seconds("STEP_UP_MAX_AGE_SECONDS", 300, 10..=86_400)?,
                sensitive_token_max_lifetime: env.seconds("SENSITIVE_TOKEN_MAX_SECONDS", 900, 60..=86_400)?,
            },
            upstream: UpstreamConfig {
                connect_timeout: env.millis("UPSTREAM_CONNECT_TIMEOUT_MS", 2_000, 50..=30_000)?,
                request_timeout: env.millis("UPSTREAM_TIMEOUT_MS", 8_000, 100..=60_000)?,
            },
            api: ApiConfig {
                cors_allowed_origins: env.list("CORS_ALLOWED_ORIGINS"),
                magic_link_redirect_url: env.get("MAGIC_LINK_REDIRECT_URL"),
                application_form_redirect_url: env.url_unit_accepts("APPLICATION_FORM_REDIRECT_URL")?,
                session_duration_minutes: env.integer("SESSION_DURATION_MINUTES", 5..=527_040)?.unwrap_or(60) as u32,
                // Ends before API Gateway's 30 s integration limit, with room to answer.
                request_deadline: env.millis("REQUEST_DEADLINE_MS", 25_000, 1_000..=29_000)?,
                deposit_product: env.deposit_product("UNIT_DEPOSIT_PRODUCT")?,
                require_pkce: env.flag("REQUIRE_PKCE")?,
                session_cookie: env.flag("SESSION_COOKIE")?,
            },
            log_level: env.log_level("LOG_LEVEL")?,
            vendor_environment: env.vendor_environment("VENDOR_ENVIRONMENT")?,
        })
    }
}

impl CardsConfig {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let common = Config::from_lookup(SecretNeeds::default(), &lookup)?;
        let unit_api_url =
            Env(&lookup).url("UNIT_API_URL", "Unit's API base URL, https://api.s.unit.sh or https://api.unit.co")?;
        Evidence::default()
            .declared(common.vendor_environment)
            .unit_url("UNIT_API_URL", &unit_api_url)
            .agree()
            .map_err(|mismatch| ConfigError::Invalid { name: "UNIT_API_URL", reason: mismatch.to_string() })?;
        Ok(Self { common, unit_api_url })
    }
}

/// Typed access to a variable lookup; every error names the variable.
struct Env<'a>(&'a dyn Fn(&str) -> Option<String>);

impl Env<'_> {
    fn get(&self, name: &str) -> Option<String> {
        (self.0)(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
    }

    /// A product name as Unit's dashboard spells them: letters, digits, `-` and `_`, at most 255.
    fn deposit_product(&self, name: &'static str) -> Result<String, ConfigError> {
        let Some(product) = self.get(name) else {
            return Ok(crate::unit::DEFAULT_DEPOSIT_PRODUCT.to_owned());
        };
        let valid =
            product.len() <= 255 && product.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if valid {
            Ok(product)
        } else {
            Err(ConfigError::Invalid {
                name,
                reason: "must be a Unit deposit product name (letters, digits, - and _)".into(),
            })
        }
    }

    fn secret_id(
        &self,
        needed: bool,
        name: &'static str,
        meaning: &'static str,
    ) -> Result<Option<String>, ConfigError> {
        match (self.get(name), needed) {
            (Some(id), _) => Ok(Some(id)),
            (None, true) => Err(ConfigError::Missing { name, meaning }),
            (None, false) => Ok(None),
        }
    }

    fn integer(&self, name: &'static str, range: std::ops::RangeInclusive<u64>) -> Result<Option<u64>, ConfigError> {
        let Some(raw) = self.get(name) else {
            return Ok(None);
        };
        let value: u64 =
            raw.parse().map_err(|_| ConfigError::Invalid { name, reason: "expected a whole number".into() })?;
        if !range.contains(&value) {
            return Err(ConfigError::Invalid {
                name,
                reason: format!("must be between {} and {}", range.start(), range.end()),
            });
        }
        Ok(Some(value))
    }

    fn seconds(
        &self,
        name: &'static str,
        default: u64,
        range: std::ops::RangeInclusive<u64>,
    ) -> Result<Duration, ConfigError> {
        Ok(Duration::from_secs(self.integer(name, range)?.unwrap_or(default)))
    }

    fn optional_seconds(
        &self,
        name: &'static str,
        range: std::ops::RangeInclusive<u64>,
    ) -> Result<Option<Duration>, ConfigError> {
        Ok(self.integer(name, range)?.map(Duration::from_secs))
    }

    fn millis(
        &self,
        name: &'static str,
        default: u64,
        range: std::ops::RangeInclusive<u64>,
    ) -> Result<Duration, ConfigError> {
        Ok(Duration::from_millis(self.integer(name, range)?.unwrap_or(default)))
    }

    /// `true` or `false`; unset is `false`.
    fn flag(&self, name: &'static str) -> Result<bool, ConfigError> {
        match self.get(name).as_deref() {
            None | Some("false") => Ok(false),
            Some("true") => Ok(true),
            Some(_) => Err(ConfigError::Invalid { name, reason: "expected true or false".into() }),
        }
    }

    fn list(&self, name: &str) -> Vec<String> {
        self.get(name)
            .map(|raw| raw.split(',').map(|item| item.trim().to_owned()).filter(|item| !item.is_empty()).collect())
            .unwrap_or_default()
    }

    /// A required upstream base URL (https, or http on loopback).
    fn url(&self, name: &'static str, meaning: &'static str) -> Result<Url, ConfigError> {
        let raw = self.get(name).ok_or(ConfigError::Missing { name, meaning })?;
        crate::upstream::base_url(&raw).map_err(|reason| ConfigError::Invalid { name, reason: reason.into() })
    }

    /// An optional http(s) URL that Unit's `Url` type (`types.json`) accepts. Its pattern is not
    /// anchored and asks for a dotted name (`.` then at least two lowercase letters), so
    /// `http://localhost:3000/onboarding` is refused by Unit while `https://app.example.com/onboarding`
    /// and `http://localhost:3000/index.html` pass: checked here so that a bad value stops the cold
    /// start instead of failing each request with Unit's 400.
    fn url_unit_accepts(&self, name: &'static str) -> Result<Option<String>, ConfigError> {
        let Some(url) = self.get(name) else {
            return Ok(None);
        };
        let bytes = url.as_bytes();
        let name_char = |b: &u8| b.is_ascii_alphanumeric() || b"-@:%._+~#=".contains(b);
        let dotted_name = bytes.iter().enumerate().any(|(dot, b)| {
            *b == b'.'
                && bytes[..dot].iter().rev().take_while(|b| name_char(b)).count() >= 2
                && bytes[dot + 1..].iter().take_while(|b| b.is_ascii_lowercase()).count() >= 2
        });
        let http = url.starts_with("https://") || url.starts_with("http://");
        if http && dotted_name {
            Ok(Some(url))
        } else {
            Err(ConfigError::Invalid {
                name,
                reason: "must be an http(s) URL with a dotted name, as Unit's Url type requires \
                         (https://app.example.com/onboarding; on a loopback host, name the page: \
                         http://localhost:3000/index.html)"
                    .into(),
            })
        }
    }

    fn vendor_environment(&self, name: &'static str) -> Result<Option<VendorEnvironment>, ConfigError> {
        self.get(name)
            .map(|raw| raw.parse().map_err(|reason: &str| ConfigError::Invalid { name, reason: reason.into() }))
            .transpose()
    }

    fn log_level(&self, name: &'static str) -> Result<LevelFilter, ConfigError> {
        match self.get(name) {
            None => Ok(LevelFilter::INFO),
            Some(raw) => raw.parse().map_err(|_| ConfigError::Invalid {
                name,
                reason: "expected one of off, error, warn, info, debug, trace".into(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(needs: SecretNeeds, vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let vars: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_lookup(needs, |k| vars.get(k).cloned())
    }

    const BOTH: SecretNeeds = SecretNeeds { stytch: true, unit: true };

    #[test]
    fn defaults_apply_when_only_secret_ids_are_set() {
        let c = config(BOTH, &[("STYTCH_SECRET_ID", "s"), ("UNIT_SECRET_ID", "u")]).unwrap();
        assert_eq!(c.secrets.stytch_secret_id.as_deref(), Some("s"));
        assert_eq!(c.secrets.cache_ttl, Duration::from_secs(300));
        assert_eq!(c.session.leeway, Duration::from_secs(5));
        assert_eq!(c.session.max_token_age, None);
        assert_eq!(c.session.jwks_cache_ttl, Duration::from_secs(600));
        assert_eq!(c.session.jwks_refresh_cooldown, Duration::from_secs(30));
        assert_eq!(c.session.step_up_max_age, Duration::from_secs(300));
        assert_eq!(c.session.sensitive_token_max_lifetime, Duration::from_secs(900));
        assert_eq!(c.log_level, LevelFilter::INFO);
        assert_eq!(c.api.session_duration_minutes, 60);
        assert_eq!(c.api.request_deadline, Duration::from_secs(25));
        assert_eq!(c.api.deposit_product, "checking");
        assert!(c.api.cors_allowed_origins.is_empty());
        assert_eq!(c.vendor_environment, None);
        assert!(!c.api.require_pkce);
        assert!(!c.api.session_cookie);
    }

    #[test]
    fn flags_are_true_or_false() {
        let ids = [("STYTCH_SECRET_ID", "s"), ("UNIT_SECRET_ID", "u")];
        let with = |value: &'static str| config(BOTH, &[ids[0], ids[1], ("REQUIRE_PKCE", value)]);
        assert!(with("true").unwrap().api.require_pkce);
        assert!(!with("false").unwrap().api.require_pkce);
        assert!(with("yes").unwrap_err().to_string().contains("REQUIRE_PKCE"));
    }

    #[test]
    fn cors_origins_are_a_comma_separated_list() {
        let c = config(
            BOTH,
            &[
                ("STYTCH_SECRET_ID", "s"),
                ("UNIT_SECRET_ID", "u"),
                ("CORS_ALLOWED_ORIGINS", " https://app.example.com, http://localhost:3000 ,"),
            ],
        )
        .unwrap();
        assert_eq!(c.api.cors_allowed_origins, vec!["https://app.example.com", "http://localhost:3000"]);
    }

    #[test]
    fn a_missing_needed_secret_id_is_named() {
        let err = config(BOTH, &[("UNIT_SECRET_ID", "u")]).unwrap_err();
        assert!(matches!(err, ConfigError::Missing { name: "STYTCH_SECRET_ID", .. }));
        assert!(err.to_string().contains("STYTCH_SECRET_ID"));
    }

    #[test]
    fn a_secret_id_not_needed_may_be_absent() {
        let needs = SecretNeeds { stytch: false, unit: true };
        let c = config(needs, &[("UNIT_SECRET_ID", "u")]).unwrap();
        assert_eq!(c.secrets.stytch_secret_id, None);
    }

    #[test]
    fn invalid_numbers_and_ranges_name_the_variable() {
        let base = [("STYTCH_SECRET_ID", "s"), ("UNIT_SECRET_ID", "u")];
        for (name, value) in [
            ("JWT_LEEWAY_SECONDS", "five"),
            ("JWT_LEEWAY_SECONDS", "3600"),
            ("JWKS_CACHE_TTL_SECONDS", "5"),
            ("UPSTREAM_TIMEOUT_MS", "-1"),
            ("SENSITIVE_TOKEN_MAX_SECONDS", "86401"),
            ("REQUEST_DEADLINE_MS", "30000"),
            ("REQUEST_DEADLINE_MS", "999"),
            ("UNIT_DEPOSIT_PRODUCT", "checking; drop"),
            ("APPLICATION_FORM_REDIRECT_URL", "http://localhost:3000/onboarding"),
            ("APPLICATION_FORM_REDIRECT_URL", "javascript:alert(1).com"),
            ("LOG_LEVEL", "loud"),
            ("VENDOR_ENVIRONMENT", "production"),
        ] {
            let mut vars = base.to_vec();
            vars.push((name, value));
            let err = config(BOTH, &vars).unwrap_err();
            assert!(matches!(&err, ConfigError::Invalid { name: n, .. } if *n == name), "{name}={value} gave {err}");
        }
    }

    #[test]
    fn the_application_form_redirect_url_is_one_unit_accepts() {
        let base = [("STYTCH_SECRET_ID", "s"), ("UNIT_SECRET_ID", "u")];
        for url in ["https://app.example.com/onboarding", "http://localhost:3000/index.html?step=form"] {
            let vars = [base[0], base[1], ("APPLICATION_FORM_REDIRECT_URL", url)];
            assert_eq!(config(BOTH, &vars).unwrap().api.application_form_redirect_url.as_deref(), Some(url));
        }
        assert_eq!(config(BOTH, &base).unwrap().api.application_form_redirect_url, None, "unset: Unit's page");
    }

    #[test]
    fn cards_reads_no_secret_id_and_needs_an_http_s_unit_api_url() {
        let cards = |vars: &[(&str, &str)]| {
            let vars: HashMap<&str, &str> = vars.iter().copied().collect();
            CardsConfig::from_lookup(|k| vars.get(k).map(|v| v.to_string()))
        };
        let c = cards(&[("UNIT_API_URL", "https://api.unit.co/")]).unwrap();
        assert_eq!(c.unit_api_url.as_str(), "https://api.unit.co/");
        assert_eq!((c.common.secrets.stytch_secret_id, c.common.secrets.unit_secret_id), (None, None));
        assert!(cards(&[("UNIT_API_URL", "http://127.0.0.1:4010")]).is_ok(), "the local sandbox");
        let live = cards(&[("UNIT_API_URL", "https://api.unit.co"), ("VENDOR_ENVIRONMENT", "live")]).unwrap();
        assert_eq!(live.common.vendor_environment, Some(VendorEnvironment::Live));
        let err = cards(&[("UNIT_API_URL", "https://api.s.unit.sh"), ("VENDOR_ENVIRONMENT", "live")]).unwrap_err();
        assert!(
            err.to_string().contains("VENDOR_ENVIRONMENT is live, UNIT_API_URL is sandbox"),
            "a live stack refuses Unit's sandbox: {err}"
        );

        let err = cards(&[]).unwrap_err();
        assert!(matches!(err, ConfigError::Missing { name: "UNIT_API_URL", .. }));
        assert!(err.to_string().contains("https://api.unit.co"), "{err}");
        for bad in ["api.unit.co", "http://api.unit.co", "ftp://api.unit.co", " "] {
            let err = cards(&[("UNIT_API_URL", bad)]).unwrap_err();
            let named = matches!(&err, ConfigError::Invalid { name: "UNIT_API_URL", .. })
                || matches!(&err, ConfigError::Missing { name: "UNIT_API_URL", .. });
            assert!(named, "{bad:?} gave {err}");
        }
    }

    #[test]
    fn optional_max_token_age_is_parsed() {
        let c =
            config(BOTH, &[("STYTCH_SECRET_ID", "s"), ("UNIT_SECRET_ID", "u"), ("JWT_MAX_TOKEN_AGE_SECONDS", "120")])
                .unwrap();
        assert_eq!(c.session.max_token_age, Some(Duration::from_secs(120)));
    }
}
