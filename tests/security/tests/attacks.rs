//! Attacks through the real routes: forged session JWTs, session state, and ownership (OWASP
//! API1). Every refusal must carry the right status and code, and be made before anything is
//! written upstream.

use std::collections::BTreeSet;

use http::StatusCode;
use security_suite::{
    Bundle, Function, approvable_ssn, forge,
    routes::{all_routes, card_routes, session_routes},
};
use serde_json::{Value, json};
use test_support::{
    functions::{Side, code},
    jwks_server::JwksServer,
    jwt::factor,
    keys::{SIGNING_KID, jwks_document},
};
use time::OffsetDateTime;

fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

#[test]
fn the_route_tables_cover_every_route_of_every_function() {
    let tabled: BTreeSet<(String, String)> =
        all_routes().iter().map(|r| (r.method.to_owned(), r.path.to_owned())).collect();
    for function in [Function::Signup, Function::StepUp, Function::TokenExchange, Function::Cards, Function::Webhooks] {
        for (method, path) in function.routes() {
            assert!(tabled.contains(&(method.to_string(), path.to_string())), "{method} {path} is not in the suite");
        }
    }
}

#[tokio::test]
async fn forged_session_jwts_are_refused_on_every_session_route_before_any_upstream_call() {
    let bundle = Bundle::start(&[]).await;
    let _logs = bundle.capture_logs();
    let victim = bundle.sign_in("victim@example.com").await;
    bundle.apply(&victim, &approvable_ssn(1)).await;
    let other = bundle.sign_in("other@example.com").await;
    let elsewhere = JwksServer::start(jwks_document(SIGNING_KID)).await;
    let forgeries = forge::forgeries(bundle.stack(), &victim, &other.user_id, &elsewhere.url).await;
    assert!(forgeries.len() >= 50, "{} forgeries", forgeries.len());
    for forgery in &forgeries {
        bundle.remember(&forgery.jwt);
    }
    // The sandbox signs honestly when asked to change nothing: the forgeries differ by their forgery.
    let control = bundle.stack().forge_session(&victim.session_token, json!({}), false).await;
    assert_eq!(bundle.signup.get("/applications/current", Some(&control)).await.status, StatusCode::OK);

    bundle.arm_write_tripwires().await;
    for route in session_routes() {
        let call = |bearer, headers| {
            bundle.call(route.function, route.method, route.path, bearer, headers, route.body.clone())
        };
        for forgery in &forgeries {
            let answer = call(Some(&forgery.jwt), &[]).await;
            assert_eq!(
                (answer.status, code(&answer)),
                (StatusCode::UNAUTHORIZED, forgery.code),
                "{} on {} {}: {}",
                forgery.name,
                route.method,
                route.path,
                answer.text
            );
            answer.assert_problem(401, forgery.code);
        }
        // Credentials that are not a bearer token at all.
        let headers: [&[(&str, &str)]; 6] = [
            &[],
            &[("authorization", "Bearer")],
            &[("authorization", "Bearer    ")],
            &[("authorization", "Basic dXNlcjpwYXNz")],
            &[("authorization", "Token abc")],
            &[("cookie", "session_jwt=x")],
        ];
        for headers in headers {
            let answer = call(None, headers).await;
            answer.assert_problem(401, "missing_credentials");
        }
        let huge = "a".repeat(17 * 1024);
        let answer = call(Some(&huge), &[]).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{}", answer.text);
    }
    bundle.assert_no_upstream_write("forged JWTs").await;
    assert_eq!(elsewhere.hits(), 0, "a key URL from a token header was fetched");

    bundle.clear_faults().await;
    let honest = bundle.signup.get("/applications/current", Some(&victim.session_jwt)).await;
    assert_eq!(honest.status, StatusCode::OK, "{}", honest.text);
    bundle.assert_nothing_leaked();
}

