//! `applicationForm`: Unit's white-label application form. `POST /application-forms` and
//! `GET /application-forms/{id}` (Unit's OpenAPI `applicationPaths.json#/applicationForms`,
//! `#/applicationForm`; schemas `createApplicationForm.json`, `applicationForm.json`), and the test
//! control `POST /__sandbox/application-forms/{id}/submit`, which stands in for the applicant filling
//! the hosted form in: it creates the individual application, as `POST /applications` would, with the
//! form's prefilled details (its `jwtSubject` above all) and tags. Unit has no such call; its form is
//! a web page, which the sandbox does not serve. Choices where Unit's references are silent: UNIT.md.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::UnitState;
use super::applications::{self, NewApplication};
use super::auth::Caller;
use super::body::{self, Expect, JsonBody};
use super::fields;
use super::ids::parse_id;
use super::jsonapi::{self, Problems, Resource, UnitError};
use super::state::{self, ApplicationForm, Store};

const ATTRIBUTES: &[&str] = &[
    "tags",
    "applicantDetails",
    "settingsOverride",
    "requireIdVerification",
    "allowedApplicationTypes",
    "lang",
    "hideApplicationProgressTracker",
];

/// `ApplicationFormPrefill` (`additionalProperties: false`).
const PREFILL: &[&str] = &[
    "applicationType",
    "fullName",
    "ssn",
    "passport",
    "nationality",
    "dateOfBirth",
    "email",
    "name",
    "stateOfIncorporation",
    "entityType",
    "contact",
    "officer",
    "beneficialOwners",
    "website",
    "phone",
    "address",
    "dba",
    "ein",
    "jwtSubject",
    "industry",
    "businessVertical",
    "occupation",
];

/// Prefill keys checked as strings only: a business applicant's (the sandbox emulates individual
/// applications alone) and the enums an application validates itself when the form is submitted.
const OTHER_STRINGS: &[&str] = &[
    "passport",
    "name",
    "stateOfIncorporation",
    "entityType",
    "website",
    "dba",
    "industry",
    "businessVertical",
    "occupation",
];

/// `ApplicationFormSettingsOverride` (`additionalProperties: false`): each a `Url` but the last.
const SETTINGS_URLS: &[&str] = &[
    "redirectUrl",
    "privacyPolicyUrl",
    "electronicDisclosuresUrl",
    "depositTermsUrl",
    "clientTermsUrl",
    "cardholderTermsUrl",
    "cashAdvancedTermsUrl",
    "debitCardDisclosureUrl",
];

const APPLICATION_TYPES: &[&str] = &["Individual", "Business", "SoleProprietorship"];

/// What the applicant may type into the hosted form: an individual application's own attributes,
/// without those the org sets (`jwtSubject`, `tags`, `idempotencyKey`), which come from the form.
const SUBMITTED: &[&str] = applications::APPLICANT_ATTRIBUTES;

