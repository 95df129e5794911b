//! A message's files on its ticket: attachments, inline images and forwarded messages
//! are stored as content-addressed blobs through [`crate::Attachments::store`] and
//! carried by the event the message becomes (the `created` event of a new ticket, the
//! reply on an existing one), so the timeline shows and serves them like any upload.
//!
//! Files over the size limit (the mail limit, or the blob store's own) and files past
//! the per-event maximum are not kept; the event's text says which, so nobody wonders
//! where a file went.

use super::Intake;
use crate::AppError;
use crate::attachments::MAX_ATTACHMENTS_PER_EVENT;
use bytes::Bytes;
use ferrodesk_channels::email::InboundMessage;
use ferrodesk_domain::{Attachment, EventKind};
use ferrodesk_store::mail::Filing;

/// What was kept, and a line per file that was not.
#[derive(Debug, Default)]
pub(crate) struct MessageFiles {
    pub(crate) kept: Vec<Attachment>,
    pub(crate) not_kept: Vec<String>,
}

fn megabytes(bytes: usize) -> String {
    // Sizes in whole kilobytes below 1 MB read better than "0.0 MB".
    if bytes < 1024 * 1024 {
        format!("{} KB", bytes.div_ceil(1024))
    } else {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    }
}

impl Intake<'_> {
    /// Stores the message's files as blobs.
    ///
    /// # Errors
    /// `Internal` when the blob storage fails (the message is then retried, never
    /// filed without its files).
    pub(crate) async fn store_files(
        &self,
        message: &InboundMessage,
    ) -> Result<MessageFiles, AppError> {
        let mut files = MessageFiles::default();
        for file in &message.oversize_attachments {
            files.not_kept.push(format!(
                "{} ({}) was not kept: larger than the {} limit",
                file.file_name.as_deref().unwrap_or("a file"),
                megabytes(file.size),
                megabytes(file.limit)
            ));
        }
        for (index, file) in message.attachments.iter().enumerate() {
            let name = file
                .file_name
                .clone()
                .unwrap_or_else(|| match &file.forwarded {
                    Some(forwarded) if !forwarded.subject.is_empty() => {
                        format!("{}.eml", forwarded.subject)
                    }
                    Some(_) => "forwarded.eml".to_owned(),
                    None => format!("attachment-{}", index + 1),
                });
            if files.kept.len() >= MAX_ATTACHMENTS_PER_EVENT {
                files.not_kept.push(format!(
                    "{name} was not kept: a message keeps at most {MAX_ATTACHMENTS_PER_EVENT} files"
                ));
                continue;
            }
            let stored = self
                .app
                .attachments()
                .store(
                    Bytes::from(file.bytes.clone()),
                    &name,
                    Some(&file.content_type),
                )
                .await;
            match stored {
                Ok(attachment) => {
                    if !files.kept.iter().any(|a| a.sha256 == attachment.sha256) {
                        files.kept.push(attachment);
                    }
                }
                Err(AppError::TooLarge { limit }) => files.not_kept.push(format!(
                    "{name} ({}) was not kept: larger than the {} limit",
                    megabytes(file.size),
                    megabytes(limit)
                )),
                // An empty file has nothing to keep.
                Err(AppError::Invalid { .. }) => {}
                Err(other) => return Err(other),
            }
        }
        Ok(files)
    }
}

/// Puts the files on the event the message became, and the note about files not kept
/// into its text.
pub(crate) fn attach(filing: &mut Filing, files: MessageFiles) {
    let note = (!files.not_kept.is_empty()).then(|| files.not_kept.join("\n"));
    match filing {
        Filing::NewTicket(new) => {
            // The intake writes the `created` event last; the message is tied to it.
            if let Some(event) = new.events.last_mut() {
                event.attachments = files.kept;
            }
            if let Some(note) = note {
                new.ticket.description = format!("{}\n\n{note}", new.ticket.description);
            }
        }
        Filing::Change(change) => {
            if let Some(event) = change.events.first_mut() {
                event.attachments = files.kept;
                if let (
                    Some(note),
                    EventKind::Reply { body }
                    | EventKind::Note { body }
                    | EventKind::VendorMessage { body, .. },
                ) = (note, &mut event.kind)
                {
                    body.push_str("\n\n");
                    body.push_str(&note);
                }
            }
        }
    }
}
