//! `individualApplication`: `POST /applications`, `GET /applications[/{id}]`, and Unit's sandbox
//! simulations `POST /sandbox/applications/{id}/approve|deny`.
//!
//! The decision comes from `decision.rs`. Approval creates an individual customer (with the
//! application's `jwtSubject`) and nothing else: the deposit account is opened by the integrator.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::UnitState;
use super::auth::Caller;
use super::body::{self, Expect, JsonBody, OptionalJsonBody};
use super::customers;
use super::decision;
use super::documents;
use super::fields;
use super::ids::parse_id;
use super::jsonapi::{self, Problems, Resource, UnitError};
use super::pagination::{ListQuery, list_document};
use super::state::{self, Applicant, Application, ApplicationStatus, DecisionRecord, Store};
use super::webhooks;

/// An individual application's attributes that the applicant gives of themselves: what Unit's hosted
/// form lets them type (`application_forms.rs`).
pub(crate) const APPLICANT_ATTRIBUTES: &[&str] = &[
    "fullName",
    "email",
    "phone",
    "ssn",
    "passport",
    "nationality",
    "address",
    "dateOfBirth",
    "occupation",
    "annualIncome",
    "sourceOfIncome",
];

/// The rest of an individual application's attributes: what the org (or its device checks) sets.
const ORG_ATTRIBUTES: &[&str] = &[
    "ip",
    "tags",
    "idempotencyKey",
    "deviceFingerprints",
    "jwtSubject",
    "powerOfAttorneyAgent",
    "industry",
    // The OpenAPI spec spells it with a capital E; Unit's docs and SDKs with a small one.
    "EvaluationParams",
    "evaluationParams",
];

const OCCUPATIONS: &[&str] = &[
    "ArchitectOrEngineer",
    "BusinessAnalystAccountantOrFinancialAdvisor",
    "CommunityAndSocialServicesWorker",
    "ConstructionMechanicOrMaintenanceWorker",
    "Doctor",
    "Educator",
    "EntertainmentSportsArtsOrMedia",
    "ExecutiveOrManager",
    "FarmerFishermanForester",
    "FoodServiceWorker",
    "GigWorker",
    "HospitalityOfficeOrAdministrativeSupportWorker",
    "HouseholdManager",
    "JanitorHousekeeperLandscaper",
    "Lawyer",
    "ManufacturingOrProductionWorker",
    "MilitaryOrPublicSafety",
    "NurseHealthcareTechnicianOrHealthcareSupport",
    "PersonalCareOrServiceWorker",
    "PilotDriverOperator",
    "SalesRepresentativeBrokerAgent",
    "ScientistOrTechnologist",
    "Student",
];

const ANNUAL_INCOMES: &[&str] =
    &["UpTo10k", "Between10kAnd25k", "Between25kAnd50k", "Between50kAnd100k", "Between100kAnd250k", "Over250k"];

const SOURCES_OF_INCOME: &[&str] = &[
    "EmploymentOrPayrollIncome",
    "PartTimeOrContractorIncome",
    "InheritancesAndGifts",
    "PersonalInvestments",
    "BusinessOwnershipInterests",
    "GovernmentBenefits",
];

const INDUSTRIES: &[&str] = &[
    "Retail",
    "Wholesale",
    "Restaurants",
    "Hospitals",
    "Construction",
    "Insurance",
    "Unions",
    "RealEstate",
    "FreelanceProfessional",
    "OtherProfessionalServices",
    "OnlineRetailer",
    "OtherEducationServices",
];

/// A validated create request.
pub(crate) struct NewApplication {
    pub(crate) applicant: Applicant,
    pub(crate) jwt_subject: Option<String>,
    pub(crate) idempotency_key: Option<String>,
    /// Set when an applicant submitted an application form.
    pub(crate) application_form_id: Option<u64>,
}

/// `POST /applications`
pub(crate) async fn create(
    State(state): State<UnitState>,
    caller: Caller,
    JsonBody(body): JsonBody,
) -> Result<Response, UnitError> {
    caller.require_org("Creating an application")?;
    let data = body::data(
        &body,
        &Expect { types: &["individualApplication"], attributes_required: true, relationships_allowed: false },
    )?;
    let new = validate(&data.attributes)?;

    let mut store = state.store();
    if let Some(key) = &new.idempotency_key
        && let Some(existing) = store.application_keys.get(key).and_then(|id| store.applications.get(id))
    {
        return Ok(jsonapi::created(render(existing)));
    }
    let id = insert(&mut store, new)?;
    let rendered = store.applications.get(&id).map(render).unwrap_or(Value::Null);
    Ok(jsonapi::created(rendered))
}

