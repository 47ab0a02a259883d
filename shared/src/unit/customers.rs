//! `GET /customers/{id}`, `GET /customers?filter[email]` (linking an existing customer),
//! `PATCH /customers/{id}` (the `jwtSubject`).

use reqwest::Method;
use serde::{Deserialize, Serialize};

use super::{
    Phone, UnitClient, UnitError,
    jsonapi::{Document, ListDocument, RequestDocument, Resource},
    to_body,
    transport::Operation,
};
use crate::upstream::Idempotency;
use crate::validated::UnitId;

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
    from_resource(document.data)
}

fn from_resource(resource: Resource<CustomerAttributes>) -> Result<Customer, UnitError> {
    let application_id = resource.related_id("application");
    Ok(Customer {
        id: resource.id.ok_or(UnitError::UnexpectedBody { status: 200 })?,
        kind: resource.kind,
        status: resource.attributes.status,
        jwt_subject: resource.attributes.jwt_subject,
        phone: resource.attributes.phone,
        email: resource.attributes.email,
        application_id,
    })
}

impl UnitClient {
    pub async fn get_customer(&self, id: &UnitId) -> Result<Customer, UnitError> {
        let path = format!("/customers/{id}");
        customer(self.call(Operation::read("customers.get"), &path, &[], None).await?)
    }

    /// The `Active` individual customers with this email (at most 10: more is already ambiguous).
    pub async fn active_customers_with_email(&self, email: &str) -> Result<Vec<Customer>, UnitError> {
        let query = [
            ("filter[email]", email.to_owned()),
            ("filter[status][0]", "Active".to_owned()),
            ("page[limit]", "10".to_owned()),
        ];
        let list: ListDocument<CustomerAttributes> =
            self.call(Operation::read("customers.list"), "/customers", &query, None).await?;
        list.data.into_iter().filter(|r| r.kind == "individualCustomer").map(from_resource).collect()
    }

    /// Links an existing customer to a Stytch user. Setting the same value twice is harmless.
    pub async fn set_customer_jwt_subject(&self, id: &UnitId, jwt_subject: &str) -> Result<Customer, UnitError> {
        let path = format!("/customers/{id}");
        let body = to_body(&RequestDocument::new("individualCustomer", JwtSubjectPatch { jwt_subject }));
        customer(
            self.call(Operation::write("customers.update", Method::PATCH, Idempotency::Safe), &path, &[], Some(body))
                .await?,
        )
    }
}
