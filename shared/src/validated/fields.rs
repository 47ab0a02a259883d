//! Reads a JSON object field by field and collects every problem, so that one answer lists all
//! of a body's mistakes (a form shows them at once). Presence and JSON type are checked here; what
//! a value means is the job of the type it is parsed into.
//!
//! Why not serde alone: a derived `Deserialize` stops at the first error, and a field's rule (a
//! state code, an adult's date of birth) would still need a second pass over plain strings.

use serde_json::{Map, Value};

use crate::http::{ApiError, FieldError};

/// The problems found so far.
#[derive(Debug, Default)]
pub struct Fields {
    errors: Vec<FieldError>,
}

/// An object of the body and its path (`address`, `fullName`, or `""` for the body itself).
/// `map` is `None` when the object was missing or refused: its fields are then not reported again.
pub struct Object<'a> {
    map: Option<&'a Map<String, Value>>,
    path: String,
}

impl Object<'_> {
    /// The path of the field `name` of this object, as problems name it.
    pub fn field(&self, name: &str) -> String {
        if self.path.is_empty() { name.to_owned() } else { format!("{}.{name}", self.path) }
    }
}

impl Fields {
    /// `body` as the root object, or the one problem that says it is not an object.
    pub fn body(body: &Value) -> Result<Object<'_>, ApiError> {
        match body {
            Value::Object(map) => Ok(Object { map: Some(map), path: String::new() }),
            _ => Err(ApiError::Validation(vec![FieldError::new("(body)", "must be a JSON object")])),
        }
    }

    pub fn push(&mut self, error: FieldError) {
        self.errors.push(error);
    }

    /// The required object `name` of `parent`.
    pub fn object<'a>(&mut self, parent: &Object<'a>, name: &str) -> Object<'a> {
        let value = parent.map.and_then(|map| map.get(name));
        let path = parent.field(name);
        match value {
            Some(value) if !value.is_null() => self.object_at(value, path),
            _ => {
                if parent.map.is_some() {
                    self.push(FieldError::new(&path, "is required"));
                }
                Object { map: None, path }
            }
        }
    }

    /// `value` as the object at `path` (a body field that serde kept as JSON); null is missing.
    pub fn object_at<'a>(&mut self, value: &'a Value, path: impl Into<String>) -> Object<'a> {
        let path = path.into();
        match value {
            Value::Object(map) => Object { map: Some(map), path },
            Value::Null => Object { map: None, path },
            _ => {
                self.push(FieldError::new(&path, "has the wrong type: expected an object"));
                Object { map: None, path }
            }
        }
    }

    /// The required string `name` of `parent`, parsed by `parse(field, value)`.
    pub fn required<T>(
        &mut self,
        parent: &Object,
        name: &str,
        parse: impl FnOnce(&str, &str) -> Result<T, FieldError>,
    ) -> Option<T> {
        match self.optional(parent, name, parse) {
            Some(None) => {
                self.push(FieldError::new(parent.field(name), "is required"));
                None
            }
            parsed => parsed.flatten(),
        }
    }

    /// The optional string `name` of `parent`: `Some(None)` when absent or null, `None` when refused.
    pub fn optional<T>(
        &mut self,
        parent: &Object,
        name: &str,
        parse: impl FnOnce(&str, &str) -> Result<T, FieldError>,
    ) -> Option<Option<T>> {
        let field = parent.field(name);
        let result = match parent.map?.get(name) {
            None | Some(Value::Null) => return Some(None),
            Some(Value::String(text)) => parse(&field, text),
            Some(_) => Err(FieldError::new(field, "has the wrong type: expected a string")),
        };
        result.map(Some).map_err(|error| self.push(error)).ok()
    }

    pub fn into_errors(self) -> Vec<FieldError> {
        self.errors
    }

    /// `value` when no problem was found, else every problem.
    pub fn finish<T>(self, value: Option<T>) -> Result<T, ApiError> {
        match value {
            Some(value) if self.errors.is_empty() => Ok(value),
            _ => Err(ApiError::Validation(self.errors)),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn text(field: &str, value: &str) -> Result<String, FieldError> {
        if value.is_empty() { Err(FieldError::new(field, "must not be empty")) } else { Ok(value.to_owned()) }
    }

    #[test]
    fn every_problem_is_named_by_its_path_in_body_order() {
        let body = json!({"a": {"b": 1, "c": ""}, "d": "x", "e": [], "f": null});
        let mut fields = Fields::default();
        let root = Fields::body(&body).unwrap();
        let a = fields.object(&root, "a");
        assert_eq!(fields.required(&a, "b", text), None);
        assert_eq!(fields.required(&a, "c", text), None);
        assert_eq!(fields.optional(&a, "z", text), Some(None));
        assert_eq!(fields.required(&root, "d", text).as_deref(), Some("x"));
        let e = fields.object(&root, "e");
        assert_eq!(fields.required(&e, "inner", text), None, "a refused object's fields are not reported again");
        fields.object(&root, "f");
        assert_eq!(
            fields.into_errors(),
            [
                FieldError::new("a.b", "has the wrong type: expected a string"),
                FieldError::new("a.c", "must not be empty"),
                FieldError::new("e", "has the wrong type: expected an object"),
                FieldError::new("f", "is required"),
            ]
        );
    }

    #[test]
    fn only_an_object_is_a_body() {
        let Err(ApiError::Validation(errors)) = Fields::body(&json!([1])) else { panic!("accepted") };
        assert_eq!(errors, [FieldError::new("(body)", "must be a JSON object")]);
        assert!(Fields::default().finish(Some(1)).is_ok());
        assert!(Fields::default().finish::<i32>(None).is_err());
    }
}
