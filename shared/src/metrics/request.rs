//! Axum middleware: one `Requests` count and `RequestLatency` per request, by route template and
//! problem `code` (`ok` for an answer that is no problem), then the flush of everything the
//! request recorded.

use std::time::Instant;

use axum::{
    extract::{MatchedPath, Request},
    middleware::Next,
    response::Response,
};

use super::{catalogue, sink};
use crate::http::problem::ProblemCode;

pub async fn request_metrics_layer(request: Request, next: Next) -> Response {
    // The template (`/cards/{cardId}`), never the path: a path carries ids.
    let route = request.extensions().get::<MatchedPath>().map(|path| path.as_str().to_owned());
    let started = Instant::now();
    let response = next.run(request).await;
    let code = match response.extensions().get::<ProblemCode>() {
        Some(ProblemCode(code)) => code,
        None if response.status().is_client_error() || response.status().is_server_error() => "unclassified",
        None => "ok",
    };
    catalogue::request(route.as_deref().unwrap_or(catalogue::UNMATCHED_ROUTE), code, started.elapsed());
    sink::flush();
    response
}
