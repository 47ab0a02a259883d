//! A real moto server standing in for AWS Secrets Manager, one per test, killed on drop.
//!
//! The binary comes from `MOTO_SERVER`, or the project's `.venv` (which `make test` creates).

use std::{
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use aws_sdk_secretsmanager::{Client, config::Credentials};

pub struct MotoServer {
    pub endpoint: String,
    child: Child,
}

fn moto_binary() -> PathBuf {
    std::env::var_os("MOTO_SERVER")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::workspace_root().join(".venv/bin/moto_server"))
}

impl MotoServer {
    pub async fn start() -> Self {
        let binary = moto_binary();
        let port = crate::free_port();
        let child = Command::new(&binary)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {} ({e}); run `make venv` first", binary.display()));
        let server = Self { endpoint: format!("http://127.0.0.1:{port}"), child };
        // Generous: on a loaded 2-core machine a cold Python start can take tens of seconds.
        let deadline = Instant::now() + Duration::from_secs(120);
        while tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
            assert!(Instant::now() < deadline, "moto did not start on port {port}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        server
    }

    /// A Secrets Manager client aimed at this server, as `AWS_ENDPOINT_URL_SECRETS_MANAGER` would.
    pub async fn client(&self) -> Client {
        let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .endpoint_url(&self.endpoint)
            .region(aws_config::Region::new("us-east-1"))
            .credentials_provider(Credentials::new("test", "test", None, None, "moto"))
            .load()
            .await;
        Client::new(&config)
    }

    pub async fn create_secret(&self, name: &str, value: &str) {
        self.client().await.create_secret().name(name).secret_string(value).send().await.expect("moto creates");
    }

    pub async fn rotate_secret(&self, name: &str, value: &str) {
        self.client().await.put_secret_value().secret_id(name).secret_string(value).send().await.expect("moto updates");
    }
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
