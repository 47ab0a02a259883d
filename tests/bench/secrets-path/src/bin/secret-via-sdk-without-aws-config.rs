//! The official SDK without `aws-config`: the client configured from the Lambda environment by
//! hand. What it gives up: the credential provider chain (profiles, SSO, IMDS, STS web identity)
//! and its refresh — in a Lambda the credentials are fixed environment variables anyway.

use aws_sdk_secretsmanager::config::{BehaviorVersion, Credentials, Region};

#[tokio::main]
async fn main() {
    secrets_path_bench::baseline_request().await;
    let env = |name: &str| std::env::var(name).unwrap_or_else(|_| panic!("{name} is set in a Lambda"));
    let credentials = Credentials::new(
        env("AWS_ACCESS_KEY_ID"),
        env("AWS_SECRET_ACCESS_KEY"),
        std::env::var("AWS_SESSION_TOKEN").ok(),
        None,
        "environment",
    );
    let config = aws_sdk_secretsmanager::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(secrets_path_bench::region()))
        .credentials_provider(credentials)
        .endpoint_url(secrets_path_bench::endpoint())
        .build();
    let client = aws_sdk_secretsmanager::Client::from_conf(config);
    let output =
        client.get_secret_value().secret_id(secrets_path_bench::secret_id()).send().await.expect("GetSecretValue");
    secrets_path_bench::report(output.secret_string().unwrap_or_default());
}
