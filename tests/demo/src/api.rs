//! How the journey and the event fixtures reach the API: over HTTP ([`HttpApi`], `make demo`), or
//! in-process through the functions' routers (the events test implements [`Api`] itself).

use std::time::Duration;

use serde_json::Value;

/// One request to the API, as a frontend would send it.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: &'static str,
    pub path: String,
    /// `Authorization: Bearer <token>`.
    pub bearer: Option<String>,
    pub headers: Vec<(&'static str, String)>,
    pub body: Option<Value>,
}

impl Call {
    pub fn new(method: &'static str, path: impl Into<String>) -> Self {
        Self { method, path: path.into(), bearer: None, headers: Vec::new(), body: None }
    }

    pub fn bearer(mut self, token: &str) -> Self {
        self.bearer = Some(token.to_owned());
        self
    }

    pub fn header(mut self, name: &'static str, value: &str) -> Self {
        self.headers.push((name, value.to_owned()));
        self
    }

    pub fn json(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }
}

/// The status and JSON body (`null` when empty or not JSON) of an answer.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub body: Value,
}

impl Reply {
    /// `body[key]` as a string, or an error naming the key.
    pub fn text(&self, key: &str) -> Result<String, String> {
        self.body[key].as_str().map(str::to_owned).ok_or_else(|| format!("the answer has no string `{key}`"))
    }

    /// A short description of a problem+json answer: its status and stable code, never more.
    pub fn problem(&self) -> String {
        match self.body["code"].as_str() {
            Some(code) => format!("{} {code}", self.status),
            None => self.status.to_string(),
        }
    }
}

pub trait Api {
    fn call(&self, call: Call) -> impl Future<Output = Result<Reply, String>>;
}

/// The deployed shape: one base URL (API Gateway, or `cargo lambda watch` locally).
pub struct HttpApi {
    pub base_url: String,
    http: reqwest::Client,
}

impl HttpApi {
    pub fn new(base_url: &str) -> Self {
        let http = reqwest::Client::builder().timeout(Duration::from_secs(120)).build().expect("HTTP client");
        Self { base_url: base_url.trim_end_matches('/').to_owned(), http }
    }
}

impl Api for HttpApi {
    async fn call(&self, call: Call) -> Result<Reply, String> {
        let method = reqwest::Method::from_bytes(call.method.as_bytes()).map_err(|e| e.to_string())?;
        let mut request = self.http.request(method, format!("{}{}", self.base_url, call.path));
        if let Some(token) = &call.bearer {
            request = request.bearer_auth(token);
        }
        for (name, value) in &call.headers {
            request = request.header(*name, value);
        }
        if let Some(body) = &call.body {
            request = request.json(body);
        }
        let response =
            request.send().await.map_err(|e| format!("{} {}: no answer from the API: {e}", call.method, call.path))?;
        let status = response.status().as_u16();
        let bytes = response.bytes().await.map_err(|e| format!("{} {}: {e}", call.method, call.path))?;
        Ok(Reply { status, body: serde_json::from_slice(&bytes).unwrap_or(Value::Null) })
    }
}

/// The sandbox's own controls (not part of the API): the outbox where "sent" emails and texts land,
/// and, given Unit's org token, Unit's sandbox simulations (a cardholder activating a card).
pub struct Sandbox {
    pub stytch_url: String,
    /// Unit's URL and the org token, for simulations; `None` where the caller does not hold it.
    unit_org: Option<(String, String)>,
    http: reqwest::Client,
}

impl Sandbox {
    pub fn new(stytch_url: &str) -> Self {
        Self { stytch_url: stytch_url.trim_end_matches('/').to_owned(), unit_org: None, http: reqwest::Client::new() }
    }

    /// With Unit's sandbox simulations, which take the org token (never the functions' business).
    pub fn with_unit_org(mut self, unit_url: &str, org_token: &str) -> Self {
        self.unit_org = Some((unit_url.trim_end_matches('/').to_owned(), org_token.to_owned()));
        self
    }

    /// What the cardholder does with Unit's activation component: Unit's sandbox simulation
    /// `POST /sandbox/cards/{id}/activate`.
    pub async fn activate_card(&self, card_id: &str) -> Result<(), String> {
        let (unit_url, org_token) =
            self.unit_org.as_ref().ok_or("activating a card needs Unit's org token (a sandbox simulation)")?;
        let response = self
            .http
            .post(format!("{unit_url}/sandbox/cards/{card_id}/activate"))
            .bearer_auth(org_token)
            .header("content-type", "application/vnd.api+json")
            .send()
            .await
            .map_err(|e| format!("the Unit sandbox does not answer: {e}"))?;
        match response.status().as_u16() {
            200 | 201 => Ok(()),
            status => Err(format!("activating card {card_id} answered {status}")),
        }
    }

    /// A customer that exists at Unit without an application of ours, as a bank's existing customers
    /// do (the sandbox control `POST /__sandbox/customers`); `phone` in E.164 (`+1…`).
    pub async fn create_existing_customer(&self, email: &str, phone: &str) -> Result<String, String> {
        let (unit_url, _) = self.unit_org.as_ref().ok_or("creating a Unit customer needs the Unit sandbox's URL")?;
        let number = phone.strip_prefix("+1").ok_or("a US phone number")?;
        let body = serde_json::json!({ "email": email, "phone": { "countryCode": "1", "number": number } });
        let response = self
            .http
            .post(format!("{unit_url}/__sandbox/customers"))
            .json(&body)
            .send()
            .await
            .map_err(|e| format!("the Unit sandbox does not answer: {e}"))?;
        let created: Value = response.json().await.map_err(|e| format!("not JSON: {e}"))?;
        created["data"]["id"].as_str().map(str::to_owned).ok_or_else(|| format!("no customer created: {created}"))
    }

    /// The newest message sent to `to` (an email address or a phone number).
    pub async fn latest_message(&self, to: &str) -> Result<Value, String> {
        let messages: Vec<Value> = self
            .http
            .get(format!("{}/__sandbox/outbox", self.stytch_url))
            .query(&[("to", to)])
            .send()
            .await
            .map_err(|e| format!("the sandbox outbox does not answer: {e}"))?
            .json()
            .await
            .map_err(|e| format!("the sandbox outbox answered something else than JSON: {e}"))?;
        messages.last().cloned().ok_or_else(|| "no message in the sandbox outbox".to_owned())
    }
}

/// `abcdefgh…`: enough of a secret to recognise it, not enough to use it.
pub fn short(secret: &str) -> String {
    let head: String = secret.chars().take(8).collect();
    format!("{head}…")
}
