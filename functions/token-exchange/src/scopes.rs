//! The Unit customer-token scopes this API hands out, and which of them need a second factor.

/// Scopes a caller may ask `POST /token` for. Unit knows more (payments, counterparties, …); this
/// bundle only serves cards, so it issues only what a card app needs to read and act on cards.
pub const SUPPORTED: &[&str] = &[
    "customers",
    "accounts",
    "cards",
    "cards-write",
    "cards-sensitive",
    "cards-sensitive-write",
    "transactions",
    "statements",
    "authorizations",
];

pub fn is_supported(scope: &str) -> bool {
    SUPPORTED.contains(&scope)
}

/// Whether Unit demands two-factor proof for `scope` in a customer token. Mirrors Unit's rule in
/// full (payments and counterparties too), so widening [`SUPPORTED`] cannot skip the step-up check.
pub fn requires_two_factor(scope: &str) -> bool {
    matches!(scope, "cards-write" | "cards-sensitive" | "cards-sensitive-write" | "counterparties-write")
        || scope.starts_with("payments-write")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn card_writes_and_sensitive_data_need_two_factors() {
        for scope in ["cards-write", "cards-sensitive", "cards-sensitive-write", "payments-write-ach-debit"] {
            assert!(requires_two_factor(scope), "{scope}");
        }
        for scope in ["customers", "accounts", "cards", "transactions", "statements", "authorizations"] {
            assert!(!requires_two_factor(scope), "{scope}");
        }
    }
}
