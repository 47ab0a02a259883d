//! A function's real router, in-process, wired to the local stack: the sandbox as Stytch and
//! Unit, moto as Secrets Manager. Requests go through `tower::ServiceExt::oneshot`, no socket.

use std::collections::HashMap;

use stytch_unit_common::{
    config::{Config, SecretNeeds},
    startup::Dependencies,
};

use crate::stack::{LocalStack, STYTCH_SECRET_ID, UNIT_SECRET_ID};

/// The environment a deployed function would have, aimed at the local stack.
pub fn environment(extra: &[(&str, &str)]) -> HashMap<String, String> {
    let mut env: HashMap<String, String> = [
        ("STYTCH_SECRET_ID", STYTCH_SECRET_ID),
        ("UNIT_SECRET_ID", UNIT_SECRET_ID),
        ("CORS_ALLOWED_ORIGINS", "http://localhost:3000"),
        ("MAGIC_LINK_REDIRECT_URL", "http://localhost:3000/authenticate"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    env
}

/// Runs the cold start of a function with `needs` against `stack`, as `main` would.
pub async fn cold_start(stack: &LocalStack, needs: SecretNeeds, extra_env: &[(&str, &str)]) -> Dependencies {
    let env = environment(extra_env);
    let config = Config::from_lookup(needs, |name| env.get(name).cloned()).expect("test configuration is valid");
    let dependencies = Dependencies::build(config, stack.moto.client().await).await.expect("cold start succeeds");
    if let Some(verifier) = &dependencies.verifier {
        verifier.jwks().prefetch().await;
    }
    dependencies
}
