//! One file per route.

pub mod token;
pub mod verification;
