//! The `signup` function's routes.

use axum::Router;
use stytch_unit_common::{http::router, startup::Dependencies};

pub fn router(dependencies: Dependencies) -> Router {
    let api = dependencies.config.api.clone();
    router::finish(router::health_route("signup").with_state(dependencies), &api)
}