/// Creates the application `new` asks for, decided at once by `decision.rs` (with its events), as
/// `POST /applications` and a submitted application form do. Its idempotency key, if any, is
/// recorded; the caller has already answered a repeated one.
pub(crate) fn insert(store: &mut Store, new: NewApplication) -> Result<u64, UnitError> {
    reject_duplicate_ssn(store, &new.applicant)?;

    let id = store.ids.application();
    let now = state::now();
    let decided = decision::decide(new.applicant.ssn.as_deref());
    let status = decided.status;
    let application = Application {
        id,
        applicant: new.applicant,
        jwt_subject: new.jwt_subject,
        status,
        message: None,
        decision: None,
        customer_id: None,
        application_form_id: new.application_form_id,
        documents: documents::asked_for(decided.documents),
        created_at: now,
        updated_at: now,
    };
    store.applications.insert(id, application);
    if let Some(key) = new.idempotency_key {
        store.application_keys.insert(key, id);
    }
    webhooks::application_created(store, id);
    settle(store, id, status, "Automatically", None);
    Ok(id)
}

/// `GET /applications/{id}`
pub(crate) async fn get_one(
    State(state): State<UnitState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, UnitError> {
    caller.require_org("Reading applications")?;
    let store = state.store();
    let application = find(&store, &id)?;
    Ok(jsonapi::ok(render(application)))
}

/// `GET /applications`
pub(crate) async fn list(State(state): State<UnitState>, caller: Caller, uri: Uri) -> Result<Response, UnitError> {
    caller.require_org("Listing applications")?;
    let query = ListQuery::from_uri(&uri)?;
    let page = query.page()?;
    let newest_first = query.newest_first()?;
    let statuses = query.all("filter[status]");

    let store = state.store();
    let mut matching: Vec<&Application> =
        store.applications.values().filter(|a| statuses.is_empty() || statuses.contains(&a.status.as_str())).collect();
    if newest_first {
        matching.reverse();
    }
    let (items, total) = page.slice(matching);
    let data = items.into_iter().map(render).collect();
    Ok(list_document(data, total, page, Vec::new()))
}

/// `POST /sandbox/applications/{id}/approve` with an optional
/// `{"data":{"type":"applicationApprove","attributes":{"reason"}}}`.
pub(crate) async fn sandbox_approve(
    State(state): State<UnitState>,
    caller: Caller,
    Path(id): Path<String>,
    OptionalJsonBody(body): OptionalJsonBody,
) -> Result<Response, UnitError> {
    decide_manually(&state, &caller, &id, body, ApplicationStatus::Approved)
}

/// `POST /sandbox/applications/{id}/deny` with an optional
/// `{"data":{"type":"applicationDeny","attributes":{"reason"}}}`.
pub(crate) async fn sandbox_deny(
    State(state): State<UnitState>,
    caller: Caller,
    Path(id): Path<String>,
    OptionalJsonBody(body): OptionalJsonBody,
) -> Result<Response, UnitError> {
    decide_manually(&state, &caller, &id, body, ApplicationStatus::Denied)
}

fn decide_manually(
    state: &UnitState,
    caller: &Caller,
    id: &str,
    body: Option<Value>,
    outcome: ApplicationStatus,
) -> Result<Response, UnitError> {
    caller.require_org("Simulating an application decision")?;
    let expected_type = match outcome {
        ApplicationStatus::Approved => "applicationApprove",
        _ => "applicationDeny",
    };
    let reason = match body {
        None => None,
        Some(body) => {
            let data = body::data(
                &body,
                &Expect { types: &[expected_type], attributes_required: false, relationships_allowed: false },
            )?;
            let mut problems = Problems::default();
            fields::reject_unknown(&data.attributes, &["reason"], "/data/attributes", &mut problems);
            let reason = data
                .attributes
                .get("reason")
                .and_then(|reason| fields::string(reason, "/data/attributes/reason", 1, 255, &mut problems));
            problems.finish()?;
            reason
        }
    };

    let mut store = state.store();
    let application = find(&store, id)?;
    if !application.status.is_undecided() {
        return Err(UnitError::status_conflict(
            "not_supported_for_application_status",
            format!(
                "Application {id} is {}; only Pending, PendingReview or AwaitingDocuments applications can be decided",
                application.status.as_str()
            ),
        ));
    }
    let app_id = application.id;
    settle(&mut store, app_id, outcome, "Manually", reason);
    let rendered = store.applications.get(&app_id).map(render).unwrap_or(Value::Null);
    Ok(jsonapi::ok(rendered))
}

/// `POST /applications/{id}/cancel` with `{"data":{"type":"applicationCancel","attributes":{"reason"}}}`
/// (OpenAPI `applicationPaths.json#/cancelApplication`, answered with 201). Only an undecided
/// application can be canceled.
pub(crate) async fn cancel(
    State(state): State<UnitState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Response, UnitError> {
    caller.require_org("Canceling an application")?;
    let data = body::data(
        &body,
        &Expect { types: &["applicationCancel"], attributes_required: true, relationships_allowed: false },
    )?;
    let mut problems = Problems::default();
    fields::reject_unknown(&data.attributes, &["reason"], "/data/attributes", &mut problems);
    let reason = fields::require(&data.attributes, "reason", "/data/attributes", &mut problems)
        .and_then(|reason| fields::string(reason, "/data/attributes/reason", 1, 255, &mut problems));
    problems.finish()?;

    let mut store = state.store();
    let application = find(&store, &id)?;
    if !application.status.is_undecided() {
        return Err(UnitError::status_conflict(
            "not_supported_for_application_status",
            format!(
                "Application {id} is {}; only an undecided application can be canceled",
                application.status.as_str()
            ),
        ));
    }
    let app_id = application.id;
    settle(&mut store, app_id, ApplicationStatus::Canceled, "Manually", reason);
    let rendered = store.applications.get(&app_id).map(render).unwrap_or(Value::Null);
    Ok(jsonapi::created(rendered))
}

/// Records `status` on the application; on approval creates its customer.
pub(crate) fn settle(
    store: &mut Store,
    id: u64,
    status: ApplicationStatus,
    method: &'static str,
    reason: Option<String>,
) {
    let now = state::now();
    let Some(application) = store.applications.get_mut(&id) else {
        return;
    };
    application.status = status;
    application.message = decision::message(status).map(str::to_string);
    application.updated_at = now;
    if !status.is_undecided() {
        application.decision = Some(DecisionRecord { method, reason, at: now });
        if status == ApplicationStatus::Approved {
            documents::approve_all(application);
            let application = application.clone();
            // Unit opens no account here: the integrator calls `POST /accounts` (accounts.rs).
            let customer_id = customers::create_from(store, &application);
            if let Some(application) = store.applications.get_mut(&id) {
                application.customer_id = Some(customer_id);
            }
        }
    }
    webhooks::application_status_changed(store, id);
}

pub(crate) fn find<'a>(store: &'a Store, raw_id: &str) -> Result<&'a Application, UnitError> {
    parse_id(raw_id)
        .and_then(|id| store.applications.get(&id))
        .ok_or_else(|| UnitError::not_found(Resource::Application, raw_id))
}

