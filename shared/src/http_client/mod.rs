//! The one outbound HTTP client of a cold start (rustls, pooled connections, timeouts), shared by
//! the JWKS cache, the Stytch and Unit clients and the AWS SDK.

pub mod trust_store;

use std::sync::Arc;

use rustls::{ClientConfig, RootCertStore};

use crate::config::UpstreamConfig;

/// The client of a cold start, trusting the system's roots ([`trust_store::system_roots`]).
pub fn build(config: &UpstreamConfig) -> reqwest::Client {
    builder(config, trust_store::system_roots()).build().expect("the HTTP client's static configuration is valid")
}

/// The client's configuration, trusting only `roots` (tests add a name resolution to it).
pub fn builder(config: &UpstreamConfig, roots: RootCertStore) -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls_config(roots))
        .connect_timeout(config.connect_timeout)
        .timeout(config.request_timeout)
        .pool_idle_timeout(std::time::Duration::from_secs(60))
        // Upstreams never redirect on the calls we make; following one could leak credentials.
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("stytch-unit-lambdas/", env!("CARGO_PKG_VERSION")))
}

/// What reqwest's `tls_certs_only(roots)` builds (aws-lc-rs, TLS 1.3 and 1.2, webpki verification
/// of every chain and name against `roots`, SNI, ALPN `http/1.1` as reqwest offers without its
/// `http2` feature), built here so the roots are taken as the anchors already parsed.
fn tls_config(roots: RootCertStore) -> ClientConfig {
    let mut tls = ClientConfig::builder_with_provider(Arc::new(rustls::crypto::aws_lc_rs::default_provider()))
        .with_safe_default_protocol_versions()
        .expect("aws-lc-rs supports TLS 1.3 and 1.2")
        .with_root_certificates(roots)
        .with_no_client_auth();
    tls.alpn_protocols = vec![b"http/1.1".to_vec()];
    tls
}
