//! How long the first randomness of a process takes from aws-lc — what the first TLS handshake of
//! a cold start pays before anything is sent. Prints one line with the time in milliseconds.
//! See `AWS_LC_SYS_NO_JITTER_ENTROPY` in `.cargo/config.toml`.

use std::time::Instant;

fn main() {
    let mut seed = [0u8; 32];
    let started = Instant::now();
    aws_lc_rs::rand::fill(&mut seed).expect("the OS gives randomness");
    println!("first randomness: {:.3} ms", started.elapsed().as_secs_f64() * 1e3);
}
