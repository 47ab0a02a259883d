//! One deadline per request, shared by every upstream call made while serving it.
//!
//! API Gateway gives up on a request at 30 s and Lambda at the function's timeout; either way the
//! client gets the platform's bare error instead of our problem+json. A per-call timeout alone does
//! not prevent that: a route that calls Stytch, then Unit twice, adds its calls up. So the request
//! gets one end as it enters the router, the earlier of the invocation's own deadline less
//! [`LAMBDA_MARGIN`] and `REQUEST_DEADLINE_MS` from now. Upstream calls read it (a task-local) to
//! shorten their timeouts and to skip retries that would cross it; the handler is cut at it and
//! answered `504 request_timeout`.

use std::{
    future::Future,
    time::{Duration, SystemTime},
};

use axum::{
    extract::{Request, State},
    middleware::Next,
    response::{IntoResponse, Response},
};
use tokio::time::{Instant, error::Elapsed};

use super::ApiError;

/// Room left before Lambda's own deadline: to send the answer, and for the gap between the wall
/// clock that deadline is given in and the monotonic clock ours runs on.
pub const LAMBDA_MARGIN: Duration = Duration::from_secs(1);

/// Upstream calls stop this long before the request's end, so that a call cut short is answered as
/// what it is (`upstream_timeout`, naming the upstream) before the handler itself is cut.
pub const ANSWER_RESERVE: Duration = Duration::from_millis(200);

tokio::task_local! {
    static CURRENT: Deadline;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline {
    end: Instant,
}

impl Deadline {
    /// A request entering now, allowed `budget`, in an invocation with `lambda_left` to go (none
    /// outside Lambda).
    pub fn starting_now(budget: Duration, lambda_left: Option<Duration>) -> Self {
        Self::starting_at(Instant::now(), budget, lambda_left)
    }

    fn starting_at(now: Instant, budget: Duration, lambda_left: Option<Duration>) -> Self {
        let allowed = match lambda_left {
            Some(left) => budget.min(left.saturating_sub(LAMBDA_MARGIN)),
            None => budget,
        };
        Self { end: now + allowed }
    }

    fn for_request(request: &Request, budget: Duration) -> Self {
        let lambda_left = request
            .extensions()
            .get::<lambda_http::Context>()
            .and_then(|context| lambda_time_left(context.deadline(), SystemTime::now()));
        let own = Self::starting_now(budget, lambda_left);
        // A router served by another (the recovering stand-in's) keeps the outer, earlier end.
        Self::current().map_or(own, |outer| outer.min(own))
    }

    /// The deadline of the request being served; `None` outside one (the cold start).
    pub fn current() -> Option<Self> {
        CURRENT.try_with(|deadline| *deadline).ok()
    }

    /// What upstream calls have left: until [`ANSWER_RESERVE`] before the end, zero after.
    pub fn upstream_time_left(&self) -> Duration {
        self.end.saturating_duration_since(Instant::now()).saturating_sub(ANSWER_RESERVE)
    }

    fn min(self, other: Self) -> Self {
        Self { end: self.end.min(other.end) }
    }

    /// Runs `future` with this deadline current, cut at its end.
    pub async fn run<F: Future>(self, future: F) -> Result<F::Output, Elapsed> {
        CURRENT.scope(self, tokio::time::timeout_at(self.end, future)).await
    }
}

/// What an invocation due at `deadline` has left at `now`. A deadline already passed is not one
/// Lambda would give a running invocation: `Context::default()` has 0, and `cargo lambda watch`
/// (1.9.2) sends 600 000 ms after the epoch. Then only the configured budget applies.
fn lambda_time_left(deadline: SystemTime, now: SystemTime) -> Option<Duration> {
    deadline.duration_since(now).ok().filter(|left| !left.is_zero())
}

/// Axum middleware: the request's deadline, current for the handler, which is answered
/// `504 request_timeout` if it has not finished by then (logged once, by [`ApiError`]).
pub async fn deadline_layer(State(budget): State<Duration>, request: Request, next: Next) -> Response {
    let deadline = Deadline::for_request(&request, budget);
    deadline.run(next.run(request)).await.unwrap_or_else(|_| ApiError::RequestTimeout.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: Duration = Duration::from_secs(1);

    #[test]
    fn outside_lambda_the_budget_alone_applies() {
        let now = Instant::now();
        assert_eq!(Deadline::starting_at(now, 25 * SECOND, None).end, now + 25 * SECOND);
    }

    #[test]
    fn lambda_ends_it_sooner_less_the_margin() {
        let now = Instant::now();
        // FunctionTimeout 20 s: 19 s, not the 25 s budget.
        assert_eq!(Deadline::starting_at(now, 25 * SECOND, Some(20 * SECOND)).end, now + 19 * SECOND);
        // A budget shorter than what Lambda leaves wins.
        assert_eq!(Deadline::starting_at(now, 2 * SECOND, Some(20 * SECOND)).end, now + 2 * SECOND);
        // Less left than the margin: already over, never later than now.
        assert_eq!(Deadline::starting_at(now, 25 * SECOND, Some(SECOND / 2)).end, now);
    }

    #[test]
    fn a_past_or_missing_lambda_deadline_is_ignored() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let at = |ms: u64| SystemTime::UNIX_EPOCH + Duration::from_millis(ms);
        assert_eq!(lambda_time_left(at(0), now), None, "Context::default()");
        assert_eq!(lambda_time_left(at(600_000), now), None, "cargo lambda watch");
        assert_eq!(lambda_time_left(now, now), None);
        assert_eq!(lambda_time_left(now + 20 * SECOND, now), Some(20 * SECOND));
    }

    #[test]
    fn upstream_calls_stop_a_reserve_before_the_end() {
        let deadline = Deadline::starting_now(10 * SECOND, None);
        let left = deadline.upstream_time_left();
        assert!(left <= 10 * SECOND - ANSWER_RESERVE && left > 9 * SECOND, "{left:?}");
        assert_eq!(Deadline::starting_now(ANSWER_RESERVE / 2, None).upstream_time_left(), Duration::ZERO);
    }

    fn request_in_lambda(deadline: SystemTime) -> Request {
        let mut context = lambda_http::Context::default();
        context.deadline = deadline.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_millis() as u64;
        let mut request = Request::new(axum::body::Body::empty());
        request.extensions_mut().insert(context);
        request
    }

    #[test]
    fn a_request_reads_lambda_s_deadline_from_its_context() {
        let before = Instant::now();
        let in_lambda = Deadline::for_request(&request_in_lambda(SystemTime::now() + 5 * SECOND), 25 * SECOND);
        // 5 s less the margin, give or take the clocks' milliseconds.
        assert!(in_lambda.end > before + 3 * SECOND && in_lambda.end <= Instant::now() + 4 * SECOND);
        let watched = Deadline::for_request(&request_in_lambda(SystemTime::UNIX_EPOCH + 600 * SECOND), 25 * SECOND);
        assert!(watched.end > before + 24 * SECOND, "cargo lambda watch's deadline is ignored");
    }

    #[tokio::test]
    async fn the_deadline_is_current_only_inside_run_and_an_outer_one_is_kept() {
        assert_eq!(Deadline::current(), None);
        let outer = Deadline::starting_now(SECOND, None);
        let seen = outer
            .run(async {
                let nested = Deadline::for_request(&Request::new(axum::body::Body::empty()), 10 * SECOND);
                (Deadline::current(), nested)
            })
            .await
            .unwrap();
        assert_eq!(seen, (Some(outer), outer));
        assert_eq!(Deadline::current(), None);
    }
}
