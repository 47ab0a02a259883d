//! One module per group of routes.

pub mod applications;
pub mod documents;
pub mod link;
pub mod signup;