/// `POST /application-forms`
pub(crate) async fn create(
    State(state): State<UnitState>,
    caller: Caller,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> Result<Response, UnitError> {
    caller.require_org("Creating an application form")?;
    let data = body::data(
        &body,
        &Expect { types: &["applicationForm"], attributes_required: false, relationships_allowed: false },
    )?;
    let mut form = validate(&data.attributes)?;

    let mut store = state.store();
    form.id = store.ids.application_form();
    let id = form.id;
    store.application_forms.insert(id, form);
    let rendered = store.application_forms.get(&id).map(|form| render(form, &headers)).unwrap_or(Value::Null);
    Ok(jsonapi::created(rendered))
}

/// `GET /application-forms/{id}`
pub(crate) async fn get_one(
    State(state): State<UnitState>,
    caller: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, UnitError> {
    caller.require_org("Reading application forms")?;
    let store = state.store();
    Ok(jsonapi::ok(render(find(&store, &id)?, &headers)))
}

/// `POST /__sandbox/application-forms/{id}/submit` with `{"data": {"type": "individualApplication",
/// "attributes": {…}}}`: what the applicant typed in, over the form's prefill. Answers 201 with the
/// application, as `POST /applications` does; a form already submitted is 400.
pub(crate) async fn submit(
    State(state): State<UnitState>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Response, UnitError> {
    let data = body::data(
        &body,
        &Expect { types: &["individualApplication"], attributes_required: false, relationships_allowed: false },
    )?;
    let mut store = state.store();
    let application_id = submit_typed(&mut store, &id, data.attributes)?;
    let rendered = store.applications.get(&application_id).map(applications::render).unwrap_or(Value::Null);
    Ok(jsonapi::created(rendered))
}

/// The applicant submitting form `id` with what they `typed` (only the keys of `SUBMITTED`): the
/// application is created as `POST /applications` would, and the form records it. The new
/// application's id.
pub(crate) fn submit_typed(store: &mut Store, id: &str, typed: Map<String, Value>) -> Result<u64, UnitError> {
    let mut problems = Problems::default();
    fields::reject_unknown(&typed, SUBMITTED, "/data/attributes", &mut problems);
    problems.finish()?;

    let form = find(store, id)?;
    if let Some(application_id) = form.application_id {
        return Err(UnitError::status_conflict(
            "application_form_submitted",
            format!("Application form {id} already created application {application_id}"),
        ));
    }
    if form.allowed_application_types.as_ref().is_some_and(|types| !types.iter().any(|t| t == "Individual")) {
        return Err(UnitError::status_conflict(
            "application_type_not_allowed",
            format!("Application form {id} does not allow individual applications"),
        ));
    }
    let form_id = form.id;
    let attributes = filled_in(form, typed);
    let new = applications::validate(&attributes)?;
    let application_id = applications::insert(store, NewApplication { application_form_id: Some(form_id), ..new })?;
    if let Some(form) = store.application_forms.get_mut(&form_id) {
        form.application_id = Some(application_id);
        form.stage = "IndividualApplicationCreated";
    }
    Ok(application_id)
}

/// The application's attributes: the prefill's individual details, overridden by what the applicant
/// typed, then the org's `jwtSubject` and the form's tags, which the applicant cannot change.
fn filled_in(form: &ApplicationForm, typed: Map<String, Value>) -> Map<String, Value> {
    let mut attributes: Map<String, Value> = form
        .applicant_details
        .iter()
        .filter(|(key, _)| SUBMITTED.contains(&key.as_str()))
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect();
    attributes.extend(typed);
    if let Some(subject) = form.applicant_details.get("jwtSubject") {
        attributes.insert("jwtSubject".into(), subject.clone());
    }
    if !form.tags.is_empty() {
        attributes.insert("tags".into(), applications::tags_json(&form.tags));
    }
    attributes
}

pub(crate) fn find<'a>(store: &'a Store, raw_id: &str) -> Result<&'a ApplicationForm, UnitError> {
    parse_id(raw_id)
        .and_then(|id| store.application_forms.get(&id))
        .ok_or_else(|| UnitError::not_found(Resource::ApplicationForm, raw_id))
}

/// Validates `data.attributes` of a `CreateApplicationFormRequest`; the id is set by the caller.
fn validate(attributes: &Map<String, Value>) -> Result<ApplicationForm, UnitError> {
    const AT: &str = "/data/attributes";
    let pointer = |key: &str| format!("{AT}/{key}");
    let mut problems = Problems::default();
    fields::reject_unknown(attributes, ATTRIBUTES, AT, &mut problems);

    let tags =
        attributes.get("tags").and_then(|v| fields::tags(v, &pointer("tags"), &mut problems)).unwrap_or_default();
    let applicant_details = match attributes.get("applicantDetails") {
        None => Map::new(),
        Some(details) => prefill(details, &pointer("applicantDetails"), &mut problems),
    };
    let settings_override = attributes.get("settingsOverride").map(|settings| {
        settings_override(settings, &pointer("settingsOverride"), &mut problems);
        settings.clone()
    });
    if let Some(require) = attributes.get("requireIdVerification") {
        require_id_verification(require, &pointer("requireIdVerification"), &mut problems);
    }
    let allowed_application_types = attributes
        .get("allowedApplicationTypes")
        .and_then(|v| application_types(v, &pointer("allowedApplicationTypes"), &mut problems));
    if let Some(lang) = attributes.get("lang") {
        fields::one_of_strings(lang, &pointer("lang"), &["en", "es"], &mut problems);
    }
    if let Some(hide) = attributes.get("hideApplicationProgressTracker") {
        fields::boolean(hide, &pointer("hideApplicationProgressTracker"), &mut problems);
    }
    problems.finish()?;

    let stage = first_stage(&applicant_details, allowed_application_types.as_deref());
    Ok(ApplicationForm {
        id: 0,
        applicant_details,
        settings_override,
        allowed_application_types,
        tags,
        stage,
        application_id: None,
        created_at: state::now(),
    })
}

/// The stage a new form opens at: straight at the individual's details when an individual is the only
/// possible applicant, else at the choice (UNIT.md: Unit does not document the first stage).
fn first_stage(details: &Map<String, Value>, allowed: Option<&[String]>) -> &'static str {
    let prefilled_individual = details.get("applicationType").and_then(Value::as_str) == Some("Individual");
    let only_individual = allowed.is_some_and(|types| types.iter().all(|t| t == "Individual"));
    if prefilled_individual || only_individual { "EnterIndividualInformation" } else { "ChooseBusinessOrIndividual" }
}

