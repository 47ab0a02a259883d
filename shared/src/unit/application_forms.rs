//! `POST /application-forms`, `GET /application-forms/{id}`: Unit's white-label application form,
//! where the applicant types their details into Unit's hosted page instead of our API.
//!
//! Unit's create request has no `idempotencyKey` (Unit's OpenAPI `createApplicationForm.json`,
//! `additionalProperties: false`), so a create is never retried once sent (`Idempotency::Unsafe`);
//! callers reuse a form they recorded instead of creating another.

use reqwest::Method;
use serde::{Deserialize, Serialize};

use super::{
    ApplicationTags, UnitClient, UnitError,
    jsonapi::{Document, RequestDocument},
    to_body,
    transport::Operation,
};
use crate::upstream::Idempotency;
use crate::validated::UnitId;

/// A form for one individual applicant. `jwt_subject` is the Stytch user id: Unit puts it on the
/// application the form creates, which is how that application finds its user.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewApplicationForm {
    pub applicant_details: ApplicantDetails,
    pub allowed_application_types: [&'static str; 1],
    pub tags: ApplicationTags,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub settings_override: Option<SettingsOverride>,
}

/// `ApplicationFormSettingsOverride`: only where the form sends the applicant once submitted.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SettingsOverride {
    pub redirect_url: String,
}

/// `ApplicationFormPrefill`: only what we know for sure (the user and, if any, their login email).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplicantDetails {
    pub application_type: &'static str,
    pub jwt_subject: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

impl NewApplicationForm {
    /// An individual-only form, prefilled with the Stytch user and tagged with them; once submitted it
    /// sends the applicant to `redirect_url` (the frontend), or to Unit's own page when `None`.
    pub fn individual(user_id: &str, email: Option<String>, redirect_url: Option<String>) -> Self {
        Self {
            applicant_details: ApplicantDetails {
                application_type: "Individual",
                jwt_subject: user_id.to_owned(),
                email,
            },
            allowed_application_types: ["Individual"],
            tags: ApplicationTags { stytch_user_id: user_id.to_owned() },
            settings_override: redirect_url.map(|redirect_url| SettingsOverride { redirect_url }),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationForm {
    pub id: String,
    /// The hosted form the applicant opens.
    pub url: String,
    /// How far the applicant got (`EnterIndividualInformation`, …, `IndividualApplicationCreated`).
    pub stage: Option<String>,
    pub jwt_subject: Option<String>,
    /// The application the form created, once the applicant submitted it.
    pub application_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FormAttributes {
    url: String,
    #[serde(default)]
    stage: Option<String>,
    #[serde(default)]
    applicant_details: Option<PrefillRead>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PrefillRead {
    #[serde(default)]
    jwt_subject: Option<String>,
}

fn application_form(document: Document<FormAttributes>) -> Result<ApplicationForm, UnitError> {
    let application_id = document.data.related_id("application");
    let attributes = document.data.attributes;
    Ok(ApplicationForm {
        id: document.data.id.ok_or(UnitError::UnexpectedBody { status: 200 })?,
        url: attributes.url,
        stage: attributes.stage,
        jwt_subject: attributes.applicant_details.and_then(|details| details.jwt_subject),
        application_id,
    })
}

impl UnitClient {
    /// Not retried once sent: Unit takes no idempotency key for forms (see the module comment).
    pub async fn create_application_form(&self, new: &NewApplicationForm) -> Result<ApplicationForm, UnitError> {
        let body = to_body(&RequestDocument::new("applicationForm", new));
        let operation = Operation::write("application_forms.create", Method::POST, Idempotency::Unsafe);
        application_form(self.call(operation, "/application-forms", &[], Some(body)).await?)
    }

    pub async fn get_application_form(&self, id: &UnitId) -> Result<ApplicationForm, UnitError> {
        let path = format!("/application-forms/{id}");
        application_form(self.call(Operation::read("application_forms.get"), &path, &[], None).await?)
    }
}
