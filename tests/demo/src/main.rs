//! `demo`: the whole journey against a running local stack (`make demo` starts one), or
//! `demo fill <event.json>`: an `events/` file with fresh values for its placeholders, on stdout.
//!
//! Reads `API_URL` and `STYTCH_URL` (the sandbox) from the environment, as `make dev` prints them.

use std::process::ExitCode;

use demo::api::{HttpApi, Sandbox};

fn env(name: &str) -> Result<String, String> {
    std::env::var(name)
        .ok()
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| format!("{name} is not set; start the local stack with `make dev` and export what it prints"))
}

async fn journey() -> Result<(), String> {
    let (api_url, stytch_url) = (env("API_URL")?, env("STYTCH_URL")?);
    println!("The journey, against API_URL={api_url} (Stytch and Unit: the sandbox)\n");
    let outcome = demo::journey::run(&HttpApi::new(&api_url), &Sandbox::new(&stytch_url)).await?;
    println!(
        "\nJourney complete: user {}, Unit customer {}, a virtual card ({}) created once, frozen, unfrozen and \
         reported lost; a physical card ({}) ordered, Inactive until the cardholder activates it.",
        outcome.user_id, outcome.customer_id, outcome.card_id, outcome.physical_card_id
    );
    Ok(())
}

async fn fill(path: &str) -> Result<(), String> {
    let template = std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    let (api_url, stytch_url) = (env("API_URL")?, env("STYTCH_URL")?);
    let filled = demo::fixtures::fill(&HttpApi::new(&api_url), &Sandbox::new(&stytch_url), &template).await?;
    println!("{filled}");
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        [] => journey().await,
        ["fill", path] => fill(path).await,
        _ => Err("usage: demo            (the journey)\n       demo fill <event.json>".to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("demo: {error}");
            ExitCode::FAILURE
        }
    }
}
