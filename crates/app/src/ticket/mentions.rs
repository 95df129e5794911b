//! Completing an `@name` in an internal note: the staff who may see the ticket whose
//! handle (the address before the `@`, as notifications read mentions) or name starts
//! with what was typed.

use super::Tickets;
use crate::AppError;
use crate::directory::staff_actor;
use crate::notifications::audience::handle_of;
use ferrodesk_domain::{Actor, TicketId, UserId};

/// The most people one completion offers.
pub const MAX_MENTION_MATCHES: usize = 8;

/// Someone a note may mention.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mentionable {
    /// Who.
    pub user_id: UserId,
    /// Their name.
    pub name: String,
    /// What to write after the `@`.
    pub handle: String,
}

impl Tickets<'_> {
    /// The active staff who may see the ticket and whose handle, or a word of whose
    /// name, starts with `typed` (without the `@`, any case): handle matches first,
    /// then by name, at most [`MAX_MENTION_MATCHES`]. The actor is left out.
    ///
    /// # Errors
    /// `Forbidden` for customers; `NotFound`, also for a ticket the actor may not see.
    pub async fn mentionable(
        &self,
        actor: &Actor,
        id: TicketId,
        typed: &str,
    ) -> Result<Vec<Mentionable>, AppError> {
        if !actor.is_staff() {
            return Err(AppError::forbidden("only staff write internal notes"));
        }
        let ticket = self.visible(actor, id).await?;
        let typed = typed.trim().trim_start_matches('@').to_lowercase();
        let settings = self.app.settings().await?;
        let mut found: Vec<(bool, Mentionable)> = settings
            .staff
            .iter()
            .filter(|u| u.is_active && u.id != actor.user_id)
            .filter(|u| staff_actor(u).can_view(&ticket))
            .filter_map(|u| {
                let handle = handle_of(u);
                let by_handle = handle.starts_with(&typed);
                let by_name = u
                    .name
                    .to_lowercase()
                    .split_whitespace()
                    .any(|word| word.starts_with(&typed));
                (by_handle || by_name).then(|| {
                    (
                        by_handle,
                        Mentionable {
                            user_id: u.id,
                            name: u.name.clone(),
                            handle,
                        },
                    )
                })
            })
            .collect();
        found.sort_by(|(a_handle, a), (b_handle, b)| {
            b_handle
                .cmp(a_handle)
                .then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()))
                .then(a.user_id.cmp(&b.user_id))
        });
        Ok(found
            .into_iter()
            .take(MAX_MENTION_MATCHES)
            .map(|(_, m)| m)
            .collect())
    }
}
