//! One module per group of routes.

pub mod application_form;
pub mod applications;
pub mod documents;
pub mod link;
pub mod signup;
