//! A real moto server standing in for AWS Secrets Manager, one per test, killed on drop.
//!
//! The binary comes from `MOTO_SERVER`, or the project's `.venv` (which `make test` creates).

use std::{
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

pub use aws_config::retry::RetryConfig;
use aws_sdk_secretsmanager::{Client, config::Credentials};
use stytch_unit_common::{
    config::SecretsConfig,
    secrets::{SdkHttpClient, SecretsError, SecretsStore},
};

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
        // `free_port` releases the port before moto binds it, so another test process (a sandbox
        // asking the OS for any port) may take it first. Then moto exits, or the port answers as
        // something else: try another port.
        for _ in 0..5 {
            if let Some(server) = Self::start_on(crate::free_port()).await {
                return server;
            }
        }
        panic!("moto did not start on any of 5 ports");
    }

    async fn start_on(port: u16) -> Option<Self> {
        let binary = moto_binary();
        let child = Command::new(&binary)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {} ({e}); run `make venv` first", binary.display()));
        let mut server = Self { endpoint: format!("http://127.0.0.1:{port}"), child };
        let http = reqwest::Client::new();
        // Generous: on a loaded 2-core machine a cold Python start can take tens of seconds.
        let deadline = Instant::now() + Duration::from_secs(120);
        while Instant::now() < deadline {
            if server.child.try_wait().ok().flatten().is_some() {
                return None;
            }
            // moto's own API answers only on moto: a port held by another process is told apart.
            match http.get(format!("{}/moto-api/data.json", server.endpoint)).send().await {
                Ok(response) if response.status().is_success() => return Some(server),
                Ok(_) => return None,
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
        panic!("moto did not start on port {port}");
    }

    /// A Secrets Manager client aimed at this server, as `AWS_ENDPOINT_URL_SECRETS_MANAGER` would.
    pub async fn client(&self) -> Client {
        sdk_client(reqwest::Client::new(), &self.endpoint, RetryConfig::standard()).await
    }

    pub async fn create_secret(&self, name: &str, value: &str) {
        self.client().await.create_secret().name(name).secret_string(value).send().await.expect("moto creates");
    }

    pub async fn rotate_secret(&self, name: &str, value: &str) {
        self.client().await.put_secret_value().secret_id(name).secret_string(value).send().await.expect("moto updates");
    }
}

/// A Secrets Manager client aimed at `endpoint` with test credentials, sending through `http` as the
/// functions' own client does (`secrets::SdkHttpClient`).
pub async fn sdk_client(http: reqwest::Client, endpoint: &str, retry: RetryConfig) -> Client {
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(SdkHttpClient::new(http))
        .endpoint_url(endpoint)
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "moto"))
        .retry_config(retry)
        .load()
        .await;
    Client::new(&config)
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The store for `config` with every configured secret fetched: what a test of the store wants in
/// hand (a cold start fetches them concurrently, interleaved with the JWKS).
pub async fn load_secrets(client: Client, config: &SecretsConfig) -> Result<SecretsStore, SecretsError> {
    let store = SecretsStore::new(client, config);
    if let Ok(stytch) = store.stytch() {
        stytch.get().await?;
    }
    if let Ok(unit) = store.unit() {
        unit.get().await?;
    }
    Ok(store)
}