#[tokio::test]
async fn a_revoked_session_is_refused_once_older_than_the_max_token_age() {
    let bundle = Bundle::start(&[("JWT_MAX_TOKEN_AGE_SECONDS", "60")]).await;
    let _logs = bundle.capture_logs();
    let user = bundle.sign_in("revoked@example.com").await;
    bundle.apply(&user, &approvable_ssn(2)).await;
    // A JWT of this session issued two minutes ago (as a stolen, cached one would be).
    let old = bundle
        .stack()
        .forge_session(&user.session_token, json!({ "iat": now() - 120, "nbf": now() - 120 }), false)
        .await;
    bundle.remember(&old);
    bundle.stack().revoke_session(&user.session_token).await;

    bundle.arm_write_tripwires().await;
    for route in session_routes() {
        let answer = bundle.call(route.function, route.method, route.path, Some(&old), &[], route.body).await;
        answer.assert_problem(401, "session_too_old");
    }
    bundle.assert_no_upstream_write("JWTs older than the max token age").await;
    bundle.clear_faults().await;

    // The residual window (SECURITY.md): the revoked session's JWT issued under a minute ago still
    // verifies locally. Whatever asks Stytch about the session refuses it, and so does every
    // token exchange, which always checks the session with Stytch first…
    for (path, body) in [
        ("/step-up/totp/authenticate", json!({ "code": "123456" })),
        ("/step-up/sms/send", json!({})),
        ("/token", json!({ "scopes": ["cards"] })),
        ("/token/verification", json!({})),
    ] {
        let api = if path.starts_with("/token") { &bundle.exchange } else { &bundle.step_up };
        let answer = api.post(path, Some(&user.session_jwt), body).await;
        answer.assert_problem(401, "session_not_found");
    }
    // …while reads that only need the verified subject still answer until the JWT's max age (or
    // `exp`) passes.
    let current = bundle.signup.get("/applications/current", Some(&user.session_jwt)).await;
    assert_eq!(current.status, StatusCode::OK, "{}", current.text);
    bundle.assert_nothing_leaked();
}

#[tokio::test]
async fn a_logged_out_session_is_refused_wherever_stytch_is_asked() {
    let bundle = Bundle::start(&[]).await;
    let _logs = bundle.capture_logs();
    let ada = bundle.customer("logout@example.com", &approvable_ssn(5)).await;
    let logout = bundle.step_up.call("POST", "/session/logout", Some(&ada.stepped_up_jwt), None).await;
    assert_eq!(logout.status, StatusCode::NO_CONTENT, "{}", logout.text);

    // Its JWTs still verify locally until they expire. Every route that asks Stytch about the
    // session refuses it (so Unit texts nobody); these two only read with the verified subject
    // (SECURITY.md, the residual window, bounded by the JWT's `exp` and JWT_MAX_TOKEN_AGE_SECONDS).
    let reads_only = ["/applications", "/applications/current"];
    for route in session_routes().iter().filter(|route| !reads_only.contains(&route.path)) {
        let answer = bundle.call_route(&ada, route).await;
        if route.path == "/session/logout" {
            assert_eq!(answer.status, StatusCode::NO_CONTENT, "logging out again: {}", answer.text);
        } else {
            answer.assert_problem(401, "session_not_found");
        }
    }
    let refresh = json!({ "sessionToken": ada.user.session_token });
    bundle.step_up.post("/session/refresh", None, refresh).await.assert_problem(401, "session_not_found");
    bundle.assert_nothing_leaked();
}