/// With the org setting `preventDuplicateIndividualApplications` on, Unit refuses a second application
/// with an SSN that already has a live (not denied or canceled) one; with it off (the default) it
/// accepts it.
fn reject_duplicate_ssn(store: &Store, applicant: &Applicant) -> Result<(), UnitError> {
    if !store.settings.prevent_duplicate_individual_applications {
        return Ok(());
    }
    let Some(ssn) = applicant.ssn.as_deref().filter(|ssn| ssn.len() == 9) else {
        return Ok(());
    };
    let existing = store.applications.values().find(|application| {
        !matches!(application.status, ApplicationStatus::Denied | ApplicationStatus::Canceled)
            && application.applicant.ssn.as_deref() == Some(ssn)
    });
    match existing {
        None => Ok(()),
        Some(existing) => Err(UnitError::rejected(
            "already_exists",
            "/data/attributes/ssn",
            format!(
                "An application with this SSN already exists (application {}); \
                 use a different SSN or reset the sandbox",
                existing.id
            ),
        )),
    }
}

/// Validates `data.attributes` of an `individualApplication` as Unit's schema requires.
pub(crate) fn validate(attributes: &Map<String, Value>) -> Result<NewApplication, UnitError> {
    const AT: &str = "/data/attributes";
    let pointer = |key: &str| format!("{AT}/{key}");
    let mut problems = Problems::default();
    fields::reject_unknown(attributes, &[APPLICANT_ATTRIBUTES, ORG_ATTRIBUTES].concat(), AT, &mut problems);

    let full_name = fields::require(attributes, "fullName", AT, &mut problems)
        .and_then(|v| fields::full_name(v, &pointer("fullName"), &mut problems));
    let email = fields::require(attributes, "email", AT, &mut problems)
        .and_then(|v| fields::email(v, &pointer("email"), &mut problems));
    let phone = fields::require(attributes, "phone", AT, &mut problems)
        .and_then(|v| fields::phone(v, &pointer("phone"), &mut problems));
    let address = fields::require(attributes, "address", AT, &mut problems)
        .and_then(|v| fields::address(v, &pointer("address"), &mut problems));
    let date_of_birth = fields::require(attributes, "dateOfBirth", AT, &mut problems)
        .and_then(|v| fields::date_of_birth(v, &pointer("dateOfBirth"), &mut problems));

    let ssn = nullable(attributes, "ssn").and_then(|v| {
        fields::pattern(
            v,
            &pointer("ssn"),
            "9 digits (or the last 4)",
            |t| fields::digits_between(t, 9, 9) || fields::digits_between(t, 4, 4),
            &mut problems,
        )
    });
    let passport =
        nullable(attributes, "passport").and_then(|v| fields::string(v, &pointer("passport"), 1, 255, &mut problems));
    let nationality =
        nullable(attributes, "nationality").and_then(|v| fields::country(v, &pointer("nationality"), &mut problems));
    let has_ssn = attributes.get("ssn").is_some_and(|v| !v.is_null());
    let has_passport = attributes.get("passport").is_some_and(|v| !v.is_null())
        && attributes.get("nationality").is_some_and(|v| !v.is_null());
    if !has_ssn && !has_passport {
        problems.invalid(pointer("ssn"), "`ssn` is required unless both `passport` and `nationality` are given");
    }

    let tags =
        attributes.get("tags").and_then(|v| fields::tags(v, &pointer("tags"), &mut problems)).unwrap_or_default();
    let idempotency_key = attributes
        .get("idempotencyKey")
        .and_then(|v| fields::idempotency_key(v, &pointer("idempotencyKey"), &mut problems));
    let jwt_subject = attributes
        .get("jwtSubject")
        .and_then(|v| fields::jwt_subject(v, &pointer("jwtSubject"), &mut problems))
        .flatten();

    let mut echoed = Map::new();
    if let Some(ip) = attributes.get("ip")
        && let Some(ip) = fields::string(ip, &pointer("ip"), 1, 255, &mut problems)
    {
        echoed.insert("ip".into(), Value::String(ip));
    }
    for (key, allowed) in [
        ("occupation", OCCUPATIONS),
        ("annualIncome", ANNUAL_INCOMES),
        ("sourceOfIncome", SOURCES_OF_INCOME),
        ("industry", INDUSTRIES),
    ] {
        if let Some(value) = attributes.get(key)
            && let Some(value) = fields::one_of_strings(value, &pointer(key), allowed, &mut problems)
        {
            echoed.insert(key.into(), Value::String(value));
        }
    }
    if let Some(prints) = attributes.get("deviceFingerprints") {
        device_fingerprints(prints, &pointer("deviceFingerprints"), &mut problems);
    }
    for key in ["powerOfAttorneyAgent", "EvaluationParams", "evaluationParams"] {
        // Accepted (they are in the schema) but not modelled: the sandbox has no use for them.
        if attributes.get(key).is_some_and(|v| !v.is_object()) {
            problems.invalid(pointer(key), "must be an object");
        }
    }

    problems.finish()?;
    match (full_name, email, phone, address, date_of_birth) {
        (Some(full_name), Some(email), Some(phone), Some(address), Some(date_of_birth)) => Ok(NewApplication {
            applicant: Applicant {
                full_name,
                email,
                phone,
                address,
                date_of_birth,
                ssn,
                passport,
                nationality,
                tags,
                echoed,
            },
            jwt_subject,
            idempotency_key,
            application_form_id: None,
        }),
        // Unreachable: every missing required field was recorded as a problem above.
        _ => Err(UnitError::invalid(AT, "Required attributes are missing")),
    }
}

