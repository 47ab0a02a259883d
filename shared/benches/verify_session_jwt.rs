//! RS256 session-JWT verification with the key already cached: the per-request cost of auth.
//! Target: at most 40 µs per verification on a 2-core machine (a benchmark, not a test).

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use stytch_unit_common::session::{JwksCache, JwksSettings, SessionVerifier, VerifierSettings};
use test_support::{
    jwks_server::JwksServer,
    jwt::{PROJECT_ID, SessionToken},
    keys::{SIGNING_KID, jwks_document},
};

fn verify_with_cached_key(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let (verifier, _jwks) = runtime.block_on(async {
        let jwks = JwksServer::start(jwks_document(SIGNING_KID)).await;
        let verifier = SessionVerifier::new(
            JwksCache::new(
                reqwest::Client::new(),
                JwksCache::jwks_url(&url::Url::parse(&jwks.url).unwrap(), PROJECT_ID),
                JwksSettings { ttl: Duration::from_secs(3_600), refresh_cooldown: Duration::from_secs(30) },
            ),
            VerifierSettings {
                project_id: PROJECT_ID.into(),
                extra_issuers: vec![],
                leeway: Duration::from_secs(5),
                max_token_age: None,
            },
        );
        verifier.jwks().prefetch().await;
        (verifier, jwks)
    });
    let token = SessionToken::honest().encode();
    c.bench_function("verify_session_jwt (RS256, cached key)", |b| {
        b.iter(|| runtime.block_on(verifier.verify(std::hint::black_box(&token))).expect("verifies"))
    });
}

criterion_group!(benches, verify_with_cached_key);
criterion_main!(benches);
