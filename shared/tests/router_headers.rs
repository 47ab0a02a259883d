//! The headers every function's router adds to every answer (`http::router::finish`): no cache
//! keeps an answer about a user, and a browser on an allowed origin may use every route's method
//! and read `Retry-After`, as the deployed API Gateway's CORS configuration allows.

use std::time::Duration;
use test_support::api_config::api_config;

use axum::{Json, Router, body::Body, routing::get};
use http::{Request, StatusCode, header};
use serde_json::json;
use stytch_unit_common::http::{ApiError, router};
use tower::ServiceExt;

const ORIGIN: &str = "https://app.example.com";

fn app() -> Router {
    let api = api_config(&[ORIGIN], Duration::from_secs(25));
    let routes = Router::new()
        .route("/card", get(|| async { Json(json!({ "last4Digits": "4242" })) }))
        .route(
            "/cacheable",
            get(|| async { ([(header::CACHE_CONTROL, "max-age=60")], Json(json!({ "status": "ok" }))) }),
        )
        .route(
            "/busy",
            get(|| async {
                ApiError::RateLimited {
                    upstream: stytch_unit_common::http::Upstream::Unit,
                    retry_after: Some(Duration::from_secs(3)),
                }
            }),
        );
    router::finish(routes, &api)
}

async fn send(request: Request<Body>) -> http::Response<Body> {
    app().oneshot(request).await.expect("router answers")
}

#[tokio::test]
async fn every_answer_is_no_store_unless_the_route_says_otherwise() {
    for path in ["/card", "/busy", "/no-such-route"] {
        let response = send(Request::get(path).body(Body::empty()).unwrap()).await;
        assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store", "{path}");
    }
    let response = send(Request::get("/cacheable").body(Body::empty()).unwrap()).await;
    assert_eq!(response.headers()[header::CACHE_CONTROL], "max-age=60");
}

#[tokio::test]
async fn browsers_may_put_files_and_read_retry_after() {
    let preflight = Request::builder()
        .method("OPTIONS")
        .uri("/card")
        .header(header::ORIGIN, ORIGIN)
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "PUT")
        .body(Body::empty())
        .unwrap();
    let response = send(preflight).await;
    let methods = response.headers()[header::ACCESS_CONTROL_ALLOW_METHODS].to_str().unwrap().to_owned();
    assert!(methods.contains("PUT"), "{methods}");

    let busy = Request::get("/busy").header(header::ORIGIN, ORIGIN).body(Body::empty()).unwrap();
    let response = send(busy).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let exposed = response.headers()[header::ACCESS_CONTROL_EXPOSE_HEADERS].to_str().unwrap().to_ascii_lowercase();
    assert!(exposed.contains("retry-after"), "{exposed}");
}
