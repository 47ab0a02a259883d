//! What the four programs share: the baseline every function carries anyway (a rustls `reqwest`
//! client used once) and how they report. Not used by the functions.

use std::time::Duration;

/// The HTTP client every function builds at cold start, used once so that the TLS stack is linked
/// in every program alike.
pub async fn baseline_request() -> reqwest::Client {
    let client = reqwest::Client::builder().timeout(Duration::from_secs(5)).build().expect("the rustls client builds");
    let url = std::env::var("BASELINE_URL").unwrap_or_else(|_| endpoint());
    let status = client.get(url).send().await.map(|r| r.status().as_u16()).unwrap_or(0);
    eprintln!("baseline GET: {status}");
    client
}

/// The Secrets Manager endpoint as the SDK would choose it from the standard variables.
pub fn endpoint() -> String {
    std::env::var("AWS_ENDPOINT_URL_SECRETS_MANAGER")
        .or_else(|_| std::env::var("AWS_ENDPOINT_URL"))
        .unwrap_or_else(|_| format!("https://secretsmanager.{}.amazonaws.com", region()))
}

pub fn region() -> String {
    std::env::var("AWS_REGION").unwrap_or_else(|_| "us-east-1".into())
}

pub fn secret_id() -> String {
    std::env::var("SECRET_ID").expect("SECRET_ID names the secret to read")
}

/// One line on stdout that the bench reads: the length of the value read, never the value.
pub fn report(value: &str) {
    println!("value read: {} bytes", value.len());
}
