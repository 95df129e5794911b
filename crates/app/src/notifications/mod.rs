//! Notifications: who a ticket write tells ([`audience`]), the use cases with which
//! each person reads and marks their own, and their preferences: which kinds are also
//! mailed, at once or in a digest (the mail itself is rendered in `mail/staff.rs`).

pub(crate) mod audience;

use crate::AppError;
use crate::sla::ServiceLevels;
use ferrodesk_domain::notify::Preferences;
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

    /// The actor's notification preferences (the defaults when never chosen).
    ///
    /// # Errors
    /// `Forbidden` for customers; `Unavailable`.
    pub async fn notification_preferences(&self, actor: &Actor) -> Result<Preferences, AppError> {
        staff_only(actor)?;
        Ok(self
            .app
            .db()
            .find_notification_preferences(actor.user_id)
            .await?
            .unwrap_or_default())
    }

    /// Stores the actor's notification preferences; a digest chosen now first falls
    /// due one period from now. Returns them as stored.
    ///
    /// # Errors
    /// `Forbidden` for customers; `Unavailable`.
    pub async fn set_notification_preferences(
        &self,
        actor: &Actor,
        preferences: Preferences,
    ) -> Result<Preferences, AppError> {
        staff_only(actor)?;
        let now = self.app.now();
        let first_due = preferences.digest.first_due(now);
        self.app
            .db()
            .set_notification_preferences(actor.user_id, preferences.clone(), first_due, now)
            .await?;
        Ok(preferences)
    }
}

/// Notification preferences are for staff: customers hear of their tickets by mail
/// to requesters.
fn staff_only(actor: &Actor) -> Result<(), AppError> {
    if actor.is_staff() {
        Ok(())
    } else {
        Err(AppError::forbidden(
            "notification preferences are for staff",
        ))
    }
}
