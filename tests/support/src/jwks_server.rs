//! A JWKS endpoint on loopback that counts how often it is fetched and can be told to fail, and a
//! session verifier that takes its keys from it.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
    time::Duration,
};

use axum::{Json, Router, http::StatusCode, response::IntoResponse, routing::get};
use serde_json::Value;
use stytch_unit_common::session::{JwksCache, JwksSettings, SessionVerifier, VerifierSettings};

use crate::jwt::PROJECT_ID;

#[derive(Clone)]
pub struct JwksServer {
    pub url: String,
    hits: Arc<AtomicUsize>,
    failing: Arc<AtomicBool>,
}

impl JwksServer {
    /// Serves `document` at `/v1/sessions/jwks/{project_id}`; `url` is the base URL.
    pub async fn start(document: Value) -> Self {
        let hits = Arc::new(AtomicUsize::new(0));
        let failing = Arc::new(AtomicBool::new(false));
        let (h, f) = (hits.clone(), failing.clone());
        let app = Router::new().route(
            "/v1/sessions/jwks/{project_id}",
            get(move || {
                let (h, f, document) = (h.clone(), f.clone(), document.clone());
                async move {
                    h.fetch_add(1, Ordering::SeqCst);
                    if f.load(Ordering::SeqCst) {
                        StatusCode::SERVICE_UNAVAILABLE.into_response()
                    } else {
                        Json(document).into_response()
                    }
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("binds");
        let url = format!("http://{}", listener.local_addr().expect("has an address"));
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { url, hits, failing }
    }

    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }

    pub fn set_failing(&self, failing: bool) {
        self.failing.store(failing, Ordering::SeqCst);
    }

    /// A verifier of the test project's session JWTs ([`PROJECT_ID`]) with its keys from this
    /// server, set as a function sets it (5 s leeway, no maximum token age). The keys stay cached
    /// for an hour: longer than a bench runs, so a figure never holds a refetch.
    pub fn verifier(&self) -> SessionVerifier {
        let base = reqwest::Url::parse(&self.url).expect("the server's URL parses");
        SessionVerifier::new(
            JwksCache::new(
                reqwest::Client::new(),
                JwksCache::jwks_url(&base, PROJECT_ID),
                JwksSettings {
                    ttl: Duration::from_secs(3_600),
                    refresh_cooldown: Duration::from_secs(30),
                    fetch_timeout: Duration::from_secs(8),
                },
            ),
            VerifierSettings {
                project_id: PROJECT_ID.into(),
                extra_issuers: vec![],
                leeway: Duration::from_secs(5),
                max_token_age: None,
            },
        )
    }
}
