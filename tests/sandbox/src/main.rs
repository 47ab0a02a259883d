//! `sandbox`: runs the Stytch + Unit sandbox in the foreground until SIGINT or SIGTERM.

use std::io::Write;
use std::process::ExitCode;

use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")))
        .init();

    let config = match sandbox::SandboxConfig::from_env() {
        Ok(config) => config,
        Err(message) => {
            eprintln!("sandbox: {message}");
            return ExitCode::from(2);
        }
    };
    let running = match sandbox::spawn(config).await {
        Ok(running) => running,
        Err(error) => {
            eprintln!("sandbox: could not start: {error}");
            return ExitCode::FAILURE;
        }
    };

    // The one place credentials are written out: stdout, for the caller that started us.
    let mut stdout = std::io::stdout().lock();
    let announced = writeln!(
        stdout,
        "STYTCH_URL={}\nUNIT_URL={}\nSTYTCH_PROJECT_ID={}\nSTYTCH_SECRET={}\nUNIT_API_TOKEN={}\nUNIT_WEBHOOK_SECRET={}",
        running.stytch_url,
        running.unit_url,
        running.project_id,
        running.secret,
        running.unit_api_token,
        running.unit_webhook_secret
    )
    .and_then(|()| stdout.flush());
    drop(stdout);
    if let Err(error) = announced {
        eprintln!("sandbox: could not write to stdout: {error}");
        return ExitCode::FAILURE;
    }

    wait_for_stop_signal().await;
    tracing::info!("stopping");
    running.shutdown().await;
    ExitCode::SUCCESS
}

async fn wait_for_stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = terminate.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
