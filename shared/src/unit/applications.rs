//! `POST /applications` (individual), `GET /applications/{id}`.

use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize, Serializer};

use super::{
    UnitClient, UnitError,
    jsonapi::{Document, RequestDocument},
    to_body,
    transport::Operation,
};
use crate::upstream::Idempotency;
use crate::validated::UnitId;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FullName {
    pub first: String,
    pub last: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Phone {
    pub country_code: String,
    pub number: String,
}

impl Phone {
    /// `+<countryCode><number>`, the form Stytch uses.
    pub fn e164(&self) -> String {
        format!("+{}{}", self.country_code, self.number)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    pub street: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub street2: Option<String>,
    pub city: String,
    pub state: String,
    pub postal_code: String,
    pub country: String,
}

/// An individual application. `jwt_subject` is the Stytch user id: the link between the systems.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewIndividualApplication {
    pub full_name: FullName,
    pub email: String,
    pub phone: Phone,
    pub date_of_birth: String,
    pub address: Address,
    #[serde(serialize_with = "expose")]
    pub ssn: SecretString,
    pub jwt_subject: String,
    pub idempotency_key: String,
    pub tags: ApplicationTags,
}

/// Unit `tags` on the application (Unit copies an application's tags to its customer): the Stytch
/// user id, so that an operator in Unit's dashboard can find the user.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationTags {
    pub stytch_user_id: String,
}

fn expose<S: Serializer>(secret: &SecretString, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(secret.expose_secret())
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(from = "String")]
pub enum ApplicationStatus {
    Approved,
    Denied,
    Canceled,
    Pending,
    PendingReview,
    AwaitingDocuments,
    Other(String),
}

impl From<String> for ApplicationStatus {
    fn from(value: String) -> Self {
        match value.as_str() {
            "Approved" => Self::Approved,
            "Denied" => Self::Denied,
            "Canceled" => Self::Canceled,
            "Pending" => Self::Pending,
            "PendingReview" => Self::PendingReview,
            "AwaitingDocuments" => Self::AwaitingDocuments,
            _ => Self::Other(value),
        }
    }
}

impl ApplicationStatus {
    pub fn as_str(&self) -> &str {
        match self {
            Self::Approved => "Approved",
            Self::Denied => "Denied",
            Self::Canceled => "Canceled",
            Self::Pending => "Pending",
            Self::PendingReview => "PendingReview",
            Self::AwaitingDocuments => "AwaitingDocuments",
            Self::Other(other) => other,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Application {
    pub id: String,
    pub status: ApplicationStatus,
    /// Set once Unit approved the application and created the customer.
    pub customer_id: Option<String>,
    pub jwt_subject: Option<String>,
    /// The applicant's phone as Unit holds it: the phone step-up texts (KYC).
    pub phone: Option<Phone>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ApplicationAttributes {
    status: ApplicationStatus,
    #[serde(default)]
    jwt_subject: Option<String>,
    #[serde(default)]
    phone: Option<Phone>,
}

fn application(document: Document<ApplicationAttributes>) -> Result<Application, UnitError> {
    let customer_id = document.data.related_id("customer");
    Ok(Application {
        id: document.data.id.ok_or(UnitError::UnexpectedBody { status: 200 })?,
        status: document.data.attributes.status,
        customer_id,
        jwt_subject: document.data.attributes.jwt_subject,
        phone: document.data.attributes.phone,
    })
}

impl UnitClient {
    /// Safe to retry: the idempotency key makes Unit answer a repeat with the same application.
    pub async fn create_application(&self, new: &NewIndividualApplication) -> Result<Application, UnitError> {
        let body = to_body(&RequestDocument::new("individualApplication", new));
        application(
            self.call(
                Operation::write("applications.create", Method::POST, Idempotency::Safe),
                "/applications",
                &[],
                Some(body),
            )
            .await?,
        )
    }

    pub async fn get_application(&self, id: &UnitId) -> Result<Application, UnitError> {
        let path = format!("/applications/{id}");
        application(self.call(Operation::read("applications.get"), &path, &[], None).await?)
    }
}
