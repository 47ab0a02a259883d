//! `individualCustomer`: created when an application is approved (or directly by a sandbox control);
//! `GET /customers/{id}` and `PATCH /customers/{id}` (email, phone, address, dba, tags,
//! authorizedUsers, jwtSubject). The list is in `customer_list.rs`.

use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::UnitState;
use super::applications::{applicant_attributes, tags_json};
use super::auth::Caller;
use super::body::{self, Expect, JsonBody};
use super::fields;
use super::ids::parse_id;
use super::jsonapi::{self, Problems, Resource, UnitError};
use super::state::{self, Applicant, Application, Customer, Store};

/// The id of the sandbox's single org, as relationships name it.
pub(crate) const ORG_ID: u64 = 1;

const PATCHABLE: &[&str] = &["email", "phone", "address", "dba", "tags", "authorizedUsers", "jwtSubject"];

/// Creates the customer of an approved application and returns its id.
pub(crate) fn create_from(store: &mut Store, application: &Application) -> u64 {
    insert(store, Some(application.id), application.applicant.clone(), application.jwt_subject.clone())
}

/// Creates a customer without an application (`POST /__sandbox/customers`) and returns its id.
pub(crate) fn create_direct(store: &mut Store, applicant: Applicant, jwt_subject: Option<String>) -> u64 {
    insert(store, None, applicant, jwt_subject)
}

fn insert(store: &mut Store, application_id: Option<u64>, applicant: Applicant, jwt_subject: Option<String>) -> u64 {
    let id = store.ids.customer();
    let customer = Customer {
        id,
        application_id,
        applicant,
        jwt_subject,
        dba: None,
        authorized_users: Vec::new(),
        created_at: state::now(),
    };
    store.customers.insert(id, customer);
    id
}

