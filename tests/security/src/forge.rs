//! Session JWTs forged against the real thing: the sandbox's signing key, `kid` and JWKS, and a
//! real session's payload, so that a forgery differs from an honest token in exactly one way.

use base64::{
    Engine,
    engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD},
};
use jsonwebtoken::{Algorithm, EncodingKey};
use serde_json::{Value, json};
use test_support::{
    keys::{SIGNING_KEY_PEM, SIGNING_KID, jwks_document},
    stack::LocalStack,
};

use crate::User;

/// One forgery and the code the API must answer it with (always 401).
#[derive(Debug, Clone)]
pub struct Forgery {
    pub name: String,
    pub jwt: String,
    pub code: &'static str,
}

fn forgery(name: impl Into<String>, jwt: String, code: &'static str) -> Forgery {
    Forgery { name: name.into(), jwt, code }
}

pub fn b64(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).expect("serialises"))
}

/// The decoded header and payload of a compact JWT, and its signature part.
pub fn split(jwt: &str) -> (Value, Value, String) {
    let mut parts = jwt.split('.');
    let json = |part: Option<&str>| -> Value {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part.expect("three parts")).expect("base64url")).expect("JSON")
    };
    let header = json(parts.next());
    let payload = json(parts.next());
    (header, payload, parts.next().expect("a signature").to_owned())
}

/// `header.payload` signed RS256 by the test fixture key (which the sandbox's JWKS does not hold).
pub fn rs256_fixture(header: &Value, payload: &Value) -> String {
    let input = format!("{}.{}", b64(header), b64(payload));
    let key = EncodingKey::from_rsa_pem(SIGNING_KEY_PEM.as_bytes()).expect("fixture key");
    let signature = jsonwebtoken::crypto::sign(input.as_bytes(), &key, Algorithm::RS256).expect("signs");
    format!("{input}.{signature}")
}

/// `header.payload` signed with HMAC-SHA256 keyed by `secret`.
pub fn hs256(header: &Value, payload: &Value, secret: &[u8]) -> String {
    let input = format!("{}.{}", b64(header), b64(payload));
    let signature = jsonwebtoken::crypto::sign(input.as_bytes(), &EncodingKey::from_secret(secret), Algorithm::HS256)
        .expect("signs");
    format!("{input}.{signature}")
}

/// The sandbox's current signing key as published in its JWKS: `(kid, n, e)` (big-endian bytes).
pub async fn sandbox_public_key(stack: &LocalStack, kid: &str) -> (Vec<u8>, Vec<u8>) {
    let jwks: Value = stack.http.get(&stack.sandbox.stytch_jwks_url).send().await.unwrap().json().await.unwrap();
    let key = jwks["keys"].as_array().unwrap().iter().find(|k| k["kid"] == kid).expect("the kid is published");
    let bytes = |name: &str| URL_SAFE_NO_PAD.decode(key[name].as_str().unwrap()).unwrap();
    (bytes("n"), bytes("e"))
}

