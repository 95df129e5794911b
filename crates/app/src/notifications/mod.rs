//! In-app notifications as use cases: each person reads and marks their own.

use crate::AppError;
use crate::sla::ServiceLevels;
use ferrodesk_domain::Actor;
use ferrodesk_store::{Notification, NotificationId, PageRequest};

impl ServiceLevels<'_> {
    /// The actor's notifications, newest first.
    ///
    /// # Errors
    /// `Unavailable`.
    pub async fn notifications(
        &self,
        actor: &Actor,
        page: &PageRequest,
    ) -> Result<Vec<Notification>, AppError> {
        Ok(self
            .app
            .db()
            .list_notifications(actor.user_id, page)
            .await?)
    }

    /// Marks the actor's notifications read (all when `ids` is empty); returns how
    /// many changed.
    ///
    /// # Errors
    /// `Unavailable`.
    pub async fn mark_read(&self, actor: &Actor, ids: &[i64]) -> Result<u64, AppError> {
        let ids: Vec<NotificationId> = ids.iter().copied().map(NotificationId).collect();
        Ok(self
            .app
            .db()
            .mark_notifications_read(actor.user_id, &ids, self.app.now())
            .await?)
    }
}
