//! `POST /token`'s body, checked in full before anyone upstream is called.

use serde::Deserialize;
use stytch_unit_common::{
    ExposeSecret, SecretString,
    http::{ApiError, Code, FieldError},
    validated::{OneTimeCode, VerificationToken},
};

use crate::scopes;

/// Unit's own ceiling for a customer token's lifetime.
pub const MAX_EXPIRES_IN: u32 = 86_400;
/// What a token lives for when the caller does not say. Shorter than Unit's own default (24 h)
/// because these tokens can act on cards; a frontend asks again after step-up anyway.
pub const DEFAULT_EXPIRES_IN: u32 = 3_600;
/// More entries than there are supported scopes is a mistake, not a request.
const MAX_SCOPES: usize = 32;

/// Unknown fields (a smuggled `customerId` or `jwtSubject`) are ignored: who the caller is comes
/// only from the verified session.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenBody {
    pub scopes: Vec<String>,
    #[serde(default)]
    pub expires_in: Option<i64>,
    #[serde(default)]
    pub verification_token: Option<SecretString>,
    #[serde(default)]
    pub verification_code: Option<SecretString>,
}

/// Unit's SMS one-time code and the verification it answers.
pub struct Verification {
    pub token: SecretString,
    pub code: SecretString,
}

pub struct TokenRequest {
    /// Deduplicated, in the order asked for.
    pub scopes: Vec<String>,
    pub expires_in: u32,
    pub verification: Option<Verification>,
}

impl TokenRequest {
    pub fn needs_two_factor(&self) -> bool {
        self.scopes.iter().any(|scope| scopes::requires_two_factor(scope))
    }

    /// The lifetime granted: as asked (or the default), capped at `sensitive_max` when a scope
    /// needs a second factor, since Unit cannot revoke a token that can act on cards.
    pub fn lifetime(&self, sensitive_max: std::time::Duration) -> u32 {
        let cap = u32::try_from(sensitive_max.as_secs()).unwrap_or(MAX_EXPIRES_IN);
        if self.needs_two_factor() { self.expires_in.min(cap) } else { self.expires_in }
    }
}

