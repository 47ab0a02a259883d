//! Pieces both sides of the sandbox share: the serving loop, the `/__sandbox/` controls, fault injection,
//! exchange recording, the message outbox, ids and timestamps.

pub mod clock;
pub mod controls;
pub mod faults;
pub mod ids;
pub mod outbox;
pub mod record;
pub mod request_log;
pub mod serve;

pub use faults::{DropConnection, Faults};
pub use outbox::{Channel, Message, Outbox};
pub use record::Recorder;
