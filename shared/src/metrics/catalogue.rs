//! Every metric the functions publish, each with its one dimension set, and the only functions
//! that record them. A dimension value is a route template (bounded by the router's own table) or
//! a `&'static str` the code names: never a user id, a token, card data or anything a request
//! carries. `infra/tests/test_alarms.py` reads [`ALL`] from this file to check that each alarm
//! reads a metric published here, with these dimensions.

use std::time::Duration;

use metrics::{Label, Unit};

use crate::unit::CardType;

/// One metric: its CloudWatch name, unit and dimension names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Metric {
    pub name: &'static str,
    pub unit: Unit,
    pub dimensions: &'static [&'static str],
}

pub const REQUESTS: Metric = Metric { name: "Requests", unit: Unit::Count, dimensions: &["Route", "Code"] };
pub const REQUEST_LATENCY: Metric =
    Metric { name: "RequestLatency", unit: Unit::Milliseconds, dimensions: &["Route", "Code"] };
/// Requests that ended in `upstream_error` or `upstream_timeout`: what `UpstreamErrorRateAlarm` reads.
pub const UPSTREAM_ERRORS: Metric = Metric { name: "UpstreamErrors", unit: Unit::Count, dimensions: &[] };
pub const UPSTREAM_CALLS: Metric =
    Metric { name: "UpstreamCalls", unit: Unit::Count, dimensions: &["Vendor", "Operation", "Outcome"] };
pub const UPSTREAM_LATENCY: Metric =
    Metric { name: "UpstreamLatency", unit: Unit::Milliseconds, dimensions: &["Vendor", "Operation", "Outcome"] };
/// Requests refused `403 step_up_required`.
pub const STEP_UP_REQUIRED: Metric = Metric { name: "StepUpRequired", unit: Unit::Count, dimensions: &[] };
pub const TOKENS_MINTED: Metric = Metric { name: "TokensMinted", unit: Unit::Count, dimensions: &["ScopeClass"] };
pub const CARDS_CREATED: Metric = Metric { name: "CardsCreated", unit: Unit::Count, dimensions: &["CardType"] };
pub const WEBHOOK_EVENTS: Metric = Metric { name: "WebhookEvents", unit: Unit::Count, dimensions: &["EventClass"] };
/// Deliveries answered 5xx (Unit redelivers) or refused for their signature: what `WebhookFailuresAlarm` reads.
pub const WEBHOOK_FAILURES: Metric = Metric { name: "WebhookFailures", unit: Unit::Count, dimensions: &[] };

pub const ALL: &[Metric] = &[
    REQUESTS,
    REQUEST_LATENCY,
    UPSTREAM_ERRORS,
    UPSTREAM_CALLS,
    UPSTREAM_LATENCY,
    STEP_UP_REQUIRED,
    TOKENS_MINTED,
    CARDS_CREATED,
    WEBHOOK_EVENTS,
    WEBHOOK_FAILURES,
];

/// The `Route` of a request no route matched: its raw path is never a dimension.
pub const UNMATCHED_ROUTE: &str = "unmatched";

/// How an upstream exchange ended (after its retries).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    ClientError,
    RateLimited,
    ServerError,
    Timeout,
    Unreachable,
    UnreadableBody,
}

impl Outcome {
    pub const ALL: [Outcome; 7] = [
        Outcome::Ok,
        Outcome::ClientError,
        Outcome::RateLimited,
        Outcome::ServerError,
        Outcome::Timeout,
        Outcome::Unreachable,
        Outcome::UnreadableBody,
    ];

    pub fn of_status(status: u16) -> Self {
        match status {
            429 => Outcome::RateLimited,
            408 | 504 => Outcome::Timeout,
            500.. => Outcome::ServerError,
            400.. => Outcome::ClientError,
            _ => Outcome::Ok,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::ClientError => "client_error",
            Outcome::RateLimited => "rate_limited",
            Outcome::ServerError => "server_error",
            Outcome::Timeout => "timeout",
            Outcome::Unreachable => "unreachable",
            Outcome::UnreadableBody => "unreadable_body",
        }
    }
}

/// The two classes of customer token, as `POST /token` tells them apart: a token with any scope
/// that needs a recent second factor is `sensitive`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeClass {
    ReadOnly,
    Sensitive,
}

