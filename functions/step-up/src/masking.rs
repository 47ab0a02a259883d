//! What a response may show of a phone number: all but its last four digits masked, as in "we
//! texted the number ending in 0100". The full number never leaves the function.

/// `+15555550100` → `********0100`.
pub fn phone(e164: &str) -> String {
    let shown = e164.len().saturating_sub(4);
    format!("{}{}", "*".repeat(shown), &e164[shown..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masking_keeps_the_last_four_digits() {
        assert_eq!(phone("+15555550100"), "********0100");
        assert_eq!(phone("+1"), "+1");
    }
}
