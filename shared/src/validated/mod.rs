//! Request values parsed once into types that cannot hold an invalid value, shared by every route
//! that takes them. Each refusal is a [`FieldError`](crate::http::FieldError) naming the field and
//! the rule, never the value. (The address rules are Unit's: `unit::us_address`; a Unit id is
//! `unit::is_unit_id`.)

mod one_time_code;

pub use one_time_code::OneTimeCode;
