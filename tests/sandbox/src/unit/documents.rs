//! Application documents: `GET /applications/{id}/documents` and the uploads
//! `PUT /applications/{id}/documents/{documentId}/multipart` and `…/back/multipart`.
//!
//! Sources: Unit's OpenAPI `applicationPaths.json#/documents`, `#/uploadApplicationDocumentFile`,
//! `uploadApplicationDocument.json` (`file` + `fileType`: `application/pdf`, `image/png`,
//! `image/jpeg`), `document.json#ApplicationDocument`; statuses from the Node SDK's
//! `ApplicationDocumentStatus` ("ReceivedFront/ReceivedBack: only relevant for IdDocument").
//! Where the references are silent (UNIT.md): a received document goes to `PendingReview`, and
//! once none is still needed the application goes from `AwaitingDocuments` to `PendingReview`,
//! to be decided with the sandbox approve/deny endpoints. Files are checked and dropped, not kept.

use axum::extract::{Multipart, Path, State};
use axum::response::Response;
use serde_json::{Value, json};

use super::UnitState;
use super::applications;
use super::auth::Caller;
use super::jsonapi::{self, UnitError};
use super::state::{self, Application, ApplicationStatus, Document};

const FILE_TYPES: &[&str] = &["application/pdf", "image/png", "image/jpeg"];

/// The largest file the sandbox takes (Unit documents no limit; 20 MiB is generous for a scan).
const MAX_FILE_BYTES: usize = 20 * 1024 * 1024;

/// Room for the largest file and the form around it (axum's default limit is 2 MB).
pub(crate) fn body_limit() -> axum::extract::DefaultBodyLimit {
    axum::extract::DefaultBodyLimit::max(MAX_FILE_BYTES + 64 * 1024)
}

/// The documents an `AwaitingDocuments` decision asks for, all `Required`.
pub(crate) fn asked_for(types: &[&'static str]) -> Vec<Document> {
    (1..)
        .zip(types)
        .map(|(id, document_type)| Document {
            id,
            document_type,
            status: "Required",
            front_received: false,
            back_received: false,
        })
        .collect()
}

/// On approval every document is approved too.
pub(crate) fn approve_all(application: &mut Application) {
    for document in &mut application.documents {
        document.status = "Approved";
    }
}

/// `GET /applications/{id}/documents`
pub(crate) async fn list(
    State(state): State<UnitState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, UnitError> {
    caller.require_org("Reading application documents")?;
    let store = state.store();
    let application = applications::find(&store, &id)?;
    let data: Vec<Value> = application.documents.iter().map(render).collect();
    Ok(jsonapi::document(axum::http::StatusCode::OK, json!({ "data": data })))
}

/// `PUT /applications/{id}/documents/{documentId}/multipart`
pub(crate) async fn upload_front(
    State(state): State<UnitState>,
    caller: Caller,
    Path((id, document_id)): Path<(String, String)>,
    multipart: Multipart,
) -> Result<Response, UnitError> {
    upload(&state, &caller, &id, &document_id, Side::Front, multipart).await
}

/// `PUT /applications/{id}/documents/{documentId}/back/multipart`
pub(crate) async fn upload_back(
    State(state): State<UnitState>,
    caller: Caller,
    Path((id, document_id)): Path<(String, String)>,
    multipart: Multipart,
) -> Result<Response, UnitError> {
    upload(&state, &caller, &id, &document_id, Side::Back, multipart).await
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Front,
    Back,
}

async fn upload(
    state: &UnitState,
    caller: &Caller,
    id: &str,
    document_id: &str,
    side: Side,
    multipart: Multipart,
) -> Result<Response, UnitError> {
    caller.require_org("Uploading an application document")?;
    read_file(multipart).await?;

    let mut store = state.store();
    let app_id = applications::find(&store, id)?.id;
    let Some(application) = store.applications.get_mut(&app_id) else {
        return Err(UnitError::not_found(jsonapi::Resource::Application, id));
    };
    if application.status != ApplicationStatus::AwaitingDocuments {
        return Err(UnitError::status_conflict(
            "not_supported_for_application_status",
            format!(
                "Application {id} is {}; documents are taken while it is AwaitingDocuments",
                application.status.as_str()
            ),
        ));
    }
    let Some(document) = application.documents.iter_mut().find(|d| d.id.to_string() == document_id) else {
        return Err(UnitError::not_found(jsonapi::Resource::Document, document_id));
    };
    let two_sided = document.document_type == "IdDocument";
    if side == Side::Back && !two_sided {
        return Err(UnitError::invalid("/data", "Only an IdDocument has a back side"));
    }
    match side {
        Side::Front => document.front_received = true,
        Side::Back => document.back_received = true,
    }
    document.status = match (two_sided, document.front_received, document.back_received) {
        (false, _, _) | (true, true, true) => "PendingReview",
        (true, true, false) => "ReceivedFront",
        (true, false, _) => "ReceivedBack",
    };
    let rendered = render(document);
    if application.documents.iter().all(|d| matches!(d.status, "PendingReview" | "Approved")) {
        application.status = ApplicationStatus::PendingReview;
        application.message = super::decision::message(ApplicationStatus::PendingReview).map(str::to_string);
        application.updated_at = state::now();
        super::webhooks::application_status_changed(&mut store, app_id);
    }
    Ok(jsonapi::ok(rendered))
}

/// The form must hold `fileType` (one of Unit's three) and a non-empty `file` no larger than the limit.
async fn read_file(mut multipart: Multipart) -> Result<(), UnitError> {
    let (mut file_type, mut file_len) = (None, None);
    while let Some(field) =
        multipart.next_field().await.map_err(|_| UnitError::invalid("", "The body is not valid multipart/form-data"))?
    {
        match field.name() {
            Some("fileType") => {
                let text = field.text().await.map_err(|_| UnitError::invalid("/fileType", "unreadable"))?;
                file_type = Some(text);
            }
            Some("file") => {
                let bytes = field.bytes().await.map_err(|_| UnitError::invalid("/file", "unreadable"))?;
                file_len = Some(bytes.len());
            }
            _ => {}
        }
    }
    match file_type.as_deref() {
        Some(kind) if FILE_TYPES.contains(&kind) => {}
        _ => {
            return Err(UnitError::invalid(
                "/fileType",
                format!("`fileType` must be {}", super::body::one_of(FILE_TYPES)),
            ));
        }
    }
    match file_len {
        Some(len) if len > 0 && len <= MAX_FILE_BYTES => Ok(()),
        Some(len) if len > MAX_FILE_BYTES => Err(UnitError::invalid("/file", "The file is too large")),
        _ => Err(UnitError::invalid("/file", "`file` is required")),
    }
}

fn render(document: &Document) -> Value {
    json!({
        "type": "document",
        "id": document.id.to_string(),
        "attributes": {
            "documentType": document.document_type,
            "status": document.status,
            "description": description(document.document_type),
        },
    })
}

fn description(document_type: &str) -> &'static str {
    match document_type {
        "AddressVerification" => {
            "Please provide a document to verify your address (utility bill, bank statement, lease)."
        }
        "IdDocument" => "Please provide both sides of your driver's license or state ID.",
        "SocialSecurityCard" => "Please provide your social security card.",
        _ => "Please provide the requested document.",
    }
}
