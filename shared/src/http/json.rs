//! JSON request bodies. A body that is not JSON, or not the shape a route takes, becomes a 400
//! problem that names the offending field and the kind of problem, never the value sent (a value
//! may be an SSN).

use axum::{
    body::Bytes,
    extract::{FromRequest, Request, rejection::BytesRejection},
};
use http::header;
use serde::de::DeserializeOwned;

use super::problem::{ApiError, FieldError};

/// Like `axum::Json`, but every rejection is an [`ApiError`].
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json_content_type(&request) {
            return Err(ApiError::UnsupportedMediaType);
        }
        let bytes = Bytes::from_request(request, state).await.map_err(|rejection| match rejection {
            BytesRejection::FailedToBufferBody(ref failed)
                if failed.status() == http::StatusCode::PAYLOAD_TOO_LARGE =>
            {
                ApiError::PayloadTooLarge
            }
            _ => ApiError::InvalidBody { detail: "The request body could not be read.".into() },
        })?;
        parse_json(&bytes).map(ApiJson)
    }
}

fn is_json_content_type(request: &Request) -> bool {
    let Some(value) = request.headers().get(header::CONTENT_TYPE) else {
        return false;
    };
    let Ok(value) = value.to_str() else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Parses a body, turning serde's errors into field errors that carry no input values.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let deserializer = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => {
                let (field, reason) = describe_data_error(&path, &inner.to_string());
                ApiError::Validation(vec![FieldError::new(field, reason)])
            }
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
                ApiError::InvalidBody { detail: "The request body is not valid JSON.".into() }
            }
            serde_json::error::Category::Io => {
                ApiError::InvalidBody { detail: "The request body could not be read.".into() }
            }
        }
    })
}

/// serde messages quote the offending value ("invalid type: string \"123-45-6789\""), so only the
/// kind of error is kept, and the field name comes from the path.
fn describe_data_error(path: &str, message: &str) -> (String, String) {
    if let Some(rest) = message.strip_prefix("missing field `") {
        let name = rest.split('`').next().unwrap_or_default();
        let field = if path == "." || path.is_empty() { name.to_owned() } else { format!("{path}.{name}") };
        return (field, "is required".into());
    }
    let field = if path == "." || path.is_empty() { "(body)".to_owned() } else { path.to_owned() };
    // For an unknown field the path already ends with the field's name.
    let reason = if message.starts_with("unknown field") {
        "is not a known field".into()
    } else if message.starts_with("invalid type") {
        match message.rsplit_once(", expected ") {
            Some((_, expected)) => format!("has the wrong type: expected {}", trim_position(expected)),
            None => "has the wrong type".into(),
        }
    } else if message.starts_with("invalid value") || message.starts_with("unknown variant") {
        "has an invalid value".into()
    } else if message.starts_with("invalid length") {
        "has the wrong number of items".into()
    } else {
        "is invalid".into()
    };
    (field, reason)
}

/// serde_json appends " at line 1 column 9"; the position is of no use to a client.
fn trim_position(expected: &str) -> &str {
    expected.split(" at line ").next().unwrap_or(expected)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    #[allow(dead_code)]
    struct Body {
        email: String,
        full_name: Name,
        count: Option<u32>,
        small: Option<u8>,
        kind: Option<Kind>,
        pair: Option<[u32; 2]>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "lowercase")]
    enum Kind {
        Virtual,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Name {
        first: String,
    }

    fn field_errors(json: &str) -> Vec<FieldError> {
        match parse_json::<Body>(json.as_bytes()) {
            Err(ApiError::Validation(errors)) => errors,
            other => panic!("expected validation error, got {other:?}"),
        }
    }

    #[test]
    fn missing_nested_field_is_named_with_its_path() {
        let errors = field_errors(r#"{"email":"a@b.c","fullName":{}}"#);
        assert_eq!(errors, vec![FieldError::new("fullName.first", "is required")]);
    }

    #[test]
    fn wrong_type_never_echoes_the_value() {
        let errors = field_errors(r#"{"email":"123-45-6789-secret","fullName":{"first":"A"},"count":"123-45-6789"}"#);
        assert_eq!(errors[0].field, "count");
        assert!(errors[0].reason.starts_with("has the wrong type"));
        assert!(!format!("{errors:?}").contains("6789"));
    }

    #[test]
    fn unknown_fields_are_refused_by_name() {
        let errors = field_errors(r#"{"email":"a","fullName":{"first":"A"},"customerId":"1"}"#);
        assert_eq!(errors, vec![FieldError::new("customerId", "is not a known field")]);
    }

    /// The kind of problem is read from serde's message (serde_json gives only a category): these
    /// pin each message we classify, so a serde upgrade that rewords one fails here first.
    #[test]
    fn every_kind_of_data_error_is_classified() {
        let cases = [
            (r#"{"fullName":{"first":"A"}}"#, "email", "is required"),
            (r#"{"email":"a","fullName":{"first":"A"},"count":"9"}"#, "count", "has the wrong type: expected u32"),
            (r#"{"email":"a","fullName":{"first":"A"},"small":300}"#, "small", "has an invalid value"),
            (r#"{"email":"a","fullName":{"first":"A"},"kind":"gold"}"#, "kind", "has an invalid value"),
            (r#"{"email":"a","fullName":{"first":"A"},"pair":[1]}"#, "pair", "has the wrong number of items"),
            (r#"{"email":"a","fullName":{"first":"A"},"extra":1}"#, "extra", "is not a known field"),
            (r#""123-45-6789""#, "(body)", "has the wrong type: expected struct Body"),
        ];
        for (json, field, reason) in cases {
            assert_eq!(field_errors(json), vec![FieldError::new(field, reason)], "{json}");
        }
    }

    #[test]
    fn syntax_errors_are_invalid_body() {
        assert!(matches!(parse_json::<Body>(b"{not json"), Err(ApiError::InvalidBody { .. })));
        assert!(matches!(parse_json::<Body>(b""), Err(ApiError::InvalidBody { .. })));
    }
}
