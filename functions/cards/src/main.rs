//! Lambda entry point: the cold start builds everything once, then every invocation reuses it.
//! Cards reads no secret (`UNIT_API_URL` instead of the Unit secret), so its cold start is
//! configuration, logging, the metrics sink and the HTTP client only.

use cards::CardsDependencies;
use stytch_unit_common::{cold_start::Phases, config::CardsConfig, http_client, metrics, startup, telemetry};

fn main() -> Result<(), startup::StartupError> {
    startup::block_on(run())
}

async fn run() -> Result<(), startup::StartupError> {
    let mut phases = Phases::start();
    let config = CardsConfig::from_env()?;
    phases.end("config");
    telemetry::init(config.common.log_level);
    phases.end("tracing");
    metrics::install(&config.common.metrics_namespace);
    phases.end("metrics");
    let http = http_client::build(&config.common.upstream);
    phases.end("http_client");
    let router = cards::router(CardsDependencies::new(config, http));
    phases.end("router");
    phases.log();
    startup::serve(router).await
}
