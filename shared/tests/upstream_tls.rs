//! The upstream client's TLS against a real handshake (`test_support::tls`): a chain to a trusted
//! root for the right name is reached; an unknown issuer or a certificate for another name is
//! refused before any request is sent. The sandbox and moto speak plain HTTP, so these are the
//! tests of the TLS configuration `http_client` hands to reqwest.

use std::{fmt::Write as _, net::SocketAddr};

use stytch_unit_common::{
    config::{Config, UpstreamConfig},
    http_client::{self, trust_store},
};
use test_support::tls::{TEST_CA_PEM, UPSTREAM_NAME, spawn_https_upstream};

fn upstream() -> UpstreamConfig {
    Config::from_lookup(Default::default(), |_| None).unwrap().upstream
}

/// GET `https://{name}:{port}/` with `name` resolved to the test upstream, trusting `bundle`.
async fn get(bundle: &[u8], name: &str, upstream_at: SocketAddr) -> Result<String, String> {
    let client =
        http_client::builder(&upstream(), trust_store::roots_in(bundle)).resolve(name, upstream_at).build().unwrap();
    let sent = client.get(format!("https://{name}:{}/", upstream_at.port())).send().await;
    match sent {
        Ok(response) => Ok(response.text().await.unwrap()),
        Err(error) => Err(error_chain(&error)),
    }
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut chain = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        write!(chain, ": {cause}").unwrap();
        source = cause.source();
    }
    chain
}

#[tokio::test]
async fn a_chain_to_a_trusted_root_for_the_right_name_is_reached() {
    let upstream_at = spawn_https_upstream().await;
    assert_eq!(get(TEST_CA_PEM, UPSTREAM_NAME, upstream_at).await.as_deref(), Ok("ok"));
}

#[tokio::test]
async fn a_certificate_from_an_issuer_not_in_the_bundle_is_refused() {
    let upstream_at = spawn_https_upstream().await;
    let system_bundle = std::fs::read(trust_store::bundle_path().expect("a CA bundle")).unwrap();
    let refused = get(&system_bundle, UPSTREAM_NAME, upstream_at).await.unwrap_err();
    assert!(refused.contains("UnknownIssuer"), "{refused}");
}

#[tokio::test]
async fn a_certificate_for_another_name_is_refused() {
    let upstream_at = spawn_https_upstream().await;
    let refused = get(TEST_CA_PEM, "other.test", upstream_at).await.unwrap_err();
    assert!(refused.contains("certificate not valid for name \"other.test\""), "{refused}");
}
