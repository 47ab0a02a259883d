//! A local, stateful stand-in for the parts of the Stytch and Unit APIs this bundle uses.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let sandbox = sandbox::spawn(sandbox::SandboxConfig::default()).await?;
//! println!("Stytch at {}, Unit at {}", sandbox.stytch_url, sandbox.unit_url);
//! sandbox.shutdown().await;
//! # Ok(()) }
//! ```

pub mod common;
pub mod config;
pub mod stytch;
pub mod unit;

use std::sync::Arc;

use axum::Router;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use common::controls::{self, ControlState, ResetAll};
use common::faults::{self, Faults};
use common::record::{self, RecordState, Recorder};
use common::{Outbox, request_log, serve};
pub use config::SandboxConfig;

/// A running sandbox. Dropping it stops both servers at once; `shutdown` stops them gracefully.
pub struct RunningSandbox {
    /// e.g. `http://127.0.0.1:41234`
    pub stytch_url: String,
    pub unit_url: String,
    pub project_id: String,
    pub secret: String,
    pub unit_api_token: String,
    /// The token that signs webhook deliveries (the Unit secret's `webhook_secret`).
    pub unit_webhook_secret: String,
    /// The Stytch side's JWKS, `{stytch_url}/v1/sessions/jwks/{project_id}`.
    pub stytch_jwks_url: String,
    /// Shared with both sides; lets in-process tests read messages without HTTP.
    pub outbox: Outbox,
    stop: watch::Sender<bool>,
    servers: Vec<JoinHandle<()>>,
}

impl std::fmt::Debug for RunningSandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningSandbox")
            .field("stytch_url", &self.stytch_url)
            .field("unit_url", &self.unit_url)
            .field("project_id", &self.project_id)
            .finish_non_exhaustive()
    }
}

impl RunningSandbox {
    /// Stops accepting connections, lets in-flight requests finish (up to 5 s), then returns.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        for server in std::mem::take(&mut self.servers) {
            let _ = server.await;
        }
    }
}

impl Drop for RunningSandbox {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        for server in &self.servers {
            server.abort();
        }
    }
}

/// Binds both ports on 127.0.0.1 and starts serving. Must be called inside a Tokio runtime.
pub async fn spawn(config: SandboxConfig) -> std::io::Result<RunningSandbox> {
    let stytch_listener = TcpListener::bind(("127.0.0.1", config.stytch_port)).await?;
    let unit_listener = TcpListener::bind(("127.0.0.1", config.unit_port)).await?;
    let stytch_url = format!("http://127.0.0.1:{}", stytch_listener.local_addr()?.port());
    let unit_url = format!("http://127.0.0.1:{}", unit_listener.local_addr()?.port());
    let stytch_jwks_url = format!("{stytch_url}/v1/sessions/jwks/{}", config.project_id);

    let outbox = Outbox::default();
    let stytch_state = stytch::StytchState::new(
        stytch::StytchConfig { project_id: config.project_id.clone(), secret: config.secret.clone() },
        outbox.clone(),
    )
    .map_err(std::io::Error::other)?;
    let unit_state = unit::UnitState::new(unit::UnitConfig {
        api_token: config.unit_api_token.clone(),
        jwks_url: config.unit_jwks_url.clone().unwrap_or_else(|| stytch_jwks_url.clone()),
        org_settings: unit::OrgSettings {
            prevent_duplicate_individual_applications: config.unit_prevent_duplicate_applications,
        },
    });
    let recorder = config.record_path.as_deref().map(Recorder::open).transpose()?;

    let stytch_faults = Faults::new(stytch::fault_response);
    let unit_faults = Faults::new(unit_fault_response);
    let reset: ResetAll = {
        let (stytch_state, unit_state, outbox) = (stytch_state.clone(), unit_state.clone(), outbox.clone());
        let (stytch_faults, unit_faults) = (stytch_faults.clone(), unit_faults.clone());
        Arc::new(move || {
            stytch_state.reset();
            unit_state.reset();
            outbox.clear();
            stytch_faults.clear();
            unit_faults.clear();
        })
    };

    let stytch_app =
        stytch::with_fallbacks(stytch::router(stytch_state.clone()).merge(stytch::controls::router(stytch_state)));
    let stytch_app = with_common_layers(stytch_app, &outbox, stytch_faults, &reset, recorder.clone(), "stytch");
    let unit_app = unit::with_fallbacks(
        unit::router(unit_state.clone())
            .merge(unit::controls::router(unit_state.clone()))
            .merge(unit::webhooks::controls(unit_state.clone())),
    );
    let unit_app = with_common_layers(unit_app, &outbox, unit_faults, &reset, recorder, "unit");

    let (stop, stopped) = watch::channel(false);
    let mut servers = vec![
        serve::spawn_server(stytch_listener, stytch_app, stopped.clone()),
        serve::spawn_server(unit_listener, unit_app, stopped.clone()),
    ];
    if let Some(url) = config.unit_webhook_url.clone() {
        let target = unit::webhooks::WebhookTarget { url, token: config.unit_webhook_secret.clone() };
        servers.push(unit::webhooks::spawn_delivery(unit_state, target, stopped));
    }
    tracing::info!(%stytch_url, %unit_url, "sandbox listening");
    Ok(RunningSandbox {
        stytch_url,
        unit_url,
        project_id: config.project_id,
        secret: config.secret,
        unit_api_token: config.unit_api_token,
        unit_webhook_secret: config.unit_webhook_secret,
        stytch_jwks_url,
        outbox,
        stop,
        servers,
    })
}

/// Adds the shared `/__sandbox/` controls, then (outermost last) fault injection, recording and logging.
fn with_common_layers(
    api: Router,
    outbox: &Outbox,
    faults: Faults,
    reset: &ResetAll,
    recorder: Option<Recorder>,
    service: &'static str,
) -> Router {
    let controls =
        controls::router(ControlState { outbox: outbox.clone(), faults: faults.clone(), reset: Arc::clone(reset) });
    let app = api.merge(controls).layer(from_fn_with_state(faults, faults::inject));
    let app = match recorder {
        Some(recorder) => app.layer(from_fn_with_state(RecordState { recorder, service }, record::record)),
        None => app,
    };
    app.layer(from_fn(request_log::log))
}

/// Unit's error envelope for an injected status.
fn unit_fault_response(status: axum::http::StatusCode) -> Response {
    let body = serde_json::json!({
        "errors": [{
            "status": status.as_str(),
            "title": status.canonical_reason().unwrap_or("Injected fault"),
            "detail": "This error was injected by the sandbox's fault controls.",
        }]
    });
    let mut response = (status, axum::Json(body)).into_response();
    response
        .headers_mut()
        .insert(axum::http::header::CONTENT_TYPE, axum::http::HeaderValue::from_static("application/vnd.api+json"));
    response
}