fn der(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len.to_be_bytes().into_iter().skip_while(|b| *b == 0).collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

fn der_uint(bytes: &[u8]) -> Vec<u8> {
    let trimmed: Vec<u8> = bytes.iter().copied().skip_while(|b| *b == 0).collect();
    let mut content = Vec::with_capacity(trimmed.len() + 1);
    if trimmed.first().is_none_or(|b| b & 0x80 != 0) {
        content.push(0);
    }
    content.extend(trimmed);
    der(0x02, &content)
}

/// PKCS#1 `RSAPublicKey` DER.
pub fn pkcs1_der(n: &[u8], e: &[u8]) -> Vec<u8> {
    der(0x30, &[der_uint(n), der_uint(e)].concat())
}

/// X.509 `SubjectPublicKeyInfo` DER (what `-----BEGIN PUBLIC KEY-----` holds).
pub fn spki_der(n: &[u8], e: &[u8]) -> Vec<u8> {
    // rsaEncryption OID 1.2.840.113549.1.1.1, NULL parameters.
    let algorithm =
        der(0x30, &[&[0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01][..], &[0x05, 0x00]].concat());
    let bit_string = der(0x03, &[&[0u8][..], &pkcs1_der(n, e)].concat());
    der(0x30, &[algorithm, bit_string].concat())
}

pub fn pem(label: &str, der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let lines: Vec<&str> = body.as_bytes().chunks(64).map(|c| std::str::from_utf8(c).unwrap()).collect();
    format!("-----BEGIN {label}-----\n{}\n-----END {label}-----\n", lines.join("\n"))
}

/// Every forgery of the issue, built on `victim`'s live session. `jku_url` is an endpoint that
/// would serve the fixture key (it must never be fetched).
pub async fn forgeries(stack: &LocalStack, victim: &User, other_user_id: &str, jku_url: &str) -> Vec<Forgery> {
    let (header, payload, signature) = split(&victim.session_jwt);
    let kid = header["kid"].as_str().expect("a kid").to_owned();
    let (n, e) = sandbox_public_key(stack, &kid).await;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let sandbox_signed = |claims: Value| stack.forge_session(&victim.session_token, claims, false);
    let mut out = Vec::new();

    // Algorithms that are not RS256.
    for alg in ["none", "None", "NONE", "nOnE"] {
        let unsigned = format!("{}.{}.", b64(&json!({ "alg": alg, "typ": "JWT" })), b64(&payload));
        out.push(forgery(format!("alg {alg}"), unsigned, "invalid_session"));
    }
    out.push(forgery(
        "alg none with the real signature",
        format!("{}.{}.{signature}", b64(&json!({ "alg": "none", "kid": kid })), b64(&payload)),
        "invalid_session",
    ));
    let hs_header = json!({ "alg": "HS256", "kid": kid, "typ": "JWT" });
    let spki = spki_der(&n, &e);
    let pkcs1 = pkcs1_der(&n, &e);
    let jwk = json!({ "kty": "RSA", "kid": kid, "n": URL_SAFE_NO_PAD.encode(&n), "e": URL_SAFE_NO_PAD.encode(&e) });
    for (name, secret) in [
        ("HS256 keyed with the public key PEM (SPKI)", pem("PUBLIC KEY", &spki).into_bytes()),
        ("HS256 keyed with the public key PEM (PKCS#1)", pem("RSA PUBLIC KEY", &pkcs1).into_bytes()),
        ("HS256 keyed with the public key DER (SPKI)", spki.clone()),
        ("HS256 keyed with the public key DER (PKCS#1)", pkcs1.clone()),
        ("HS256 keyed with the JWK", jwk.to_string().into_bytes()),
        ("HS256 keyed with the modulus", n.clone()),
    ] {
        out.push(forgery(name, hs256(&hs_header, &payload, &secret), "invalid_session"));
    }
    for alg in ["HS384", "HS512"] {
        let header = json!({ "alg": alg, "kid": kid, "typ": "JWT" });
        let input = format!("{}.{}", b64(&header), b64(&payload));
        out.push(forgery(format!("alg {alg}"), format!("{input}.{signature}"), "invalid_session"));
    }
    for alg in ["PS256", "ES256", "RS512"] {
        let header = json!({ "alg": alg, "kid": kid, "typ": "JWT" });
        out.push(forgery(
            format!("alg {alg} with the real signature"),
            format!("{}.{}.{signature}", b64(&header), b64(&payload)),
            "invalid_session",
        ));
    }

    // Keys that are not Stytch's.
    let foreign = stack.forge_session(&victim.session_token, json!({}), true).await;
    assert_eq!(split(&foreign).0["kid"], kid.as_str(), "the foreign key carries the real kid");
    out.push(forgery("RS256 by a key not in the JWKS, under the real kid", foreign, "invalid_session"));
    let mut nothing = header.clone();
    nothing["kid"] = json!("jwk-test-00000000-0000-4000-8000-000000000000");
    out.push(forgery("kid pointing at nothing", rs256_fixture(&nothing, &payload), "invalid_session"));
    let mut fixture_kid = header.clone();
    fixture_kid["kid"] = json!(SIGNING_KID);
    out.push(forgery("kid of a key the JWKS never had", rs256_fixture(&fixture_kid, &payload), "invalid_session"));
    let mut no_kid = header.clone();
    no_kid.as_object_mut().unwrap().remove("kid");
    out.push(forgery("no kid", rs256_fixture(&no_kid, &payload), "invalid_session"));
    let fixture_jwk = jwks_document(SIGNING_KID)["keys"][0].clone();
    for (name, field, value) in [
        ("jku pointing elsewhere", "jku", json!(format!("{jku_url}/v1/sessions/jwks/{}", stack.sandbox.project_id))),
        ("x5u pointing elsewhere", "x5u", json!(format!("{jku_url}/cert.pem"))),
        ("jwk embedded", "jwk", fixture_jwk.clone()),
        ("x5c embedded", "x5c", json!(["MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"])),
    ] {
        for kid_value in [json!(kid), json!(SIGNING_KID)] {
            let mut forged = header.clone();
            forged[field] = value.clone();
            forged["kid"] = kid_value.clone();
            out.push(forgery(format!("{name} (kid {kid_value})"), rs256_fixture(&forged, &payload), "invalid_session"));
        }
    }
    let mut crit = header.clone();
    crit["crit"] = json!(["exp"]);
    out.push(forgery("crit header", rs256_fixture(&crit, &payload), "invalid_session"));
    let mut typ = header.clone();
    typ["typ"] = json!("at+jwt");
    out.push(forgery("typ other than JWT", rs256_fixture(&typ, &payload), "invalid_session"));

    // The real signature over something else.
    let mut tampered = payload.clone();
    tampered["sub"] = json!(other_user_id);
    out.push(forgery(
        "tampered payload (sub of another user)",
        format!("{}.{}.{signature}", b64(&header), b64(&tampered)),
        "invalid_session",
    ));
    let mut factors = payload.clone();
    factors["https://stytch.com/session"]["authentication_factors"]
        .as_array_mut()
        .unwrap()
        .push(json!({ "type": "totp", "delivery_method": "authenticator_app",
                      "last_authenticated_at": test_support::jwt::rfc3339(time::OffsetDateTime::now_utc()) }));
    out.push(forgery(
        "tampered payload (a second factor added)",
        format!("{}.{}.{signature}", b64(&header), b64(&factors)),
        "invalid_session",
    ));
    let (h64, p64) = (victim.session_jwt.split('.').next().unwrap(), victim.session_jwt.split('.').nth(1).unwrap());
    out.push(forgery("signature removed", format!("{h64}.{p64}."), "invalid_session"));
    out.push(forgery("two parts", format!("{h64}.{p64}"), "invalid_session"));
    out.push(forgery("four parts", format!("{}.{signature}", victim.session_jwt), "invalid_session"));
    let mut flipped = signature.clone().into_bytes();
    flipped[10] = if flipped[10] == b'A' { b'B' } else { b'A' };
    out.push(forgery(
        "one signature character changed",
        format!("{h64}.{p64}.{}", String::from_utf8(flipped).unwrap()),
        "invalid_session",
    ));

    // Signed by the real key, with claims that must be refused.
    let claims: Vec<(String, Value, &'static str)> = vec![
        (
            "wrong aud".into(),
            json!({ "aud": ["project-test-00000000-0000-4000-8000-999999999999"] }),
            "invalid_session",
        ),
        ("aud as another string".into(), json!({ "aud": "project-test-other" }), "invalid_session"),
        ("empty aud".into(), json!({ "aud": [] }), "invalid_session"),
        (
            "wrong iss".into(),
            json!({ "iss": "stytch.com/project-test-00000000-0000-4000-8000-999999999999" }),
            "invalid_session",
        ),
        ("iss of an attacker".into(), json!({ "iss": "https://evil.example" }), "invalid_session"),
        ("expired".into(), json!({ "exp": now - 60 }), "session_expired"),
        ("nbf in the future".into(), json!({ "nbf": now + 600 }), "invalid_session"),
        ("iat in the future".into(), json!({ "iat": now + 600, "nbf": now }), "invalid_session"),
        ("exp as a string".into(), json!({ "exp": (now + 300).to_string() }), "invalid_session"),
        ("nbf as a string".into(), json!({ "nbf": now.to_string() }), "invalid_session"),
        ("iat as a string".into(), json!({ "iat": now.to_string() }), "invalid_session"),
        ("exp as a float far away".into(), json!({ "exp": 1e300 }), "invalid_session"),
        ("sub as a number".into(), json!({ "sub": 42 }), "invalid_session"),
        ("empty sub".into(), json!({ "sub": "" }), "invalid_session"),
        ("session claim not an object".into(), json!({ "https://stytch.com/session": "admin" }), "invalid_session"),
        (
            "session without an id".into(),
            json!({ "https://stytch.com/session": { "authentication_factors": [] } }),
            "invalid_session",
        ),
    ];
    for name in ["sub", "aud", "iss", "exp", "nbf", "iat", "https://stytch.com/session"] {
        let forged = sandbox_signed(json!({ name: null })).await;
        out.push(forgery(format!("missing {name}"), forged, "invalid_session"));
    }
    for (name, claims, code) in claims {
        out.push(forgery(name, sandbox_signed(claims).await, code));
    }
    out
}
