//! Request values parsed once into types that cannot hold an invalid value, shared by every route
//! that takes them. Each refusal is a [`FieldError`](crate::http::FieldError) naming the field and
//! the rule, never the value. [`Fields`] reads a JSON body field by field so that all of a body's
//! problems are answered together. Why by hand and not `garde` or `validator`: README, "Validation".

mod date_of_birth;
mod email;
mod fields;
mod one_line;
mod one_time_code;
mod person_name;
mod phone_number;
mod ssn;
mod unit_id;
mod us_address;
mod verification_token;

pub use date_of_birth::{DateOfBirth, MIN_AGE_YEARS};
pub use email::Email;
pub use fields::{Fields, Object};
pub use one_time_code::OneTimeCode;
pub use person_name::PersonName;
pub use phone_number::PhoneNumber;
pub use ssn::Ssn;
pub use unit_id::UnitId;
pub use us_address::UsAddress;
pub use verification_token::VerificationToken;
