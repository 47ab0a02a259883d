//! The HTTP edge every function shares: one error model, request ids, JSON bodies, one deadline
//! per request.

pub mod auth;
pub mod code;
pub mod deadline;
pub mod json;
mod optional_json;
pub mod problem;
pub mod request_id;

pub use auth::{StytchSession, UnitCustomerToken};
pub use code::Code;
pub use deadline::Deadline;
pub use json::ApiJson;
pub use problem::{ApiError, FieldError, Problem, Upstream};
pub use request_id::{RequestId, request_id_layer};
pub mod router;
