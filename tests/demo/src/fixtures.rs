//! Fresh values for the `{{PLACEHOLDER}}`s of the files in `events/`.
//!
//! Each event file gets its own new user: every placeholder of one file refers to that user, and
//! the placeholders it uses decide how far the user gets (signed in, applied, enrolled, stepped up,
//! holding a Unit token and cards). The state is built through the API itself, as a frontend would.
//!
//! | placeholder | value |
//! |---|---|
//! | `{{EMAIL}}` | the user's (fresh) email address |
//! | `{{MAGIC_LINK_TOKEN}}` | an unused magic-link token for a fresh address |
//! | `{{SSN}}` | a fresh SSN that the sandbox approves |
//! | `{{PHONE_NUMBER}}` | a fresh phone number (E.164) |
//! | `{{IDEMPOTENCY_KEY}}` | a fresh `Idempotency-Key` |
//! | `{{STYTCH_SESSION_JWT}}` | the user's session JWT: one factor (email) |
//! | `{{STYTCH_SESSION_TOKEN}}` | the session token of that same session (for `POST /session/refresh` and logout) |
//! | `{{STYTCH_SESSION_JWT_APPLIED}}` | the same, after an approved application (a Unit customer exists) |
//! | `{{STYTCH_SESSION_JWT_EXISTING_CUSTOMER}}` | the same, for a user whose email a Unit customer (no application) has |
//! | `{{LINK_VERIFICATION_TOKEN}}` | that user started `POST /customers/link`: Unit's token (its code is `000001`) |
//! | `{{STYTCH_SESSION_JWT_AWAITING_DOCUMENTS}}` | the same, after an application awaiting an address document (id `1`) |
//! | `{{STYTCH_SESSION_JWT_2FA}}` | approved application, and the SMS to its phone added as second factor just now |
//! | `{{TOTP_CODE}}` / `{{WRONG_TOTP_CODE}}` | after that step-up the user enrolled a TOTP (not yet used): its current code / a wrong one |
//! | `{{RECOVERY_CODE}}` | the user enrolled and verified a TOTP: one of its recovery codes |
//! | `{{SMS_CODE}}` | approved application; `POST /step-up/sms/send` texted its phone: the code |
//! | `{{UNIT_VERIFICATION_TOKEN}}` | a Unit SMS verification was started (its code is `000001` in the sandbox) |
//! | `{{UNIT_CUSTOMER_TOKEN}}` | a Unit customer token with `accounts cards cards-write` |
//! | `{{ACCOUNT_ID}}` / `{{CARD_ID}}` / `{{FROZEN_CARD_ID}}` | the customer's deposit account / an active (virtual) card / a frozen card |
//! | `{{CLOSED_CARD_ID}}` | a closed card |
//! | `{{PHYSICAL_CARD_ID}}` | a physical card the cardholder activated (Unit's sandbox simulation: needs the org token) |
//! | `{{UNIT_SENSITIVE_TOKEN}}` | a Unit customer token with `cards cards-sensitive` (the PIN status) |

use std::collections::BTreeMap;

use serde_json::json;

use crate::{
    api::{Api, Call, Reply, Sandbox},
    values,
};

pub const PLACEHOLDERS: &[&str] = &[
    "EMAIL",
    "MAGIC_LINK_TOKEN",
    "SSN",
    "PHONE_NUMBER",
    "IDEMPOTENCY_KEY",
    "STYTCH_SESSION_JWT",
    "STYTCH_SESSION_TOKEN",
    "STYTCH_SESSION_JWT_APPLIED",
    "STYTCH_SESSION_JWT_AWAITING_DOCUMENTS",
    "STYTCH_SESSION_JWT_EXISTING_CUSTOMER",
    "LINK_VERIFICATION_TOKEN",
    "STYTCH_SESSION_JWT_2FA",
    "TOTP_CODE",
    "WRONG_TOTP_CODE",
    "RECOVERY_CODE",
    "STYTCH_SESSION_JWT_TOTP",
    "KYC_PHONE_ID",
    "SMS_CODE",
    "UNIT_VERIFICATION_TOKEN",
    "UNIT_CUSTOMER_TOKEN",
    "ACCOUNT_ID",
    "CARD_ID",
    "FROZEN_CARD_ID",
    "CLOSED_CARD_ID",
    "PHYSICAL_CARD_ID",
    "UNIT_SENSITIVE_TOKEN",
];

/// The placeholder names used in `template`, in order of first use.
pub fn placeholders(template: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        let Some(len) = rest[start + 2..].find("}}") else { break };
        let name = rest[start + 2..start + 2 + len].to_owned();
        if !names.contains(&name) {
            names.push(name);
        }
        rest = &rest[start + 2 + len + 2..];
    }
    names
}

