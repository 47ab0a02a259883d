//! Success bodies: every Stytch response carries `status_code` and `request_id`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use crate::common::ids;

/// 200 with `body` plus `request_id` and `status_code`.
pub fn ok(body: Map<String, Value>) -> Response {
    with_status(StatusCode::OK, body)
}

pub fn with_status(status: StatusCode, mut body: Map<String, Value>) -> Response {
    body.insert("request_id".into(), Value::String(ids::request_id()));
    body.insert("status_code".into(), Value::from(status.as_u16()));
    (status, Json(Value::Object(body))).into_response()
}

/// Turns a `json!({...})` object literal into a map; anything else becomes an empty map.
pub fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}
