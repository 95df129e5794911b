//! Files on tickets: store the bytes as a content-addressed blob and hand back the
//! [`Attachment`] reference that timeline events carry; let people download a file
//! exactly when they may see an event that carries it.
//!
//! Other parts of the desk store files through [`Attachments::store`] (the mail channel
//! for message attachments, the knowledge base for article images) and put the returned
//! references on the events or records they write. The API uploads in two steps:
//! [`Attachments::upload`] records who uploaded a file, and a ticket or reply then cites
//! the upload's id, which [`Attachments::claim`] turns into references, for the uploader
//! only.

use crate::{App, AppError, OrNotFound as _};
use bytes::Bytes;
use ferrodesk_blobs::{BlobError, BlobStore};
use ferrodesk_domain::attachment::clean_filename;
use ferrodesk_domain::{Actor, Attachment, EventId, Sha256Hex, TicketId};
use ferrodesk_store::Upload;

/// The most files one event may carry.
pub const MAX_ATTACHMENTS_PER_EVENT: usize = 20;

/// The API address that downloads a file from an event (the browser pages link to it
/// too; it accepts the session cookie).
pub fn download_path(ticket: TicketId, event: EventId, attachment: &Attachment) -> String {
    format!(
        "/api/v1/tickets/{ticket}/attachments/{event}/{}",
        attachment.sha256
    )
}

/// The attachment service; get one from [`App::attachments`].
#[derive(Debug, Clone, Copy)]
pub struct Attachments<'a> {
    app: &'a App,
}

impl From<BlobError> for AppError {
    fn from(error: BlobError) -> Self {
        match error {
            BlobError::TooLarge { limit } => AppError::TooLarge { limit },
            BlobError::Empty => AppError::invalid("file", "the file is empty"),
            BlobError::NotFound(sha) => AppError::not_found("attachment", sha),
            BlobError::Unavailable(source) => AppError::Internal(format!("blob storage: {source}")),
        }
    }
}

impl<'a> Attachments<'a> {
    pub(crate) fn new(app: &'a App) -> Self {
        Attachments { app }
    }

    async fn blobs(&self) -> Result<&BlobStore, AppError> {
        self.app.blob_store().await
    }

    /// The largest file accepted, in bytes.
    pub fn max_bytes(&self) -> usize {
        self.app.config().max_attachment_bytes
    }

    /// Stores a file (once per content) and returns the reference to put on an event.
    /// The content type is sniffed from the bytes when recognizable, else the declared
    /// one is kept when well-formed, else `application/octet-stream`; the file name
    /// loses any path and control characters.
    ///
    /// # Errors
    /// `TooLarge` over the configured limit, `Invalid` for an empty file, `Internal`
    /// when the blob storage fails.
    pub async fn store(
        &self,
        bytes: Bytes,
        filename: &str,
        declared_type: Option<&str>,
    ) -> Result<Attachment, AppError> {
        let content_type = ferrodesk_blobs::media_type(&bytes, declared_type);
        let stored = self.blobs().await?.put(bytes).await?;
        Ok(Attachment {
            sha256: stored.sha256,
            filename: clean_filename(filename),
            content_type,
            size: i64::try_from(stored.size).unwrap_or(i64::MAX),
        })
    }

    /// Stores a file uploaded through the API and records the upload, which the
    /// uploader may then cite (by id) on a new ticket, reply or note.
    ///
    /// # Errors
    /// As [`Attachments::store`].
    pub async fn upload(
        &self,
        actor: &Actor,
        bytes: Bytes,
        filename: &str,
        declared_type: Option<&str>,
    ) -> Result<Upload, AppError> {
        let attachment = self.store(bytes, filename, declared_type).await?;
        Ok(self
            .app
            .db()
            .create_upload(actor.user_id, attachment, self.app.now())
            .await?)
    }

    /// The references of uploads the actor made, in the order cited. Someone else's
    /// upload is reported as not found.
    ///
    /// # Errors
    /// `NotFound` (`upload`), `Invalid` for too many files or a repeated id.
    pub async fn claim(&self, actor: &Actor, ids: &[i64]) -> Result<Vec<Attachment>, AppError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        if ids.len() > MAX_ATTACHMENTS_PER_EVENT {
            return Err(AppError::invalid(
                "attachments",
                format!("at most {MAX_ATTACHMENTS_PER_EVENT} files per message"),
            ));
        }
        let uploads = self.app.db().get_uploads(ids).await?;
        let mut attachments = Vec::with_capacity(ids.len());
        for (i, id) in ids.iter().enumerate() {
            if ids[..i].contains(id) {
                return Err(AppError::invalid(
                    "attachments",
                    format!("upload {id} is cited twice"),
                ));
            }
            let upload = uploads
                .iter()
                .find(|u| u.id == *id && u.uploader_id == actor.user_id)
                .ok_or_else(|| AppError::not_found("upload", id))?;
            attachments.push(upload.attachment.clone());
        }
        Ok(attachments)
    }

    /// A file on a ticket's event, with its bytes, when the actor may see that event
    /// (customers never get an internal note's files). Anything else, including a file
    /// on an event the actor may not see, is not found.
    ///
    /// # Errors
    /// `NotFound` (`ticket` or `attachment`).
    pub async fn download(
        &self,
        actor: &Actor,
        ticket_id: TicketId,
        event_id: EventId,
        sha256: &str,
    ) -> Result<(Attachment, Bytes), AppError> {
        let not_found = || AppError::not_found("attachment", format!("{event_id}/{sha256}"));
        self.app.tickets().get(actor, ticket_id).await?;
        let sha256 = Sha256Hex::parse(sha256).map_err(|_| not_found())?;
        let event = match self.app.db().get_event(event_id).await {
            Ok(event) => event,
            Err(ferrodesk_store::StoreError::NotFound { .. }) => return Err(not_found()),
            Err(other) => return Err(other.into()),
        };
        if event.ticket_id != ticket_id || !actor.can_see_event(&event) {
            return Err(not_found());
        }
        let attachment = event
            .attachments
            .into_iter()
            .find(|a| a.sha256 == sha256)
            .ok_or_else(not_found)?;
        let bytes = self
            .blobs()
            .await?
            .get(&attachment.sha256)
            .await
            .or_not_found("attachment", &attachment.sha256)?;
        Ok((attachment, bytes))
    }

    /// The bytes of a blob, without an access check: for callers that decide access
    /// themselves (an article's images follow the article's visibility).
    ///
    /// # Errors
    /// `NotFound`, `Internal`.
    pub async fn read(&self, sha256: &Sha256Hex) -> Result<Bytes, AppError> {
        Ok(self.blobs().await?.get(sha256).await?)
    }
}

impl<T> crate::OrNotFound<T> for Result<T, BlobError> {
    fn or_not_found(self, kind: &'static str, id: impl std::fmt::Display) -> Result<T, AppError> {
        self.map_err(|error| match error {
            BlobError::NotFound(_) => AppError::not_found(kind, id),
            other => other.into(),
        })
    }
}
