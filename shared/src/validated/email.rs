//! An email address, as `POST /signup` and applications take it.

use crate::http::FieldError;

const MAX_CHARS: usize = 254;
const MAX_LOCAL_BYTES: usize = 64;

/// A plausible email address, trimmed: one `@`, a non-empty local part, a dotted domain, no
/// spaces. Deliverability is for Stytch (and the user's mailbox) to prove.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(field: &str, value: &str) -> Result<Self, FieldError> {
        Self::check(value.trim()).map(|email| Self(email.to_owned())).map_err(|reason| FieldError::new(field, reason))
    }

    fn check(email: &str) -> Result<&str, &'static str> {
        if email.is_empty() {
            return Err("must not be empty");
        }
        if email.chars().count() > MAX_CHARS {
            return Err("must be at most 254 characters");
        }
        let Some((local, domain)) = email.split_once('@') else {
            return Err("must be an email address");
        };
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '.');
        if local.is_empty()
            || local.len() > MAX_LOCAL_BYTES
            || !domain_ok
            || email.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err("must be an email address");
        }
        Ok(email)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(Email::parse("email", "  Ada@Example.com ").unwrap().as_str(), "Ada@Example.com");
        for bad in ["", "ada", "ada@", "@example.com", "ada@example", "a da@example.com", "ada@exa..mple.com"] {
            assert_eq!(Email::parse("email", bad).unwrap_err().field, "email", "{bad}");
        }
        assert_eq!(Email::parse("email", " ").unwrap_err().reason, "must not be empty");
        let long = format!("{}@example.com", "a".repeat(250));
        assert_eq!(Email::parse("email", &long).unwrap_err().reason, "must be at most 254 characters");
    }
}
