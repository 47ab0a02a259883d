//! `tests/dev/local_stack.py` (`make dev`, `make demo`): it gets the whole stack ready behind one URL
//! with API Gateway's paths, and a signal stops every process it started, grandchildren included.

use std::time::{Duration, Instant};

use demo::local_stack::{LocalStack, assert_all_gone};

async fn get(url: &str) -> (u16, serde_json::Value) {
    let response = reqwest::get(url).await.unwrap_or_else(|e| panic!("GET {url}: {e}"));
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(serde_json::Value::Null))
}

#[tokio::test]
async fn make_dev_serves_every_function_behind_one_url_and_ctrl_c_stops_everything() {
    let mut stack = LocalStack::start(&[]);
    let (api, stytch, unit) = (stack.api_url.clone(), stack.stytch_url.clone(), stack.unit_url.clone());

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

    let processes = stack.processes();
    assert!(processes.len() >= 4, "moto, the sandbox, cargo lambda watch and functions run: {processes:?}");
    stack.signal("INT");
    let status = stack.wait(Duration::from_secs(30));
    assert_eq!(status.code(), Some(130), "128 + SIGINT");
    assert_all_gone(&processes);
    assert!(reqwest::get(format!("{api}/health/signup")).await.is_err(), "the API port is closed");
}

#[tokio::test]
async fn sigterm_during_a_command_stops_the_command_and_the_stack() {
    // The command (as `make demo` runs the journey) is killed along with everything else.
    let mut stack = LocalStack::spawn(LocalStack::command(&[
        "--quiet",
        "--",
        "/bin/sh",
        "-c",
        "echo COMMAND_STARTED; exec sleep 300",
    ]));
    let api = stack.api_url.clone();
    let deadline = Instant::now() + Duration::from_secs(30);
    let processes = loop {
        let processes = stack.processes();
        let has_sleep = processes
            .iter()
            .any(|pid| std::fs::read_to_string(format!("/proc/{pid}/cmdline")).is_ok_and(|c| c.starts_with("sleep\0")));
        if has_sleep {
            break processes;
        }
        assert!(Instant::now() < deadline, "the command did not start");
        std::thread::sleep(Duration::from_millis(100));
    };
    stack.signal("TERM");
    let status = stack.wait(Duration::from_secs(30));
    assert_eq!(status.code(), Some(143), "128 + SIGTERM");
    assert_all_gone(&processes);
    assert!(reqwest::get(format!("{api}/health/signup")).await.is_err(), "the API port is closed");
}