#[tokio::test]
async fn sensitive_scopes_need_a_recent_bound_second_factor_beside_another_category() {
    let bundle = Bundle::start(&[]).await;
    let _logs = bundle.capture_logs();
    let user = bundle.sign_in("factors@example.com").await;
    bundle.apply(&user, &approvable_ssn(3)).await;
    let write = json!({ "scopes": ["cards", "cards-write"] });

    // One factor.
    bundle.arm_write_tripwires().await;
    let answer = bundle.exchange.post("/token", Some(&user.session_jwt), write.clone()).await;
    answer.assert_problem(403, "step_up_required");
    bundle.assert_no_upstream_write("one factor asking for cards-write").await;
    bundle.clear_faults().await;

    let stepped_up = bundle.step_up(&user).await;
    bundle.enrol_totp(&stepped_up).await;
    let (_, payload, _) = forge::split(&stepped_up);
    let claim = payload["https://stytch.com/session"].clone();
    let kyc_phone = bundle.kyc_phone(&user).await;
    let metadata = bundle.stack().stytch_user(&user.user_id).await["trusted_metadata"].clone();
    let trusted_totp = metadata["trusted_totp_id"].as_str().unwrap().to_owned();
    let sms = |phone: &str, seconds_ago| {
        let mut sms = factor("otp", "sms", seconds_ago);
        sms["phone_number_factor"] = json!({ "phone_id": "phone-number-test-any", "phone_number": phone });
        sms
    };
    let whatsapp = |phone: &str, seconds_ago| {
        let mut whatsapp = sms(phone, seconds_ago);
        whatsapp["delivery_method"] = json!("whatsapp");
        whatsapp
    };
    let totp = |totp_id: &str, seconds_ago| {
        let mut totp = factor("totp", "authenticator_app", seconds_ago);
        totp["authenticator_app_factor"] = json!({ "totp_id": totp_id });
        totp
    };
    let magic_link_to = |address: &str, seconds_ago| {
        let mut magic_link = factor("magic_link", "email", seconds_ago);
        magic_link["email_factor"] = json!({ "email_id": "email-test-any", "email_address": address });
        magic_link
    };
    let magic_link = |seconds_ago| magic_link_to(&user.email, seconds_ago);
    let hour = 3_600;
    let cases: Vec<(&str, Vec<Value>, bool)> = vec![
        ("magic link + trusted TOTP now", vec![magic_link(600), totp(&trusted_totp, 0)], true),
        ("magic link + SMS to the KYC phone now", vec![magic_link(600), sms(&kyc_phone, 0)], true),
        (
            "magic link + a recovery code of the trusted TOTP",
            vec![magic_link(600), factor("recovery_codes", "recovery_code", 0)],
            true,
        ),
        ("second factor inside the 300 s window", vec![magic_link(600), totp(&trusted_totp, 200)], true),
        ("SMS to the KYC phone + trusted TOTP now", vec![sms(&kyc_phone, hour), totp(&trusted_totp, 0)], true),
        ("second factor older than the step-up window", vec![magic_link(2 * hour), totp(&trusted_totp, hour)], false),
        ("a stale TOTP revived by a fresh magic link", vec![magic_link(0), totp(&trusted_totp, hour)], false),
        ("both factors just past the window", vec![magic_link(320), sms(&kyc_phone, 310)], false),
        ("magic link + SMS to another phone", vec![magic_link(60), sms("+15005550666", 0)], false),
        ("magic link + a TOTP that was never trusted", vec![magic_link(60), totp("totp-test-rogue", 0)], false),
        ("SMS to the KYC phone twice (phone only)", vec![sms(&kyc_phone, 60), sms(&kyc_phone, 0)], false),
        (
            "SMS to the KYC phone + a magic link to an email added in the session (a stolen phone)",
            vec![magic_link_to("thief@example.com", 60), sms(&kyc_phone, 0)],
            false,
        ),
        ("SMS to the KYC phone + OAuth", vec![factor("oauth", "google", 60), sms(&kyc_phone, 0)], false),
        ("magic link + WhatsApp to the KYC phone", vec![magic_link(60), whatsapp(&kyc_phone, 0)], false),
        ("magic link + a TOTP dated an hour ahead", vec![magic_link(60), totp(&trusted_totp, -hour)], false),
        ("magic link twice", vec![magic_link(60), magic_link(0)], false),
        ("magic link + email OTP", vec![magic_link(60), factor("email_otp", "email", 0)], false),
        ("magic link + OAuth", vec![magic_link(60), factor("oauth", "google", 0)], false),
        ("SMS + WhatsApp", vec![sms(&kyc_phone, 60), factor("otp", "whatsapp", 0)], false),
        ("TOTP + recovery code", vec![totp(&trusted_totp, 60), factor("recovery_codes", "recovery_code", 0)], false),
        ("password + magic link", vec![factor("password", "knowledge", 60), magic_link(0)], false),
        ("a factor type we do not know", vec![magic_link(60), factor("biometric", "face", 0)], false),
        ("no factors", vec![], false),
    ];
    for (name, factors, passes) in cases {
        let mut session = claim.clone();
        session["authentication_factors"] = Value::Array(factors);
        let claims = json!({ "https://stytch.com/session": session });
        let jwt = bundle.stack().forge_session(&user.session_token, claims, false).await;
        bundle.remember(&jwt);
        let answer = bundle.exchange.post("/token", Some(&jwt), write.clone()).await;
        if passes {
            assert_eq!(answer.status, StatusCode::OK, "{name}: {}", answer.text);
        } else {
            assert_eq!((answer.status, code(&answer)), (StatusCode::FORBIDDEN, "step_up_required"), "{name}");
            // Scopes that need no second factor are still fine with such a session.
            let read = bundle.exchange.post("/token", Some(&jwt), json!({ "scopes": ["cards"] })).await;
            assert_eq!(read.status, StatusCode::OK, "{name}: {}", read.text);
        }
    }
    bundle.assert_nothing_leaked();
}

