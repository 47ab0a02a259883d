//! Lambda entry point: the cold start builds everything once, then every invocation reuses it.

use stytch_unit_common::startup;

fn main() -> Result<(), startup::StartupError> {
    startup::block_on(startup::run(token_exchange::router))
}
