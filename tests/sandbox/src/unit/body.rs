//! Reading JSON:API request bodies: `{"data": {"type": …, "attributes": {…}, "relationships": {…}}}`.
//!
//! The body is read as bytes and parsed here (not by axum's `Json`) so that every malformed body
//! is answered in Unit's error shape with a `source.pointer`, and so that a missing or different
//! `Content-Type` does not matter: the bundle always sends `application/vnd.api+json`, and being
//! lenient about it keeps curl experiments simple.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use serde_json::{Map, Value};

use super::jsonapi::{Problems, UnitError};

/// A request body that parsed as JSON.
#[derive(Debug)]
pub(crate) struct JsonBody(pub(crate) Value);

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = UnitError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let OptionalJsonBody(value) = OptionalJsonBody::from_request(req, state).await?;
        value.map(JsonBody).ok_or_else(|| UnitError::invalid("/data", "A request body with `data` is required"))
    }
}

/// A request body that may be absent (e.g. Unit's sandbox approve, whose body is optional here).
#[derive(Debug)]
pub(crate) struct OptionalJsonBody(pub(crate) Option<Value>);

impl<S: Send + Sync> FromRequest<S> for OptionalJsonBody {
    type Rejection = UnitError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|_| UnitError::invalid("", "The request body could not be read"))?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptionalJsonBody(None));
        }
        serde_json::from_slice(&bytes)
            .map(|value| OptionalJsonBody(Some(value)))
            .map_err(|error| UnitError::invalid("", format!("The request body is not valid JSON: {error}")))
    }
}

/// The parts of `data` in a JSON:API request.
#[derive(Debug)]
pub(crate) struct Data {
    pub(crate) kind: String,
    pub(crate) attributes: Map<String, Value>,
    pub(crate) relationships: Option<Map<String, Value>>,
}

/// What a resource's request schema allows at `data`.
pub(crate) struct Expect<'a> {
    /// Accepted values of `data.type`.
    pub(crate) types: &'a [&'a str],
    /// Whether `data.attributes` must be present (it always must be an object when present).
    pub(crate) attributes_required: bool,
    /// Whether `data.relationships` is part of this request's schema.
    pub(crate) relationships_allowed: bool,
}

/// Checks the envelope and returns its parts, or a 400 listing what is wrong with it.
pub(crate) fn data(body: &Value, expect: &Expect<'_>) -> Result<Data, UnitError> {
    let Some(data) = body.get("data") else {
        return Err(UnitError::invalid("/data", "`data` is required"));
    };
    let Some(data) = data.as_object() else {
        return Err(UnitError::invalid("/data", "`data` must be an object"));
    };

    let mut problems = Problems::default();
    for key in data.keys() {
        let allowed =
            matches!(key.as_str(), "type" | "attributes") || (key == "relationships" && expect.relationships_allowed);
        if !allowed {
            problems.invalid(format!("/data/{}", escape(key)), format!("`{key}` is not allowed here"));
        }
    }

    let kind = match data.get("type") {
        Some(Value::String(kind)) if expect.types.contains(&kind.as_str()) => kind.clone(),
        Some(Value::String(kind)) => {
            problems
                .invalid("/data/type", format!("`{kind}` is not supported here; expected {}", one_of(expect.types)));
            String::new()
        }
        _ => {
            problems.invalid("/data/type", format!("`type` is required and must be {}", one_of(expect.types)));
            String::new()
        }
    };

    let attributes = match data.get("attributes") {
        Some(Value::Object(attributes)) => attributes.clone(),
        None if !expect.attributes_required => Map::new(),
        None => {
            problems.invalid("/data/attributes", "`attributes` is required");
            Map::new()
        }
        Some(_) => {
            problems.invalid("/data/attributes", "`attributes` must be an object");
            Map::new()
        }
    };

    let relationships = match data.get("relationships") {
        Some(Value::Object(relationships)) => Some(relationships.clone()),
        None => None,
        Some(_) => {
            problems.invalid("/data/relationships", "`relationships` must be an object");
            None
        }
    };

    problems.finish()?;
    Ok(Data { kind, attributes, relationships })
}

/// The `id` of relationship `name`, checked against the allowed `type`s. `Ok(None)` when absent.
pub(crate) fn relationship_id(
    relationships: Option<&Map<String, Value>>,
    name: &str,
    types: &[&str],
    problems: &mut Problems,
) -> Option<String> {
    let relationship = relationships?.get(name)?;
    let pointer = format!("/data/relationships/{name}/data");
    let Some(data) = relationship.get("data").and_then(Value::as_object) else {
        problems.invalid(pointer, format!("`{name}` must be {{\"data\": {{\"type\", \"id\"}}}}"));
        return None;
    };
    match data.get("type").and_then(Value::as_str) {
        Some(kind) if types.contains(&kind) => {}
        _ => problems.invalid(format!("{pointer}/type"), format!("`type` must be {}", one_of(types))),
    }
    match data.get("id").and_then(Value::as_str) {
        Some(id) if super::ids::parse_id(id).is_some() => Some(id.to_string()),
        _ => {
            problems.invalid(format!("{pointer}/id"), "`id` must be a numeric string");
            None
        }
    }
}

/// `"a"`, or `one of "a", "b"`.
pub(crate) fn one_of(values: &[&str]) -> String {
    let quoted: Vec<String> = values.iter().map(|v| format!("\"{v}\"")).collect();
    match quoted.as_slice() {
        [single] => single.clone(),
        _ => format!("one of {}", quoted.join(", ")),
    }
}

/// Escapes a key for use in a JSON pointer (RFC 6901).
pub(crate) fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}
