//! A bad day upstream, on every route: slow, failing, rate-limiting and dropping upstreams; faults
//! in the middle of card creation and application submission with the client retrying; a rotated
//! secret; Secrets Manager and the JWKS out of reach.

use std::time::{Duration, Instant};

use http::StatusCode;
use security_suite::{
    Bundle, Customer, approvable_ssn,
    routes::{Route, card_routes, public_routes, session_routes},
};
use serde_json::{Value, json};
use stytch_unit_common::{
    config::Config,
    dependencies::{ColdStart, Dependencies},
    http_client,
};
use test_support::{
    functions::{Answer, Side, code, environment},
    moto::{RetryConfig, sdk_client},
    stack::{LocalStack, STYTCH_SECRET_ID, UNIT_SECRET_ID},
};

const TIMEOUT_MS: &str = "300";

/// Routes whose first upstream call spends a one-time proof or sends a message: never repeated.
/// (The SMS routes read the user and the KYC phone first, enrolling a TOTP and `GET /me` check the
/// session with Stytch first, and reads and checks are retried; so are a refresh, which checks the
/// session, and a logout: revoking twice ends the session once.)
fn is_single_attempt(route: &Route) -> bool {
    matches!(route.path, "/signup" | "/signup/authenticate" | "/step-up/totp/authenticate" | "/step-up/recover")
}

fn upstream_routes() -> Vec<Route> {
    [session_routes(), card_routes(), public_routes()].concat()
}

async fn consumed(bundle: &Bundle, armed: u64) -> u64 {
    let mut used = 0;
    for side in [Side::Stytch, Side::Unit] {
        let faults = bundle.signup.armed_faults(side).await;
        let remaining = faults.first().and_then(|f| f["remaining"].as_u64()).unwrap_or(0);
        used += armed - remaining;
    }
    used
}

#[tokio::test]
async fn every_route_passes_upstream_faults_on_with_the_right_status_in_bounded_time() {
    let bundle = Bundle::start(&[("UPSTREAM_TIMEOUT_MS", TIMEOUT_MS)]).await;
    let _logs = bundle.capture_logs();
    let ada = bundle.customer("ada@example.com", &approvable_ssn(20)).await;

    let faults: [(&str, Value, u16, &str); 5] = [
        ("500", json!({ "status": 500, "count": 10 }), 502, "upstream_error"),
        ("503", json!({ "status": 503, "count": 10 }), 502, "upstream_error"),
        ("429", json!({ "status": 429, "count": 10 }), 429, "rate_limited"),
        ("latency past the timeout", json!({ "delay_ms": 1500, "count": 10 }), 504, "upstream_timeout"),
        ("dropped connection", json!({ "drop": true, "count": 10 }), 502, "upstream_error"),
    ];
    let routes = upstream_routes();
    for (name, fault, status, expected_code) in &faults {
        let check = |route: &Route, answer: &Answer, took: Duration| {
            let context = format!("{name} on {} {}: {}", route.method, route.path, answer.text);
            assert_eq!((answer.status.as_u16(), code(answer)), (*status, *expected_code), "{context}");
            answer.assert_problem(*status, expected_code);
            // Three attempts at most, each bounded by the timeout (or by Retry-After: 1).
            assert!(took < Duration::from_secs(5), "{context}: took {took:?}");
            if *status == 429 {
                assert_eq!(answer.headers["retry-after"], "1", "{context}");
            }
            context
        };
        if *name == "500" {
            // One route at a time, to count the attempts each made.
            for route in &routes {
                bundle.fault_everywhere(fault.clone()).await;
                let started = Instant::now();
                let answer = bundle.call_route(&ada, route).await;
                let context = check(route, &answer, started.elapsed());
                let attempts = consumed(&bundle, 10).await;
                if is_single_attempt(route) {
                    assert_eq!(attempts, 1, "{context}: a one-time proof or message was sent twice");
                } else {
                    assert!((2..=3).contains(&attempts), "{context}: {attempts} attempts at a safe call");
                }
                bundle.clear_faults().await;
            }
        } else {
            // Every route at once under the same fault.
            let mut fault = fault.clone();
            fault["count"] = json!(1000);
            bundle.fault_everywhere(fault).await;
            let calls = routes.iter().map(|route| async {
                let started = Instant::now();
                let answer = bundle.call_route(&ada, route).await;
                (answer, started.elapsed())
            });
            for (route, (answer, took)) in routes.iter().zip(security_suite::join_all(calls.collect()).await) {
                check(route, &answer, took);
            }
            bundle.clear_faults().await;
        }
    }
    // And everything works again.
    let list = bundle.cards.get("/cards", Some(&ada.unit_token)).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text);
    bundle.assert_nothing_leaked();
}

