//! JSON:API envelopes as Unit uses them: `{"data": {"type", "id", "attributes", "relationships"}}`.

use serde::{Deserialize, Serialize, de::DeserializeOwned};
use serde_json::Value;

pub const CONTENT_TYPE: &str = "application/vnd.api+json";

/// A request document: `{"data": {"type": …, "attributes": …, "relationships": …}}`.
#[derive(Debug, Serialize)]
pub struct RequestDocument<A: Serialize> {
    pub data: RequestResource<A>,
}

#[derive(Debug, Serialize)]
pub struct RequestResource<A: Serialize> {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub attributes: A,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relationships: Option<Value>,
}

impl<A: Serialize> RequestDocument<A> {
    pub fn new(kind: &'static str, attributes: A) -> Self {
        Self { data: RequestResource { kind, attributes, relationships: None } }
    }

    pub fn with_relationships(mut self, relationships: Value) -> Self {
        self.data.relationships = Some(relationships);
        self
    }
}

/// `{"type": …, "id": …}` inside a relationship.
pub fn relationship(kind: &str, id: &str) -> Value {
    serde_json::json!({ "data": { "type": kind, "id": id } })
}

/// A response resource with typed attributes and loosely typed relationships.
#[derive(Debug, Clone, Deserialize)]
pub struct Resource<A> {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub id: Option<String>,
    pub attributes: A,
    #[serde(default)]
    pub relationships: Option<Value>,
}

impl<A> Resource<A> {
    /// The id of relationship `name`, e.g. `customer` → `relationships.customer.data.id`.
    pub fn related_id(&self, name: &str) -> Option<String> {
        self.relationships.as_ref()?.get(name)?.get("data")?.get("id")?.as_str().map(str::to_owned)
    }
}

#[derive(Debug, Deserialize)]
#[serde(bound = "A: DeserializeOwned")]
pub struct Document<A> {
    pub data: Resource<A>,
}

#[derive(Debug, Deserialize)]
#[serde(bound = "A: DeserializeOwned")]
pub struct ListDocument<A> {
    pub data: Vec<Resource<A>>,
    #[serde(default)]
    pub meta: Option<ListMeta>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ListMeta {
    #[serde(default)]
    pub pagination: Option<Pagination>,
}

#[derive(Debug, Clone, Copy, Default, Deserialize)]
pub struct Pagination {
    pub total: u64,
    pub limit: u64,
    pub offset: u64,
}
