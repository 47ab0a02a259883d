//! The one outbound HTTP client of a cold start (rustls, pooled connections, timeouts), shared by
//! the JWKS cache, the Stytch and Unit clients and the AWS SDK.

pub mod trust_store;

use crate::config::UpstreamConfig;

pub fn build(config: &UpstreamConfig) -> reqwest::Client {
    reqwest::Client::builder()
        // The system's roots, verified by webpki as reqwest's default does, read faster (trust_store).
        .tls_certs_only(trust_store::system_roots())
        .connect_timeout(config.connect_timeout)
        .timeout(config.request_timeout)
        .pool_idle_timeout(std::time::Duration::from_secs(60))
        // Upstreams never redirect on the calls we make; following one could leak credentials.
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("stytch-unit-lambdas/", env!("CARGO_PKG_VERSION")))
        .build()
        .expect("the HTTP client's static configuration is valid")
}