#[tokio::test]
async fn slow_calls_in_a_row_share_one_request_deadline_and_end_in_504() {
    let bundle = Bundle::start(&[]).await;
    let _logs = bundle.capture_logs();
    let ada = bundle.customer("ada@example.com", &approvable_ssn(22)).await;
    // Each call well inside its own 5 s timeout, but POST /token makes three in a row (the Stytch
    // user's link, the Unit customer, the Unit token): 3 s in all against a 1.5 s deadline.
    let deadline = [("REQUEST_DEADLINE_MS", "1500"), ("UPSTREAM_TIMEOUT_MS", "5000")];
    let exchange = bundle.signup.beside(token_exchange::router, &deadline).await;
    let body = json!({ "scopes": ["cards"] });
    bundle.fault_everywhere(json!({ "delay_ms": 1000, "count": 10 })).await;
    let started = Instant::now();
    let answer = exchange.post("/token", Some(&ada.stepped_up_jwt), body.clone()).await;
    let took = started.elapsed();
    answer.assert_problem(504, "upstream_timeout");
    // Stytch answered within the deadline; Unit, next, was cut to what was left of it.
    assert_eq!(answer.body["detail"], "Unit did not answer in time.", "{}", answer.text);
    assert!(took < Duration::from_secs(10), "took {took:?}");
    bundle.clear_faults().await;
    let answer = exchange.post("/token", Some(&ada.stepped_up_jwt), body).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    bundle.assert_nothing_leaked();
}

/// `POST /cards` with `key` until it answers 201 (at most 6 tries), with `fault` armed first.
async fn create_until_created(bundle: &Bundle, customer: &Customer, key: &str, fault: Value) -> String {
    bundle.signup.fault(Side::Unit, fault).await;
    for _ in 0..6 {
        let answer = bundle.create_card(&customer.unit_token, key).await;
        match answer.status.as_u16() {
            201 => {
                bundle.clear_faults().await;
                return answer.body["id"].as_str().unwrap().to_owned();
            }
            502 | 504 | 429 => continue,
            _ => panic!("{key}: {}", answer.text),
        }
    }
    panic!("{key}: never created");
}

#[tokio::test]
async fn faults_during_card_creation_never_lose_or_double_a_card() {
    let bundle = Bundle::start(&[("UPSTREAM_TIMEOUT_MS", TIMEOUT_MS)]).await;
    let _logs = bundle.capture_logs();
    let ada = bundle.customer("ada@example.com", &approvable_ssn(21)).await;
    let post_cards = |fault: Value| {
        let mut fault = fault;
        fault["method"] = json!("POST");
        fault["path"] = json!("/cards");
        fault
    };
    let mut ids = vec![ada.card_id.clone()];
    for (key, fault) in [
        ("slow", post_cards(json!({ "delay_ms": 1000, "count": 4 }))),
        ("failing", post_cards(json!({ "status": 500, "count": 4 }))),
        ("dropped", post_cards(json!({ "drop": true, "count": 4 }))),
        ("limited", post_cards(json!({ "status": 429, "count": 2 }))),
    ] {
        let first = create_until_created(&bundle, &ada, key, fault.clone()).await;
        // The client retries again later with the same key, through another fault: the same card.
        let again = create_until_created(&bundle, &ada, key, fault).await;
        assert_eq!(first, again, "{key}: a second card for one Idempotency-Key");
        ids.push(first);
    }
    // Eight concurrent requests with one key.
    let answers = futures_join(&bundle, &ada, "concurrent", 8).await;
    let created: Vec<&Value> =
        answers.iter().filter(|(s, _)| *s == StatusCode::CREATED).map(|(_, b)| &b["id"]).collect();
    assert!(!created.is_empty(), "{answers:?}");
    assert!(created.iter().all(|id| *id == created[0]), "{answers:?}");
    assert!(answers.iter().all(|(s, _)| s.as_u16() == 201 || s.as_u16() == 409), "{answers:?}");
    ids.push(created[0].as_str().unwrap().to_owned());

    // Let the sandbox finish any delayed request, then count: one card per key.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let list = bundle.cards.get("/cards?limit=100", Some(&ada.unit_token)).await;
    let mut listed: Vec<String> =
        list.body["cards"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_owned()).collect();
    listed.sort();
    ids.sort();
    assert_eq!(listed, ids, "exactly one card per Idempotency-Key");
    bundle.assert_nothing_leaked();
}

