//! Wall-clock time and the timestamp format the upstream APIs use.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Now, truncated to whole seconds: Stytch's JWT timestamps carry no fraction, and keeping one precision
/// everywhere makes a session's API view and its JWT claim agree exactly.
pub fn now() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    now.replace_nanosecond(0).unwrap_or(now)
}

/// RFC 3339 in UTC with a `Z` suffix, e.g. `2024-07-16T20:38:53Z`.
pub fn rfc3339(at: OffsetDateTime) -> String {
    at.to_offset(time::UtcOffset::UTC)
        .format(&Rfc3339)
        // Formatting a UTC date between years 0 and 9999 cannot fail; fall back to the epoch form anyway.
        .unwrap_or_else(|_| at.unix_timestamp().to_string())
}