#[tokio::test]
async fn one_user_can_never_reach_another_users_cards_customer_or_factors() {
    let bundle = Bundle::start(&[]).await;
    let _logs = bundle.capture_logs();
    let ada = bundle.customer("ada@example.com", &approvable_ssn(10)).await;
    let bea = bundle.customer("bea@example.com", &approvable_ssn(11)).await;

    // Ada's Unit token on Bea's card, on every route that takes a card id: 404, and nothing changes.
    // The PIN status needs `cards-sensitive`, which Ada's token lacks: Unit checks the scope first,
    // so that is a 403 whoever's card it is, and tells Ada nothing about Bea's.
    let sensitive = bundle.unit_token(&ada.stepped_up_jwt, &["cards", "cards-sensitive"]).await;
    for route in card_routes().into_iter().filter(|r| r.path.contains("{cardId}")) {
        let path = route.path.replace("{cardId}", &bea.card_id);
        let token = if route.path.ends_with("/pin-status") { &sensitive } else { &ada.unit_token };
        let headers: &[(&str, &str)] = if route.takes_idempotency_key() { &[("idempotency-key", "k-0")] } else { &[] };
        let answer = bundle.cards.call_with(route.method, &path, Some(token), headers, route.body).await;
        answer.assert_problem(404, "card_not_found");
    }
    let card = bundle.cards.get(&format!("/cards/{}", bea.card_id), Some(&bea.unit_token)).await;
    assert_eq!(card.body["status"], "Active", "{}", card.text);
    // Ada cannot name Bea's account for a new card, and lists only her own cards.
    let answer = bundle
        .cards
        .call_with(
            "POST",
            "/cards",
            Some(&ada.unit_token),
            &[("idempotency-key", "k-1")],
            Some(json!({ "accountId": bea.account_id })),
        )
        .await;
    answer.assert_problem(400, "validation_failed");
    assert_eq!(answer.body["errors"][0]["field"], "accountId");
    let list = bundle.cards.get("/cards", Some(&ada.unit_token)).await;
    let ids: Vec<&str> = list.body["cards"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [ada.card_id.as_str()]);

    // Smuggled customer ids and subjects in bodies (and queries) are ignored on every route.
    let smuggled = json!({ "customerId": bea.customer_id, "customer": bea.customer_id, "jwtSubject": bea.user.user_id,
                           "userId": bea.user.user_id, "user_id": bea.user.user_id, "sub": bea.user.user_id });
    let mut body = smuggled.clone();
    body["scopes"] = json!(["customers", "cards"]);
    let token = bundle.exchange.post("/token", Some(&ada.stepped_up_jwt), body).await;
    assert_eq!(token.status, StatusCode::OK, "{}", token.text);
    let token = token.body["token"].as_str().unwrap();
    let unit = |path: String| {
        let request = bundle.stack().http.get(format!("{}{path}", bundle.stack().sandbox.unit_url)).bearer_auth(token);
        async move { request.send().await.unwrap().status() }
    };
    assert_eq!(unit(format!("/customers/{}", ada.customer_id)).await, 200, "the token is Ada's");
    assert!(unit(format!("/customers/{}", bea.customer_id)).await.is_client_error(), "and not Bea's");

    let mut application = security_suite::application_body(&approvable_ssn(10));
    application.as_object_mut().unwrap().extend(smuggled.as_object().unwrap().clone());
    let again = bundle.signup.post("/applications", Some(&ada.user.session_jwt), application).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text);
    assert_eq!(again.body["customerId"], ada.customer_id.as_str());
    let query = format!("/applications/current?customerId={}&userId={}", bea.customer_id, bea.user.user_id);
    let current = bundle.signup.get(&query, Some(&ada.user.session_jwt)).await;
    assert_eq!(current.body["customerId"], ada.customer_id.as_str(), "{}", current.text);

    let sent = bundle.step_up.post("/step-up/sms/send", Some(&ada.user.session_jwt), smuggled.clone()).await;
    assert_eq!(sent.status, StatusCode::ACCEPTED, "{}", sent.text);
    let stack = bundle.stack();
    let (ada_phone, bea_phone) = (bundle.kyc_phone(&ada.user).await, bundle.kyc_phone(&bea.user).await);
    assert_eq!(stack.stytch_user(&ada.user.user_id).await["phone_numbers"][0]["phone_id"], sent.body["phoneId"]);
    assert_eq!(stack.outbox(&stack.sandbox.stytch_url, &ada_phone).await.len(), 2, "step-up, then this code");
    assert_eq!(stack.outbox(&stack.sandbox.stytch_url, &bea_phone).await.len(), 1, "only Bea's own step-up");

    let card = bundle
        .cards
        .call_with("POST", "/cards", Some(&ada.unit_token), &[("idempotency-key", "k-2")], Some(smuggled.clone()))
        .await;
    assert_eq!(card.status, StatusCode::CREATED, "{}", card.text);
    assert_eq!(card.body["accountId"], ada.account_id.as_str(), "the card is on Ada's account");

    // Bea's code (with Bea's phone id), Bea's Unit verification are of no use to Ada.
    let bea_sent = bundle.step_up.call("POST", "/step-up/sms/send", Some(&bea.user.session_jwt), None).await;
    assert_eq!(bea_sent.status, StatusCode::ACCEPTED, "{}", bea_sent.text);
    let code_sent = stack.outbox_latest(&stack.sandbox.stytch_url, &bea_phone).await["code"].clone();
    let answer = bundle
        .step_up
        .post(
            "/step-up/sms/authenticate",
            Some(&ada.user.session_jwt),
            json!({ "code": code_sent, "phoneId": bea_sent.body["phoneId"] }),
        )
        .await;
    answer.assert_problem(401, "invalid_code");
    let verification = bundle.exchange.post("/token/verification", Some(&bea.user.session_jwt), json!({})).await;
    assert_eq!(verification.status, StatusCode::OK, "{}", verification.text);
    let answer = bundle
        .exchange
        .post(
            "/token",
            Some(&ada.user.session_jwt),
            json!({ "scopes": ["cards-write"], "verificationToken": verification.body["verificationToken"],
                    "verificationCode": "000001" }),
        )
        .await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{}", answer.text);
    assert!(answer.body.get("token").is_none());

    // Nothing of Bea's moved.
    let bea_cards = bundle.cards.get("/cards", Some(&bea.unit_token)).await;
    assert_eq!(bea_cards.body["total"], 1, "{}", bea_cards.text);
    assert_eq!(bundle.signup.armed_faults(Side::Unit).await, Vec::<Value>::new());
    bundle.assert_nothing_leaked();
}

