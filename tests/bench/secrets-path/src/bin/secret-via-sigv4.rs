//! The leaner candidate: one `GetSecretValue` POST signed with `aws-sigv4`, sent with the
//! function's own `reqwest` client, credentials from the Lambda environment variables. What it
//! gives up against the SDK: the credential provider chain and refresh, retries, endpoint rules
//! (FIPS, dual-stack), typed errors.

use std::time::SystemTime;

use aws_credential_types::Credentials;
use aws_sigv4::{
    http_request::{SignableBody, SignableRequest, SigningSettings, sign},
    sign::v4,
};
use aws_smithy_runtime_api::client::identity::Identity;

#[tokio::main]
async fn main() {
    let client = secrets_path_bench::baseline_request().await;
    let env = |name: &str| std::env::var(name).unwrap_or_else(|_| panic!("{name} is set in a Lambda"));
    let identity: Identity = Credentials::new(
        env("AWS_ACCESS_KEY_ID"),
        env("AWS_SECRET_ACCESS_KEY"),
        std::env::var("AWS_SESSION_TOKEN").ok(),
        None,
        "environment",
    )
    .into();
    let region = secrets_path_bench::region();
    let body = serde_json::json!({ "SecretId": secrets_path_bench::secret_id() }).to_string();
    let mut request = http::Request::post(secrets_path_bench::endpoint())
        .header("content-type", "application/x-amz-json-1.1")
        .header("x-amz-target", "secretsmanager.GetSecretValue")
        .body(body.clone())
        .expect("a valid request");
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(&region)
        .name("secretsmanager")
        .time(SystemTime::now())
        .settings(SigningSettings::default())
        .build()
        .expect("signing parameters")
        .into();
    let headers = request.headers().iter().map(|(k, v)| (k.as_str(), v.to_str().expect("ASCII header")));
    let signable =
        SignableRequest::new("POST", request.uri().to_string(), headers, SignableBody::Bytes(body.as_bytes()))
            .expect("signable request");
    let (instructions, _signature) = sign(signable, &params).expect("signed").into_parts();
    instructions.apply_to_request_http1x(&mut request);

    let request = reqwest::Request::try_from(request).expect("reqwest accepts an http request");
    let response = client.execute(request).await.expect("GetSecretValue");
    assert!(response.status().is_success(), "GetSecretValue: {}", response.status());
    let output: serde_json::Value = response.json().await.expect("a JSON answer");
    secrets_path_bench::report(output["SecretString"].as_str().unwrap_or_default());
}
