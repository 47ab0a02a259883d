//! The official SDK out of the box: `aws-config` + `aws-sdk-secretsmanager` with the SDK's own HTTP
//! client (hyper + rustls), which reads the system trust store a second time.

#[tokio::main]
async fn main() {
    secrets_path_bench::baseline_request().await;
    let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let client = aws_sdk_secretsmanager::Client::new(&config);
    let output =
        client.get_secret_value().secret_id(secrets_path_bench::secret_id()).send().await.expect("GetSecretValue");
    secrets_path_bench::report(output.secret_string().unwrap_or_default());
}
