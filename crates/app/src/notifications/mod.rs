//! In-app notifications: who a ticket write tells ([`audience`]), and the use cases
//! with which each person reads and marks their own.

pub(crate) mod audience;

use crate::AppError;
use crate::sla::ServiceLevels;
use ferrodesk_domain::{Actor, TicketId};
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

    /// The ticket one of the actor's notifications is about (`None`: about none).
    ///
    /// # Errors
    /// `NotFound` when it is not the actor's notification; `Unavailable`.
    pub async fn notification_ticket(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<Option<TicketId>, AppError> {
        match self
            .app
            .db()
            .find_notification(actor.user_id, NotificationId(id))
            .await?
        {
            Some(notification) => Ok(notification.ticket_id),
            None => Err(AppError::not_found("notification", id)),
        }
    }

    /// How many of the actor's notifications are unread.
    ///
    /// # Errors
    /// `Unavailable`.
    pub async fn unread_notifications(&self, actor: &Actor) -> Result<i64, AppError> {
        Ok(self
            .app
            .db()
            .count_unread_notifications(actor.user_id)
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