/// `GET /customers/{id}`
pub(crate) async fn get_one(
    State(state): State<UnitState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, UnitError> {
    caller.require_scope("customers")?;
    let store = state.store();
    let customer = visible(&store, &caller, &id)?;
    Ok(jsonapi::ok(render(customer)))
}

/// `PATCH /customers/{id}`. Absent attributes are left alone. `null` clears `jwtSubject`, `dba` and
/// `authorizedUsers`; for `email`, `phone` and `address`, which an individual must keep, `null`
/// leaves them unchanged. `tags` are merged: a key with `null` is removed.
pub(crate) async fn patch(
    State(state): State<UnitState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Response, UnitError> {
    caller.require_scope("customers-write")?;
    {
        let store = state.store();
        visible(&store, &caller, &id)?;
    }
    let data = body::data(
        &body,
        &Expect { types: &["individualCustomer"], attributes_required: true, relationships_allowed: false },
    )?;
    let update = validate(&data.attributes)?;

    let mut store = state.store();
    let customer_id = visible(&store, &caller, &id)?.id;
    let Some(customer) = store.customers.get_mut(&customer_id) else {
        return Err(UnitError::not_found(Resource::Customer, &id));
    };
    if let Some(email) = update.email {
        customer.applicant.email = email;
    }
    if let Some(phone) = update.phone {
        customer.applicant.phone = phone;
    }
    if let Some(address) = update.address {
        customer.applicant.address = address;
    }
    if let Some(dba) = update.dba {
        customer.dba = dba;
    }
    if let Some(users) = update.authorized_users {
        customer.authorized_users = users;
    }
    if let Some(subject) = update.jwt_subject {
        customer.jwt_subject = subject;
    }
    for (key, value) in update.tags {
        match value {
            Some(value) => customer.applicant.tags.insert(key, value),
            None => customer.applicant.tags.remove(&key),
        };
    }
    Ok(jsonapi::ok(render(customer)))
}

/// A validated patch; `Some(None)` means "clear".
#[derive(Default)]
struct CustomerUpdate {
    email: Option<String>,
    phone: Option<Value>,
    address: Option<Value>,
    dba: Option<Option<String>>,
    authorized_users: Option<Vec<Value>>,
    jwt_subject: Option<Option<String>>,
    tags: Vec<(String, Option<String>)>,
}

fn validate(attributes: &Map<String, Value>) -> Result<CustomerUpdate, UnitError> {
    const AT: &str = "/data/attributes";
    let pointer = |key: &str| format!("{AT}/{key}");
    let present = |key: &str| attributes.get(key).filter(|v| !v.is_null());
    let mut problems = Problems::default();
    fields::reject_unknown(attributes, PATCHABLE, AT, &mut problems);

    let mut update = CustomerUpdate {
        email: present("email").and_then(|v| fields::email(v, &pointer("email"), &mut problems)),
        phone: present("phone").and_then(|v| fields::phone(v, &pointer("phone"), &mut problems)),
        address: present("address").and_then(|v| fields::address(v, &pointer("address"), &mut problems)),
        ..CustomerUpdate::default()
    };
    update.dba = attributes.get("dba").and_then(|v| match v {
        Value::Null => Some(None),
        other => fields::string(other, &pointer("dba"), 1, 255, &mut problems).map(Some),
    });
    update.authorized_users = attributes.get("authorizedUsers").and_then(|v| match v {
        Value::Null => Some(Vec::new()),
        other => fields::authorized_users(other, &pointer("authorizedUsers"), &mut problems)
            .and_then(|users| users.as_array().cloned()),
    });
    update.jwt_subject =
        attributes.get("jwtSubject").and_then(|v| fields::jwt_subject(v, &pointer("jwtSubject"), &mut problems));
    if let Some(tags) = attributes.get("tags") {
        update.tags = fields::tag_changes(tags, &pointer("tags"), &mut problems);
    }
    problems.finish()?;
    Ok(update)
}

/// The customer named in the path, if the caller may see it; else 404 (never 403, so that a
/// customer token cannot probe for other customers).
pub(crate) fn visible<'a>(store: &'a Store, caller: &Caller, raw_id: &str) -> Result<&'a Customer, UnitError> {
    parse_id(raw_id)
        .and_then(|id| store.customers.get(&id))
        .filter(|customer| caller.sees_customer(customer.id))
        .ok_or_else(|| UnitError::not_found(Resource::Customer, raw_id))
}

/// The JWT subjects that may act for this customer: its own `jwtSubject` and those of its
/// authorized users.
pub(crate) fn jwt_subjects(customer: &Customer) -> Vec<String> {
    let authorized = customer
        .authorized_users
        .iter()
        .filter_map(|user| user.get("jwtSubject").and_then(Value::as_str))
        .map(str::to_string);
    customer.jwt_subject.iter().cloned().chain(authorized).collect()
}

/// A customer as Unit returns it.
pub(crate) fn render(customer: &Customer) -> Value {
    let mut attributes = Map::new();
    attributes.insert("createdAt".into(), json!(state::rfc3339(customer.created_at)));
    applicant_attributes(&customer.applicant, &mut attributes);
    attributes.insert("tags".into(), tags_json(&customer.applicant.tags));
    attributes.insert("authorizedUsers".into(), Value::Array(customer.authorized_users.clone()));
    if let Some(dba) = &customer.dba {
        attributes.insert("dba".into(), json!(dba));
    }
    if let Some(subject) = &customer.jwt_subject {
        attributes.insert("jwtSubject".into(), json!(subject));
    }
    attributes.insert("status".into(), json!("Active"));

    // `CustomerRelationships`: `org`, and `application` only for a customer that came from one.
    let mut relationships = Map::new();
    relationships.insert("org".into(), jsonapi::relationship("org", ORG_ID));
    if let Some(application_id) = customer.application_id {
        relationships.insert("application".into(), jsonapi::relationship("individualApplication", application_id));
    }
    json!({
        "type": "individualCustomer",
        "id": customer.id.to_string(),
        "attributes": attributes,
        "relationships": relationships,
    })
}
