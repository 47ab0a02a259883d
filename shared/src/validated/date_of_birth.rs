//! An applicant's date of birth.

use std::fmt;

use time::{Date, macros::format_description};

use crate::http::FieldError;

/// Applicants must be adults.
pub const MIN_AGE_YEARS: i32 = 18;
/// Older than this is a typo.
const MAX_AGE_YEARS: i32 = 125;

/// A real date, `YYYY-MM-DD`, of someone at least 18 and at most 125 years old on the day given
/// (today: injected so that tests can pin it). `Display` writes it as `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateOfBirth(Date);

impl DateOfBirth {
    pub fn parse(field: &str, value: &str, today: Date) -> Result<Self, FieldError> {
        Self::check(value.trim(), today).map(Self).map_err(|reason| FieldError::new(field, reason))
    }

    fn check(value: &str, today: Date) -> Result<Date, &'static str> {
        let format = format_description!("[year]-[month]-[day]");
        let date = Date::parse(value, &format).map_err(|_| "must be a real date as YYYY-MM-DD")?;
        if date > today {
            return Err("must not be in the future");
        }
        if age_on(date, today) < MIN_AGE_YEARS {
            return Err("the applicant must be at least 18 years old");
        }
        if age_on(date, today) > MAX_AGE_YEARS {
            return Err("must be a plausible date of birth");
        }
        Ok(date)
    }

    pub fn date(self) -> Date {
        self.0
    }
}

impl fmt::Display for DateOfBirth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.0.year(), self.0.month() as u8, self.0.day())
    }
}

/// Completed years between `born` and `today`.
fn age_on(born: Date, today: Date) -> i32 {
    let had_birthday = (today.month() as u8, today.day()) >= (born.month() as u8, born.day());
    today.year() - born.year() - i32::from(!had_birthday)
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    const TODAY: Date = date!(2026 - 03 - 15);

    fn parse(value: &str) -> Result<DateOfBirth, FieldError> {
        DateOfBirth::parse("dateOfBirth", value, TODAY)
    }

    #[test]
    fn adults_on_real_dates() {
        assert_eq!(parse("2008-03-15").unwrap().to_string(), "2008-03-15", "18 today");
        assert_eq!(parse(" 2000-02-29 ").unwrap().to_string(), "2000-02-29");
        let reason = |value| parse(value).unwrap_err().reason;
        assert_eq!(reason("2008-03-16"), "the applicant must be at least 18 years old", "18 tomorrow");
        assert_eq!(reason("2027-01-01"), "must not be in the future");
        assert_eq!(reason("1890-01-01"), "must be a plausible date of birth");
        for bad in ["1990-1-1", "2001-02-29", "1990-02-30", "", "10/12/1990"] {
            assert_eq!(reason(bad), "must be a real date as YYYY-MM-DD", "{bad}");
        }
    }
}
