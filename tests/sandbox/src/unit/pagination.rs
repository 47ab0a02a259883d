//! List queries: `page[limit]` (default 100, at most 1000), `page[offset]` (default 0),
//! `filter[…]`, `sort` and `include`, and the list document with `meta.pagination`.

use axum::extract::Query;
use axum::http::Uri;
use axum::response::Response;
use serde_json::{Value, json};

use super::jsonapi::{UnitError, document};

const DEFAULT_LIMIT: usize = 100;
const MAX_LIMIT: usize = 1000;

/// A list request's query string, as ordered key/value pairs (filters may repeat a key).
#[derive(Debug)]
pub(crate) struct ListQuery {
    pairs: Vec<(String, String)>,
}

impl ListQuery {
    pub(crate) fn from_uri(uri: &Uri) -> Result<Self, UnitError> {
        Query::<Vec<(String, String)>>::try_from_uri(uri)
            .map(|Query(pairs)| ListQuery { pairs })
            .map_err(|_| UnitError::invalid_parameter("", "The query string is malformed"))
    }

    /// The single value of `key`, if given.
    pub(crate) fn get(&self, key: &str) -> Option<&str> {
        self.pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// Every value of an array filter: `filter[status][0]=…&filter[status][1]=…` (or repeated
    /// `filter[status]=…`).
    pub(crate) fn all(&self, key: &str) -> Vec<&str> {
        self.pairs
            .iter()
            .filter(|(k, _)| {
                k == key
                    || k.strip_prefix(key).is_some_and(|rest| {
                        rest.starts_with('[')
                            && rest.ends_with(']')
                            && rest[1..rest.len() - 1].bytes().all(|b| b.is_ascii_digit())
                    })
            })
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// Refuses any `filter[…]` whose name is not in `known`, as Unit answers a filter it does not
    /// define (rather than ignoring it and listing more than was asked for).
    pub(crate) fn only_filters(&self, known: &[&str]) -> Result<(), UnitError> {
        for (key, _) in &self.pairs {
            let Some(rest) = key.strip_prefix("filter[") else { continue };
            let name = rest.split(']').next().unwrap_or_default();
            if !known.contains(&name) {
                return Err(UnitError::invalid_parameter(key, format!("`{key}` is not a filter of this list")));
            }
        }
        Ok(())
    }

    /// `page[limit]` and `page[offset]`.
    pub(crate) fn page(&self) -> Result<Page, UnitError> {
        let limit = match self.get("page[limit]") {
            None => DEFAULT_LIMIT,
            Some(raw) => match raw.parse::<usize>() {
                Ok(limit) if (1..=MAX_LIMIT).contains(&limit) => limit,
                _ => {
                    return Err(UnitError::invalid_parameter(
                        "page[limit]",
                        format!("page[limit] must be an integer between 1 and {MAX_LIMIT}"),
                    ));
                }
            },
        };
        let offset = match self.get("page[offset]") {
            None => 0,
            Some(raw) => raw.parse::<usize>().map_err(|_| {
                UnitError::invalid_parameter("page[offset]", "page[offset] must be a non-negative integer")
            })?,
        };
        Ok(Page { limit, offset })
    }

    /// `sort`: `createdAt` (oldest first) or `-createdAt` (newest first, the default).
    pub(crate) fn newest_first(&self) -> Result<bool, UnitError> {
        match self.get("sort") {
            None | Some("-createdAt") => Ok(true),
            Some("createdAt") => Ok(false),
            Some(_) => Err(UnitError::invalid_parameter("sort", "sort must be `createdAt` or `-createdAt`")),
        }
    }

    /// The names listed in `include` (comma-separated), checked against what the route supports.
    pub(crate) fn includes(&self, supported: &[&str]) -> Result<Vec<String>, UnitError> {
        let Some(raw) = self.get("include") else {
            return Ok(Vec::new());
        };
        let mut names = Vec::new();
        for name in raw.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            if !supported.contains(&name) {
                return Err(UnitError::invalid_parameter("include", format!("`{name}` cannot be included here")));
            }
            names.push(name.to_string());
        }
        Ok(names)
    }
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Page {
    pub(crate) limit: usize,
    pub(crate) offset: usize,
}

impl Page {
    /// This page of `items` (already filtered and sorted), and how many there are in all.
    pub(crate) fn slice<T>(self, items: Vec<T>) -> (Vec<T>, usize) {
        let total = items.len();
        let page = items.into_iter().skip(self.offset).take(self.limit).collect();
        (page, total)
    }
}

/// A 200 list document: one page of rendered resources plus `meta.pagination`, and `included`
/// when the request asked for related resources.
pub(crate) fn list_document(data: Vec<Value>, total: usize, page: Page, included: Vec<Value>) -> Response {
    let mut body = json!({
        "data": data,
        "meta": { "pagination": { "total": total, "limit": page.limit, "offset": page.offset } },
    });
    if !included.is_empty() {
        body["included"] = Value::Array(included);
    }
    document(axum::http::StatusCode::OK, body)
}
