//! JSON:API encode/decode of Unit documents: an individual application request (encode) and a
//! card / card list response (decode), with the envelope types of `shared/src/unit/jsonapi.rs`.
//!
//! The card and application attribute structs of the client are private; the ones below mirror
//! them field for field (same serde attributes), so the cost measured is the client's.
//!
//! With `CALLGRIND_ITERATIONS=N` it skips criterion and decodes the card list N times (what
//! `GET /cards` decodes), for `make bench`'s instruction counts.

use std::hint::black_box;

use criterion::{Criterion, criterion_group};
use serde::Deserialize;
use serde_json::json;
use stytch_unit_common::unit::jsonapi::{Document, ListDocument, RequestDocument, relationship};

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CardAttributes {
    status: String,
    #[serde(default)]
    last4_digits: Option<String>,
    #[serde(default)]
    expiration_date: Option<String>,
    #[serde(default)]
    created_at: Option<String>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ApplicationAttributes {
    status: String,
    #[serde(default)]
    jwt_subject: Option<String>,
}

fn card(id: u32) -> serde_json::Value {
    json!({
        "type": "individualDebitCard",
        "id": id.to_string(),
        "attributes": {
            "createdAt": "2026-11-21T10:00:00.000Z",
            "last4Digits": "1234",
            "expirationDate": "2030-11",
            "status": "Active",
            "address": { "street": "20 Ingram St", "city": "Forest Hills", "state": "NY",
                         "postalCode": "11375", "country": "US" },
            "bin": "123456789",
            "tags": {}
        },
        "relationships": {
            "account": { "data": { "type": "depositAccount", "id": "10001" } },
            "customer": { "data": { "type": "individualCustomer", "id": "10000" } }
        }
    })
}

/// A list of 10 cards as Unit returns it.
fn card_list() -> Vec<u8> {
    serde_json::to_vec(&json!({
        "data": (0..10).map(|i| card(10002 + i)).collect::<Vec<_>>(),
        "meta": { "pagination": { "total": 10, "limit": 100, "offset": 0 } }
    }))
    .unwrap()
}

fn decode_card_list(list_doc: &[u8]) -> usize {
    let doc: ListDocument<CardAttributes> = serde_json::from_slice(list_doc).unwrap();
    doc.data.iter().filter_map(|r| r.related_id("account")).count()
}

fn jsonapi(c: &mut Criterion) {
    let mut group = c.benchmark_group("jsonapi");

    // Ada's application, as the tests submit it.
    let new =
        test_support::functions::individual_application("user-test-16d9ba61-97a1-4ba4-9720-b03761dc50c6", "123456789");
    group.bench_function("encode individualApplication request", |b| {
        b.iter(|| serde_json::to_vec(&RequestDocument::new("individualApplication", black_box(&new))).unwrap())
    });

    let application_doc = serde_json::to_vec(&json!({ "data": {
        "type": "individualApplication", "id": "10000",
        "attributes": { "status": "Approved", "jwtSubject": "user-test-16d9ba61", "createdAt": "2026-11-21T10:00:00.000Z",
                        "fullName": { "first": "Ada", "last": "Lovelace" }, "email": "ada@example.com" },
        "relationships": { "customer": { "data": { "type": "customer", "id": "10000" } },
                           "org": { "data": { "type": "org", "id": "1" } } } } }))
    .unwrap();
    group.bench_function("decode application document", |b| {
        b.iter(|| {
            let doc: Document<ApplicationAttributes> = serde_json::from_slice(black_box(&application_doc)).unwrap();
            doc.data.related_id("customer")
        })
    });

    let card_doc = serde_json::to_vec(&json!({ "data": card(10002) })).unwrap();
    group.bench_function("decode card document", |b| {
        b.iter(|| {
            let doc: Document<CardAttributes> = serde_json::from_slice(black_box(&card_doc)).unwrap();
            (doc.data.related_id("account"), doc.data.related_id("customer"))
        })
    });

    let list_doc = card_list();
    group.bench_function("decode card list (10 cards)", |b| b.iter(|| decode_card_list(black_box(&list_doc))));

    group.bench_function("encode card request with relationship", |b| {
        b.iter(|| {
            let doc = RequestDocument::new("individualDebitCard", json!({ "idempotencyKey": "card-1" }))
                .with_relationships(json!({ "account": relationship("depositAccount", black_box("10001")) }));
            serde_json::to_vec(&doc).unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, jsonapi);

fn main() {
    if let Some(iterations) = test_support::counted_iterations() {
        let list_doc = card_list();
        for _ in 0..iterations {
            black_box(decode_card_list(black_box(&list_doc)));
        }
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
