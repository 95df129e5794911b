//! Storage of ticket templates. A template is a prefilled form and touches no ticket,
//! so it can be deleted at any time.

use crate::StoreResult;
use async_trait::async_trait;
use ferrodesk_domain::{TemplateSpec, TicketTemplate, TicketTemplateId};
use jiff::Timestamp;

/// The most ticket templates a desk keeps.
pub const MAX_TICKET_TEMPLATES: i64 = 200;

/// Ticket templates.
#[async_trait]
pub trait TicketTemplateStore: Send + Sync {
    /// Saves a new template.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn create_ticket_template(
        &self,
        spec: TemplateSpec,
        now: Timestamp,
    ) -> StoreResult<TicketTemplate>;

    /// Replaces a template's definition.
    ///
    /// # Errors
    /// `NotFound`.
    async fn save_ticket_template(
        &self,
        id: TicketTemplateId,
        spec: TemplateSpec,
        now: Timestamp,
    ) -> StoreResult<TicketTemplate>;

    /// Deletes a template.
    ///
    /// # Errors
    /// `NotFound`.
    async fn delete_ticket_template(&self, id: TicketTemplateId) -> StoreResult<()>;

    /// Every template, active or not, by position then id (at most
    /// [`MAX_TICKET_TEMPLATES`]).
    ///
    /// # Errors
    /// `Unavailable`.
    async fn list_ticket_templates(&self) -> StoreResult<Vec<TicketTemplate>>;

    /// One template.
    ///
    /// # Errors
    /// `NotFound`.
    async fn get_ticket_template(&self, id: TicketTemplateId) -> StoreResult<TicketTemplate>;
}