/// `template` with every placeholder replaced by a fresh value, built through `api`.
pub async fn fill<A: Api>(api: &A, sandbox: &Sandbox, template: &str) -> Result<String, String> {
    let names = placeholders(template);
    if let Some(unknown) = names.iter().find(|n| !PLACEHOLDERS.contains(&n.as_str())) {
        return Err(format!("unknown placeholder {{{{{unknown}}}}}; known: {}", PLACEHOLDERS.join(", ")));
    }
    let has = |name: &str| names.iter().any(|n| n == name);
    let mut user = User::new(api, sandbox);
    let mut values = BTreeMap::new();

    // Order matters: the application before any step-up (it binds the phone), the SMS step-up before
    // a TOTP is enrolled, cards before the freeze.
    if has("MAGIC_LINK_TOKEN") {
        let email = values::email();
        user.expect(Call::new("POST", "/signup").json(json!({ "email": email })), 202).await?;
        values.insert("MAGIC_LINK_TOKEN", user.outbox_token(&email).await?);
    }
    let signs_in = names.iter().any(|n| {
        n.starts_with("STYTCH_SESSION_")
            || n == "LINK_VERIFICATION_TOKEN"
            || n.starts_with("UNIT_")
            || n.ends_with("_CODE")
            || n.ends_with("CARD_ID")
            || n == "ACCOUNT_ID"
            || n == "KYC_PHONE_ID"
    });
    if signs_in {
        user.sign_in().await?;
    }
    let needs_customer = names.iter().any(|n| {
        n == "STYTCH_SESSION_JWT_APPLIED"
            || n.starts_with("STYTCH_SESSION_JWT_2FA")
            || n == "STYTCH_SESSION_JWT_TOTP"
            || n == "KYC_PHONE_ID"
            || n.starts_with("UNIT_")
            || n.ends_with("CARD_ID")
            || n == "ACCOUNT_ID"
            || n.ends_with("_CODE")
    });
    if has("STYTCH_SESSION_JWT_EXISTING_CUSTOMER") || has("LINK_VERIFICATION_TOKEN") {
        sandbox.create_existing_customer(&user.email, &user.phone).await?;
    }
    if has("LINK_VERIFICATION_TOKEN") {
        let started =
            user.expect(Call::new("POST", "/customers/link").bearer(user.jwt()?).json(json!({})), 202).await?;
        values.insert("LINK_VERIFICATION_TOKEN", started.text("verificationToken")?);
    }
    if needs_customer {
        user.apply(&values::approved_ssn()).await?;
    } else if has("STYTCH_SESSION_JWT_AWAITING_DOCUMENTS") {
        user.apply(&values::ssn_ending("9003")).await?;
    }
    if has("SMS_CODE") {
        values.insert("SMS_CODE", user.send_sms_code().await?);
    }
    let has_active_totp = has("RECOVERY_CODE") || has("STYTCH_SESSION_JWT_TOTP") || has("KYC_PHONE_ID");
    let needs_two_factors = has("STYTCH_SESSION_JWT_2FA")
        || has_active_totp
        || names.iter().any(|n| n.ends_with("TOTP_CODE"))
        || names.iter().any(|n| n == "UNIT_CUSTOMER_TOKEN" || n.ends_with("CARD_ID") || n == "ACCOUNT_ID");
    if needs_two_factors && !has("SMS_CODE") {
        user.step_up_by_sms().await?;
    }
    if has("TOTP_CODE") || has("WRONG_TOTP_CODE") {
        let secret = user.enrol_totp().await?;
        values.insert("TOTP_CODE", values::totp_code(&secret)?);
        values.insert("WRONG_TOTP_CODE", values::wrong_totp_code(&secret)?);
    }
    if has_active_totp {
        let secret = user.enrol_totp().await?;
        user.activate_totp(&secret).await?;
        values.insert("RECOVERY_CODE", user.recovery_codes.first().cloned().ok_or("no recovery codes")?);
        values.insert("STYTCH_SESSION_JWT_TOTP", user.two_factor_jwt()?.to_owned());
    }
    if has("KYC_PHONE_ID") {
        let factors = user.expect(Call::new("GET", "/step-up/factors").bearer(user.two_factor_jwt()?), 200).await?;
        let phones = factors.body["phones"].as_array().cloned().unwrap_or_default();
        let kyc = phones.iter().find(|phone| phone["kycPhone"] == true).ok_or("no KYC phone among the factors")?;
        values.insert("KYC_PHONE_ID", kyc["phoneId"].as_str().ok_or("no phoneId")?.to_owned());
    }
    if has("UNIT_VERIFICATION_TOKEN") {
        let call = Call::new("POST", "/token/verification").bearer(user.jwt()?).json(json!({}));
        let reply = user.expect_any(call, &[200, 201]).await?;
        values.insert("UNIT_VERIFICATION_TOKEN", reply.text("verificationToken")?);
    }
    let needs_token =
        names.iter().any(|n| n.starts_with("UNIT_") && n.ends_with("_TOKEN") && n != "UNIT_VERIFICATION_TOKEN")
            || names.iter().any(|n| n.ends_with("CARD_ID") || n == "ACCOUNT_ID");
    if needs_token {
        let jwt = user.two_factor_jwt.clone().ok_or("no two-factor session")?;
        let call =
            Call::new("POST", "/token").bearer(&jwt).json(json!({ "scopes": ["accounts", "cards", "cards-write"] }));
        values.insert("UNIT_CUSTOMER_TOKEN", user.expect(call, 200).await?.text("token")?);
    }
    let new_card = |token: &str| {
        Call::new("POST", "/cards").bearer(token).header("idempotency-key", &values::idempotency_key()).json(json!({}))
    };
    if has("CARD_ID") || has("ACCOUNT_ID") {
        let card = user.expect(new_card(&values["UNIT_CUSTOMER_TOKEN"]), 201).await?;
        values.insert("CARD_ID", card.text("id")?);
        values.insert("ACCOUNT_ID", card.text("accountId")?);
    }
    if has("FROZEN_CARD_ID") {
        let token = values["UNIT_CUSTOMER_TOKEN"].clone();
        let card = user.expect(new_card(&token), 201).await?.text("id")?;
        user.expect(Call::new("POST", format!("/cards/{card}/freeze")).bearer(&token), 200).await?;
        values.insert("FROZEN_CARD_ID", card);
    }
    if has("CLOSED_CARD_ID") {
        let token = values["UNIT_CUSTOMER_TOKEN"].clone();
        let card = user.expect(new_card(&token), 201).await?.text("id")?;
        user.expect(Call::new("POST", format!("/cards/{card}/close")).bearer(&token), 200).await?;
        values.insert("CLOSED_CARD_ID", card);
    }
    if has("PHYSICAL_CARD_ID") {
        let token = values["UNIT_CUSTOMER_TOKEN"].clone();
        let call = Call::new("POST", "/cards")
            .bearer(&token)
            .header("idempotency-key", &values::idempotency_key())
            .json(json!({ "type": "physical" }));
        let card = user.expect(call, 201).await?.text("id")?;
        sandbox.activate_card(&card).await?;
        values.insert("PHYSICAL_CARD_ID", card);
    }
    if has("UNIT_SENSITIVE_TOKEN") {
        let jwt = user.two_factor_jwt.clone().ok_or("no two-factor session")?;
        let call = Call::new("POST", "/token").bearer(&jwt).json(json!({ "scopes": ["cards", "cards-sensitive"] }));
        values.insert("UNIT_SENSITIVE_TOKEN", user.expect(call, 200).await?.text("token")?);
    }

    values.insert("EMAIL", user.email.clone());
    values.insert("SSN", values::approved_ssn());
    values.insert("PHONE_NUMBER", values::phone_number());
    values.insert("IDEMPOTENCY_KEY", values::idempotency_key());
    if let Some(jwt) = &user.one_factor_jwt {
        values.insert("STYTCH_SESSION_JWT", jwt.clone());
        values.insert("STYTCH_SESSION_JWT_APPLIED", jwt.clone());
        values.insert("STYTCH_SESSION_JWT_AWAITING_DOCUMENTS", jwt.clone());
        values.insert("STYTCH_SESSION_JWT_EXISTING_CUSTOMER", jwt.clone());
    }
    if let Some(token) = &user.session_token {
        values.insert("STYTCH_SESSION_TOKEN", token.clone());
    }
    if let Some(jwt) = &user.two_factor_jwt {
        values.insert("STYTCH_SESSION_JWT_2FA", jwt.clone());
    }

    let mut filled = template.to_owned();
    for name in &names {
        let value = values.get(name.as_str()).ok_or_else(|| format!("no value for {{{{{name}}}}}"))?;
        // Values go inside JSON strings (sometimes a JSON string inside a JSON string): keep them plain.
        if value.contains(['"', '\\']) {
            return Err(format!("the value of {{{{{name}}}}} would need escaping"));
        }
        filled = filled.replace(&format!("{{{{{name}}}}}"), value);
    }
    Ok(filled)
}

