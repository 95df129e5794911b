//! The outbox for admins: which notifications wait or failed for good across the
//! desk, and sending a failed one again once its cause is fixed.

use super::MailAdmin;
use crate::AppError;
use ferrodesk_domain::Actor;
use ferrodesk_store::StoreError;
use ferrodesk_store::mail::{OutboxEntry, OutboxId};
use ferrodesk_store::mail_outbox::OUTBOX_STATES;

/// The most outbox rows one listing shows.
pub const MAX_OUTBOX_LISTING: i64 = 200;

impl MailAdmin<'_> {
    /// Outbox rows in `state` (`pending`, `sent`, `skipped` or `failed`), the latest
    /// next attempt first, at most [`MAX_OUTBOX_LISTING`].
    ///
    /// # Errors
    /// `Forbidden` for anyone but admins, `Invalid` for an unknown state.
    pub async fn outbox_in_state(
        &self,
        actor: &Actor,
        state: &str,
    ) -> Result<Vec<OutboxEntry>, AppError> {
        if !actor.is_admin() {
            return Err(AppError::forbidden("only admins may see the outbox"));
        }
        if !OUTBOX_STATES.contains(&state) {
            return Err(AppError::invalid(
                "state",
                "must be 'pending', 'sent', 'skipped' or 'failed'",
            ));
        }
        Ok(self
            .app
            .db()
            .list_outbox_in_state(state, MAX_OUTBOX_LISTING)
            .await?)
    }

    /// Queues a message that failed for good again, due now, with the same bytes and
    /// Message-ID.
    ///
    /// # Errors
    /// `Forbidden`; `NotFound` when no failed message has this id.
    pub async fn resend(&self, actor: &Actor, id: OutboxId) -> Result<(), AppError> {
        if !actor.is_admin() {
            return Err(AppError::forbidden("only admins may send mail again"));
        }
        match self.app.db().requeue_outbox(id, self.app.now()).await {
            Ok(()) => Ok(()),
            Err(StoreError::NotFound { .. }) => Err(AppError::not_found("failed_message", id.0)),
            Err(other) => Err(other.into()),
        }
    }
}
