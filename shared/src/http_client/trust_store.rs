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
//! certificates do not), against 1.3 M here, most of a cold start's own work either way. So the
//! framing below is ours (the `CERTIFICATE` sections of RFC 7468, line by line); the decoding is
//! `base64-simd`'s (already in the build, under the AWS SDK's `aws-smithy-types`): the `base64`
//! crate's scalar decoder took 1.5 M instructions of a 6.3 M cold start. webpki checks each result
//! as before: a root it cannot use is skipped; no bundle, or no usable root in it, fails the cold
//! start. `SSL_CERT_DIR` is not read: a root only there is not trusted (fail closed).
//!
//! The roots are handed over as the trust anchors webpki made of them, so rustls does not parse
//! each certificate a second time (reqwest's `tls_certs_only` would: 0.6 M instructions per cold
//! start, BENCHMARKS.md).

use std::path::PathBuf;

use base64_simd::STANDARD;
use rustls::RootCertStore;
use rustls_pki_types::{CertificateDer, TrustAnchor};

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
pub fn system_roots() -> RootCertStore {
    let path = bundle_path().expect("no CA bundle found: set SSL_CERT_FILE or install the system's CA certificates");
    let bundle = std::fs::read(&path).unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
    let roots = roots_in(&bundle);
    assert!(!roots.is_empty(), "no usable CA certificate in {}", path.display());
    roots
}

/// The trust anchors of each `CERTIFICATE` section of a PEM bundle that webpki accepts as a root.
/// Text outside the sections (comments, other labels) is ignored; a section that is not base64,
/// or not a certificate webpki can use, is skipped.
pub fn roots_in(bundle: &[u8]) -> RootCertStore {
    let mut roots = Vec::new();
    let mut section: Option<Vec<u8>> = None;
    for line in lines(bundle).map(<[u8]>::trim_ascii) {
        match (line, &mut section) {
            (BEGIN, _) => section = Some(Vec::with_capacity(2048)),
            (END, Some(base64)) => {
                // Decoded where it lies: DER is shorter than its base64.
                roots.extend(STANDARD.decode_inplace(base64).ok().and_then(|der| trust_anchor(der)));
                section = None;
            }
            (_, Some(base64)) => base64.extend_from_slice(line),
            (_, None) => {}
        }
    }
    RootCertStore { roots }
}

/// The bundle's lines, found by `memchr` (a byte-by-byte `split` was a fifth of the whole read).
fn lines(bundle: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut start = 0;
    memchr::memchr_iter(b'\n', bundle).chain([bundle.len()]).map(move |end| {
        let line = &bundle[start..end];
        start = end + 1;
        line
    })
}

fn trust_anchor(der: &[u8]) -> Option<TrustAnchor<'static>> {
    webpki::anchor_from_trusted_cert(&CertificateDer::from(der)).ok().map(|anchor| anchor.to_owned())
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

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
        let ours: HashSet<TrustAnchor> = roots_in(&system_bundle()).roots.into_iter().collect();
        let reference: HashSet<TrustAnchor> =
            rustls_native_certs::load_native_certs().certs.iter().filter_map(|der| trust_anchor(der)).collect();
        assert!(ours.len() > 10, "{} roots", ours.len());
        assert!(ours.is_subset(&reference), "a root of the bundle that rustls-native-certs does not load");
    }

    /// Our framing finds exactly the certificates `rustls-pki-types`' own PEM reader finds in the
    /// same bundle, in the same order.
    #[test]
    fn the_same_roots_as_the_pem_reader_of_rustls_pki_types() {
        let bundle = system_bundle();
        let reference: Vec<TrustAnchor> = CertificateDer::pem_slice_iter(&bundle)
            .filter_map(Result::ok)
            .filter_map(|der| trust_anchor(&der))
            .collect();
        assert_eq!(roots_in(&bundle).roots, reference);
    }

    #[test]
    fn what_is_not_a_usable_certificate_is_skipped() {
        let first = CertificateDer::pem_slice_iter(&system_bundle())
            .filter_map(Result::ok)
            .find(|der| trust_anchor(der).is_some())
            .unwrap();
        let root = STANDARD.encode_to_string(&first);
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
        assert_eq!(
            roots_in(bundle.as_bytes()).roots,
            [trust_anchor(&first).unwrap()],
            "only the whole root, CRLF or not"
        );
        assert!(roots_in(b"no PEM here").is_empty());
    }
}
