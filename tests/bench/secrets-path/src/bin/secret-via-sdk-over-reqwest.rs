//! The path the functions take: `aws-config` + `aws-sdk-secretsmanager`, sending through the
//! `reqwest` client the program already has (`stytch_unit_common::secrets::client`), so the trust
//! store is read once, not once per HTTP stack.

#[tokio::main]
async fn main() {
    let http = secrets_path_bench::baseline_request().await;
    let client = stytch_unit_common::secrets::client(&http).await;
    let output =
        client.get_secret_value().secret_id(secrets_path_bench::secret_id()).send().await.expect("GetSecretValue");
    secrets_path_bench::report(output.secret_string().unwrap_or_default());
}
