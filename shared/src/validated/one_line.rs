//! The rule every free-text field shares (a name, an address line): something, on one line, not
//! longer than the field allows. One rule, one message, whichever route takes the field.

/// `value` trimmed, when it is 1 to `max` characters with no control character (no line break).
pub(super) fn one_line(value: &str, max: usize) -> Option<&str> {
    let line = value.trim();
    ((1..=max).contains(&line.chars().count()) && !line.chars().any(char::is_control)).then_some(line)
}

/// Why [`one_line`] refused a value.
pub(super) fn rule(max: usize) -> String {
    format!("must be 1 to {max} characters on one line")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_trimmed_line_within_the_limit() {
        assert_eq!(one_line("  Ada ", 3), Some("Ada"));
        assert_eq!(one_line("ééé", 3), Some("ééé"), "characters, not bytes");
        for bad in ["", "   ", "Adam", "A\nB", "A\u{7}"] {
            assert_eq!(one_line(bad, 3), None, "{bad:?}");
        }
    }
}
