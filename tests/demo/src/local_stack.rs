//! The whole local stack (`tests/dev/local_stack.py`, as `make dev` runs it), started from a test: moto, the
//! sandbox and `cargo lambda watch` behind one base URL. [`LocalStack`] reads the URLs the script prints and
//! stops the script, and with it every process it started, when dropped (a failing test included).

use std::{
    collections::BTreeSet,
    io::{BufRead, BufReader},
    path::PathBuf,
    process::{Child, Command, ExitStatus, Stdio},
    sync::mpsc::RecvTimeoutError,
    time::{Duration, Instant},
};

/// The script builds the sandbox and the five functions first: allow for a cold build on 2 cores.
const READY_TIMEOUT: Duration = Duration::from_secs(600);
/// The script stops its children within 10 s of a SIGTERM (then kills them).
const STOP_TIMEOUT: Duration = Duration::from_secs(30);

fn workspace_root() -> PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("workspace root exists")
}

fn python() -> PathBuf {
    let python = workspace_root().join(".venv/bin/python");
    assert!(python.exists(), "{} is missing: run `make venv` first", python.display());
    python
}

/// A running `local_stack.py` and the URLs it printed.
pub struct LocalStack {
    child: Child,
    pub api_url: String,
    pub stytch_url: String,
    pub unit_url: String,
}

impl LocalStack {
    /// The script with `args` and a clean environment for the cargo builds it runs (none of `cargo test`'s
    /// package variables, no port or sandbox settings of the caller's); stdout piped for the URLs.
    pub fn command(args: &[&str]) -> Command {
        let root = workspace_root();
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

    /// `local_stack.py --quiet` (no command: it serves until stopped), the functions configured with `env`
    /// (e.g. `CORS_ALLOWED_ORIGINS`, `UPSTREAM_TIMEOUT_MS`); returns once every function answers its health check.
    pub fn start(env: &[(&str, &str)]) -> Self {
        let mut command = Self::command(&["--quiet"]);
        command.envs(env.iter().copied());
        Self::spawn(command)
    }

    /// Spawns `command` (from [`LocalStack::command`]) and waits for the URLs it prints.
    pub fn spawn(mut command: Command) -> Self {
        let child = command.spawn().expect("local_stack.py starts");
        // Built before waiting, so that a stack that never gets ready is still stopped (by Drop).
        let mut stack = Self { child, api_url: String::new(), stytch_url: String::new(), unit_url: String::new() };
        (stack.api_url, stack.stytch_url, stack.unit_url) = wait_for_urls(&mut stack.child);
        stack
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Every live process the script started, and the ones they started.
    pub fn processes(&self) -> BTreeSet<u32> {
        descendants(self.pid())
    }

    /// `kill -<name>` the script (INT, TERM, …).
    pub fn signal(&self, name: &str) {
        signal(self.pid(), name);
    }

    /// Waits for the script to exit; panics after `timeout`.
    pub fn wait(&mut self, timeout: Duration) -> ExitStatus {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait for local_stack.py") {
                return status;
            }
            assert!(Instant::now() < deadline, "the stack did not stop within {timeout:?}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for LocalStack {
    /// SIGTERM, as Ctrl-C would: the script stops everything below it. Should it not exit in time, it and
    /// everything below it are killed, so that no test leaves a process behind.
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(Some(_))) {
            return;
        }
        let processes = self.processes();
        let _ = Command::new("kill").args(["-TERM", &self.pid().to_string()]).status();
        let deadline = Instant::now() + STOP_TIMEOUT;
        while Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        if !matches!(self.child.try_wait(), Ok(Some(_))) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        for pid in processes.into_iter().filter(|&pid| alive(pid)) {
            let _ = Command::new("kill").args(["-KILL", &pid.to_string()]).status();
        }
    }
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
        let line = match rx.recv_timeout(left) {
            Ok(line) => line,
            Err(RecvTimeoutError::Timeout) => panic!("the stack did not print its URLs within {READY_TIMEOUT:?}"),
            Err(RecvTimeoutError::Disconnected) => {
                panic!("local_stack.py exited before printing its URLs (its logs are kept in .dev/run-*/)")
            }
        };
        match line.split_once('=') {
            Some(("API_URL", v)) => api = Some(v.to_owned()),
            Some(("STYTCH_URL", v)) => stytch = Some(v.to_owned()),
            Some(("UNIT_URL", v)) => unit = Some(v.to_owned()),
            _ => {}
        }
    }
    (api.unwrap_or_default(), stytch.unwrap_or_default(), unit.unwrap_or_default())
}

/// Every live process below `pid` (from /proc).
pub fn descendants(pid: u32) -> BTreeSet<u32> {
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

/// Whether `pid` is a live (not zombie) process.
pub fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|stat| stat.rfind(')').is_some_and(|i| !stat[i + 2..].starts_with('Z')))
        .unwrap_or(false)
}

/// `kill -<name> <pid>`; panics if it fails.
pub fn signal(pid: u32, name: &str) {
    let status = Command::new("kill").args([&format!("-{name}"), &pid.to_string()]).status().expect("kill runs");
    assert!(status.success(), "kill -{name} {pid}");
}

/// Panics unless every process of `processes` is gone within 5 s.
pub fn assert_all_gone(processes: &BTreeSet<u32>) {
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
