//! The roots the HTTP client trusts: the system's CA bundle, the file OpenSSL itself reads
//! (`SSL_CERT_FILE`, else the first of the usual places that exists, as `openssl-probe` finds it:
//! `/etc/pki/tls/certs/ca-bundle.crt` on Amazon Linux, `/etc/ssl/certs/ca-certificates.crt` on
//! Debian).
//!
//! Why not reqwest's default: it verifies the same way (webpki over the system's roots) but loads
//! them through `rustls-native-certs`, which reads the bundle and then every file of the
//! certificate directory (on Debian, the same roots a second time), decoding each with the
//! constant-time base64 of `rustls-pki-types`. Why not a PEM crate: per bundle (callgrind,
//! BENCHMARKS.md) `pem` 3 takes 21 M instructions (a byte-by-byte search for each END line, a
//! `char` per byte), `rustls-pki-types` 8.4 M (constant time, which keys need and public
//! certificates do not), against 3.9 M here, most of a cold start's own work either way. So the
//! framing below is ours (the `CERTIFICATE` sections of RFC 7468, line by line); the decoding is the
//! `base64` crate's, and webpki checks each result as before: a root it cannot use is skipped, as
//! before; no bundle, or no usable root in it, fails the cold start, as before. `SSL_CERT_DIR` is
//! not read: a root only there is not trusted (fail closed).

use std::path::PathBuf;

use base64::{Engine as _, engine::general_purpose::STANDARD};
use rustls_pki_types::CertificateDer;

const BEGIN: &[u8] = b"-----BEGIN CERTIFICATE-----";
const END: &[u8] = b"-----END CERTIFICATE-----";

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

/// The DER of each `CERTIFICATE` section of a PEM bundle that webpki accepts as a trust anchor.
/// Text outside the sections (comments, other labels) is ignored; a section that is not base64
/// is skipped.
fn usable_roots(bundle: &[u8]) -> Vec<Vec<u8>> {
    let mut roots = Vec::new();
    let mut section: Option<Vec<u8>> = None;
    for line in bundle.split(|&byte| byte == b'\n').map(<[u8]>::trim_ascii) {
        match (line, &mut section) {
            (BEGIN, _) => section = Some(Vec::with_capacity(2048)),
            (END, Some(base64)) => {
                roots.extend(STANDARD.decode(base64).ok().filter(|der| is_trust_anchor(der)));
                section = None;
            }
            (_, Some(base64)) => base64.extend_from_slice(line),
            (_, None) => {}
        }
    }
    roots
}

fn is_trust_anchor(der: &[u8]) -> bool {
    webpki::anchor_from_trusted_cert(&CertificateDer::from(der)).is_ok()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use rustls_pki_types::pem::PemObject;

    use super::*;

    fn system_bundle() -> Vec<u8> {
        std::fs::read(bundle_path().expect("this machine has a CA bundle")).unwrap()
    }

    /// The reference, reqwest's default loader, reads the bundle and every file of the directory: on
    /// Debian the same roots, plus any lone certificate dropped there (such as the self-signed
    /// `ssl-cert-snakeoil.pem`), which the bundle leaves out and so do we. Fewer roots, never more.
    #[test]
    fn the_roots_of_rustls_native_certs_that_are_in_the_bundle() {
        let ours: BTreeSet<Vec<u8>> = usable_roots(&system_bundle()).into_iter().collect();
        let reference: BTreeSet<Vec<u8>> = rustls_native_certs::load_native_certs()
            .certs
            .into_iter()
            .filter(|der| is_trust_anchor(der))
            .map(|der| der.to_vec())
            .collect();
        assert!(ours.len() > 10, "{} roots", ours.len());
        assert!(ours.is_subset(&reference), "a root of the bundle that rustls-native-certs does not load");
    }

    /// Our framing finds exactly the certificates `rustls-pki-types`' own PEM reader finds in the
    /// same bundle, in the same order.
    #[test]
    fn the_same_roots_as_the_pem_reader_of_rustls_pki_types() {
        let bundle = system_bundle();
        let reference: Vec<Vec<u8>> = CertificateDer::pem_slice_iter(&bundle)
            .filter_map(Result::ok)
            .filter(|der| is_trust_anchor(der))
            .map(|der| der.to_vec())
            .collect();
        assert_eq!(usable_roots(&bundle), reference);
    }

    #[test]
    fn what_is_not_a_usable_certificate_is_skipped() {
        let root = STANDARD.encode(&usable_roots(&system_bundle())[0]);
        let lines: Vec<&str> = root.as_bytes().chunks(64).map(|line| std::str::from_utf8(line).unwrap()).collect();
        let wrapped = lines.join("\r\n");
        let bundle = format!(
            "# a comment\n-----BEGIN PRIVATE KEY-----\nAQID\n-----END PRIVATE KEY-----\n\
             -----BEGIN CERTIFICATE-----\nbm90IERFUg==\n-----END CERTIFICATE-----\n\
             -----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n\
             -----BEGIN CERTIFICATE-----\r\n{wrapped}\r\n-----END CERTIFICATE-----\r\n\
             -----BEGIN CERTIFICATE-----\n{}\n",
            lines[0]
        );
        assert_eq!(usable_roots(bundle.as_bytes()).len(), 1, "only the whole root, CRLF or not");
        assert!(usable_roots(b"no PEM here").is_empty());
    }
}
