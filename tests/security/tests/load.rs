//! Load: N concurrent full journeys (sign in → application → SMS step-up → token → card) through
//! the four real routers on one local stack, on loopback only, in rounds. Every journey must
//! succeed within the time bound, nothing may be created twice, nothing may leak into the logs,
//! and the process's memory must not keep growing from round to round.
//!
//! `make test` runs `SECURITY_LOAD_JOURNEYS` (default 200) journeys per round for
//! `SECURITY_LOAD_ROUNDS` (default 3) rounds; `make test-soak` runs more of both.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use http::{Method, StatusCode};
use security_suite::{Bundle, approvable_ssn, rss_kib};
use tracing::instrument::WithSubscriber;

fn setting(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[test]
fn concurrent_full_journeys_succeed_once_each_without_leaks_or_growth() {
    let journeys = setting("SECURITY_LOAD_JOURNEYS", 200);
    let rounds = setting("SECURITY_LOAD_ROUNDS", 3).max(2);
    // Generous on a loaded 2-core machine; a round normally takes a few seconds.
    let bound = Duration::from_secs(setting("SECURITY_LOAD_SECONDS_PER_ROUND", 120) as u64);
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let bundle = Arc::new(runtime.block_on(Bundle::start(&[])));
    let mut rss = Vec::new();

    for round in 0..rounds {
        let started = Instant::now();
        let tasks: Vec<_> = (0..journeys)
            .map(|i| {
                let bundle = bundle.clone();
                let dispatch = bundle.dispatch.clone();
                let n = (round * journeys + i) as u32;
                let journey = async move {
                    let customer = bundle.customer(&format!("load-{n}@example.com"), &approvable_ssn(1_000 + n)).await;
                    // A retried create with the first key: the same card, not a second one.
                    let again = bundle
                        .create_card(&customer.unit_token, &format!("first-card-{}", customer.user.user_id))
                        .await;
                    assert_eq!(again.status, StatusCode::CREATED, "{}", again.text);
                    assert_eq!(again.body["id"], customer.card_id.as_str(), "one card per Idempotency-Key");
                    let list = bundle.cards.get("/cards", Some(&customer.unit_token)).await;
                    assert_eq!(list.body["total"], 1, "{}", list.text);
                    customer.user.user_id
                };
                runtime.spawn(journey.with_subscriber(dispatch))
            })
            .collect();
        let results = runtime.block_on(async {
            tokio::time::timeout(bound, security_suite::join_all(tasks)).await.expect("the round finished in time")
        });
        let took = started.elapsed();
        let failures: Vec<String> = results.iter().filter_map(|r| r.as_ref().err().map(|e| e.to_string())).collect();
        assert!(
            failures.is_empty(),
            "round {round}: {} of {journeys} journeys failed: {:?}",
            failures.len(),
            &failures[..failures.len().min(3)]
        );

        // Exactly one application per user.
        let mut subjects: Vec<String> = Vec::new();
        loop {
            let path = format!("/applications?page[limit]=1000&page[offset]={}", subjects.len());
            let page = runtime.block_on(bundle.stack().unit_org(Method::GET, &path));
            let data = page["data"].as_array().unwrap();
            subjects.extend(data.iter().map(|a| a["attributes"]["jwtSubject"].as_str().unwrap().to_owned()));
            if data.is_empty() {
                break;
            }
        }
        assert_eq!(subjects.len(), journeys, "round {round}: one application per journey");
        let mut unique = subjects.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), subjects.len(), "round {round}: a user with two applications");

        bundle.assert_nothing_leaked();
        bundle.forget_what_was_seen();
        // The sandbox forgets every user, session, application and card (it keeps its keys), so
        // that what is measured next is the functions' own memory.
        runtime.block_on(bundle.stack().reset());
        rss.push(rss_kib());
        eprintln!("round {round}: {journeys} journeys in {took:?}, RSS {} KiB", rss[round]);
    }
    // The first rounds warm every pool, cache and allocator arena; after them, memory stays put.
    let growth = rss[rounds - 1].saturating_sub(rss[rounds / 2]);
    let allowance = 32 * 1024;
    assert!(growth < allowance, "RSS grew by {growth} KiB after warm-up (allowed {allowance} KiB): {rss:?}");
}
