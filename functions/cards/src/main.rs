//! Lambda entry point: the cold start builds everything once, then every invocation reuses it.
//! Cards reads no secret (`UNIT_API_URL` instead of the Unit secret), so its cold start is
//! configuration, logging, the metrics sink and the HTTP client only.

use cards::CardsDependencies;
use stytch_unit_common::{config::CardsConfig, http_client, metrics, startup, telemetry};

#[tokio::main]
async fn main() -> Result<(), startup::StartupError> {
    let config = CardsConfig::from_env()?;
    telemetry::init(config.common.log_level);
    metrics::install(&config.common.metrics_namespace);
    let http = http_client::build(&config.common.upstream);
    startup::serve(cards::router(CardsDependencies::new(config, http))).await
}
