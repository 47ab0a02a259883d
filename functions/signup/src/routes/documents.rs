//! The documents Unit asks for while an application is `AwaitingDocuments`:
//! `GET /applications/current/documents` lists them, `PUT /applications/current/documents/{documentId}`
//! uploads one file (the raw body, `Content-Type` PDF, PNG or JPEG; `?side=back` for the back of an
//! ID card). The application is always the session user's own; the file is never logged. Identity
//! documents are KYC: the session is checked with Stytch (a logged-out or revoked one is refused).

use axum::http::{HeaderMap, StatusCode, header};
use axum::{
    Json,
    body::Bytes,
    extract::{
        Path, Query, State,
        rejection::{BytesRejection, PathRejection, QueryRejection},
    },
    response::IntoResponse,
};
use serde::Deserialize;
use stytch_unit_common::{
    customer_link,
    dependencies::Dependencies,
    http::{ApiError, Code, FieldError, StytchSession},
    onboarding::{self, RequiredDocument, Stage},
    session_response::NO_STORE,
    stytch::{StytchClient, User},
    unit::{Application, ApplicationStatus, DocumentFileType, DocumentSide, UnitClient, UnitError, unit_id},
    validated::UnitId,
};

/// The largest file accepted: a Lambda invocation carries at most 6 MB, and API Gateway sends a
/// binary body base64-encoded (4/3 larger), so 4 MiB is what fits with room for the headers.
pub const MAX_DOCUMENT_BYTES: usize = 4 * 1024 * 1024;

/// `GET /applications/current/documents` → `{requiredDocuments: [...]}` (empty unless Unit is
/// waiting for documents).
pub async fn list(
    State(dependencies): State<Dependencies>,
    caller: StytchSession,
) -> Result<impl IntoResponse, ApiError> {
    let (stytch, unit) = (&dependencies.stytch, &dependencies.unit);
    let user = caller.check_with_stytch(stytch).await?;
    let application = own_application(stytch, unit, &user).await?;
    let stage = Stage::read(unit, &application).await?;
    Ok(([NO_STORE], Json(serde_json::json!({ "requiredDocuments": stage.required_documents }))))
}

#[derive(Deserialize, Default)]
pub struct UploadQuery {
    #[serde(default)]
    side: Option<String>,
}

/// `PUT /applications/current/documents/{documentId}` → `200 {document}` once Unit has the file.
pub async fn upload(
    State(dependencies): State<Dependencies>,
    caller: StytchSession,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<UploadQuery>, QueryRejection>,
    headers: HeaderMap,
    file: Result<Bytes, BytesRejection>,
) -> Result<impl IntoResponse, ApiError> {
    // axum's own rejection is plain text; ours is problem+json like every other answer.
    let file = file.map_err(|rejection| match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge,
        _ => ApiError::InvalidBody { detail: "The file could not be read.".into() },
    })?;
    // axum's rejection of a bad query (e.g. `side` twice) is plain text: ours is a field error.
    let Ok(Query(query)) = query else {
        return Err(ApiError::Validation(vec![FieldError::new("side", "must be given once, `front` or `back`")]));
    };
    // axum's rejection (a segment that is not UTF-8) is plain text: no document of anybody's, as ours.
    let Ok(Path(document_id)) = path else {
        return Err(document_not_found());
    };
    let (document_id, file_type, side) = validate(&document_id, &query, &headers, &file)?;
    let (stytch, unit) = (&dependencies.stytch, &dependencies.unit);
    let user = caller.check_with_stytch(stytch).await?;
    let application = own_application(stytch, unit, &user).await?;
    if application.status != ApplicationStatus::AwaitingDocuments {
        return Err(ApiError::Refused {
            code: Code::DocumentsNotRequired,
            detail: "Unit is not waiting for documents for this application.".into(),
        });
    }
    // Only a document Unit asked for on this application: an id from elsewhere is not found.
    let application_id = unit_id(&application.id)?;
    let documents = unit.list_application_documents(&application_id).await?;
    if !documents.iter().any(|document| document.id == document_id.as_str()) {
        return Err(document_not_found());
    }
    let document = unit
        .upload_application_document(&application_id, &document_id, side, file_type, &file)
        .await
        .map_err(upload_error)?;
    tracing::info!(
        user_id = %user.user_id,
        application_id = %application.id,
        %document_id,
        bytes = file.len(),
        status = %document.status,
        "application document uploaded"
    );
    Ok(([NO_STORE], Json(RequiredDocument::from(document))))
}

fn validate(
    document_id: &str,
    query: &UploadQuery,
    headers: &HeaderMap,
    file: &[u8],
) -> Result<(UnitId, DocumentFileType, DocumentSide), ApiError> {
    let document_id = UnitId::new(document_id).ok_or_else(document_not_found)?;
    let media_type = headers.get(header::CONTENT_TYPE).and_then(|value| value.to_str().ok()).unwrap_or_default();
    let Some(file_type) = DocumentFileType::from_media_type(media_type) else {
        return Err(ApiError::UnsupportedMediaType);
    };
    let mut errors = Vec::new();
    let side = match query.side.as_deref() {
        None | Some("front") => DocumentSide::Front,
        Some("back") => DocumentSide::Back,
        Some(_) => {
            errors.push(FieldError::new("side", "must be `front` or `back`"));
            DocumentSide::Front
        }
    };
    if file.is_empty() {
        errors.push(FieldError::new("file", "the body must be the document file"));
    }
    if errors.is_empty() { Ok((document_id, file_type, side)) } else { Err(ApiError::Validation(errors)) }
}

/// The session user's current application (there must be one).
async fn own_application(stytch: &StytchClient, unit: &UnitClient, user: &User) -> Result<Application, ApiError> {
    customer_link::current_application_of(stytch, unit, user).await?.ok_or_else(onboarding::no_application)
}

fn document_not_found() -> ApiError {
    ApiError::Refused {
        code: Code::DocumentNotFound,
        detail: "The application has no such document. List them with GET /applications/current/documents.".into(),
    }
}

/// Unit's refusals of a file (wrong type for the document, unreadable), in our words.
fn upload_error(error: UnitError) -> ApiError {
    match &error {
        UnitError::Api { status: 400 | 415 | 422, .. } => {
            tracing::info!(%error, "Unit refused the document file");
            ApiError::Refused {
                code: Code::DocumentRejected,
                detail: "Unit refused the file. Send a readable PDF, PNG or JPEG of the requested document.".into(),
            }
        }
        UnitError::Api { status: 404, .. } => document_not_found(),
        _ => error.into(),
    }
}