#[tokio::test]
async fn a_flood_of_unknown_kids_costs_stytch_one_jwks_fetch_per_cooldown() {
    let bundle = Bundle::start(&[("JWKS_REFRESH_COOLDOWN_SECONDS", "2")]).await;
    let _logs = bundle.capture_logs();
    let user = bundle.sign_in("flood@example.com").await;
    let (header, payload, _) = forge::split(&user.session_jwt);
    // Each JWKS fetch consumes one of these (a 1 ms delay, then served normally).
    let jwks = json!({ "method": "GET", "path": "/v1/sessions/jwks", "delay_ms": 1, "count": 1000 });
    bundle.signup.fault(Side::Stytch, jwks).await;
    let fetches = || async {
        let faults = bundle.signup.armed_faults(Side::Stytch).await;
        1000 - faults[0]["remaining"].as_u64().unwrap()
    };
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    for round in 1..=2 {
        let tokens: Vec<String> = (0..100)
            .map(|i| {
                let mut forged = header.clone();
                forged["kid"] = json!(format!("jwk-test-flood-{round}-{i}"));
                forge::rs256_fixture(&forged, &payload)
            })
            .collect();
        let calls = tokens.iter().map(|jwt| bundle.signup.get("/applications/current", Some(jwt)));
        for answer in security_suite::join_all(calls.collect()).await {
            answer.assert_problem(401, "invalid_session");
        }
        assert_eq!(fetches().await, round, "one JWKS fetch for 100 unknown kids");
        tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    }
    bundle.assert_nothing_leaked();
}

