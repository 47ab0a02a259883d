//! Unit's JSON:API wire shapes: successful documents and the `{"errors":[…]}` error body.
//!
//! Every error item carries `status` (the HTTP code as a string, as Unit's `UnitError` schema says),
//! `title`, `code` and `detail`; validation errors add `source.pointer` (a JSON pointer into the
//! request body) or `source.parameter` (a query parameter), as JSON:API prescribes.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

/// The content type Unit declares for every response.
pub const UNIT_CONTENT_TYPE: &str = "application/vnd.api+json; charset=utf-8";

/// A JSON:API document with Unit's content type.
pub(crate) fn document(status: StatusCode, body: Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(UNIT_CONTENT_TYPE));
    response
}

/// `{"data": resource}` with 200.
pub(crate) fn ok(resource: Value) -> Response {
    document(StatusCode::OK, json!({ "data": resource }))
}

/// `{"data": resource}` with 201, as Unit answers creates.
pub(crate) fn created(resource: Value) -> Response {
    document(StatusCode::CREATED, json!({ "data": resource }))
}

/// A relationship object: `{"data": {"type": …, "id": …}}`.
pub(crate) fn relationship(kind: &str, id: u64) -> Value {
    json!({ "data": { "type": kind, "id": id.to_string() } })
}

/// Where in the request an error points.
#[derive(Debug, Clone)]
enum Source {
    Pointer(String),
    Parameter(String),
}

#[derive(Debug, Clone)]
struct ErrorItem {
    title: &'static str,
    code: &'static str,
    detail: String,
    source: Option<Source>,
}

/// An error response in Unit's shape: one HTTP status, one or more error items.
#[derive(Debug)]
pub(crate) struct UnitError {
    status: StatusCode,
    items: Vec<ErrorItem>,
}

impl UnitError {
    /// Each error's detail, for a page a person reads (the hosted application form).
    pub(crate) fn details(&self) -> Vec<String> {
        self.items
            .iter()
            .map(|item| match &item.source {
                Some(Source::Pointer(pointer)) => format!("{pointer}: {}", item.detail),
                _ => item.detail.clone(),
            })
            .collect()
    }

    fn single(status: StatusCode, title: &'static str, code: &'static str, detail: String) -> Self {
        Self { status, items: vec![ErrorItem { title, code, detail, source: None }] }
    }

    /// 401: no token, an unknown token, an expired token, or an external JWT that does not verify.
    pub(crate) fn unauthorized(detail: impl Into<String>) -> Self {
        Self::single(StatusCode::UNAUTHORIZED, "Unauthorized", "unauthorized", detail.into())
    }

    /// 403: a valid token that may not do this (missing scope, wrong token type, failed 2FA).
    pub(crate) fn forbidden(detail: impl Into<String>) -> Self {
        Self::single(StatusCode::FORBIDDEN, "Forbidden", "forbidden", detail.into())
    }

    /// 404 for a resource named in the path that does not exist or that the caller may not see
    /// (Unit hides other customers' resources rather than admitting they exist).
    pub(crate) fn not_found(kind: Resource, id: &str) -> Self {
        Self::single(
            StatusCode::NOT_FOUND,
            kind.not_found_title(),
            kind.not_found_code(),
            format!("{} {id} not found", kind.label()),
        )
    }

    /// 400 for an action that the resource's current status does not allow.
    pub(crate) fn status_conflict(code: &'static str, detail: impl Into<String>) -> Self {
        Self::single(StatusCode::BAD_REQUEST, "Not supported for the current status", code, detail.into())
    }

    /// 400 for one bad value at a JSON pointer in the request body.
    pub(crate) fn invalid(pointer: impl Into<String>, detail: impl Into<String>) -> Self {
        let mut problems = Problems::default();
        problems.invalid(pointer, detail);
        problems.into_error()
    }

    /// 400 for a body that references a resource (by relationship) that cannot be found.
    pub(crate) fn missing_reference(kind: Resource, id: &str, pointer: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            items: vec![ErrorItem {
                title: kind.not_found_title(),
                code: kind.not_found_code(),
                detail: format!("{} {id} not found", kind.label()),
                source: Some(Source::Pointer(pointer.into())),
            }],
        }
    }

    /// 400 with a code of the caller's choosing and a pointer, for processing (not schema) errors.
    pub(crate) fn rejected(code: &'static str, pointer: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            items: vec![ErrorItem {
                title: "Bad Request",
                code,
                detail: detail.into(),
                source: Some(Source::Pointer(pointer.into())),
            }],
        }
    }

    /// 400 for a malformed query parameter.
    pub(crate) fn invalid_parameter(parameter: &str, detail: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            items: vec![ErrorItem {
                title: "Invalid query parameter",
                code: "invalid_value",
                detail: detail.into(),
                source: Some(Source::Parameter(parameter.to_string())),
            }],
        }
    }
}

