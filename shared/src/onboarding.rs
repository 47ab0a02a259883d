//! Where a user's onboarding stands, in the API's words: one stable code and one next step per Unit
//! application status, so a frontend can draw the right screen instead of decoding Unit's states.
//!
//! | Unit status          | code                    | nextStep           |
//! |----------------------|-------------------------|--------------------|
//! | (no application)     | `no_application` (404)  | `apply`            |
//! | `Pending`            | `application_pending`   | `wait`             |
//! | `PendingReview`      | `application_in_review` | `wait`             |
//! | `AwaitingDocuments`  | `documents_required`    | `upload_documents` |
//! | `Denied`             | `application_denied`    | `apply_again`      |
//! | `Canceled`           | `application_canceled`  | `apply_again`      |
//! | `Approved`           | (none: ready)           | `none`             |
//!
//! Unit's statuses: OpenAPI `application.json#ApplicationStatus`; docs.unit.co/applications.

use serde::Serialize;

use crate::{
    http::{ApiError, Code},
    unit::{Application, ApplicationDocument, ApplicationStatus, UnitClient, unit_id},
};

/// Where an application stands: what `GET /applications/current` reports and what a 409 carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Stage {
    /// `None` once approved (nothing is in the way).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<Code>,
    pub next_step: NextStep,
    /// The documents Unit still needs (only for `documents_required`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub required_documents: Vec<RequiredDocument>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NextStep {
    Apply,
    Wait,
    UploadDocuments,
    ApplyAgain,
    None,
}

/// A document Unit asks for, as a frontend needs it (what to upload, and where).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RequiredDocument {
    pub document_id: String,
    pub document_type: String,
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl From<ApplicationDocument> for RequiredDocument {
    fn from(document: ApplicationDocument) -> Self {
        Self {
            document_id: document.id,
            document_type: document.document_type,
            status: document.status,
            description: document.description,
        }
    }
}

impl Stage {
    /// The stage of `application`; `documents` are Unit's documents of it (read only when needed).
    pub fn of(application: &Application, documents: Vec<ApplicationDocument>) -> Self {
        let (code, next_step) = match application.status {
            ApplicationStatus::Approved => (None, NextStep::None),
            ApplicationStatus::Pending => (Some(Code::ApplicationPending), NextStep::Wait),
            ApplicationStatus::PendingReview => (Some(Code::ApplicationInReview), NextStep::Wait),
            ApplicationStatus::AwaitingDocuments => (Some(Code::DocumentsRequired), NextStep::UploadDocuments),
            ApplicationStatus::Denied => (Some(Code::ApplicationDenied), NextStep::ApplyAgain),
            ApplicationStatus::Canceled => (Some(Code::ApplicationCanceled), NextStep::ApplyAgain),
            // A status Unit adds later: not ready, and nothing the user can do but wait.
            ApplicationStatus::Other(_) => (Some(Code::ApplicationPending), NextStep::Wait),
        };
        let required_documents = if next_step == NextStep::UploadDocuments {
            documents.into_iter().filter(ApplicationDocument::is_still_needed).map(RequiredDocument::from).collect()
        } else {
            Vec::new()
        };
        Self { code, next_step, required_documents }
    }

    /// Reads what the stage needs from Unit (the document list, only while documents are awaited).
    pub async fn read(unit: &UnitClient, application: &Application) -> Result<Self, ApiError> {
        let documents = if application.status == ApplicationStatus::AwaitingDocuments {
            unit.list_application_documents(&unit_id(&application.id)?).await?
        } else {
            Vec::new()
        };
        Ok(Self::of(application, documents))
    }

    fn detail(&self) -> &'static str {
        match self.code {
            Some(Code::ApplicationInReview) => "The Unit application is in manual review; there is no customer yet.",
            Some(Code::DocumentsRequired) => {
                "Unit needs documents before it can decide. Upload each of `requiredDocuments` \
                 with PUT /applications/current/documents/{documentId}."
            }
            Some(Code::ApplicationDenied) => {
                "The Unit application was denied. The user may apply again with POST /applications."
            }
            Some(Code::ApplicationCanceled) => {
                "The Unit application was canceled. The user may apply again with POST /applications."
            }
            _ => "The Unit application is still being evaluated; there is no customer yet.",
        }
    }
}

/// Why there is no customer yet: a 409 naming the stage (or 404 `no_application`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotReady(pub Stage);

impl NotReady {
    pub fn code(&self) -> Code {
        self.0.code.unwrap_or(Code::ApplicationPending)
    }

    pub fn detail(&self) -> &'static str {
        self.0.detail()
    }
}

/// 404 `no_application`: one status for this code on every route.
pub fn no_application() -> ApiError {
    ApiError::Refused {
        code: Code::NoApplication,
        detail: "This user has no Unit application yet. Submit one with POST /applications, or through Unit's form (POST /application-forms).".into(),
    }
}

/// The 409 for an application that has no customer yet, with its stage. A failure to read the
/// document list is answered as that failure (the caller retries), never as a wrong stage.
pub async fn not_ready(unit: &UnitClient, application: &Application) -> ApiError {
    match Stage::read(unit, application).await {
        Ok(stage) => ApiError::NotReady(Box::new(NotReady(stage))),
        Err(error) => error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn application(status: ApplicationStatus) -> Application {
        Application { id: "1".into(), status, customer_id: None, jwt_subject: None, phone: None }
    }

    fn document(id: &str, status: &str) -> ApplicationDocument {
        ApplicationDocument {
            id: id.into(),
            document_type: "AddressVerification".into(),
            status: status.into(),
            description: None,
        }
    }

    #[test]
    fn every_status_has_its_own_code_and_next_step() {
        let cases = [
            (ApplicationStatus::Approved, None, NextStep::None),
            (ApplicationStatus::Pending, Some("application_pending"), NextStep::Wait),
            (ApplicationStatus::PendingReview, Some("application_in_review"), NextStep::Wait),
            (ApplicationStatus::AwaitingDocuments, Some("documents_required"), NextStep::UploadDocuments),
            (ApplicationStatus::Denied, Some("application_denied"), NextStep::ApplyAgain),
            (ApplicationStatus::Canceled, Some("application_canceled"), NextStep::ApplyAgain),
            (ApplicationStatus::Other("Archived".into()), Some("application_pending"), NextStep::Wait),
        ];
        for (status, code, next_step) in cases {
            let stage = Stage::of(&application(status.clone()), Vec::new());
            assert_eq!((stage.code.map(Code::as_str), stage.next_step), (code, next_step), "{status:?}");
        }
    }

    #[test]
    fn only_documents_still_needed_are_listed() {
        let documents = vec![document("1", "Required"), document("2", "Approved"), document("3", "Invalid")];
        let stage = Stage::of(&application(ApplicationStatus::AwaitingDocuments), documents.clone());
        let ids: Vec<_> = stage.required_documents.iter().map(|d| d.document_id.as_str()).collect();
        assert_eq!(ids, ["1", "3"]);
        // Not awaiting documents: none listed even if some are given.
        assert!(Stage::of(&application(ApplicationStatus::PendingReview), documents).required_documents.is_empty());
    }
}
