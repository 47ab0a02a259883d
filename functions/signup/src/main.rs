//! Lambda entry point: the cold start builds everything once, then every invocation reuses it.

use stytch_unit_common::startup;

#[tokio::main]
async fn main() -> Result<(), startup::StartupError> {
    startup::run(signup::router).await
}
