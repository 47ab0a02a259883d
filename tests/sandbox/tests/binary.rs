//! The `sandbox` binary: announces itself on stdout quickly, serves, and stops cleanly on SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn announces_urls_and_credentials_then_stops_on_sigterm() {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_sandbox"))
        .env("SANDBOX_STYTCH_SECRET", "secret-from-env")
        .env_remove("SANDBOX_STYTCH_PORT")
        .env_remove("SANDBOX_UNIT_PORT")
        .env_remove("SANDBOX_RECORD")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut lines = Vec::new();
    for _ in 0..5 {
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        lines.push(line.trim_end().to_owned());
    }
    let ready_after = started.elapsed();

    let keys: Vec<&str> = lines.iter().map(|line| line.split_once('=').map_or("", |(key, _)| key)).collect();
    assert_eq!(keys, ["STYTCH_URL", "UNIT_URL", "STYTCH_PROJECT_ID", "STYTCH_SECRET", "UNIT_API_TOKEN"], "{lines:?}");
    assert!(lines[0].starts_with("STYTCH_URL=http://127.0.0.1:"));
    assert!(lines[1].starts_with("UNIT_URL=http://127.0.0.1:"));
    assert_eq!(lines[3], "STYTCH_SECRET=secret-from-env");
    assert!(ready_after < Duration::from_secs(5), "ready after {ready_after:?}");

    let outbox = format!("{}/__sandbox/outbox", &lines[0]["STYTCH_URL=".len()..]);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let status = runtime.block_on(async { reqwest::get(&outbox).await.map(|r| r.status().as_u16()) });
    assert_eq!(status.ok(), Some(200));

    let killed = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status().unwrap();
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let exit = loop {
        if let Some(exit) = child.try_wait().unwrap() {
            break exit;
        }
        assert!(Instant::now() < deadline, "the sandbox did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(exit.success(), "{exit:?}");

    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(!stderr.contains("secret-from-env"), "logs never carry the secret");
}
