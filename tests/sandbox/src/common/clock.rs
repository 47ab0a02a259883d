//! Wall-clock time and the timestamp formats the upstream APIs use.
//!
//! Stytch writes two precisions: JSON bodies carry microseconds (the sandbox session's documented
//! `started_at` is `2021-08-28T00:41:58.935673Z`, stytch.com/docs sandbox values), while JWT claims carry
//! whole seconds (the same session in a Stytch-issued JWT says `2021-08-28T00:41:58Z`, stytch-python
//! `test/constants.py` `TEST_EXPIRED_JWT`). Times are kept to the microsecond and written either way.

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, UtcOffset};

/// Now, to the microsecond, the precision of Stytch's JSON timestamps.
pub fn now() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    now.replace_microsecond(now.microsecond()).unwrap_or(now)
}

/// RFC 3339 in UTC with six fractional digits, as Stytch's JSON bodies write times, e.g.
/// `2021-08-28T00:41:58.935673Z`.
pub fn rfc3339(at: OffsetDateTime) -> String {
    let format = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");
    at.to_offset(UtcOffset::UTC).format(&format).unwrap_or_else(|_| at.unix_timestamp().to_string())
}

/// RFC 3339 in UTC to the whole second, as Stytch's JWT claims write times, e.g. `2024-07-16T20:38:53Z`.
pub fn rfc3339_seconds(at: OffsetDateTime) -> String {
    let whole = at.replace_nanosecond(0).unwrap_or(at);
    whole
        .to_offset(UtcOffset::UTC)
        .format(&Rfc3339)
        // Formatting a UTC date between years 0 and 9999 cannot fail; fall back to the epoch form anyway.
        .unwrap_or_else(|_| at.unix_timestamp().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_carries_microseconds_and_jwt_claims_whole_seconds() {
        let at = OffsetDateTime::from_unix_timestamp_nanos(1_630_111_318_935_673_000).unwrap();
        assert_eq!(rfc3339(at), "2021-08-28T00:41:58.935673Z");
        assert_eq!(rfc3339_seconds(at), "2021-08-28T00:41:58Z");
        let whole = OffsetDateTime::from_unix_timestamp(1_630_111_318).unwrap();
        assert_eq!(rfc3339(whole), "2021-08-28T00:41:58.000000Z");
        assert_eq!(now().nanosecond() % 1_000, 0, "kept to the microsecond");
    }
}