/// The one user of an event file, built up step by step.
struct User<'a, A> {
    api: &'a A,
    sandbox: &'a Sandbox,
    email: String,
    /// The phone on the application: the one SMS step-up texts.
    phone: String,
    one_factor_jwt: Option<String>,
    /// The session token of the session those JWTs belong to.
    session_token: Option<String>,
    two_factor_jwt: Option<String>,
    totp_secret: Option<String>,
    recovery_codes: Vec<String>,
}

impl<'a, A: Api> User<'a, A> {
    fn new(api: &'a A, sandbox: &'a Sandbox) -> Self {
        Self {
            api,
            sandbox,
            email: values::email(),
            phone: values::phone_number(),
            one_factor_jwt: None,
            session_token: None,
            two_factor_jwt: None,
            totp_secret: None,
            recovery_codes: Vec::new(),
        }
    }

    async fn expect(&self, call: Call, status: u16) -> Result<Reply, String> {
        self.expect_any(call, &[status]).await
    }

    async fn expect_any(&self, call: Call, statuses: &[u16]) -> Result<Reply, String> {
        let what = format!("{} {}", call.method, call.path);
        let reply = self.api.call(call).await?;
        if statuses.contains(&reply.status) {
            Ok(reply)
        } else {
            Err(format!("setting up the event: {what} answered {} ({})", reply.problem(), reply.body))
        }
    }