impl IntoResponse for UnitError {
    fn into_response(self) -> Response {
        let status_text = self.status.as_u16().to_string();
        let errors: Vec<Value> = self
            .items
            .into_iter()
            .map(|item| {
                let mut error = Map::new();
                error.insert("status".into(), Value::String(status_text.clone()));
                error.insert("title".into(), Value::String(item.title.into()));
                error.insert("code".into(), Value::String(item.code.into()));
                error.insert("detail".into(), Value::String(item.detail));
                match item.source {
                    Some(Source::Pointer(pointer)) => {
                        error.insert("source".into(), json!({ "pointer": pointer }));
                    }
                    Some(Source::Parameter(parameter)) => {
                        error.insert("source".into(), json!({ "parameter": parameter }));
                    }
                    None => {}
                }
                Value::Object(error)
            })
            .collect();
        document(self.status, json!({ "errors": errors }))
    }
}

/// Collects every schema problem in a request body so that one 400 lists them all, as Unit does for
/// validation failures.
#[derive(Debug, Default)]
pub(crate) struct Problems {
    items: Vec<ErrorItem>,
}

impl Problems {
    pub(crate) fn invalid(&mut self, pointer: impl Into<String>, detail: impl Into<String>) {
        self.items.push(ErrorItem {
            title: "Invalid Request Body",
            code: "invalid_value",
            detail: detail.into(),
            source: Some(Source::Pointer(pointer.into())),
        });
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub(crate) fn len(&self) -> usize {
        self.items.len()
    }

    /// `Ok(())` when nothing was found, else the 400 listing every problem.
    pub(crate) fn finish(self) -> Result<(), UnitError> {
        if self.is_empty() { Ok(()) } else { Err(self.into_error()) }
    }

    fn into_error(self) -> UnitError {
        UnitError { status: StatusCode::BAD_REQUEST, items: self.items }
    }
}

/// The resource kinds this side serves, for error wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Resource {
    Application,
    ApplicationForm,
    Customer,
    Account,
    Card,
    Document,
    Event,
    Route,
}

impl Resource {
    fn label(self) -> &'static str {
        match self {
            Resource::Application => "Application",
            Resource::ApplicationForm => "Application Form",
            Resource::Customer => "Customer",
            Resource::Account => "Account",
            Resource::Card => "Card",
            Resource::Document => "Document",
            Resource::Event => "Event",
            Resource::Route => "Route",
        }
    }

    fn not_found_code(self) -> &'static str {
        match self {
            Resource::Application => "application_not_found",
            Resource::ApplicationForm => "application_form_not_found",
            Resource::Customer => "customer_not_found",
            Resource::Account => "account_not_found",
            Resource::Card => "card_not_found",
            Resource::Document => "document_not_found",
            Resource::Event => "event_not_found",
            Resource::Route => "not_found",
        }
    }

    fn not_found_title(self) -> &'static str {
        match self {
            Resource::Application => "Application Not Found",
            Resource::ApplicationForm => "Application Form Not Found",
            Resource::Customer => "Customer Not Found",
            Resource::Account => "Account Not Found",
            Resource::Card => "Card Not Found",
            Resource::Document => "Document Not Found",
            Resource::Event => "Event Not Found",
            Resource::Route => "Not Found",
        }
    }
}

/// Answers a route this side does not serve, in Unit's error shape.
pub(crate) async fn fallback(uri: axum::http::Uri) -> Response {
    UnitError::not_found(Resource::Route, uri.path()).into_response()
}

/// Answers a known route called with a method it does not serve, in Unit's error shape.
pub(crate) async fn method_not_allowed() -> Response {
    UnitError::single(
        StatusCode::METHOD_NOT_ALLOWED,
        "Method Not Allowed",
        "method_not_allowed",
        "This method is not supported on this route".to_string(),
    )
    .into_response()
}
