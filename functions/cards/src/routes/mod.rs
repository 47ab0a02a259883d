//! One file per route or tight group of routes.

pub mod actions;
pub mod create;
pub mod details;
pub mod get;
pub mod list;
pub mod replace;
