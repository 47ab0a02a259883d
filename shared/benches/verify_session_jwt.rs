//! RS256 session-JWT verification with the key already cached: the per-request cost of auth.
//! Target: at most 40 µs per verification on a 2-core machine (a benchmark, not a test).
//!
//! With `CALLGRIND_ITERATIONS=N` it skips criterion and verifies N times: `make bench` runs it so
//! under `valgrind --tool=callgrind` to count instructions per verification, a figure that —
//! unlike time on a shared machine — is the same run after run.

use std::hint::black_box;

use criterion::Criterion;
use stytch_unit_common::session::SessionVerifier;
use test_support::{
    jwks_server::JwksServer,
    jwt::SessionToken,
    keys::{SIGNING_KID, jwks_document},
};
use tokio::runtime::Runtime;

/// A verifier whose JWKS is already fetched, and the server it came from (kept alive).
fn verifier_with_cached_key(runtime: &Runtime) -> (SessionVerifier, JwksServer) {
    runtime.block_on(async {
        let jwks = JwksServer::start(jwks_document(SIGNING_KID)).await;
        let verifier = jwks.verifier();
        verifier.jwks().prefetch().await;
        (verifier, jwks)
    })
}

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let (verifier, _jwks) = verifier_with_cached_key(&runtime);
    let token = SessionToken::honest().encode();
    let verify = || runtime.block_on(verifier.verify(black_box(&token))).expect("verifies");

    if let Some(iterations) = test_support::counted_iterations() {
        for _ in 0..iterations {
            verify();
        }
        return;
    }
    let mut criterion = Criterion::default().configure_from_args();
    criterion.bench_function("verify_session_jwt (RS256, cached key)", |b| b.iter(verify));
    criterion.final_summary();
}
