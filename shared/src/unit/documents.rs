//! Application documents: `GET /applications/{id}/documents` and the file upload
//! `PUT /applications/{id}/documents/{documentId}[/back]/multipart` (Unit's OpenAPI
//! `applicationPaths.json#/documents`, `#/uploadApplicationDocumentFile`; PDF, PNG or JPEG).

use reqwest::Method;
use serde::Deserialize;

use super::{
    UnitClient, UnitError,
    jsonapi::{Document, ListDocument},
    transport::{Body, Call, Operation},
};
use crate::upstream::Idempotency;
use crate::validated::UnitId;

/// A document Unit asks an applicant for (`document.json#ApplicationDocument`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationDocument {
    pub id: String,
    /// `IdDocument`, `Passport`, `AddressVerification`, `SocialSecurityCard`, … (Unit's SDK types).
    pub document_type: String,
    /// `Required`, `ReceivedFront`, `ReceivedBack`, `Invalid`, `PendingReview`, `Approved`.
    pub status: String,
    pub description: Option<String>,
}

impl ApplicationDocument {
    /// Whether the applicant still has to upload something for it: required, half of an ID
    /// received, or refused as invalid (Unit: "you may re-upload").
    pub fn is_still_needed(&self) -> bool {
        matches!(self.status.as_str(), "Required" | "ReceivedFront" | "ReceivedBack" | "Invalid")
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DocumentAttributes {
    #[serde(default)]
    document_type: Option<String>,
    status: String,
    #[serde(default)]
    description: Option<String>,
}

/// The file types Unit accepts (`UploadApplicationDocumentContentType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentFileType {
    Pdf,
    Png,
    Jpeg,
}

impl DocumentFileType {
    pub fn from_media_type(media_type: &str) -> Option<Self> {
        match media_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase().as_str() {
            "application/pdf" => Some(Self::Pdf),
            "image/png" => Some(Self::Png),
            "image/jpeg" | "image/jpg" => Some(Self::Jpeg),
            _ => None,
        }
    }

    pub fn media_type(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
        }
    }

    fn file_name(self) -> &'static str {
        match self {
            Self::Pdf => "document.pdf",
            Self::Png => "document.png",
            Self::Jpeg => "document.jpg",
        }
    }
}

/// Which side of a two-sided document (an `IdDocument`) a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentSide {
    Front,
    Back,
}

fn document(
    resource: super::jsonapi::Resource<DocumentAttributes>,
    status: u16,
) -> Result<ApplicationDocument, UnitError> {
    Ok(ApplicationDocument {
        id: resource.id.ok_or(UnitError::UnexpectedBody { status })?,
        document_type: resource.attributes.document_type.unwrap_or_default(),
        status: resource.attributes.status,
        description: resource.attributes.description,
    })
}

impl UnitClient {
    pub async fn list_application_documents(
        &self,
        application_id: &UnitId,
    ) -> Result<Vec<ApplicationDocument>, UnitError> {
        let path = format!("/applications/{application_id}/documents");
        let list: ListDocument<DocumentAttributes> =
            self.call(Operation::read("documents.list"), &path, &[], None).await?;
        list.data.into_iter().map(|resource| document(resource, 200)).collect()
    }

    /// Uploads one file. A PUT of the same file is idempotent, so it is retried like a read.
    pub async fn upload_application_document(
        &self,
        application_id: &UnitId,
        document_id: &UnitId,
        side: DocumentSide,
        file_type: DocumentFileType,
        file: &[u8],
    ) -> Result<ApplicationDocument, UnitError> {
        let back = match side {
            DocumentSide::Front => "",
            DocumentSide::Back => "/back",
        };
        let path = format!("/applications/{application_id}/documents/{document_id}{back}/multipart");
        let boundary = format!("unit-document-{}", uuid::Uuid::new_v4().simple());
        let body = Body::Multipart { bytes: multipart(&boundary, file_type, file), boundary };
        let answer: Document<DocumentAttributes> = self
            .send(Call {
                operation: Operation::write("documents.upload", Method::PUT, Idempotency::Safe),
                path: &path,
                query: &[],
                body: Some(body),
            })
            .await?;
        document(answer.data, 200)
    }
}

/// `UploadApplicationDocumentRequest` as `multipart/form-data` (RFC 7578): a `fileType` field and
/// the `file`. Encoded by hand into bytes because a retry must resend the same body, and reqwest's
/// `multipart::Form` is a one-shot stream.
fn multipart(boundary: &str, file_type: DocumentFileType, file: &[u8]) -> Vec<u8> {
    let mut body = Vec::with_capacity(file.len() + 512);
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"fileType\"\r\n\r\n{media}\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
             Content-Type: {media}\r\n\r\n",
            media = file_type.media_type(),
            name = file_type.file_name(),
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    body
}