impl ScopeClass {
    pub fn as_str(self) -> &'static str {
        match self {
            ScopeClass::ReadOnly => "read_only",
            ScopeClass::Sensitive => "sensitive",
        }
    }
}

/// What a Unit webhook event is about, from its type's first word (`application.approved` is an
/// `application` event); a type outside this set counts as `other`.
pub const WEBHOOK_EVENT_CLASSES: &[&str] =
    &["application", "customer", "document", "account", "card", "authorization", "transaction", "payment", "other"];

pub fn webhook_event_class(event_type: &str) -> &'static str {
    let first = event_type.split('.').next().unwrap_or_default();
    WEBHOOK_EVENT_CLASSES.iter().copied().find(|class| *class == first).unwrap_or("other")
}

pub fn request(route: &str, code: &'static str, latency: Duration) {
    let labels = labels(&REQUESTS, [route, code]);
    metrics::counter!(REQUESTS.name, labels.clone()).increment(1);
    metrics::histogram!(REQUEST_LATENCY.name, labels).record(millis(latency));
    match code {
        "upstream_error" | "upstream_timeout" => metrics::counter!(UPSTREAM_ERRORS.name).increment(1),
        // Counted from the answer: every route that refuses for want of a second factor says so with this code.
        "step_up_required" => metrics::counter!(STEP_UP_REQUIRED.name).increment(1),
        _ => {}
    }
}

pub fn upstream_call(vendor: &'static str, operation: &'static str, outcome: Outcome, latency: Duration) {
    let labels = labels(&UPSTREAM_CALLS, [vendor, operation, outcome.as_str()]);
    metrics::counter!(UPSTREAM_CALLS.name, labels.clone()).increment(1);
    metrics::histogram!(UPSTREAM_LATENCY.name, labels).record(millis(latency));
}

pub fn token_minted(class: ScopeClass) {
    metrics::counter!(TOKENS_MINTED.name, labels(&TOKENS_MINTED, [class.as_str()])).increment(1);
}

/// Answered `POST /cards`; a retry with the same `Idempotency-Key` (the same card) counts again.
pub fn card_created(card_type: CardType) {
    let card_type = match card_type {
        CardType::Virtual => "virtual",
        CardType::Physical => "physical",
    };
    metrics::counter!(CARDS_CREATED.name, labels(&CARDS_CREATED, [card_type])).increment(1);
}

pub fn webhook_event(event_type: &str) {
    metrics::counter!(WEBHOOK_EVENTS.name, labels(&WEBHOOK_EVENTS, [webhook_event_class(event_type)])).increment(1);
}

pub fn webhook_failure() {
    metrics::counter!(WEBHOOK_FAILURES.name).increment(1);
}

/// The metric's dimensions paired with `values`, in the catalogue's order.
fn labels<const N: usize>(metric: &Metric, values: [&str; N]) -> Vec<Label> {
    debug_assert_eq!(metric.dimensions.len(), N, "{}: one value per dimension", metric.name);
    metric.dimensions.iter().zip(values).map(|(name, value)| Label::new(*name, value.to_owned())).collect()
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1_000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_webhook_event_type_counts_by_its_first_word_and_anything_else_is_other() {
        assert_eq!(webhook_event_class("application.approved"), "application");
        assert_eq!(webhook_event_class("card.statusChanged"), "card");
        for free_form in ["", "user-12345.created", "Application.approved", "ssn.123-45-6789"] {
            assert_eq!(webhook_event_class(free_form), "other", "{free_form:?}");
        }
    }

    #[test]
    fn an_upstream_status_is_one_outcome() {
        let outcomes: Vec<_> = [200, 201, 304, 400, 404, 408, 429, 500, 503, 504].map(Outcome::of_status).into();
        use Outcome::*;
        let expected = [Ok, Ok, Ok, ClientError, ClientError, Timeout, RateLimited, ServerError, ServerError, Timeout];
        assert_eq!(outcomes, expected);
    }

    #[test]
    fn every_metric_is_in_the_catalogue_once() {
        let mut names: Vec<_> = ALL.iter().map(|metric| metric.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), ALL.len());
    }
}
