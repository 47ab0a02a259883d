//! The local stack in one call: the sandbox (Stytch + Unit) in-process and moto holding both
//! secrets pointed at it, plus the shortest honest way to a Stytch session.

use serde_json::{Value, json};

use crate::moto::MotoServer;

pub const STYTCH_SECRET_ID: &str = "local/stytch";
pub const UNIT_SECRET_ID: &str = "local/unit";

pub struct LocalStack {
    pub sandbox: sandbox::RunningSandbox,
    pub moto: MotoServer,
    pub http: reqwest::Client,
}

/// A user signed in by email magic link: one factor.
pub struct SandboxSession {
    pub user_id: String,
    pub session_jwt: String,
    pub session_token: String,
}

impl LocalStack {
    pub async fn start() -> Self {
        Self::start_with(sandbox::SandboxConfig::default()).await
    }

    /// Like [`start`](Self::start), with the sandbox configured (e.g. with credentials of its own).
    pub async fn start_with(config: sandbox::SandboxConfig) -> Self {
        let sandbox = sandbox::spawn(config).await.expect("sandbox starts");
        let moto = MotoServer::start().await;
        moto.create_secret(STYTCH_SECRET_ID, &Self::stytch_secret(&sandbox, &sandbox.secret)).await;
        moto.create_secret(UNIT_SECRET_ID, &Self::unit_secret(&sandbox, &sandbox.unit_api_token)).await;
        Self { sandbox, moto, http: reqwest::Client::new() }
    }

    pub fn stytch_secret(sandbox: &sandbox::RunningSandbox, secret: &str) -> String {
        json!({ "project_id": sandbox.project_id, "secret": secret, "base_url": sandbox.stytch_url }).to_string()
    }

    pub fn unit_secret(sandbox: &sandbox::RunningSandbox, api_token: &str) -> String {
        json!({ "api_token": api_token, "base_url": sandbox.unit_url, "webhook_secret": sandbox.unit_webhook_secret })
            .to_string()
    }

    /// Every outbox message for `to`, oldest first.
    pub async fn outbox(&self, base_url: &str, to: &str) -> Vec<Value> {
        self.http
            .get(format!("{base_url}/__sandbox/outbox"))
            .query(&[("to", to)])
            .send()
            .await
            .expect("outbox answers")
            .json()
            .await
            .expect("JSON")
    }

    /// The newest outbox message for `to`.
    pub async fn outbox_latest(&self, base_url: &str, to: &str) -> Value {
        self.outbox(base_url, to).await.pop().unwrap_or_else(|| panic!("no message for {to}"))
    }

    /// Email magic link end to end: login_or_create, the token from the outbox, authenticate.
    pub async fn sign_in(&self, email: &str) -> SandboxSession {
        self.stytch_post("/v1/magic_links/email/login_or_create", json!({ "email": email })).await;
        let message = self.outbox_latest(&self.sandbox.stytch_url, email).await;
        let token = message["token"].as_str().expect("magic link token");
        let session = self
            .stytch_post("/v1/magic_links/authenticate", json!({ "token": token, "session_duration_minutes": 60 }))
            .await;
        SandboxSession {
            user_id: session["user_id"].as_str().expect("user_id").to_owned(),
            session_jwt: session["session_jwt"].as_str().expect("session_jwt").to_owned(),
            session_token: session["session_token"].as_str().expect("session_token").to_owned(),
        }
    }
}
