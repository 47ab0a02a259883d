//! The roots the HTTP client trusts: the system's CA bundle, the file OpenSSL itself reads
//! (`SSL_CERT_FILE`, else the first of the usual places that exists, as `openssl-probe` finds it:
//! `/etc/pki/tls/certs/ca-bundle.crt` on Amazon Linux, `/etc/ssl/certs/ca-certificates.crt` on
//! Debian).
//!
//! Why not reqwest's default: it verifies the same way (webpki over the system's roots) but loads
//! them through `rustls-native-certs`, which reads the bundle and then every file of the
//! certificate directory (on Debian, the same roots a second time), decoding each with the
//! constant-time base64 of `rustls-pki-types`. Certificates are public, so constant time protects
//! nothing here, and that decoding was most of a cold start's own time (BENCHMARKS.md). The `pem`
//! crate decodes them with the ordinary `base64` engine. Nothing else changes: a root webpki
//! cannot use is skipped, as before; no bundle, or no usable root in it, fails the cold start, as
//! before. `SSL_CERT_DIR` is not read: a root only there is not trusted (fail closed).

use std::path::PathBuf;

use rustls_pki_types::CertificateDer;

/// The system's CA bundle, if it has one.
pub fn bundle_path() -> Option<PathBuf> {
    openssl_probe::probe().cert_file
}

/// The usable roots of the system's CA bundle.
///
/// # Panics
/// When there is no bundle, or nothing in it webpki accepts as a root: no TLS connection could
/// succeed, and reqwest's default fails the same way.
pub fn system_roots() -> Vec<reqwest::Certificate> {
    let path = bundle_path().expect("no CA bundle found: set SSL_CERT_FILE or install the system's CA certificates");
    let bundle = std::fs::read(&path).unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
    let roots = usable_roots(&bundle);
    assert!(!roots.is_empty(), "no usable CA certificate in {}", path.display());
    roots.iter().map(|der| reqwest::Certificate::from_der(der).expect("DER is taken as it is")).collect()
}

/// The DER of each `CERTIFICATE` of a PEM bundle that webpki accepts as a trust anchor.
fn usable_roots(bundle: &[u8]) -> Vec<Vec<u8>> {
    pem::parse_many(bundle)
        .unwrap_or_default()
        .into_iter()
        .filter(|section| section.tag() == "CERTIFICATE")
        .map(pem::Pem::into_contents)
        .filter(|der| webpki::anchor_from_trusted_cert(&CertificateDer::from(der.as_slice())).is_ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// The reference, reqwest's default loader, reads the bundle and every file of the directory: on
    /// Debian the same roots, plus any lone certificate dropped there (such as the self-signed
    /// `ssl-cert-snakeoil.pem`), which the bundle leaves out and so do we.
    #[test]
    fn the_roots_of_rustls_native_certs_that_are_in_the_bundle() {
        let path = bundle_path().expect("this machine has a CA bundle");
        let ours: BTreeSet<Vec<u8>> = usable_roots(&std::fs::read(path).unwrap()).into_iter().collect();
        let reference: BTreeSet<Vec<u8>> = rustls_native_certs::load_native_certs()
            .certs
            .into_iter()
            .filter(|der| webpki::anchor_from_trusted_cert(der).is_ok())
            .map(|der| der.to_vec())
            .collect();
        assert!(ours.len() > 10, "{} roots", ours.len());
        assert!(ours.is_subset(&reference), "a root of the bundle that rustls-native-certs does not load");
    }

    #[test]
    fn what_is_not_a_usable_certificate_is_skipped() {
        let root = pem::encode(&pem::Pem::new(
            "CERTIFICATE",
            usable_roots(&std::fs::read(bundle_path().unwrap()).unwrap())[0].clone(),
        ));
        let key = pem::encode(&pem::Pem::new("PRIVATE KEY", vec![1, 2, 3]));
        let junk = pem::encode(&pem::Pem::new("CERTIFICATE", b"not DER".to_vec()));
        assert_eq!(usable_roots(format!("{key}{junk}{root}").as_bytes()).len(), 1);
        assert!(usable_roots(b"no PEM here").is_empty());
    }
}