    fn jwt(&self) -> Result<&str, String> {
        self.one_factor_jwt.as_deref().ok_or_else(|| "not signed in".to_owned())
    }

    async fn outbox_token(&self, email: &str) -> Result<String, String> {
        let message = self.sandbox.latest_message(email).await?;
        message["token"].as_str().map(str::to_owned).ok_or_else(|| "no magic-link token in the email".to_owned())
    }

    async fn sign_in(&mut self) -> Result<(), String> {
        self.expect(Call::new("POST", "/signup").json(json!({ "email": self.email })), 202).await?;
        let token = self.outbox_token(&self.email).await?;
        let reply = self.expect(Call::new("POST", "/signup/authenticate").json(json!({ "token": token })), 200).await?;
        self.one_factor_jwt = Some(reply.text("sessionJwt")?);
        self.session_token = Some(reply.text("sessionToken")?);
        Ok(())
    }

    async fn apply(&mut self, ssn: &str) -> Result<(), String> {
        let body = values::application(&self.email, ssn, &self.phone);
        self.expect(Call::new("POST", "/applications").bearer(self.jwt()?).json(body), 201).await?;
        Ok(())
    }

    /// `POST /step-up/sms/send`: the code texted to the application's phone.
    async fn send_sms_code(&self) -> Result<String, String> {
        self.expect(Call::new("POST", "/step-up/sms/send").bearer(self.jwt()?), 202).await?;
        let message = self.sandbox.latest_message(&self.phone).await?;
        message["code"].as_str().map(str::to_owned).ok_or_else(|| "no code in the text message".to_owned())
    }

    /// SMS step-up: the code texted to the application's phone, added to the session.
    async fn step_up_by_sms(&mut self) -> Result<(), String> {
        let code = self.send_sms_code().await?;
        let call = Call::new("POST", "/step-up/sms/authenticate").bearer(self.jwt()?).json(json!({ "code": code }));
        self.two_factor_jwt = Some(self.expect(call, 200).await?.text("sessionJwt")?);
        Ok(())
    }

    fn two_factor_jwt(&self) -> Result<&str, String> {
        self.two_factor_jwt.as_deref().ok_or_else(|| "no SMS step-up yet".to_owned())
    }

    /// Enrols a TOTP (once, with the stepped-up session) and returns its secret.
    async fn enrol_totp(&mut self) -> Result<String, String> {
        if let Some(secret) = &self.totp_secret {
            return Ok(secret.clone());
        }
        let reply = self.expect(Call::new("POST", "/step-up/totp").bearer(self.two_factor_jwt()?), 201).await?;
        let secret = reply.text("secret")?;
        self.recovery_codes = reply.body["recoveryCodes"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c.as_str().map(str::to_owned))
            .collect();
        self.totp_secret = Some(secret.clone());
        Ok(secret)
    }

    /// The TOTP's first code, which activates it.
    async fn activate_totp(&mut self, secret: &str) -> Result<(), String> {
        let code = values::totp_code(secret)?;
        let call = Call::new("POST", "/step-up/totp/authenticate")
            .bearer(self.two_factor_jwt()?)
            .json(json!({ "code": code }));
        self.two_factor_jwt = Some(self.expect(call, 200).await?.text("sessionJwt")?);
        Ok(())
    }
}
