//! Every problem `code` the API answers with, each with its one status. A frontend switches on the
//! code, so a code never changes status and never means two things; a route picks a [`Code`], never
//! a status, and [`ApiError`](super::ApiError) takes the status from it.

use http::StatusCode;
use serde::{Serialize, Serializer};

macro_rules! codes {
    ($($status:literal => [$($variant:ident = $name:literal),+ $(,)?]),+ $(,)?) => {
        /// A stable, machine-readable problem code. Never rename one.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Code {
            $($($variant,)+)+
        }

        impl Code {
            /// Every code, grouped by status.
            pub const ALL: &[Code] = &[$($(Code::$variant,)+)+];

            pub const fn as_str(self) -> &'static str {
                match self {
                    $($(Code::$variant => $name,)+)+
                }
            }

            pub fn status(self) -> StatusCode {
                let status: u16 = match self {
                    $($(Code::$variant => $status,)+)+
                };
                StatusCode::from_u16(status).expect("every status in the table is valid")
            }
        }
    };
}

codes! {
    400 => [
        InvalidBody = "invalid_body",
        ValidationFailed = "validation_failed",
        UnknownScope = "unknown_scope",
        ApplicationRejected = "application_rejected",
        DocumentRejected = "document_rejected",
        AccountRequired = "account_required",
        IdempotencyKeyRequired = "idempotency_key_required",
        PhoneNumberNotAccepted = "phone_number_not_accepted",
        InvalidWebhookPayload = "invalid_webhook_payload",
    ],
    401 => [
        MissingCredentials = "missing_credentials",
        InvalidSession = "invalid_session",
        SessionExpired = "session_expired",
        SessionTooOld = "session_too_old",
        SessionNotFound = "session_not_found",
        InvalidMagicLink = "invalid_magic_link",
        PkceMismatch = "pkce_mismatch",
        InvalidCode = "invalid_code",
        InvalidVerificationCode = "invalid_verification_code",
        InvalidUnitToken = "invalid_unit_token",
        MissingSignature = "missing_signature",
        InvalidSignature = "invalid_signature",
    ],
    403 => [
        StepUpRequired = "step_up_required",
        FactorNotBound = "factor_not_bound",
        InsufficientScope = "insufficient_scope",
        CsrfRejected = "csrf_rejected",
    ],
    404 => [
        RouteNotFound = "route_not_found",
        NoApplication = "no_application",
        NoCustomerToLink = "no_customer_to_link",
        DocumentNotFound = "document_not_found",
        CardNotFound = "card_not_found",
        FactorNotFound = "factor_not_found",
        NotFound = "not_found",
    ],
    405 => [MethodNotAllowed = "method_not_allowed"],
    409 => [
        DuplicateApplication = "duplicate_application",
        ApplicationExists = "application_exists",
        AlreadyOnboarded = "already_onboarded",
        SeveralCustomersMatch = "several_customers_match",
        CustomerLinkedToAnotherUser = "customer_linked_to_another_user",
        NoLinkPending = "no_link_pending",
        ApplicationPending = "application_pending",
        ApplicationInReview = "application_in_review",
        DocumentsRequired = "documents_required",
        ApplicationDenied = "application_denied",
        ApplicationCanceled = "application_canceled",
        DocumentsNotRequired = "documents_not_required",
        TotpAlreadyEnrolled = "totp_already_enrolled",
        TotpNotEnrolled = "totp_not_enrolled",
        NoBoundPhone = "no_bound_phone",
        NoCodeSent = "no_code_sent",
        PhoneNumberInUse = "phone_number_in_use",
        LastSecondFactor = "last_second_factor",
        NoAccount = "no_account",
        CardInactive = "card_inactive",
        CardActive = "card_active",
        CardFrozen = "card_frozen",
        CardLost = "card_lost",
        CardStolen = "card_stolen",
        CardClosed = "card_closed",
        CardSuspectedFraud = "card_suspected_fraud",
        CardNotPhysical = "card_not_physical",
        CardStatusConflict = "card_status_conflict",
        Conflict = "conflict",
    ],
    413 => [PayloadTooLarge = "payload_too_large"],
    415 => [UnsupportedMediaType = "unsupported_media_type"],
    429 => [RateLimited = "rate_limited"],
    500 => [InternalError = "internal_error"],
    502 => [UpstreamError = "upstream_error"],
    503 => [
        JwksUnavailable = "jwks_unavailable",
        SecretsUnavailable = "secrets_unavailable",
        WebhookSecretMissing = "webhook_secret_missing",
    ],
    504 => [UpstreamTimeout = "upstream_timeout", RequestTimeout = "request_timeout"],
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    /// Two variants with one name would be one code with two statuses (or two meanings).
    #[test]
    fn each_code_is_one_name_with_one_status() {
        let mut seen = HashMap::new();
        for code in Code::ALL {
            assert!(seen.insert(code.as_str(), code.status()).is_none(), "{} twice", code.as_str());
            assert!(code.status().is_client_error() || code.status().is_server_error(), "{code}");
        }
    }
}