async fn futures_join(bundle: &Bundle, customer: &Customer, key: &str, n: usize) -> Vec<(StatusCode, Value)> {
    let mut set = Vec::new();
    for _ in 0..n {
        set.push(bundle.create_card(&customer.unit_token, key));
    }
    let mut out = Vec::new();
    // Polled together on this thread: the requests overlap at the sandbox.
    let joined = security_suite::join_all(set).await;
    for answer in joined {
        out.push((answer.status, answer.body));
    }
    out
}

#[tokio::test]
async fn faults_during_application_submission_never_lose_or_double_an_application() {
    let bundle = Bundle::start(&[("UPSTREAM_TIMEOUT_MS", TIMEOUT_MS)]).await;
    let _logs = bundle.capture_logs();
    let faults = [
        (Side::Unit, json!({ "method": "POST", "path": "/applications", "delay_ms": 1000, "count": 3 })),
        (Side::Unit, json!({ "method": "POST", "path": "/applications", "drop": true, "count": 3 })),
        (Side::Unit, json!({ "method": "POST", "path": "/applications", "status": 500, "count": 3 })),
        // Unit has the application; recording it at Stytch fails: the retry must find it again.
        (Side::Stytch, json!({ "method": "PUT", "path": "/v1/users", "status": 500, "count": 3 })),
        (Side::Stytch, json!({ "method": "PUT", "path": "/v1/users", "drop": true, "count": 3 })),
    ];
    for (n, (side, fault)) in faults.into_iter().enumerate() {
        let user = bundle.sign_in(&format!("applicant{n}@example.com")).await;
        let ssn = approvable_ssn(100 + n as u32);
        bundle.remember(&ssn);
        bundle.signup.fault(side, fault.clone()).await;
        let body = security_suite::application_body(&ssn);
        let first = bundle.signup.post("/applications", Some(&user.session_jwt), body.clone()).await;
        assert!(first.status.is_server_error(), "{fault}: {}", first.text);
        bundle.clear_faults().await;
        tokio::time::sleep(Duration::from_millis(1100)).await;
        // The client retries, twice at once.
        let (a, b) = tokio::join!(
            bundle.signup.post("/applications", Some(&user.session_jwt), body.clone()),
            bundle.signup.post("/applications", Some(&user.session_jwt), body.clone()),
        );
        for answer in [&a, &b] {
            assert!(
                answer.status == StatusCode::CREATED || answer.status == StatusCode::OK,
                "{fault}: {}",
                answer.text
            );
        }
        assert_eq!(a.body["applicationId"], b.body["applicationId"], "{fault}");
        let all = bundle.stack().unit_org(http::Method::GET, "/applications").await;
        let mine: Vec<&Value> = all["data"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["attributes"]["jwtSubject"] == user.user_id.as_str())
            .collect();
        assert_eq!(mine.len(), 1, "{fault}: one application per user");
        assert_eq!(mine[0]["id"], a.body["applicationId"], "{fault}");
        let metadata = &bundle.stack().stytch_user(&user.user_id).await["trusted_metadata"];
        assert_eq!(metadata["unit_application_id"], a.body["applicationId"], "{fault}: the link is recorded");
    }
    bundle.assert_nothing_leaked();
}

fn with_secret(secret: &str, field: &str, value: &str) -> String {
    let mut json: Value = serde_json::from_str(secret).unwrap();
    json[field] = json!(value);
    json.to_string()
}

