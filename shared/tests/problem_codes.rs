//! One status per problem code across the API: every code the functions can answer with
//! (`http::Code::ALL`, the only way an `ApiError` names one) is the one `infra/openapi.yaml` lists
//! under its status in `Problem.code`, and the spec lists no code the functions cannot send.

use std::collections::BTreeMap;

use stytch_unit_common::http::Code;

/// `Problem.code`'s description, "By status: 400 `a`, `b`; 401 `c` …", as code → status.
fn documented_codes() -> BTreeMap<String, u16> {
    let spec = std::fs::read_to_string(test_support::workspace_root().join("infra/openapi.yaml")).unwrap();
    let start = spec.find("Never renamed. By status:").expect("Problem.code lists the codes by status");
    let end = start + spec[start..].find("examples:").expect("the list ends before the examples");
    let mut codes = BTreeMap::new();
    let mut status = None;
    // Outside backticks: prose and the statuses; inside: names (a camelCase one is a field, not a code).
    for (index, piece) in spec[start..end].split('`').enumerate() {
        if index % 2 == 0 {
            let numbers = piece.split(|c: char| !c.is_ascii_digit()).filter(|word| word.len() == 3);
            status = numbers.filter_map(|word| word.parse().ok()).next_back().or(status);
        } else if piece.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') {
            let status = status.expect("a status comes before its codes");
            assert_eq!(codes.insert(piece.to_owned(), status), None, "`{piece}` is listed twice");
        }
    }
    codes
}

#[test]
fn every_code_has_the_one_status_the_spec_lists_it_under() {
    let documented = documented_codes();
    let answered: BTreeMap<String, u16> =
        Code::ALL.iter().map(|code| (code.as_str().to_owned(), code.status().as_u16())).collect();
    assert_eq!(answered.len(), Code::ALL.len(), "two codes share a name");
    for (code, status) in &answered {
        assert_eq!(documented.get(code), Some(status), "`{code}` ({status}) in infra/openapi.yaml Problem.code");
    }
    for (code, status) in &documented {
        assert!(answered.contains_key(code), "the spec lists `{code}` ({status}), which no route answers with");
    }
}
