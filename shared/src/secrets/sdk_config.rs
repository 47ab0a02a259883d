//! Where the Secrets Manager client's region and credentials come from.
//!
//! A Lambda's are in its environment: `AWS_REGION`, and the execution role's `AWS_ACCESS_KEY_ID`,
//! `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`, set by the runtime. The SDK's default chains
//! read the environment first too, but building them also builds what they would fall back to: an
//! STS client for web identity (its endpoint rules parsed) and an IMDS client, 0.7 M instructions
//! of every cold start (BENCHMARKS.md) for providers a Lambda never reaches. So what the
//! environment holds is read from it alone, and only what it lacks (on a developer's machine with
//! a profile, say) goes through the default chain as before. Credentials named in the environment
//! but incomplete fail the call instead of falling through to another source.

use aws_config::{
    BehaviorVersion, ConfigLoader, Region, SdkConfig, environment::EnvironmentVariableCredentialsProvider,
};

use super::SdkHttpClient;

/// The SDK configuration of a cold start, sending through `http`. `variable` reads the process
/// environment (a map in tests).
pub(super) async fn load(http: SdkHttpClient, variable: impl Fn(&str) -> Option<String>) -> SdkConfig {
    from_environment(aws_config::defaults(BehaviorVersion::latest()).http_client(http), variable).load().await
}

fn from_environment(mut loader: ConfigLoader, variable: impl Fn(&str) -> Option<String>) -> ConfigLoader {
    if let Some(region) = variable("AWS_REGION").filter(|region| !region.is_empty()) {
        loader = loader.region(Region::new(region));
    }
    if variable("AWS_ACCESS_KEY_ID").is_some() {
        loader = loader.credentials_provider(EnvironmentVariableCredentialsProvider::new());
    }
    loader
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    async fn loaded(environment: &[(&str, &str)]) -> SdkConfig {
        let environment: HashMap<String, String> =
            environment.iter().map(|(name, value)| (name.to_string(), value.to_string())).collect();
        let http = SdkHttpClient::new(reqwest::Client::new());
        load(http, |name| environment.get(name).cloned()).await
    }

    fn credentials_provider(config: &SdkConfig) -> String {
        format!("{:?}", config.credentials_provider().expect("a credentials provider"))
    }

    #[tokio::test]
    async fn a_lambda_environment_is_read_alone() {
        let config = loaded(&[("AWS_REGION", "eu-west-2"), ("AWS_ACCESS_KEY_ID", "ASIA0000")]).await;
        assert_eq!(config.region().map(Region::as_ref), Some("eu-west-2"));
        let provider = credentials_provider(&config);
        assert!(provider.contains("EnvironmentVariableCredentialsProvider"), "{provider}");
        assert!(!provider.contains("DefaultCredentialsChain"), "{provider}");
    }

    #[tokio::test]
    async fn without_credentials_in_the_environment_the_default_chain_is_built() {
        let provider = credentials_provider(&loaded(&[("AWS_REGION", "eu-west-2")]).await);
        assert!(provider.contains("DefaultCredentialsChain"), "{provider}");
    }
}
