//! The product's user journey over HTTP (`make demo`), and fresh values for the placeholders of the
//! `events/` files (the events test, and `demo fill <event>` for `cargo lambda invoke`), and the local stack
//! started from a test ([`local_stack::LocalStack`]).

pub mod api;
pub mod fixtures;
pub mod journey;
pub mod local_stack;
pub mod values;
