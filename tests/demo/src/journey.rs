//! The whole journey a user makes, over HTTP, printed step by step (`make demo`).
//!
//! Tokens, secrets and codes are printed as their first 8 characters and `…`; ids in full.

use serde_json::json;

use crate::{
    api::{Api, Call, Reply, Sandbox, short},
    values,
};

/// What the journey ends with, for callers that go on (or assert). `Debug` shows the credentials as
/// [`short`] does.
#[derive(Clone)]
pub struct Outcome {
    pub email: String,
    pub user_id: String,
    pub application_id: String,
    pub customer_id: String,
    /// The virtual card, frozen, unfrozen and then reported lost.
    pub card_id: String,
    /// The physical card ordered after that: `Inactive` until the cardholder activates it.
    pub physical_card_id: String,
    /// The two-factor Stytch session JWT (from the SMS step-up, then the TOTP added to it).
    pub session_jwt: String,
    /// The Unit customer token, scopes `accounts cards cards-write`.
    pub unit_token: String,
}

impl std::fmt::Debug for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outcome")
            .field("email", &self.email)
            .field("user_id", &self.user_id)
            .field("application_id", &self.application_id)
            .field("customer_id", &self.customer_id)
            .field("card_id", &self.card_id)
            .field("physical_card_id", &self.physical_card_id)
            .field("session_jwt", &short(&self.session_jwt))
            .field("unit_token", &short(&self.unit_token))
            .finish()
    }
}

struct Steps<'a, A> {
    api: &'a A,
    n: usize,
}

impl<A: Api> Steps<'_, A> {
    /// Sends `call`, prints one line, and fails unless the status is one of `expected`.
    async fn send(&mut self, call: Call, expected: &[u16]) -> Result<Reply, String> {
        let (method, path) = (call.method, call.path.clone());
        let reply = self.api.call(call).await?;
        self.n += 1;
        if !expected.contains(&reply.status) {
            let wanted: Vec<String> = expected.iter().map(u16::to_string).collect();
            println!("{:>2}. {method:<6} {path:<36} {}  ✗ expected {}", self.n, reply.status, wanted.join(" or "));
            return Err(format!("{method} {path} answered {}, expected {}", reply.problem(), wanted.join(" or ")));
        }
        Ok(reply)
    }

    fn show(&self, call: (&str, &str), status: u16, summary: &str) {
        println!("{:>2}. {:<6} {:<36} {status}  {summary}", self.n, call.0, call.1);
    }

    fn note(&self, text: &str) {
        println!("    {text}");
    }
}

/// A string field for display (`?` when absent).
fn text<'v>(body: &'v serde_json::Value, key: &str) -> &'v str {
    body[key].as_str().unwrap_or("?")
}

fn ensure(condition: bool, what: &str) -> Result<(), String> {
    if condition { Ok(()) } else { Err(what.to_owned()) }
}