#[tokio::test]
async fn a_secret_rotated_during_a_run_is_refetched_once_then_used() {
    const OLD_STYTCH: &str = "secret-test-old-0000000000000000000000000000000";
    const OLD_UNIT: &str = "v2.public.old-org-token-00000000000000000000000000";
    // The functions cold-start with the old values, which the upstreams no longer accept.
    let bundle = Bundle::start_with(&[], |stack| async move {
        let stytch = LocalStack::stytch_secret(&stack.sandbox, &stack.sandbox.secret);
        let unit = LocalStack::unit_secret(&stack.sandbox, &stack.sandbox.unit_api_token);
        stack.moto.rotate_secret(STYTCH_SECRET_ID, &with_secret(&stytch, "secret", OLD_STYTCH)).await;
        stack.moto.rotate_secret(UNIT_SECRET_ID, &with_secret(&unit, "api_token", OLD_UNIT)).await;
    })
    .await;
    let _logs = bundle.capture_logs();
    bundle.remember(OLD_STYTCH);
    bundle.remember(OLD_UNIT);

    // A credential refused while Secrets Manager still holds the same value: one refetch (unchanged),
    // then 502; and the cache does not ask again for 30 s, even if the rotation lands meanwhile.
    let stale = bundle.signup.beside(token_exchange::router, &[]).await;
    let direct = bundle.stack().sign_in("direct@example.com").await;
    bundle.remember(&direct.session_jwt);
    bundle.remember(&direct.session_token);
    let answer = stale.post("/token", Some(&direct.session_jwt), json!({ "scopes": ["cards"] })).await;
    answer.assert_problem(502, "upstream_error");

    // The rotation lands in Secrets Manager.
    let stack = bundle.stack();
    stack.moto.rotate_secret(STYTCH_SECRET_ID, &LocalStack::stytch_secret(&stack.sandbox, &stack.sandbox.secret)).await;
    stack
        .moto
        .rotate_secret(UNIT_SECRET_ID, &LocalStack::unit_secret(&stack.sandbox, &stack.sandbox.unit_api_token))
        .await;
    let answer = stale.post("/token", Some(&direct.session_jwt), json!({ "scopes": ["cards"] })).await;
    answer.assert_problem(502, "upstream_error");
    let refetches = || bundle.logs.text().matches("credential rejected upstream; fetching the secret again").count();
    let before = refetches();
    // Stytch (magic link, then the project credential for everything after) and Unit (the org
    // token creating the application): each rejected once, refetched once, then fine.
    let user = bundle.sign_in("rotation@example.com").await;
    let application = bundle.apply(&user, &approvable_ssn(30)).await;
    assert_eq!(application.status, StatusCode::CREATED, "{}", application.text);
    // Signup's two caches each refetched once (Stytch, Unit); nothing more however many calls follow.
    assert_eq!(refetches() - before, 2, "one refetch per rotated secret");
    let stepped_up = bundle.step_up(&user).await;
    let token = bundle.unit_token(&stepped_up, &["cards", "cards-write", "accounts"]).await;
    let card = bundle.create_card(&token, "after-rotation").await;
    assert_eq!(card.status, StatusCode::CREATED, "{}", card.text);
    let after_journey = refetches();
    for _ in 0..3 {
        assert_eq!(bundle.signup.get("/applications/current", Some(&user.session_jwt)).await.status, StatusCode::OK);
    }
    assert_eq!(refetches(), after_journey, "no refetch once the new value is in use");
    bundle.assert_nothing_leaked();
}

