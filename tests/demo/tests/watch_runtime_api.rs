//! The `cargo lambda watch` the local stack runs (`.venv`, pinned in tests/requirements.txt) passes an
//! answer from a function to its caller whole, even when the function's runtime client closes the connection
//! it posted the answer on: watch 1.9.2 answered such a caller with its own bare 500 (README, "Known
//! cargo-lambda issue"). No code of ours runs: watch serves only the Lambda APIs (`--only-lambda-apis`), a
//! raw-socket client plays the function's runtime client, and the invocation comes over HTTP.

use std::{
    io::{Read, Write},
    net::{TcpListener, TcpStream},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

/// Larger than watch's first read of a request (8 KiB), as the TOTP enrolment's answer is.
const ANSWER_BYTES: usize = 14_000;
/// What is sent before watch answers 200: the head and the start of the body.
const FIRST_PART: usize = 8_000;
const NEXT: &str = "/.rt/2018-06-01/runtime/invocation/next";

struct Watch {
    child: Child,
    port: u16,
    _project: TempProject,
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A one-binary package: watch needs a manifest, never builds it with `--only-lambda-apis`.
struct TempProject(PathBuf);

impl TempProject {
    fn new() -> Self {
        let dir = std::env::temp_dir().join(format!("watch-runtime-api-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("src")).expect("temp project");
        std::fs::write(
            dir.join("Cargo.toml"),
            "[package]\nname = \"fn\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n",
        )
        .expect("manifest");
        std::fs::write(dir.join("src/main.rs"), "fn main() {}\n").expect("main.rs");
        Self(dir)
    }
}

impl Drop for TempProject {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn start_watch() -> Watch {
    let venv_bin = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin");
    assert!(venv_bin.join("cargo-lambda").exists(), "{} has no cargo-lambda: run `make venv`", venv_bin.display());
    let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
    let project = TempProject::new();
    let path = format!("{}:{}", venv_bin.display(), std::env::var("PATH").unwrap_or_default());
    let child = Command::new("cargo")
        .args(["lambda", "watch", "--only-lambda-apis", "--invoke-address", "127.0.0.1"])
        .args(["--invoke-port", &port.to_string()])
        .current_dir(&project.0)
        .env("PATH", path)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("cargo lambda watch starts");
    let deadline = Instant::now() + Duration::from_secs(60);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "cargo lambda watch did not listen on {port} within 60 s");
        std::thread::sleep(Duration::from_millis(100));
    }
    Watch { child, port, _project: project }
}

fn connect(port: u16) -> TcpStream {
    let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to watch");
    stream.set_read_timeout(Some(Duration::from_secs(10))).expect("read timeout");
    stream
}

/// One HTTP/1.1 response's head (lowercase header names) and body (`content-length` bytes).
fn read_response(stream: &mut TcpStream) -> (String, Vec<(String, String)>, Vec<u8>) {
    let mut data = Vec::new();
    let mut buf = [0u8; 65536];
    let head_end = loop {
        if let Some(i) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        let n = stream.read(&mut buf).expect("a response from watch");
        assert!(n > 0, "watch closed the connection");
        data.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&data[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap_or_default().to_owned();
    let headers: Vec<(String, String)> =
        lines.filter_map(|l| l.split_once(": ")).map(|(k, v)| (k.to_ascii_lowercase(), v.to_owned())).collect();
    let length = headers.iter().find(|(k, _)| k == "content-length").map_or(0, |(_, v)| v.parse().unwrap_or(0));
    let mut body = data[head_end + 4..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut buf).expect("the rest of the body");
        assert!(n > 0, "watch closed the connection mid-body");
        body.extend_from_slice(&buf[..n]);
    }
    (status, headers, body)
}

fn send_next(stream: &mut TcpStream) {
    write!(stream, "GET {NEXT} HTTP/1.1\r\nhost: watch\r\n\r\n").expect("GET /next");
}

/// The function's side: takes the invocation, posts a large answer whose end reaches watch after watch has
/// answered 200, then takes the next invocation on a new connection and closes the one it answered on.
fn function_answering_then_closing(port: u16) {
    let mut first = connect(port);
    send_next(&mut first);
    let (_, headers, _) = read_response(&mut first);
    let id = headers.iter().find(|(k, _)| k == "lambda-runtime-aws-request-id").expect("an invocation id").1.clone();
    let body = serde_json::json!({
        "statusCode": 201,
        "headers": { "content-type": "application/json" },
        "multiValueHeaders": {},
        "cookies": [],
        "isBase64Encoded": false,
        "body": serde_json::json!({ "qrCode": "x".repeat(ANSWER_BYTES) }).to_string(),
    })
    .to_string();
    let mut request = format!(
        "POST /.rt/2018-06-01/runtime/invocation/{id}/response HTTP/1.1\r\nhost: watch\r\n\
         content-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(body.as_bytes());
    first.write_all(&request[..FIRST_PART]).expect("the answer's start");
    let (status, _, _) = read_response(&mut first);
    assert_eq!(status, "HTTP/1.1 200 OK", "watch takes the answer");
    first.write_all(&request[FIRST_PART..]).expect("the answer's end");
    let mut second = connect(port);
    send_next(&mut second);
    std::thread::sleep(Duration::from_millis(200));
    drop(first);
    std::thread::sleep(Duration::from_millis(500));
}

#[tokio::test]
async fn a_large_answer_reaches_the_caller_whole_when_the_function_closes_its_connection() {
    let watch = start_watch();
    let port = watch.port;
    let function = std::thread::spawn(move || function_answering_then_closing(port));

    let response = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}/lambda-url/_/step-up/totp"))
        .header("content-type", "application/json")
        .body("{}")
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .expect("an answer");
    let status = response.status().as_u16();
    let body = response.text().await.expect("the body");
    function.join().expect("the function's side ran");

    assert_eq!(status, 201, "the function's answer, not watch's own error: {}", &body[..body.len().min(200)]);
    let answer: serde_json::Value = serde_json::from_str(&body).expect("the function's JSON");
    assert_eq!(answer["qrCode"].as_str().map(str::len), Some(ANSWER_BYTES));
}
