//! The accept loop. It serves an axum `Router` over HTTP/1.1 by hand rather than with `axum::serve`
//! because a `drop` fault must close the connection without any response, which hyper does when the
//! service returns an error.

use std::convert::Infallible;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};
use tower::ServiceExt;

use super::faults::DropConnection;

/// How long in-flight requests may run once shutdown starts.
const GRACE: Duration = Duration::from_secs(5);

/// The error a connection's service returns to make hyper drop it.
#[derive(Debug)]
struct ConnectionDropped;

impl std::fmt::Display for ConnectionDropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by an injected fault")
    }
}

impl std::error::Error for ConnectionDropped {}

/// Serves `app` on `listener` until `shutdown` changes (or its sender goes away), then lets in-flight
/// requests finish for a few seconds. Aborting the returned task closes every connection at once.
pub fn spawn_server(listener: TcpListener, app: Router, mut shutdown: watch::Receiver<bool>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let graceful = GracefulShutdown::new();
        // Owning the connection tasks here means aborting this task also ends them.
        let mut connections = JoinSet::new();
        loop {
            tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok((stream, _peer)) => {
                        let service = hyper::service::service_fn({
                            let app = app.clone();
                            move |request: Request<Incoming>| serve_one(app.clone(), request)
                        });
                        let connection = hyper::server::conn::http1::Builder::new()
                            .serve_connection(TokioIo::new(stream), service);
                        let connection = graceful.watch(connection);
                        connections.spawn(async move {
                            // Errors here are clients going away or injected drops; nothing to report.
                            let _ = connection.await;
                        });
                    }
                    Err(error) => {
                        // Usually out of file descriptors; back off instead of spinning.
                        tracing::warn!(%error, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                },
                _ = shutdown.changed() => break,
                Some(_) = connections.join_next(), if !connections.is_empty() => {}
            }
        }
        drop(listener);
        let _ = tokio::time::timeout(GRACE, graceful.shutdown()).await;
        connections.shutdown().await;
    })
}

async fn serve_one(app: Router, request: Request<Incoming>) -> Result<Response<Body>, ConnectionDropped> {
    let response = app.oneshot(request).await.unwrap_or_else(|never: Infallible| match never {});
    if response.extensions().get::<DropConnection>().is_some() {
        return Err(ConnectionDropped);
    }
    Ok(response)
}
