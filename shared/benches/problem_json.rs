//! problem+json mapping: `ApiError` → RFC 9457 body → bytes, the work behind every refused request.
//! With `CALLGRIND_ITERATIONS=N` it skips criterion and maps each error of [`errors`] N times, for
//! `make bench`'s instruction counts.

use std::{hint::black_box, time::Duration};

use axum::response::IntoResponse;
use criterion::{Criterion, criterion_group};
use stytch_unit_common::http::{ApiError, FieldError, RequestId, Upstream};

/// A named way to build one error, so each iteration builds it afresh.
type ErrorCase = (&'static str, fn() -> ApiError);

fn errors() -> Vec<ErrorCase> {
    vec![
        ("step_up_required", || ApiError::StepUpRequired),
        ("validation (2 fields)", || {
            ApiError::Validation(vec![
                FieldError::new("email", "must be an email address"),
                FieldError::new("ssn", "must be 9 digits"),
            ])
        }),
        ("rate_limited (retry-after)", || ApiError::RateLimited {
            upstream: Upstream::Unit,
            retry_after: Some(Duration::from_secs(7)),
        }),
    ]
}

fn problem_json(c: &mut Criterion) {
    let request_id = RequestId::from("8f14e45f-ceea-467f-a8f2-8b6d2a3c9e11");
    let mut group = c.benchmark_group("problem_json");
    for (name, make) in errors() {
        group.bench_function(format!("to_problem + serialize: {name}"), |b| {
            b.iter(|| serde_json::to_vec(&black_box(make()).to_problem(black_box(&request_id))).unwrap())
        });
    }
    // The whole `IntoResponse` path (status, headers, body), as a handler returns it.
    group.bench_function("into_response: step_up_required", |b| {
        b.iter(|| black_box(ApiError::StepUpRequired.to_problem(&request_id)).into_response())
    });
    group.finish();
}

criterion_group!(benches, problem_json);

fn main() {
    if let Some(iterations) = test_support::counted_iterations() {
        let request_id = RequestId::from("8f14e45f-ceea-467f-a8f2-8b6d2a3c9e11");
        for _ in 0..iterations {
            for (_, make) in errors() {
                black_box(serde_json::to_vec(&black_box(make()).to_problem(&request_id)).unwrap());
            }
        }
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
