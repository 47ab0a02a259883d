//! The application form's page, at the form's `url`: what the applicant sees in a browser at Unit.
//!
//! `GET /__sandbox/application-forms/{id}` is an HTML form with the prefilled details in its fields;
//! posting it (`application/x-www-form-urlencoded`) submits the application as the JSON control
//! `…/submit` does (`application_forms::submit_typed`), then sends the browser to the form's
//! `settingsOverride.redirectUrl` (`303 See Other`), or shows a "submitted" page when there is none.
//! Unit's real page has more steps (phone verification, disclosures) and its own look; how its
//! redirect looks is not documented (UNIT.md, "Application forms": the sandbox's choices).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::UnitState;
use super::application_forms::{find, submit_typed};
use super::state::ApplicationForm;

/// One input of the page: its name, its label, and where it goes in the application's attributes.
struct Field {
    name: &'static str,
    label: &'static str,
    path: &'static [&'static str],
    kind: &'static str,
}

const FIELDS: &[Field] = &[
    Field { name: "first", label: "First name", path: &["fullName", "first"], kind: "text" },
    Field { name: "last", label: "Last name", path: &["fullName", "last"], kind: "text" },
    Field { name: "email", label: "Email", path: &["email"], kind: "email" },
    Field { name: "phoneCountryCode", label: "Phone country code", path: &["phone", "countryCode"], kind: "text" },
    Field { name: "phoneNumber", label: "Phone number", path: &["phone", "number"], kind: "tel" },
    Field { name: "dateOfBirth", label: "Date of birth", path: &["dateOfBirth"], kind: "date" },
    Field { name: "ssn", label: "SSN (9 digits)", path: &["ssn"], kind: "text" },
    Field { name: "street", label: "Street", path: &["address", "street"], kind: "text" },
    Field { name: "city", label: "City", path: &["address", "city"], kind: "text" },
    Field { name: "state", label: "State", path: &["address", "state"], kind: "text" },
    Field { name: "postalCode", label: "Postal code", path: &["address", "postalCode"], kind: "text" },
    Field { name: "country", label: "Country", path: &["address", "country"], kind: "text" },
];

/// `GET /__sandbox/application-forms/{id}`
pub(crate) async fn page(State(state): State<UnitState>, Path(id): Path<String>) -> Response {
    let store = state.store();
    match find(&store, &id) {
        Err(_) => not_found(&id),
        Ok(form) if form.application_id.is_some() => submitted_page(form),
        Ok(form) => form_page(form, &Map::new(), &[], StatusCode::OK),
    }
}

/// `POST /__sandbox/application-forms/{id}` (the page's own form)
pub(crate) async fn post(State(state): State<UnitState>, Path(id): Path<String>, body: Bytes) -> Response {
    let typed = typed_attributes(&body);
    let mut store = state.store();
    match submit_typed(&mut store, &id, typed.clone()) {
        Ok(_) => {
            let form = find(&store, &id).expect("the form just submitted");
            match redirect_url(form) {
                Some(url) => (StatusCode::SEE_OTHER, [(header::LOCATION, url)]).into_response(),
                None => submitted_page(form),
            }
        }
        Err(error) => match find(&store, &id) {
            Err(_) => not_found(&id),
            Ok(form) if form.application_id.is_some() => submitted_page(form),
            Ok(form) => form_page(form, &typed, &error.details(), StatusCode::BAD_REQUEST),
        },
    }
}

/// The posted fields as application attributes; a blank field is left out, so the prefill stays.
fn typed_attributes(body: &[u8]) -> Map<String, Value> {
    let mut attributes = Map::new();
    for (name, value) in url::form_urlencoded::parse(body) {
        let value = value.trim();
        let Some(field) = FIELDS.iter().find(|field| field.name == name) else { continue };
        if value.is_empty() {
            continue;
        }
        let value = if field.name == "ssn" { value.replace('-', "") } else { value.to_owned() };
        insert_at(&mut attributes, field.path, json!(value));
    }
    attributes
}

fn insert_at(attributes: &mut Map<String, Value>, path: &[&str], value: Value) {
    match path {
        [key] => {
            attributes.insert((*key).to_owned(), value);
        }
        [key, rest @ ..] => {
            let entry = attributes.entry((*key).to_owned()).or_insert_with(|| json!({}));
            if let Some(inner) = entry.as_object_mut() {
                insert_at(inner, rest, value);
            }
        }
        [] => {}
    }
}

fn value_at<'a>(attributes: &'a Map<String, Value>, path: &[&str]) -> Option<&'a str> {
    let (first, rest) = path.split_first()?;
    let mut value = attributes.get(*first)?;
    for key in rest {
        value = value.get(*key)?;
    }
    value.as_str()
}

fn redirect_url(form: &ApplicationForm) -> Option<String> {
    form.settings_override.as_ref()?.get("redirectUrl")?.as_str().map(str::to_owned)
}

fn form_page(form: &ApplicationForm, typed: &Map<String, Value>, errors: &[String], status: StatusCode) -> Response {
    let mut inputs = String::new();
    for field in FIELDS {
        // What the applicant typed wins over the prefill. An SSN, typed or prefilled, is never sent back.
        let shown = match field.name {
            "ssn" => None,
            _ => value_at(typed, field.path).or_else(|| value_at(&form.applicant_details, field.path)),
        };
        inputs.push_str(&format!(
            "<p><label for=\"{name}\">{label}</label><br><input id=\"{name}\" name=\"{name}\" type=\"{kind}\" value=\"{value}\"></p>\n",
            name = field.name,
            label = field.label,
            kind = field.kind,
            value = escape(shown.unwrap_or_default()),
        ));
    }
    let error_list = if errors.is_empty() {
        String::new()
    } else {
        let items: String = errors.iter().map(|e| format!("<li>{}</li>", escape(e))).collect();
        format!("<div role=\"alert\"><p>Please correct:</p><ul>{items}</ul></div>\n")
    };
    let body = format!(
        "<h1>Open your account</h1>\n{error_list}<form method=\"post\" action=\"/__sandbox/application-forms/{id}\">\n{inputs}<p><button type=\"submit\">Submit application</button></p>\n</form>\n",
        id = form.id,
    );
    (status, Html(document("Application form", &body))).into_response()
}

fn submitted_page(form: &ApplicationForm) -> Response {
    let next =
        redirect_url(form).map(|url| format!("<p><a href=\"{}\">Continue</a></p>", escape(&url))).unwrap_or_default();
    let body =
        format!("<h1>Application submitted</h1>\n<p>Thank you: your application is being reviewed.</p>\n{next}\n");
    Html(document("Application submitted", &body)).into_response()
}

fn not_found(id: &str) -> Response {
    let body = format!("<h1>Not found</h1>\n<p>There is no application form {}.</p>\n", escape(id));
    (StatusCode::NOT_FOUND, Html(document("Not found", &body))).into_response()
}

fn document(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title} (Unit sandbox)</title></head>\n<body>\n<main>\n{body}</main>\n</body>\n</html>\n"
    )
}

/// HTML-escapes text placed in an element or a double-quoted attribute. By hand: five characters,
/// and the sandbox has no templating engine to bring one.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}