#[tokio::test]
async fn card_routes_take_nothing_but_a_live_customer_token() {
    let bundle = Bundle::start(&[]).await;
    let _logs = bundle.capture_logs();
    let ada = bundle.customer("ada@example.com", &approvable_ssn(12)).await;
    let short = bundle
        .exchange
        .post("/token", Some(&ada.stepped_up_jwt), json!({ "scopes": ["cards", "cards-write"], "expiresIn": 1 }))
        .await;
    assert_eq!(short.status, StatusCode::OK, "{}", short.text);
    let short = short.body["token"].as_str().unwrap().to_owned();
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let mut forged_unit = ada.unit_token.clone();
    forged_unit.pop();
    forged_unit.push(if ada.unit_token.ends_with('A') { 'B' } else { 'A' });
    let refused = [
        ("an expired customer token", short.as_str()),
        ("a customer token with its last character changed", forged_unit.as_str()),
        ("a made-up token", "v2.public.eyJub3QiOiJhIHRva2VuIn0"),
        ("the Stytch session JWT", ada.stepped_up_jwt.as_str()),
        ("the Stytch session token", ada.user.session_token.as_str()),
    ];
    for route in card_routes() {
        let path = route.path.replace("{cardId}", &ada.card_id);
        for (name, token) in refused {
            let answer = bundle
                .cards
                .call_with(route.method, &path, Some(token), &[("idempotency-key", "k")], route.body.clone())
                .await;
            assert_eq!(
                (answer.status, code(&answer)),
                (StatusCode::UNAUTHORIZED, "invalid_unit_token"),
                "{name} on {} {}",
                route.method,
                route.path
            );
        }
    }
    let card = bundle.cards.get(&format!("/cards/{}", ada.card_id), Some(&ada.unit_token)).await;
    assert_eq!(card.body["status"], "Active", "{}", card.text);
    let list = bundle.cards.get("/cards", Some(&ada.unit_token)).await;
    assert_eq!(list.body["total"], 1, "no card was created");
    bundle.assert_nothing_leaked();
}

