//! Test values: unique per call (so runs against a long-lived `make dev` never collide), and the
//! TOTP code an authenticator app would show.

use std::{
    sync::atomic::{AtomicU64, Ordering},
    time::{SystemTime, UNIX_EPOCH},
};

use serde_json::{Value, json};
use totp_rs::{Algorithm, Builder, Secret};

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn now() -> std::time::Duration {
    SystemTime::now().duration_since(UNIX_EPOCH).expect("clock after 1970")
}

/// A number unique to this call in this process, and very likely across processes.
pub fn unique() -> u64 {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    (now().as_micros() as u64).wrapping_mul(1000).wrapping_add(u64::from(std::process::id()) % 1000) ^ (n << 48) ^ n
}

pub fn email() -> String {
    format!("demo-{:x}@example.com", unique())
}

/// A 9-digit SSN that the sandbox approves at once (see tests/sandbox/src/unit/decision.rs: Unit's
/// sandbox SSNs `00000000x`, and the sandbox's own endings `9000`..=`9003`, decide otherwise).
pub fn approved_ssn() -> String {
    let mut n = unique() % 1_000_000_000;
    if n < 10 || (9_000..=9_003).contains(&(n % 10_000)) {
        n += 10;
    }
    format!("{n:09}")
}

/// A 9-digit SSN, distinct per call, that the sandbox decides as `ending` says (`9000` denied,
/// `9001` pending, `9002` pending review, `9003` awaiting an address document).
pub fn ssn_ending(ending: &str) -> String {
    format!("{:05}{ending}", unique() % 100_000)
}

/// A US phone number in E.164 that no other test uses.
pub fn phone_number() -> String {
    format!("+1555{:07}", unique() % 10_000_000)
}

pub fn idempotency_key() -> String {
    format!("demo-{:x}", unique())
}

/// The application a person would fill in, with `ssn` and `phone` (E.164, `+1…`): the phone that
/// SMS step-up will text.
pub fn application(email: &str, ssn: &str, phone: &str) -> Value {
    json!({
        "fullName": { "first": "Ada", "last": "Lovelace" },
        "email": email,
        "phone": { "countryCode": "1", "number": phone.trim_start_matches("+1") },
        "dateOfBirth": "1990-12-10",
        "address": {
            "street": "1 Main St",
            "city": "Springfield",
            "state": "IL",
            "postalCode": "62701",
            "country": "US"
        },
        "ssn": ssn
    })
}

fn totp(secret_base32: &str) -> Result<totp_rs::Totp, String> {
    let secret = Secret::try_from_base32(secret_base32).map_err(|_| "the TOTP secret is not base32".to_owned())?;
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_step_duration(30)
        .with_secret(secret)
        .build()
        .map_err(|e| format!("cannot build a TOTP from the secret: {e}"))
}

/// The 6-digit code an authenticator app shows now for `secret_base32` (RFC 6238, SHA-1, 30 s).
pub fn totp_code(secret_base32: &str) -> Result<String, String> {
    Ok(totp(secret_base32)?.generate(now().as_secs()).to_string())
}

/// A well-formed code that is none of the codes valid now (the current step and one either side).
pub fn wrong_totp_code(secret_base32: &str) -> Result<String, String> {
    let totp = totp(secret_base32)?;
    let t = now().as_secs();
    let valid: Vec<String> = [t.saturating_sub(60), t.saturating_sub(30), t, t + 30, t + 60]
        .iter()
        .map(|&t| totp.generate(t).to_string())
        .collect();
    Ok((0..).map(|i| format!("{:06}", 123_456 + i)).find(|code| !valid.contains(code)).expect("a free code"))
}
