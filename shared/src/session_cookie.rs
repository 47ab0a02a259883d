//! Cookie mode (`SESSION_COOKIE=true`): the long-lived Stytch session token lives in a cookie that
//! script cannot read, instead of in the JSON body, for browser frontends.
//!
//! The cookie is `HttpOnly; Secure; SameSite=Strict; Path=/session`: sent only to
//! `POST /session/refresh` and `POST /session/logout`, never to another route, never shown to
//! JavaScript. Where the cookie is the credential, a request must also pass the CSRF check
//! ([`check_same_origin`]): `SameSite=Strict` keeps other sites' requests from carrying it, the
//! `Origin` must be one of `CORS_ALLOWED_ORIGINS`, and the `X-Requested-With` header (which no
//! form or cross-origin request can send without a CORS preflight that we answer only for those
//! origins) must be present. Each alone is a defence; together they do not depend on one browser
//! behaviour.

use cookie::{Cookie, SameSite};
use http::{HeaderMap, HeaderValue, header};
use secrecy::{ExposeSecret, SecretString};
use time::OffsetDateTime;

use crate::http::ApiError;

/// Not `__Host-` (that prefix demands `Path=/`) nor `__Secure-` (browsers differ on it over
/// `http://localhost`, where the local stack runs); `Secure` is set all the same.
pub const NAME: &str = "stytch_session_token";
/// The routes that read the cookie; no other route receives it.
pub const PATH: &str = "/session";
/// The header a cookie-mode request must carry: a non-simple header, so a cross-origin browser
/// request carrying it is preflighted first.
pub const CSRF_HEADER: &str = "x-requested-with";

/// `Set-Cookie` for `token`, living until the session ends.
pub fn set(token: &SecretString, session_expires_at: OffsetDateTime) -> HeaderValue {
    let max_age = (session_expires_at - OffsetDateTime::now_utc()).max(time::Duration::ZERO);
    header_value(token.expose_secret(), max_age)
}

/// `Set-Cookie` that deletes the cookie.
pub fn clear() -> HeaderValue {
    header_value("", time::Duration::ZERO)
}

fn header_value(value: &str, max_age: time::Duration) -> HeaderValue {
    let cookie = Cookie::build((NAME, value))
        .path(PATH)
        .http_only(true)
        .secure(true)
        .same_site(SameSite::Strict)
        .max_age(max_age)
        .build();
    // A session token is printable ASCII (checked by the routes before it is stored), so is the cookie.
    HeaderValue::from_str(&cookie.to_string()).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The session token from the request's `Cookie` headers, if any.
pub fn read(headers: &HeaderMap) -> Option<SecretString> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|cookie| cookie.name() == NAME && !cookie.value().is_empty())
        .map(|cookie| SecretString::from(cookie.value()))
}

/// The CSRF check for a request whose credential is the cookie: `Origin` one of `allowed_origins`
/// and `X-Requested-With` present, else `403 csrf_rejected`.
pub fn check_same_origin(headers: &HeaderMap, allowed_origins: &[String]) -> Result<(), ApiError> {
    let origin = headers.get(header::ORIGIN).and_then(|origin| origin.to_str().ok());
    let allowed = origin.is_some_and(|origin| allowed_origins.iter().any(|allowed| allowed == origin));
    let marked = headers.get(CSRF_HEADER).is_some_and(|value| !value.is_empty());
    if allowed && marked {
        Ok(())
    } else {
        tracing::warn!(origin = origin.unwrap_or("none"), marked, "a cookie-mode request failed the CSRF check");
        Err(ApiError::Forbidden {
            code: "csrf_rejected",
            detail: "A request with the session cookie must come from an allowed origin with the \
                     X-Requested-With header."
                .into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_is_http_only_secure_strict_and_scoped_to_the_session_routes() {
        let expires = OffsetDateTime::now_utc() + time::Duration::minutes(60);
        let set = set(&SecretString::from("token-value"), expires);
        let set = set.to_str().unwrap();
        assert!(set.starts_with("stytch_session_token=token-value;"), "{set}");
        for attribute in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/session"] {
            assert!(set.split("; ").any(|part| part == attribute), "{attribute} in {set}");
        }
        let max_age: i64 = set.split("; ").find_map(|part| part.strip_prefix("Max-Age=")).unwrap().parse().unwrap();
        assert!((3590..=3600).contains(&max_age), "{max_age}");
        let cleared = clear();
        assert!(cleared.to_str().unwrap().starts_with("stytch_session_token=;"));
        assert!(cleared.to_str().unwrap().contains("Max-Age=0"));
    }

    #[test]
    fn the_token_is_read_from_any_cookie_header() {
        let mut headers = HeaderMap::new();
        headers.append(header::COOKIE, HeaderValue::from_static("theme=dark"));
        assert!(read(&headers).is_none());
        headers.append(header::COOKIE, HeaderValue::from_static("a=1; stytch_session_token=abc; b=2"));
        assert_eq!(read(&headers).unwrap().expose_secret(), "abc");
    }

    #[test]
    fn only_an_allowed_origin_with_the_header_passes() {
        let allowed = vec!["https://app.example.com".to_owned()];
        let headers = |origin: Option<&'static str>, marked: bool| {
            let mut headers = HeaderMap::new();
            if let Some(origin) = origin {
                headers.insert(header::ORIGIN, HeaderValue::from_static(origin));
            }
            if marked {
                headers.insert(CSRF_HEADER, HeaderValue::from_static("fetch"));
            }
            headers
        };
        assert!(check_same_origin(&headers(Some("https://app.example.com"), true), &allowed).is_ok());
        for (origin, marked) in
            [(Some("https://evil.example"), true), (None, true), (Some("https://app.example.com"), false)]
        {
            let refused = check_same_origin(&headers(origin, marked), &allowed).unwrap_err();
            assert_eq!((refused.status().as_u16(), refused.code()), (403, "csrf_rejected"));
        }
    }
}
