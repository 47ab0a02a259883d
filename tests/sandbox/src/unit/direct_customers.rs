//! `POST /__sandbox/customers` (Unit port): an `Active` individual customer created directly, without an
//! application, for tests that need a customer to exist already (e.g. one to link by email). Unit has no
//! such call for individuals; there a customer always comes from an approved application.
//!
//! Body: `{"email", "phone": {"countryCode", "number"}, "jwtSubject"?, "fullName"?, "address"?,
//! "dateOfBirth"?, "tags"?}`, each validated by Unit's own rules for that attribute. The answer is 201
//! with the customer exactly as `GET /customers/{id}` renders it; bad input is Unit's 400 with a
//! pointer into this body.

use axum::extract::State;
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::UnitState;
use super::body::JsonBody;
use super::customers::{self, render};
use super::fields;
use super::jsonapi::{self, Problems, UnitError};
use super::state::Applicant;

const ATTRIBUTES: &[&str] = &["email", "phone", "jwtSubject", "fullName", "address", "dateOfBirth", "tags"];

pub(crate) async fn create(State(state): State<UnitState>, JsonBody(body): JsonBody) -> Result<Response, UnitError> {
    let Some(attributes) = body.as_object() else {
        return Err(UnitError::invalid("", "The body must be a JSON object"));
    };
    let (applicant, jwt_subject) = validate(attributes)?;
    let mut store = state.store();
    let id = customers::create_direct(&mut store, applicant, jwt_subject);
    let rendered = store.customers.get(&id).map(render).unwrap_or(Value::Null);
    Ok(jsonapi::created(rendered))
}

fn validate(attributes: &Map<String, Value>) -> Result<(Applicant, Option<String>), UnitError> {
    let pointer = |key: &str| format!("/{key}");
    let mut problems = Problems::default();
    fields::reject_unknown(attributes, ATTRIBUTES, "", &mut problems);
    let email = fields::require(attributes, "email", "", &mut problems)
        .and_then(|v| fields::email(v, &pointer("email"), &mut problems));
    let phone = fields::require(attributes, "phone", "", &mut problems)
        .and_then(|v| fields::phone(v, &pointer("phone"), &mut problems));
    let jwt_subject = attributes
        .get("jwtSubject")
        .and_then(|v| fields::jwt_subject(v, &pointer("jwtSubject"), &mut problems))
        .flatten();
    let full_name = match attributes.get("fullName") {
        None => Some(json!({ "first": "Sandbox", "last": "Customer" })),
        Some(v) => fields::full_name(v, &pointer("fullName"), &mut problems),
    };
    let address = match attributes.get("address") {
        None => Some(json!({
            "street": "20 Ingram St", "city": "Forest Hills", "state": "NY", "postalCode": "11375", "country": "US",
        })),
        Some(v) => fields::address(v, &pointer("address"), &mut problems),
    };
    let date_of_birth = match attributes.get("dateOfBirth") {
        None => Some("1990-01-01".to_string()),
        Some(v) => fields::date_of_birth(v, &pointer("dateOfBirth"), &mut problems),
    };
    let tags = attributes.get("tags").and_then(|v| fields::tags(v, &pointer("tags"), &mut problems));
    problems.finish()?;
    match (email, phone, full_name, address, date_of_birth) {
        (Some(email), Some(phone), Some(full_name), Some(address), Some(date_of_birth)) => Ok((
            Applicant {
                full_name,
                email,
                phone,
                address,
                date_of_birth,
                ssn: None,
                passport: None,
                nationality: None,
                tags: tags.unwrap_or_default(),
                echoed: Map::new(),
            },
            jwt_subject,
        )),
        // Unreachable: every missing or invalid attribute was recorded as a problem above.
        _ => Err(UnitError::invalid("", "Required attributes are missing")),
    }
}
