//! Test harness pieces shared by every crate's tests.
//!
//! - [`moto`]: a real moto server (Secrets Manager) on a free loopback port.
//! - [`keys`]: fixed RSA key fixtures (RSA key generation is slow in unoptimised test builds).
//! - [`jwt`]: Stytch-shaped session JWTs, honest or forged.
//! - [`jwks_server`]: a JWKS endpoint that counts its hits, and a session verifier of its keys.
//! - [`stack`]: the sandbox and moto together, and a signed-in sandbox user.
//! - [`tls`]: an HTTPS upstream on loopback with a certificate of a test CA.
//! - [`logs`]: capture of the JSON log lines a test produces, and a leak check over them.
//! - [`counted_iterations`]: the benches' instruction-count mode (`make bench-check`).

pub mod api_config;
pub mod functions;
pub mod jwks_server;
pub mod jwt;
pub mod keys;
pub mod logs;
pub mod moto;
pub mod stack;
pub mod tls;

/// The workspace root, for finding `.venv` and fixtures.
pub fn workspace_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("workspace root exists")
}

/// A free TCP port on 127.0.0.1 (bound and released; fine for tests on loopback).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

/// `CALLGRIND_ITERATIONS=N`: a bench skips criterion and runs its counted path N times.
/// `tests/bench/run.py` runs it so under `valgrind --tool=callgrind` twice (two values of N) and
/// subtracts: the instructions per call, without the set-up, the same run after run.
pub fn counted_iterations() -> Option<usize> {
    std::env::var("CALLGRIND_ITERATIONS").ok().and_then(|n| n.parse().ok())
}
