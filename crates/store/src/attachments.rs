//! Storage of uploaded files waiting to be cited by a ticket or reply.

use crate::StoreResult;
use async_trait::async_trait;
use ferrodesk_domain::{Attachment, UserId};
use jiff::Timestamp;

/// A file uploaded through the API, waiting to be cited by a ticket or reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    /// Id, cited as `attachments: [id]`.
    pub id: i64,
    /// Who uploaded it; only they may cite it.
    pub uploader_id: UserId,
    /// The stored file.
    pub attachment: Attachment,
    /// When.
    pub created_at: Timestamp,
}

/// Uploads.
#[async_trait]
pub trait AttachmentStore: Send + Sync {
    /// Records an upload.
    ///
    /// # Errors
    /// `NotFound` for an unknown uploader.
    async fn create_upload(
        &self,
        uploader_id: UserId,
        attachment: Attachment,
        now: Timestamp,
    ) -> StoreResult<Upload>;

    /// The uploads with these ids that exist, in id order.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn get_uploads(&self, ids: &[i64]) -> StoreResult<Vec<Upload>>;
}
