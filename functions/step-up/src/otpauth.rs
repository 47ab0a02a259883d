//! The `otpauth://` URI of a new TOTP, for authenticator apps that take a link or a typed key
//! instead of a scanned QR code. Stytch returns only the QR code (which encodes its own URI with
//! the project's name), so the URI is built here from the secret.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Everything but RFC 3986's unreserved characters is percent-encoded, in the label and the query
/// alike (`url`'s query encoding would write a space as `+`, which authenticator apps show as is).
const ENCODED: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// The issuer shown in authenticator apps next to the account.
pub const ISSUER: &str = "Stytch Unit Lambdas";

/// `otpauth://totp/<issuer>:<account>?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30`,
/// the parameters Stytch's TOTPs use.
pub fn uri(secret_base32: &str, account: &str) -> String {
    let issuer = encode(ISSUER);
    format!(
        "otpauth://totp/{issuer}:{}?secret={}&issuer={issuer}&algorithm=SHA1&digits=6&period=30",
        encode(account),
        encode(secret_base32.trim_end_matches('='))
    )
}

fn encode(text: &str) -> String {
    utf8_percent_encode(text, ENCODED).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_an_encoded_uri() {
        assert_eq!(
            uri("JBSWY3DPEHPK3PXP", "ada+1@example.com"),
            "otpauth://totp/Stytch%20Unit%20Lambdas:ada%2B1%40example.com?secret=JBSWY3DPEHPK3PXP\
             &issuer=Stytch%20Unit%20Lambdas&algorithm=SHA1&digits=6&period=30"
        );
    }
}
