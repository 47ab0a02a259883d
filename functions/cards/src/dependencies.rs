//! What the cards function builds at cold start: the API settings and a [`UnitCustomerClient`].
//!
//! No Stytch, no secret, no org token: every Unit call this function can make carries the caller's
//! customer token. That is proved by the types, not checked at run time: the routes' state is the
//! [`UnitCustomerClient`] alone, which holds no credential and has no method that takes ours.

use stytch_unit_common::{
    config::{ApiConfig, CardsConfig},
    unit::UnitCustomerClient,
    upstream::RetryPolicy,
};

#[derive(Clone)]
pub struct CardsDependencies {
    pub api: ApiConfig,
    pub unit: UnitCustomerClient,
}

impl CardsDependencies {
    /// Reads nothing upstream, so it cannot fail: nothing to retry, no `503 secrets_unavailable`.
    pub fn new(config: CardsConfig, http: reqwest::Client) -> Self {
        let unit = UnitCustomerClient::new(
            http,
            config.unit_api_url,
            RetryPolicy::new(config.common.upstream.request_timeout),
        );
        Self { api: config.common.api, unit }
    }
}