/// An attribute that the schema marks `nullable`: absent and `null` both mean "not given".
fn nullable<'a>(attributes: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    attributes.get(key).filter(|v| !v.is_null())
}

/// `deviceFingerprints`: at most one `{"provider": "iovation", "value"}`.
fn device_fingerprints(value: &Value, pointer: &str, problems: &mut Problems) {
    let Some(prints) = value.as_array() else {
        problems.invalid(pointer, "must be an array");
        return;
    };
    if prints.len() > 1 {
        problems.invalid(pointer, "must have at most 1 item");
    }
    for (index, print) in prints.iter().enumerate() {
        let at = format!("{pointer}/{index}");
        let Some(object) = print.as_object() else {
            problems.invalid(at, "must be an object");
            continue;
        };
        fields::reject_unknown(object, &["provider", "value"], &at, problems);
        if let Some(provider) = fields::require(object, "provider", &at, problems) {
            fields::one_of_strings(provider, &format!("{at}/provider"), &["iovation"], problems);
        }
        if let Some(value) = fields::require(object, "value", &at, problems) {
            fields::string(value, &format!("{at}/value"), 1, 4096, problems);
        }
    }
}

/// An application as Unit returns it.
pub(crate) fn render(application: &Application) -> Value {
    let applicant = &application.applicant;
    let mut attributes = Map::new();
    attributes.insert("createdAt".into(), json!(state::rfc3339(application.created_at)));
    attributes.insert("updatedAt".into(), json!(state::rfc3339(application.updated_at)));
    attributes.insert("status".into(), json!(application.status.as_str()));
    if let Some(message) = &application.message {
        attributes.insert("message".into(), json!(message));
    }
    applicant_attributes(applicant, &mut attributes);
    attributes.insert("archived".into(), json!(false));
    if let Some(subject) = &application.jwt_subject {
        attributes.insert("jwtSubject".into(), json!(subject));
    }
    if let Some(decision) = &application.decision {
        attributes.insert("decisionMethod".into(), json!(decision.method));
        attributes.insert("decisionDateTime".into(), json!(state::rfc3339(decision.at)));
        if let Some(reason) = &decision.reason {
            attributes.insert("decisionReason".into(), json!(reason));
        }
    }
    for (key, value) in &applicant.echoed {
        attributes.insert(key.clone(), value.clone());
    }

    let mut relationships = Map::new();
    relationships.insert("org".into(), jsonapi::relationship("org", customers::ORG_ID));
    let documents: Vec<Value> =
        application.documents.iter().map(|d| json!({ "type": "document", "id": d.id.to_string() })).collect();
    relationships.insert("documents".into(), json!({ "data": documents }));
    if let Some(customer_id) = application.customer_id {
        relationships.insert("customer".into(), jsonapi::relationship("customer", customer_id));
    }
    if let Some(form_id) = application.application_form_id {
        // `IndividualApplicationRelationships.applicationForm` (Unit's OpenAPI application.json).
        relationships.insert("applicationForm".into(), jsonapi::relationship("applicationForm", form_id));
    }

    json!({
        "type": "individualApplication",
        "id": application.id.to_string(),
        "attributes": attributes,
        "relationships": relationships,
    })
}

/// The applicant's attributes shared by the application and the customer resources.
pub(crate) fn applicant_attributes(applicant: &Applicant, attributes: &mut Map<String, Value>) {
    attributes.insert("fullName".into(), applicant.full_name.clone());
    attributes.insert("email".into(), json!(applicant.email));
    attributes.insert("phone".into(), applicant.phone.clone());
    attributes.insert("address".into(), applicant.address.clone());
    attributes.insert("dateOfBirth".into(), json!(applicant.date_of_birth));
    if let Some(masked) = applicant.masked_ssn() {
        attributes.insert("maskedSSN".into(), json!(masked));
    }
    if let Some(masked) = applicant.masked_passport() {
        attributes.insert("maskedPassport".into(), json!(masked));
    }
    if let Some(nationality) = &applicant.nationality {
        attributes.insert("nationality".into(), json!(nationality));
    }
    attributes.insert("tags".into(), tags_json(&applicant.tags));
}

pub(crate) fn tags_json(tags: &BTreeMap<String, String>) -> Value {
    Value::Object(tags.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect())
}
