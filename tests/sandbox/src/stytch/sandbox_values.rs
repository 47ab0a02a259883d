//! The fixed values Stytch documents for its Test environment ("sandbox values"). They behave as
//! documented here too, so code written against them works against both.

/// The sandbox user, owner of `sandbox@stytch.com` and of the sandbox session and TOTP.
pub const USER_ID: &str = "user-test-e3795c81-f849-4167-bfda-e4a6e9c280fd";
pub const EMAIL: &str = "sandbox@stytch.com";
/// Not documented by Stytch; fixed here so responses about the sandbox user are stable.
pub const EMAIL_ID: &str = "email-test-81bf03a8-86e1-4d95-bd44-bb3495224953";

/// `magic_links/authenticate` tokens: one that succeeds, one that is "already used" (401).
/// Any other unknown token, including Stytch's documented 404 token, is `magic_link_not_found`.
pub const MAGIC_LINK_TOKEN_OK: &str = "DOYoip3rvIMMW5lgItikFK-Ak1CfMsgjuiCyI7uuU94=";
pub const MAGIC_LINK_TOKEN_USED: &str = "3pzjQpgksDlGKWEwUq2Up--hCHC_0oamfLHyfspKDFU=";

/// The phone whose OTP code is always `000000`, and no text is sent.
pub const PHONE: &str = "+10000000000";
pub const OTP_CODE: &str = "000000";

/// The session token that always authenticates (and cannot be revoked).
pub const SESSION_TOKEN: &str = "WJtR5BCy38Szd5AfoDpf0iqFKEt4EE5JhjlWUY7l3FtY";
/// Not documented by Stytch; fixed here so the sandbox session is stable.
pub const SESSION_ID: &str = "session-test-fe6c042b-6286-479f-8a4f-b046a6c46509";
/// The start time Stytch documents for the sandbox session, `2021-08-28T00:41:58.935673Z`, in Unix
/// nanoseconds (JSON bodies show it to the microsecond, JWT claims to the second).
pub const SESSION_STARTED_AT_UNIX_NANOS: i128 = 1_630_111_318_935_673_000;

/// For the sandbox user: TOTP code `000000` authenticates and recovery code `a1b2-c3d4-e5f6` recovers.
pub const TOTP_CODE: &str = "000000";
pub const TOTP_RECOVERY_CODE: &str = "a1b2-c3d4-e5f6";
/// Not documented by Stytch; fixed here so responses are stable.
pub const TOTP_ID: &str = "totp-test-41920350-8bbb-4fe8-8fa3-aaa83f35f02c";
pub const TOTP_RECOVERY_CODE_ID: &str = "totp-recovery-code-test-7a1b6c9e-2f25-4a53-9a8d-1f0e8f1f2b11";
