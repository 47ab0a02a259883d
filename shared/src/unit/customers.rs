//! `GET /customers/{id}`, `PATCH /customers/{id}` (the `jwtSubject`).

use reqwest::Method;
use serde::{Deserialize, Serialize};

use super::{
    Phone, UnitClient, UnitError, checked_id,
    jsonapi::{Document, RequestDocument},
    to_body,
};
use crate::upstream::Idempotency;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Customer {
    pub id: String,
    pub kind: String,
    pub status: Option<String>,
    pub jwt_subject: Option<String>,
    /// The phone on the customer's KYC record: the authority for SMS step-up.
    pub phone: Option<Phone>,
    /// The email on the customer's KYC record: a magic link to it may be the factor beside the SMS.
    pub email: Option<String>,
    /// The application the customer came from (`relationships.application`).
    pub application_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CustomerAttributes {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    jwt_subject: Option<String>,
    #[serde(default)]
    phone: Option<Phone>,
    #[serde(default)]
    email: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JwtSubjectPatch<'a> {
    jwt_subject: &'a str,
}

fn customer(document: Document<CustomerAttributes>) -> Result<Customer, UnitError> {
    let application_id = document.data.related_id("application");
    Ok(Customer {
        id: document.data.id.ok_or(UnitError::UnexpectedBody { status: 200 })?,
        kind: document.data.kind,
        status: document.data.attributes.status,
        jwt_subject: document.data.attributes.jwt_subject,
        phone: document.data.attributes.phone,
        email: document.data.attributes.email,
        application_id,
    })
}

impl UnitClient {
    pub async fn get_customer(&self, id: &str) -> Result<Customer, UnitError> {
        let path = format!("/customers/{}", checked_id(id)?);
        customer(self.call(Method::GET, &path, &[], None, Idempotency::Safe).await?)
    }

    /// Links an existing customer to a Stytch user. Setting the same value twice is harmless.
    pub async fn set_customer_jwt_subject(&self, id: &str, jwt_subject: &str) -> Result<Customer, UnitError> {
        let path = format!("/customers/{}", checked_id(id)?);
        let body = to_body(&RequestDocument::new("individualCustomer", JwtSubjectPatch { jwt_subject }));
        customer(self.call(Method::PATCH, &path, &[], Some(body), Idempotency::Safe).await?)
    }
}
