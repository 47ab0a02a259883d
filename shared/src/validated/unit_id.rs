//! A Unit resource id (application, customer, account, card, document): the only thing the Unit
//! clients put in a URL path, so a path segment, a webhook or a stored link cannot steer a request
//! elsewhere (`1/../2`).

use std::fmt;

use serde::Serialize;

/// A positive integer as a string, as Unit's OpenAPI has it (`^[1-9]\d*$`), at most 20 digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct UnitId(String);

impl UnitId {
    /// `value` as an id, or `None`.
    pub fn new(value: &str) -> Option<Self> {
        let ok = !value.is_empty()
            && value.len() <= 20
            && value.bytes().all(|b| b.is_ascii_digit())
            && !value.starts_with('0');
        ok.then(|| Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UnitId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positive_integers_only() {
        assert_eq!(UnitId::new("400001").unwrap().to_string(), "400001");
        assert!(UnitId::new(&"9".repeat(20)).is_some());
        for bad in ["", "0", "01", "abc", "1/../2", "123456789012345678901", " 1", "-1", "١"] {
            assert_eq!(UnitId::new(bad), None, "{bad}");
        }
    }
}