/// Runs the journey against `api`, reading emails from the sandbox outbox at `sandbox`.
pub async fn run<A: Api>(api: &A, sandbox: &Sandbox) -> Result<Outcome, String> {
    let mut s = Steps { api, n: 0 };
    let email = values::email();

    // 1. Sign up: Stytch sends a magic link.
    let r = s.send(Call::new("POST", "/signup").json(json!({ "email": email })), &[202]).await?;
    s.show(("POST", "/signup"), r.status, &format!("magic link sent to {email} (same answer for known addresses)"));

    // 2. The user clicks the link: here, the sandbox outbox holds it.
    let message = sandbox.latest_message(&email).await?;
    let token = message["token"].as_str().ok_or("the outbox message has no magic-link token")?.to_owned();
    s.n += 1;
    s.show(("GET", "{STYTCH_URL}/__sandbox/outbox"), 200, &format!("magic-link token {}", short(&token)));

    // 3. The token becomes a session (one factor: email).
    let r = s.send(Call::new("POST", "/signup/authenticate").json(json!({ "token": token })), &[200]).await?;
    let user_id = r.text("userId")?;
    let one_factor_jwt = r.text("sessionJwt")?;
    s.show(
        ("POST", "/signup/authenticate"),
        r.status,
        &format!(
            "user {user_id}, session JWT {}, expires {}",
            short(&one_factor_jwt),
            text(&r.body, "sessionExpiresAt")
        ),
    );

    // 4. Apply for a Unit account; the sandbox approves this SSN at once. The phone on the application
    //    (Unit's KYC record) is the one SMS step-up will text.
    let (ssn, phone) = (values::approved_ssn(), values::phone_number());
    let call =
        Call::new("POST", "/applications").bearer(&one_factor_jwt).json(values::application(&email, &ssn, &phone));
    let r = s.send(call, &[201]).await?;
    let customer_id = r.body["customerId"].as_str().unwrap_or_default().to_owned();
    let application_id = r.text("applicationId")?;
    s.show(
        ("POST", "/applications"),
        r.status,
        &format!("application {} {}, customer {customer_id}", text(&r.body, "applicationId"), text(&r.body, "status")),
    );
    ensure(r.body["status"] == "Approved" && !customer_id.is_empty(), "the application was not approved at once")?;
    ensure(!r.body.to_string().contains(&ssn), "the SSN came back in the answer")?;

    // 5. Card actions need a second factor: one factor is refused.
    let call = Call::new("POST", "/token").bearer(&one_factor_jwt).json(json!({ "scopes": ["cards", "cards-write"] }));
    let r = s.send(call, &[403]).await?;
    ensure(r.body["code"] == "step_up_required", "one factor was not refused with step_up_required")?;
    s.show(("POST", "/token"), r.status, "step_up_required: cards-write needs a recent second factor");

    // 6. Step up: a code texted to the phone on the application (no number is sent: only the phone
    //    bound to the user by KYC counts, never one chosen inside this session).
    let r = s.send(Call::new("POST", "/step-up/sms/send").bearer(&one_factor_jwt), &[202]).await?;
    s.show(("POST", "/step-up/sms/send"), r.status, &format!("code texted to {}", text(&r.body, "phoneNumber")));
    let message = sandbox.latest_message(&phone).await?;
    let sms_code = message["code"].as_str().ok_or("the outbox message has no SMS code")?.to_owned();
    s.note("the code the user received, read from the sandbox outbox (a one-time code: not shown)");
    let call = Call::new("POST", "/step-up/sms/authenticate").bearer(&one_factor_jwt).json(json!({ "code": sms_code }));
    let r = s.send(call, &[200]).await?;
    let two_factor_jwt = r.text("sessionJwt")?;
    s.show(
        ("POST", "/step-up/sms/authenticate"),
        r.status,
        &format!("second factor added: new session JWT {}", short(&two_factor_jwt)),
    );

    // 7. Optionally, enrol an authenticator app for later sign-ins: only a stepped-up session may.
    let r = s.send(Call::new("POST", "/step-up/totp").bearer(&two_factor_jwt), &[201]).await?;
    let secret = r.text("secret")?;
    let recovery_codes = r.body["recoveryCodes"].as_array().map_or(0, Vec::len);
    s.show(
        ("POST", "/step-up/totp"),
        r.status,
        &format!(
            "TOTP {} enrolled and trusted: secret {}, {recovery_codes} recovery codes",
            text(&r.body, "totpId"),
            short(&secret)
        ),
    );

    // 8. The app shows a code (computed here from the secret); the first one activates the TOTP.
    let code = values::totp_code(&secret)?;
    let call = Call::new("POST", "/step-up/totp/authenticate").bearer(&two_factor_jwt).json(json!({ "code": code }));
    let r = s.send(call, &[200]).await?;
    let two_factor_jwt = r.text("sessionJwt")?;
    s.show(
        ("POST", "/step-up/totp/authenticate"),
        r.status,
        &format!("TOTP activated: new session JWT {}", short(&two_factor_jwt)),
    );

    // 9. Exchange the two-factor session for a Unit customer token.
    let scopes = json!(["accounts", "cards", "cards-write"]);
    let call = Call::new("POST", "/token").bearer(&two_factor_jwt).json(json!({ "scopes": scopes }));
    let r = s.send(call, &[200]).await?;
    let unit_token = r.text("token")?;
    s.show(
        ("POST", "/token"),
        r.status,
        &format!(
            "Unit customer token {} for {}, expires in {} s (sensitive scopes: capped)",
            short(&unit_token),
            r.body["scopes"].as_array().into_iter().flatten().filter_map(|s| s.as_str()).collect::<Vec<_>>().join(" "),
            r.body["expiresIn"]
        ),
    );

    // 10-11. Create a card (virtual: usable at once), then retry with the same Idempotency-Key: still one card.
    let key = values::idempotency_key();
    let create = || Call::new("POST", "/cards").bearer(&unit_token).header("idempotency-key", &key).json(json!({}));
    let r = s.send(create(), &[201]).await?;
    let card_id = r.text("id")?;
    s.show(
        ("POST", "/cards"),
        r.status,
        &format!(
            "{} card {card_id} {} (…{}, expires {}), account {}",
            text(&r.body, "type"),
            text(&r.body, "status"),
            text(&r.body, "last4Digits"),
            text(&r.body, "expirationDate"),
            text(&r.body, "accountId"),
        ),
    );
    let r = s.send(create(), &[200, 201]).await?;
    let again = r.text("id")?;
    ensure(again == card_id, "a retry with the same Idempotency-Key created a second card")?;
    s.show(("POST", "/cards"), r.status, &format!("same Idempotency-Key {key}: the same card {again}, no second card"));

    // 12. List the cards.
    let r = s.send(Call::new("GET", "/cards").bearer(&unit_token), &[200]).await?;
    let ids: Vec<&str> = r.body["cards"].as_array().into_iter().flatten().filter_map(|c| c["id"].as_str()).collect();
    s.show(("GET", "/cards"), r.status, &format!("total {}: {}", r.body["total"], ids.join(", ")));
    ensure(r.body["total"] == 1 && ids == [card_id.as_str()], "the list does not hold exactly the one card")?;

    // 13-15. Freeze it, unfreeze it, then the phone it lives on is lost: report the card lost (final).
    for (action, status) in [("freeze", "Frozen"), ("unfreeze", "Active"), ("report-lost", "Lost")] {
        let path = format!("/cards/{card_id}/{action}");
        let r = s.send(Call::new("POST", path.clone()).bearer(&unit_token), &[200]).await?;
        s.show(("POST", &path), r.status, &format!("card {card_id} is {}", text(&r.body, "status")));
        ensure(r.body["status"] == status, &format!("the card is not {status} after {action}"))?;
    }

    // 16. Order a physical card: shipped to the address on the application, Inactive until the
    //     cardholder activates it with Unit's component (README, "Card activation, PIN and card number").
    let key = values::idempotency_key();
    let call = Call::new("POST", "/cards")
        .bearer(&unit_token)
        .header("idempotency-key", &key)
        .json(json!({ "type": "physical" }));
    let r = s.send(call, &[201]).await?;
    let physical_card_id = r.text("id")?;
    s.show(
        ("POST", "/cards"),
        r.status,
        &format!(
            "{} card {physical_card_id} {}: to be activated by the cardholder",
            text(&r.body, "type"),
            text(&r.body, "status")
        ),
    );
    ensure(r.body["type"] == "physical" && r.body["status"] == "Inactive", "the physical card is not Inactive")?;

    Ok(Outcome {
        email,
        user_id,
        application_id,
        customer_id,
        card_id,
        physical_card_id,
        session_jwt: two_factor_jwt,
        unit_token,
    })
}