/// `ApplicationFormPrefill`: every key validated by the type Unit's schema gives it.
fn prefill(value: &Value, at: &str, problems: &mut Problems) -> Map<String, Value> {
    let Some(details) = value.as_object() else {
        problems.invalid(at, "must be an object");
        return Map::new();
    };
    fields::reject_unknown(details, PREFILL, at, problems);
    let pointer = |key: &str| format!("{at}/{key}");
    for (key, value) in details {
        let at = pointer(key);
        match key.as_str() {
            "applicationType" => {
                fields::one_of_strings(value, &at, APPLICATION_TYPES, problems);
            }
            "fullName" => {
                fields::full_name(value, &at, problems);
            }
            "ssn" | "ein" => {
                fields::pattern(value, &at, "9 digits", |t| fields::digits_between(t, 9, 9), problems);
            }
            "nationality" => {
                fields::country(value, &at, problems);
            }
            "dateOfBirth" => {
                fields::date_of_birth(value, &at, problems);
            }
            "email" => {
                fields::email(value, &at, problems);
            }
            "phone" => {
                fields::phone(value, &at, problems);
            }
            "address" => {
                fields::address(value, &at, problems);
            }
            "jwtSubject" => {
                fields::jwt_subject(value, &at, problems);
            }
            "beneficialOwners" if !value.is_array() => problems.invalid(at, "must be an array"),
            "contact" | "officer" if !value.is_object() => problems.invalid(at, "must be an object"),
            key if OTHER_STRINGS.contains(&key) => {
                fields::string(value, &at, 1, 255, problems);
            }
            _ => {}
        }
    }
    details.clone()
}

fn settings_override(value: &Value, at: &str, problems: &mut Problems) {
    let Some(settings) = value.as_object() else {
        problems.invalid(at, "must be an object");
        return;
    };
    let mut allowed = SETTINGS_URLS.to_vec();
    allowed.push("additionalDisclosures");
    fields::reject_unknown(settings, &allowed, at, problems);
    for key in SETTINGS_URLS {
        if let Some(url) = settings.get(*key) {
            fields::url(url, &format!("{at}/{key}"), problems);
        }
    }
    if let Some(disclosures) = settings.get("additionalDisclosures")
        && !disclosures.as_array().is_some_and(|items| items.iter().all(Value::is_object))
    {
        problems.invalid(format!("{at}/additionalDisclosures"), "must be an array of {\"title\", \"url\"}");
    }
}

fn require_id_verification(value: &Value, at: &str, problems: &mut Problems) {
    let Some(flags) = value.as_object() else {
        problems.invalid(at, "must be an object");
        return;
    };
    const FLAGS: &[&str] = &["individual", "officer", "beneficialOwners"];
    fields::reject_unknown(flags, FLAGS, at, problems);
    for (key, flag) in flags.iter().filter(|(key, _)| FLAGS.contains(&key.as_str())) {
        fields::boolean(flag, &format!("{at}/{key}"), problems);
    }
}

fn application_types(value: &Value, at: &str, problems: &mut Problems) -> Option<Vec<String>> {
    let Some(items) = value.as_array() else {
        problems.invalid(at, "must be an array");
        return None;
    };
    let types: Vec<Option<String>> = items
        .iter()
        .enumerate()
        .map(|(index, item)| fields::one_of_strings(item, &format!("{at}/{index}"), APPLICATION_TYPES, problems))
        .collect();
    types.into_iter().collect()
}

/// An application form as Unit returns it. `url` is the hosted form: on the sandbox, this form's
/// submit control's address (without `/submit`), on the host the request came to.
fn render(form: &ApplicationForm, headers: &HeaderMap) -> Value {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    let mut attributes = Map::new();
    attributes.insert("url".into(), json!(format!("http://{host}/__sandbox/application-forms/{}", form.id)));
    attributes.insert("stage".into(), json!(form.stage));
    attributes.insert("createdAt".into(), json!(state::rfc3339(form.created_at)));
    if let Some(email) = form.applicant_details.get("email") {
        attributes.insert("email".into(), email.clone());
    }
    if !form.applicant_details.is_empty() {
        attributes.insert("applicantDetails".into(), Value::Object(masked(&form.applicant_details)));
    }
    if let Some(settings) = &form.settings_override {
        attributes.insert("settingsOverride".into(), settings.clone());
    }
    if let Some(types) = &form.allowed_application_types {
        attributes.insert("allowedApplicationTypes".into(), json!(types));
    }
    attributes.insert("tags".into(), applications::tags_json(&form.tags));

    let mut relationships = Map::new();
    if let Some(application_id) = form.application_id {
        relationships.insert("application".into(), jsonapi::relationship("individualApplication", application_id));
    }
    json!({ "type": "applicationForm", "id": form.id.to_string(), "attributes": attributes, "relationships": relationships })
}

/// The prefill as echoed: a prefilled SSN or EIN is never sent back (as Unit masks the SSN on
/// applications; UNIT.md).
fn masked(details: &Map<String, Value>) -> Map<String, Value> {
    details
        .iter()
        .filter(|(key, _)| !matches!(key.as_str(), "ssn" | "ein"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}
