//! The webhook body: JSON:API events, `{"data": [event, …]}` when Unit batches (at-least-once
//! delivery) or `{"data": event}` (at-most-once). Only what routes an event is read: its id, type
//! and relationships; attributes are ignored, since the resource is re-read from Unit.

use serde::Deserialize;
use serde_json::{Map, Value};
use stytch_unit_common::http::{ApiError, Code, json::parse_json};

#[derive(Debug, Clone, Deserialize)]
pub struct Event {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub relationships: Map<String, Value>,
}

impl Event {
    /// `relationships.<name>.data.id`
    pub fn related_id(&self, name: &str) -> Option<&str> {
        self.relationships.get(name)?.get("data")?.get("id")?.as_str()
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Events {
    Batch(Vec<Event>),
    Single(Event),
}

#[derive(Deserialize)]
struct Payload {
    data: Events,
}

/// The events of a (verified) delivery, in the order Unit sent them.
pub fn events(body: &[u8]) -> Result<Vec<Event>, ApiError> {
    let payload: Payload = parse_json(body).map_err(|_| ApiError::Refused {
        code: Code::InvalidWebhookPayload,
        detail: "The body is not a JSON:API document of Unit events.".into(),
    })?;
    Ok(match payload.data {
        Events::Batch(events) => events,
        Events::Single(event) => vec![event],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batched_and_single_deliveries_both_parse() {
        let event = r#"{"id":"7","type":"application.denied","attributes":{"createdAt":"2026-12-01T00:00:00Z"},
            "relationships":{"application":{"data":{"type":"individualApplication","id":"42"}}}}"#;
        let batch = events(format!(r#"{{"data":[{event},{event}]}}"#).as_bytes()).unwrap();
        assert_eq!(batch.len(), 2);
        let single = events(format!(r#"{{"data":{event}}}"#).as_bytes()).unwrap();
        assert_eq!((single[0].kind.as_str(), single[0].related_id("application")), ("application.denied", Some("42")));
        assert!(events(br#"{"data":"nope"}"#).is_err());
        assert!(events(b"not json").is_err());
    }
}