#[tokio::test]
async fn a_revoked_org_token_is_our_502_while_cards_serves_customer_tokens_as_before() {
    let bundle = Bundle::start(&[]).await;
    let _logs = bundle.capture_logs();
    let ada = bundle.customer("revoked-org@example.com", &approvable_ssn(41)).await;
    bundle.stack().revoke_unit_org_token().await;

    // Unit refusing OUR token is our misconfiguration: 502 and an error log, never the caller's 401.
    let current = bundle.signup.get("/applications/current", Some(&ada.user.session_jwt)).await;
    current.assert_problem(502, "upstream_error");
    let verification = bundle.exchange.post("/token/verification", Some(&ada.stepped_up_jwt), json!({})).await;
    verification.assert_problem(502, "upstream_error");
    let token = bundle.exchange.post("/token", Some(&ada.stepped_up_jwt), json!({ "scopes": ["cards-write"] })).await;
    token.assert_problem(502, "upstream_error");
    assert!(token.body.get("token").is_none());
    let refused: Vec<Value> = bundle
        .logs
        .text()
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|line| line["message"].as_str().is_some_and(|m| m.starts_with("Unit refused our org token")))
        .collect();
    assert_eq!(refused.len(), 3, "one error line per refused call: {refused:?}");
    assert!(refused.iter().all(|line| line["level"] == "ERROR" && line["status"] == 401), "{refused:?}");

    // Cards never held it: the caller's token still works, and a bad one is still the caller's 401.
    let list = bundle.cards.get("/cards", Some(&ada.unit_token)).await;
    assert_eq!((list.status, &list.body["total"]), (StatusCode::OK, &json!(1)), "{}", list.text);
    let frozen = bundle.cards.post(&format!("/cards/{}/freeze", ada.card_id), Some(&ada.unit_token), json!({})).await;
    assert_eq!(frozen.status, StatusCode::OK, "{}", frozen.text);
    bundle.cards.get("/cards", Some("v2.public.not-a-unit-token")).await.assert_problem(401, "invalid_unit_token");
    bundle.assert_nothing_leaked();
}

#[tokio::test]
async fn secrets_manager_out_of_reach_fails_the_cold_start_with_a_clear_error() {
    let dead = format!("http://127.0.0.1:{}", test_support::free_port());
    let env = environment(&[]);
    let config = Config::from_lookup(Dependencies::NEEDS, |name| env.get(name).cloned()).unwrap();
    let http = http_client::build(&config.upstream);
    let secrets_client = sdk_client(http.clone(), &dead, RetryConfig::standard()).await;
    let started = Instant::now();
    let result = tokio::time::timeout(Duration::from_secs(60), Dependencies::build(config, http, secrets_client))
        .await
        .expect("the cold start gives up in bounded time");
    let Err(error) = result else { panic!("a cold start without Secrets Manager succeeded") };
    let message = error.to_string();
    assert!(message.starts_with("secrets error: "), "{message}");
    assert!(message.contains(STYTCH_SECRET_ID) || message.contains(UNIT_SECRET_ID), "names the secret: {message}");
    assert!(started.elapsed() < Duration::from_secs(30), "{:?}", started.elapsed());
}

#[tokio::test]
async fn jwks_out_of_reach_fails_closed_with_503_until_it_is_back() {
    let env = [("JWKS_REFRESH_COOLDOWN_SECONDS", "1"), ("UPSTREAM_TIMEOUT_MS", TIMEOUT_MS)];
    let bundle = Bundle::start_with(&env, |stack| async move {
        let url = format!("{}/__sandbox/faults", stack.sandbox.stytch_url);
        let fault = json!({ "method": "GET", "path": "/v1/sessions/jwks", "status": 503, "count": 1000 });
        assert_eq!(stack.http.post(url).json(&fault).send().await.unwrap().status(), 201);
    })
    .await;
    let _logs = bundle.capture_logs();
    // Signing in needs no JWKS (Stytch authenticates the magic link).
    let user = bundle.sign_in("jwks@example.com").await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    bundle.arm_write_tripwires().await;
    for route in session_routes() {
        let answer = bundle
            .call(route.function, route.method, route.path, Some(&user.session_jwt), &[], route.body.clone())
            .await;
        answer.assert_problem(503, "jwks_unavailable");
    }
    bundle.assert_no_upstream_write("JWKS unavailable").await;
    bundle.clear_faults().await;
    for fault in [json!({ "drop": true, "count": 1000 }), json!({ "delay_ms": 10_000, "count": 1000 })] {
        let mut fault = fault;
        fault["method"] = json!("GET");
        fault["path"] = json!("/v1/sessions/jwks");
        bundle.signup.fault(Side::Stytch, fault).await;
        tokio::time::sleep(Duration::from_millis(1100)).await;
        let started = Instant::now();
        let answer = bundle.signup.get("/applications/current", Some(&user.session_jwt)).await;
        answer.assert_problem(503, "jwks_unavailable");
        assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
        bundle.signup.clear_faults(Side::Stytch).await;
    }

    tokio::time::sleep(Duration::from_millis(1100)).await;
    let answer = bundle.signup.get("/applications/current", Some(&user.session_jwt)).await;
    answer.assert_problem(404, "no_application");
    bundle.assert_nothing_leaked();
}
