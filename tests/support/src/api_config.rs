//! `ApiConfig` as a deployed function has it with the defaults, for tests of the shared router alone.

use std::time::Duration;

use stytch_unit_common::config::ApiConfig;

/// The defaults (no redirect URLs, 60-minute sessions, body-mode tokens, `checking`), with these
/// browser origins and this request deadline.
pub fn api_config(cors_allowed_origins: &[&str], request_deadline: Duration) -> ApiConfig {
    ApiConfig {
        cors_allowed_origins: cors_allowed_origins.iter().map(|origin| origin.to_string()).collect(),
        magic_link_redirect_url: None,
        application_form_redirect_url: None,
        session_duration_minutes: 60,
        request_deadline,
        deposit_product: "checking".into(),
        require_pkce: false,
        session_cookie: false,
    }
}
