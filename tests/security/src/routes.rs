//! Every route of the bundle, with a request that is valid enough to reach upstream.

use serde_json::{Value, json};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Function {
    Signup,
    StepUp,
    TokenExchange,
    Cards,
    Webhooks,
}

impl Function {
    pub fn routes(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Function::Signup => signup::ROUTES,
            Function::StepUp => step_up::ROUTES,
            Function::TokenExchange => token_exchange::ROUTES,
            Function::Cards => cards::ROUTES,
            Function::Webhooks => webhooks::ROUTES,
        }
    }
}

/// A route and a request body that would pass validation (`None`: no body at all).
#[derive(Debug, Clone)]
pub struct Route {
    pub function: Function,
    pub method: &'static str,
    pub path: &'static str,
    pub body: Option<Value>,
    /// The media type of a route that takes a file instead of JSON (`body` is then the file as text).
    pub file: Option<&'static str>,
}

fn route(function: Function, method: &'static str, path: &'static str, body: Option<Value>) -> Route {
    Route { function, method, path, body, file: None }
}

/// A route whose body is a file of `media_type`.
fn file_route(function: Function, method: &'static str, path: &'static str, media_type: &'static str) -> Route {
    Route {
        function,
        method,
        path,
        body: Some(Value::String("%PDF-1.4 security suite".into())),
        file: Some(media_type),
    }
}

impl Route {
    /// The routes that refuse a request without `Idempotency-Key`: those that create a card.
    pub fn takes_idempotency_key(&self) -> bool {
        self.method == "POST" && (self.path == "/cards" || self.path == "/cards/{cardId}/replace")
    }
}

/// Every route that takes a Stytch session JWT, each with a body that would make it write upstream
/// (a Unit application, a TOTP, an SMS, a factor, a Unit token or verification, a revoked session)
/// or read the caller's data (`GET /me`).
pub fn session_routes() -> Vec<Route> {
    use Function::*;
    vec![
        route(Signup, "POST", "/applications", Some(crate::application_body("745671234"))),
        route(Signup, "POST", "/application-forms", None),
        route(Signup, "GET", "/applications/current", None),
        route(Signup, "GET", "/applications/current/documents", None),
        file_route(Signup, "PUT", "/applications/current/documents/{documentId}", "application/pdf"),
        route(Signup, "POST", "/customers/link", Some(json!({}))),
        route(
            Signup,
            "POST",
            "/customers/link/verify",
            Some(json!({ "verificationToken": "t", "verificationCode": "000001" })),
        ),
        route(StepUp, "POST", "/step-up/totp", None),
        route(StepUp, "POST", "/step-up/totp/authenticate", Some(json!({ "code": "123456" }))),
        route(StepUp, "POST", "/step-up/sms/send", Some(json!({}))),
        route(StepUp, "POST", "/step-up/sms/authenticate", Some(json!({ "code": "123456" }))),
        route(StepUp, "POST", "/step-up/recover", Some(json!({ "recoveryCode": "abcd-efgh-ijkl" }))),
        route(StepUp, "GET", "/step-up/factors", None),
        route(StepUp, "DELETE", "/step-up/factors/phones/{phoneId}", None),
        route(StepUp, "POST", "/step-up/totp/replace", None),
        route(StepUp, "GET", "/step-up/totp/recovery-codes", None),
        // The bearer only: with `{sessionToken}` and no bearer it is a public route.
        route(StepUp, "POST", "/session/logout", None),
        route(StepUp, "GET", "/me", None),
        route(TokenExchange, "POST", "/token", Some(json!({ "scopes": ["cards", "cards-write"] }))),
        route(TokenExchange, "POST", "/token/verification", Some(json!({}))),
    ]
}

/// Every route that takes a Unit customer token (`{cardId}` left in the path).
pub fn card_routes() -> Vec<Route> {
    use Function::*;
    vec![
        route(Cards, "GET", "/cards", None),
        route(Cards, "POST", "/cards", Some(json!({}))),
        route(Cards, "GET", "/cards/{cardId}", None),
        route(Cards, "POST", "/cards/{cardId}/freeze", None),
        route(Cards, "POST", "/cards/{cardId}/unfreeze", None),
        route(Cards, "POST", "/cards/{cardId}/close", None),
        route(Cards, "POST", "/cards/{cardId}/report-lost", None),
        route(Cards, "POST", "/cards/{cardId}/report-stolen", None),
        route(Cards, "POST", "/cards/{cardId}/replace", Some(json!({}))),
        route(Cards, "GET", "/cards/{cardId}/limits", None),
        route(Cards, "GET", "/cards/{cardId}/pin-status", None),
    ]
}

/// Routes that take no bearer (a refresh's credential is the session token in its body: here one
/// of no session, which Stytch is asked about).
pub fn public_routes() -> Vec<Route> {
    use Function::*;
    vec![
        route(Signup, "POST", "/signup", Some(json!({ "email": "someone@example.com" }))),
        route(
            Signup,
            "POST",
            "/signup/authenticate",
            Some(json!({ "token": "DOYoip3rvIMMW5lgItikFK-Ak1CfMsgjuiCyI7uuU94=" })),
        ),
        route(
            StepUp,
            "POST",
            "/session/refresh",
            Some(
                json!({ "sessionToken": "mZAYn5aLEqKUlZ_Ad9U_fWr38GaAQ1oFAhT8ds245v7Q", "sessionDurationMinutes": 30 }),
            ),
        ),
    ]
}

/// Unit's webhook deliveries: no bearer, the credential is the signature (none here: a caller that is not Unit).
pub fn webhook_routes() -> Vec<Route> {
    let event = json!({ "id": "1", "type": "application.denied", "attributes": {},
        "relationships": { "application": { "data": { "type": "individualApplication", "id": "100001" } } } });
    vec![route(Function::Webhooks, "POST", "/webhooks/unit", Some(json!({ "data": [event] })))]
}

/// Health routes: no credential, no upstream.
pub fn health_routes() -> Vec<Route> {
    use Function::*;
    vec![
        route(Signup, "GET", "/health/signup", None),
        route(StepUp, "GET", "/health/step-up", None),
        route(TokenExchange, "GET", "/health/token-exchange", None),
        route(Cards, "GET", "/health/cards", None),
        route(Webhooks, "GET", "/health/webhooks", None),
    ]
}

/// All of the above.
pub fn all_routes() -> Vec<Route> {
    [session_routes(), card_routes(), public_routes(), webhook_routes(), health_routes()].concat()
}
