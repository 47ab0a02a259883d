//! Reading the system's trusted roots, the largest part of a cold start's own work: ours
//! (`http_client::trust_store::system_roots`) against the ways we did not take. Each reads the CA
//! bundle (`SSL_CERT_FILE` or the system's) and yields the roots it would trust:
//! - `ours`: our PEM framing, the `base64` crate, webpki's trust-anchor check (what ships);
//! - `rustls-native-certs`: reqwest's default loader, the bundle and the certificate directory;
//! - `rustls-pki-types`: rustls' own PEM reader over the bundle (constant-time base64);
//! - `pem`: the `pem` crate over the bundle (what we used before);
//! - `webpki-roots`: Mozilla's roots compiled in: nothing read, the deployment's bundle ignored.
//!
//! With `CALLGRIND_ITERATIONS=N` it skips criterion and runs the reader named by `TRUST_STORE_READER`
//! N times, for `make bench`'s instruction counts (the `trust-store` part).

use std::hint::black_box;

use criterion::{Criterion, criterion_group};
use rustls_pki_types::{CertificateDer, pem::PemObject};
use stytch_unit_common::http_client::trust_store;

/// A reader's name, and what it does: read the bundle and count the roots it would trust.
type Reader = (&'static str, fn() -> usize);

const READERS: [Reader; 5] = [
    ("ours", || trust_store::system_roots().len()),
    ("rustls-native-certs", || rustls_native_certs::load_native_certs().certs.iter().filter(|der| anchor(der)).count()),
    ("rustls-pki-types", || {
        CertificateDer::pem_slice_iter(&bundle()).filter_map(Result::ok).filter(|der| anchor(der)).count()
    }),
    ("pem", || {
        let sections = pem::parse_many(bundle()).unwrap_or_default();
        sections.iter().filter(|s| s.tag() == "CERTIFICATE" && anchor(&CertificateDer::from(s.contents()))).count()
    }),
    ("webpki-roots", || webpki_roots::TLS_SERVER_ROOTS.to_vec().len()),
];

fn bundle() -> Vec<u8> {
    std::fs::read(trust_store::bundle_path().expect("a CA bundle")).expect("a readable CA bundle")
}

fn anchor(der: &CertificateDer<'_>) -> bool {
    webpki::anchor_from_trusted_cert(der).is_ok()
}

fn trust_store(c: &mut Criterion) {
    let mut group = c.benchmark_group("trust_store");
    for (name, read) in READERS {
        group.bench_function(name, |b| b.iter(|| black_box(read())));
    }
    group.finish();
}

criterion_group!(benches, trust_store);

fn main() {
    if let Some(iterations) = test_support::counted_iterations() {
        let wanted = std::env::var("TRUST_STORE_READER").expect("TRUST_STORE_READER names the reader to count");
        let (_, read) = READERS.iter().find(|(name, _)| *name == wanted).expect("a reader of READERS");
        for _ in 0..iterations {
            black_box(read());
        }
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
