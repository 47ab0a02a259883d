//! Top-level merge of `trusted_metadata`/`untrusted_metadata` with Stytch's limits.

use serde_json::{Map, Value};

use super::errors::{StytchError, StytchResult};

const MAX_KEYS: usize = 20;
const MAX_BYTES: usize = 4096;

/// `current` with `update` merged at the top level (a `null` deletes its key), or the limit it breaks.
/// The merge is all-or-nothing: on error `current` is untouched.
pub fn merged(
    current: &Map<String, Value>,
    update: &Map<String, Value>,
    field: &str,
) -> StytchResult<Map<String, Value>> {
    let mut merged = current.clone();
    for (key, value) in update {
        if value.is_null() {
            merged.remove(key);
        } else {
            merged.insert(key.clone(), value.clone());
        }
    }
    if merged.len() > MAX_KEYS {
        return Err(StytchError::bad_request(
            "metadata_too_many_keys",
            format!("{field} may have at most {MAX_KEYS} top-level keys."),
        ));
    }
    if serde_json::to_vec(&merged).map_or(0, |bytes| bytes.len()) > MAX_BYTES {
        return Err(StytchError::bad_request("metadata_too_large", format!("{field} may be at most 4 KB.")));
    }
    Ok(merged)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn map(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn merges_at_top_level_and_null_deletes() {
        let current = map(json!({ "a": { "x": 1 }, "b": 2 }));
        let merged = merged(&current, &map(json!({ "a": { "y": 2 }, "b": null, "c": 3 })), "m").unwrap();
        assert_eq!(Value::Object(merged), json!({ "a": { "y": 2 }, "c": 3 }));
    }

    #[test]
    fn limits() {
        let many: Map<String, Value> = (0..21).map(|i| (format!("k{i}"), json!(i))).collect();
        assert_eq!(merged(&Map::new(), &many, "m").unwrap_err().error_type, "metadata_too_many_keys");
        let big = map(json!({ "blob": "x".repeat(4100) }));
        assert_eq!(merged(&Map::new(), &big, "m").unwrap_err().error_type, "metadata_too_large");
    }
}