#[tokio::test]
async fn every_answer_that_carries_a_credential_is_marked_no_store() {
    let bundle = Bundle::start(&[]).await;
    let _logs = bundle.capture_logs();
    let email = "cache@example.com";
    assert_eq!(bundle.signup.post("/signup", None, json!({ "email": email })).await.status, StatusCode::ACCEPTED);
    let link = bundle.stack().outbox_latest(&bundle.stack().sandbox.stytch_url, email).await;
    let signed_in = bundle.signup.post("/signup/authenticate", None, json!({ "token": link["token"] })).await;
    let jwt = signed_in.body["sessionJwt"].as_str().unwrap().to_owned();
    let user = security_suite::User {
        email: email.into(),
        user_id: signed_in.body["userId"].as_str().unwrap().into(),
        session_jwt: jwt.clone(),
        session_token: signed_in.body["sessionToken"].as_str().unwrap().into(),
    };
    bundle.apply(&user, &approvable_ssn(13)).await;
    let sent = bundle.step_up.call("POST", "/step-up/sms/send", Some(&jwt), None).await;
    assert_eq!(sent.status, StatusCode::ACCEPTED, "{}", sent.text);
    let sms = bundle.stack().outbox_latest(&bundle.stack().sandbox.stytch_url, &bundle.kyc_phone(&user).await).await;
    let by_sms = bundle.step_up.post("/step-up/sms/authenticate", Some(&jwt), json!({ "code": sms["code"] })).await;
    let sms_jwt = by_sms.body["sessionJwt"].as_str().unwrap_or_default().to_owned();
    let enrolment = bundle.step_up.post("/step-up/totp", Some(&sms_jwt), Value::Null).await;
    let code = test_support::functions::totp_code(enrolment.body["secret"].as_str().unwrap());
    let stepped_up = bundle.step_up.post("/step-up/totp/authenticate", Some(&jwt), json!({ "code": code })).await;
    let token = bundle.exchange.post("/token", Some(&jwt), json!({ "scopes": ["cards"] })).await;
    let verification = bundle.exchange.post("/token/verification", Some(&jwt), json!({})).await;
    let refreshed = bundle.step_up.post("/session/refresh", None, json!({ "sessionToken": user.session_token })).await;
    let me = bundle.step_up.get("/me", Some(&sms_jwt)).await;
    for (name, answer) in [
        ("POST /signup/authenticate", &signed_in),
        ("POST /session/refresh", &refreshed),
        ("GET /me", &me),
        ("POST /step-up/sms/authenticate", &by_sms),
        ("POST /step-up/totp", &enrolment),
        ("POST /step-up/totp/authenticate", &stepped_up),
        ("POST /token", &token),
        ("POST /token/verification", &verification),
    ] {
        assert!(answer.status.is_success(), "{name}: {}", answer.text);
        assert_eq!(answer.headers.get("cache-control").map(|v| v.to_str().unwrap()), Some("no-store"), "{name}");
    }
    bundle.assert_nothing_leaked();
}

#[tokio::test]
async fn a_key_stytch_rotates_in_is_learnt_at_once_while_made_up_kids_stay_rate_limited() {
    let bundle = Bundle::start(&[]).await;
    let _logs = bundle.capture_logs();
    // Stytch publishes a new signing key right after the functions' cold start fetched the JWKS.
    let rotated: Value = bundle
        .stack()
        .http
        .post(format!("{}/__sandbox/keys/rotate", bundle.stack().sandbox.stytch_url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let user = bundle.sign_in("rotated@example.com").await;
    assert_eq!(forge::split(&user.session_jwt).0["kid"], rotated["kid"], "signed with the new key");
    let jwks = json!({ "method": "GET", "path": "/v1/sessions/jwks", "delay_ms": 1, "count": 1000 });
    bundle.signup.fault(Side::Stytch, jwks).await;
    let answer = bundle.signup.get("/applications/current", Some(&user.session_jwt)).await;
    answer.assert_problem(404, "no_application");
    // A made-up kid right after: no second fetch within the cooldown.
    let (header, payload, _) = forge::split(&user.session_jwt);
    let mut made_up = header.clone();
    made_up["kid"] = json!("jwk-test-made-up");
    let answer = bundle.signup.get("/applications/current", Some(&forge::rs256_fixture(&made_up, &payload))).await;
    answer.assert_problem(401, "invalid_session");
    let faults = bundle.signup.armed_faults(Side::Stytch).await;
    assert_eq!(faults[0]["remaining"], 999, "exactly one JWKS fetch");
    bundle.assert_nothing_leaked();
}