pub fn validate(body: TokenBody) -> Result<TokenRequest, ApiError> {
    let mut errors = Vec::new();
    let mut unknown_scope = false;

    if body.scopes.is_empty() {
        errors.push(FieldError::new("scopes", "must name at least one scope"));
    } else if body.scopes.len() > MAX_SCOPES {
        errors.push(FieldError::new("scopes", format!("must name at most {MAX_SCOPES} scopes")));
    }
    for (index, scope) in body.scopes.iter().enumerate().take(MAX_SCOPES) {
        if !scopes::is_supported(scope) {
            unknown_scope = true;
            errors.push(FieldError::new(format!("scopes[{index}]"), "is not a scope this API issues"));
        }
    }
    let mut requested: Vec<String> = Vec::new();
    for scope in body.scopes {
        if !requested.contains(&scope) {
            requested.push(scope);
        }
    }

    let expires_in = match body.expires_in {
        None => DEFAULT_EXPIRES_IN,
        Some(seconds) => match u32::try_from(seconds) {
            Ok(seconds) if (1..=MAX_EXPIRES_IN).contains(&seconds) => seconds,
            _ => {
                errors.push(FieldError::new(
                    "expiresIn",
                    format!("must be a whole number of seconds from 1 to {MAX_EXPIRES_IN}"),
                ));
                DEFAULT_EXPIRES_IN
            }
        },
    };

    let verification = match (body.verification_token, body.verification_code) {
        (None, None) => None,
        (Some(_), None) => {
            errors.push(FieldError::new("verificationCode", "is required with verificationToken"));
            None
        }
        (None, Some(_)) => {
            errors.push(FieldError::new("verificationToken", "is required with verificationCode"));
            None
        }
        (Some(token), Some(code)) => {
            let token = VerificationToken::new(token);
            if token.is_none() {
                errors.push(FieldError::new("verificationToken", "must be the token from POST /token/verification"));
            }
            let code = OneTimeCode::parse("verificationCode", code.expose_secret()).map_err(|e| errors.push(e)).ok();
            token.zip(code).map(|(token, code)| Verification { token: token.into_secret(), code: code.into_secret() })
        }
    };

    match (errors.is_empty(), unknown_scope) {
        (true, _) => Ok(TokenRequest { scopes: requested, expires_in, verification }),
        // Its own code, so that a frontend can tell "asked for a scope we never issue" from a
        // malformed body; every bad field is listed either way.
        (false, true) => Err(ApiError::InvalidFields {
            code: Code::UnknownScope,
            detail: format!(
                "Ask only for scopes this API issues: {}. See `errors` for the ones refused.",
                scopes::SUPPORTED.join(", ")
            ),
            errors,
        }),
        (false, false) => Err(ApiError::Validation(errors)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(scopes: &[&str]) -> TokenBody {
        TokenBody {
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
            expires_in: None,
            verification_token: None,
            verification_code: None,
        }
    }

    fn field_errors(result: Result<TokenRequest, ApiError>) -> (bool, Vec<FieldError>) {
        match result {
            Err(ApiError::InvalidFields { code: Code::UnknownScope, errors, .. }) => (true, errors),
            Err(ApiError::Validation(errors)) => (false, errors),
            Err(other) => panic!("unexpected {other:?}"),
            Ok(_) => panic!("expected an error"),
        }
    }

    #[test]
    fn scopes_are_deduplicated_and_default_expiry_applies() {
        let request = validate(body(&["cards", "cards-write", "cards"])).ok().unwrap();
        assert_eq!(request.scopes, ["cards", "cards-write"]);
        assert_eq!(request.expires_in, DEFAULT_EXPIRES_IN);
        assert!(request.needs_two_factor());
        assert!(!validate(body(&["cards", "accounts"])).ok().unwrap().needs_two_factor());
    }

    #[test]
    fn sensitive_tokens_are_capped_and_others_keep_what_they_asked_for() {
        let fifteen_minutes = std::time::Duration::from_secs(900);
        let mut day = body(&["cards", "cards-sensitive"]);
        day.expires_in = Some(86_400);
        assert_eq!(validate(day).ok().unwrap().lifetime(fifteen_minutes), 900);
        assert_eq!(validate(body(&["cards-write"])).ok().unwrap().lifetime(fifteen_minutes), 900);
        let mut short = body(&["cards-write"]);
        short.expires_in = Some(120);
        assert_eq!(validate(short).ok().unwrap().lifetime(fifteen_minutes), 120);
        let mut read = body(&["cards", "accounts"]);
        read.expires_in = Some(86_400);
        assert_eq!(validate(read).ok().unwrap().lifetime(fifteen_minutes), 86_400);
    }

    #[test]
    fn every_bad_field_is_listed_without_its_value() {
        let mut bad = body(&["cards", "payments-write", "cards sensitive"]);
        bad.expires_in = Some(0);
        bad.verification_code = Some(SecretString::from("12345"));
        let (unknown, errors) = field_errors(validate(bad));
        assert!(unknown);
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["scopes[1]", "scopes[2]", "expiresIn", "verificationToken"]);
        assert!(!format!("{errors:?}").contains("payments"));
    }

    #[test]
    fn empty_scopes_and_bad_codes_are_validation_errors() {
        let (unknown, errors) = field_errors(validate(body(&[])));
        assert!(!unknown);
        assert_eq!(errors[0].field, "scopes");

        let mut bad = body(&["cards-write"]);
        bad.verification_token = Some(SecretString::from("vt"));
        bad.verification_code = Some(SecretString::from("12a456"));
        let (_, errors) = field_errors(validate(bad));
        assert_eq!(errors, vec![FieldError::new("verificationCode", "must be 6 digits")]);

        let mut long = body(&["cards"]);
        long.expires_in = Some(86_401);
        assert_eq!(field_errors(validate(long)).1[0].field, "expiresIn");
    }
}
