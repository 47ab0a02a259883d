//! `tests/dev/local_stack.py` (`make dev`, `make demo`): it gets the whole stack ready behind one URL
//! with API Gateway's paths, and a signal stops every process it started, grandchildren included.

use std::{
    collections::BTreeSet,
    io::{BufRead, BufReader},
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

const READY_TIMEOUT: Duration = Duration::from_secs(600);

fn python() -> PathBuf {
    let python = test_support::workspace_root().join(".venv/bin/python");
    assert!(python.exists(), "{} is missing: run `make venv` first", python.display());
    python
}

/// The script with a clean environment for the cargo builds it runs (none of `cargo test`'s package variables).
fn local_stack(args: &[&str]) -> Command {
    let root = test_support::workspace_root();
    let mut command = Command::new(python());
    command.arg(root.join("tests/dev/local_stack.py")).args(args).current_dir(&root);
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy().into_owned();
        let keep = ["CARGO_HOME", "CARGO_TARGET_DIR"].contains(&name.as_str());
        if (name.starts_with("CARGO_") && !keep) || name == "OUT_DIR" || name.starts_with("SANDBOX_") {
            command.env_remove(&name);
        }
    }
    for name in ["API_PORT", "MOTO_PORT"] {
        command.env_remove(name);
    }
    command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::null());
    command
}

/// Every live process below `pid` (from /proc).
fn descendants(pid: u32) -> BTreeSet<u32> {
    let mut parents = Vec::new();
    for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
        let Ok(child) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else { continue };
        let Some(rest) = stat.rfind(')').map(|i| &stat[i + 2..]) else { continue };
        let mut fields = rest.split_whitespace();
        let (state, ppid) = (fields.next().unwrap_or("Z"), fields.next().and_then(|p| p.parse::<u32>().ok()));
        if state != "Z" {
            parents.push((child, ppid.unwrap_or(0)));
        }
    }
    let mut found = BTreeSet::new();
    let mut todo = vec![pid];
    while let Some(parent) = todo.pop() {
        for &(child, ppid) in &parents {
            if ppid == parent && found.insert(child) {
                todo.push(child);
            }
        }
    }
    found
}

fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|stat| stat.rfind(')').is_some_and(|i| !stat[i + 2..].starts_with('Z')))
        .unwrap_or(false)
}

/// Reads `KEY=value` lines from the script's stdout until API_URL, STYTCH_URL and UNIT_URL are in.
fn wait_for_urls(child: &mut Child) -> (String, String, String) {
    let stdout = child.stdout.take().expect("piped stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let deadline = Instant::now() + READY_TIMEOUT;
    let (mut api, mut stytch, mut unit) = (None, None, None);
    while api.is_none() || stytch.is_none() || unit.is_none() {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = rx.recv_timeout(left).expect("the stack printed its URLs in time");
        match line.split_once('=') {
            Some(("API_URL", v)) => api = Some(v.to_owned()),
            Some(("STYTCH_URL", v)) => stytch = Some(v.to_owned()),
            Some(("UNIT_URL", v)) => unit = Some(v.to_owned()),
            _ => {}
        }
    }
    (api.unwrap(), stytch.unwrap(), unit.unwrap())
}

fn signal(pid: u32, name: &str) {
    let status = Command::new("kill").args([&format!("-{name}"), &pid.to_string()]).status().expect("kill runs");
    assert!(status.success(), "kill -{name} {pid}");
}

fn wait_with_timeout(child: &mut Child, timeout: Duration) -> std::process::ExitStatus {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status;
        }
        assert!(Instant::now() < deadline, "the stack did not stop within {timeout:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn assert_all_gone(processes: &BTreeSet<u32>) {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let left: Vec<u32> = processes.iter().copied().filter(|&pid| alive(pid)).collect();
        if left.is_empty() {
            return;
        }
        assert!(Instant::now() < deadline, "processes left behind: {left:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

async fn get(url: &str) -> (u16, serde_json::Value) {
    let response = reqwest::get(url).await.unwrap_or_else(|e| panic!("GET {url}: {e}"));
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(serde_json::Value::Null))
}

#[tokio::test]
async fn make_dev_serves_every_function_behind_one_url_and_ctrl_c_stops_everything() {
    let mut stack = local_stack(&["--quiet"]).spawn().expect("the script starts");
    let (api, stytch, unit) = wait_for_urls(&mut stack);

    for function in ["signup", "step-up", "token-exchange", "cards"] {
        let (status, body) = get(&format!("{api}/health/{function}")).await;
        assert_eq!((status, body["function"].as_str()), (200, Some(function)));
    }
    // API Gateway's paths, path parameters included, reach the right function.
    let (status, body) = get(&format!("{api}/cards/400001")).await;
    assert_eq!((status, body["code"].as_str()), (401, Some("missing_credentials")));
    let (status, _) = get(&format!("{stytch}/__sandbox/outbox")).await;
    assert_eq!(status, 200);
    let (status, _) = get(&format!("{unit}/__sandbox/faults")).await;
    assert_eq!(status, 200);

    let processes = descendants(stack.id());
    assert!(processes.len() >= 4, "moto, the sandbox, cargo lambda watch and functions run: {processes:?}");
    signal(stack.id(), "INT");
    let status = wait_with_timeout(&mut stack, Duration::from_secs(30));
    assert_eq!(status.code(), Some(130), "128 + SIGINT");
    assert_all_gone(&processes);
    assert!(reqwest::get(format!("{api}/health/signup")).await.is_err(), "the API port is closed");
}

#[tokio::test]
async fn sigterm_during_a_command_stops_the_command_and_the_stack() {
    // The command (as `make demo` runs the journey) is killed along with everything else.
    let mut stack = local_stack(&["--quiet", "--", "/bin/sh", "-c", "echo COMMAND_STARTED; exec sleep 300"])
        .spawn()
        .expect("the script starts");
    let (api, _, _) = wait_for_urls(&mut stack);
    let deadline = Instant::now() + Duration::from_secs(30);
    let processes = loop {
        let processes = descendants(stack.id());
        let has_sleep = processes
            .iter()
            .any(|pid| std::fs::read_to_string(format!("/proc/{pid}/cmdline")).is_ok_and(|c| c.starts_with("sleep\0")));
        if has_sleep {
            break processes;
        }
        assert!(Instant::now() < deadline, "the command did not start");
        std::thread::sleep(Duration::from_millis(100));
    };
    signal(stack.id(), "TERM");
    let status = wait_with_timeout(&mut stack, Duration::from_secs(30));
    assert_eq!(status.code(), Some(143), "128 + SIGTERM");
    assert_all_gone(&processes);
    assert!(reqwest::get(format!("{api}/health/signup")).await.is_err(), "the API port is closed");
}
