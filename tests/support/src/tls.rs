//! An HTTPS upstream on loopback, to check the functions' HTTP client against a real TLS handshake
//! (the sandbox and moto speak plain HTTP).
//!
//! Its certificate (`fixtures/tls/server.pem`, for `upstream.test`, ECDSA P-256, valid until 2126)
//! is signed by a test CA (`fixtures/tls/ca.pem`) whose private key was thrown away once it had
//! signed: nobody can issue another certificate under it. Made with `openssl req -x509` (CA:TRUE,
//! keyCertSign) and `openssl x509 -req` (CA:FALSE, serverAuth, subjectAltName DNS:upstream.test).

use std::{net::SocketAddr, sync::Arc};

use rustls::ServerConfig;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, pem::PemObject};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpListener,
};
use tokio_rustls::TlsAcceptor;

/// The root the upstream's certificate chains to, as a PEM bundle of one certificate.
pub const TEST_CA_PEM: &[u8] = include_bytes!("../fixtures/tls/ca.pem");
/// The name the upstream's certificate is valid for.
pub const UPSTREAM_NAME: &str = "upstream.test";
const SERVER_CERT_PEM: &[u8] = include_bytes!("../fixtures/tls/server.pem");
const SERVER_KEY_PEM: &[u8] = include_bytes!("../fixtures/tls/server.key.pem");

/// An HTTPS server on a free loopback port answering every request `200 ok`, for as long as the
/// test's runtime runs. A handshake the client refuses just ends that connection.
pub async fn spawn_https_upstream() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a loopback port");
    let address = listener.local_addr().expect("a bound address");
    let acceptor = TlsAcceptor::from(Arc::new(server_config()));
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(stream).await else { return };
                let mut request = Vec::new();
                let mut buffer = [0u8; 1024];
                while !request.ends_with(b"\r\n\r\n") {
                    match tls.read(&mut buffer).await {
                        Ok(0) | Err(_) => return,
                        Ok(read) => request.extend_from_slice(&buffer[..read]),
                    }
                }
                let answer = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok";
                let _ = tls.write_all(answer).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    address
}

fn server_config() -> ServerConfig {
    let chain =
        CertificateDer::pem_slice_iter(SERVER_CERT_PEM).collect::<Result<Vec<_>, _>>().expect("the fixture's PEM");
    let key = PrivateKeyDer::from_pem_slice(SERVER_KEY_PEM).expect("the fixture's key");
    ServerConfig::builder_with_provider(Arc::new(rustls::crypto::aws_lc_rs::default_provider()))
        .with_safe_default_protocol_versions()
        .expect("TLS 1.3 and 1.2")
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .expect("the fixture's certificate and key match")
}
