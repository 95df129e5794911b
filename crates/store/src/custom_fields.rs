//! Storage of custom field definitions and tickets' values. Values are written with
//! the ticket they belong to ([`NewTicket::custom_values`](crate::NewTicket),
//! [`TicketChange::custom_values`](crate::TicketChange)), in its transaction.

use crate::StoreResult;
use async_trait::async_trait;
use ferrodesk_domain::{CustomField, CustomFieldId, CustomFieldSpec, GroupId, TicketId};
use jiff::Timestamp;

/// The most custom fields a desk defines.
pub const MAX_CUSTOM_FIELDS: i64 = 200;

/// A value to write for one field of a ticket: its stored text, or `None` to clear it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomValue {
    /// The field.
    pub field_id: CustomFieldId,
    /// The stored text (`FieldValue::to_stored`), or `None` to remove the value.
    pub value: Option<String>,
}

/// How many tickets of one group have one stored value of a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomValueCount {
    /// The stored value.
    pub value: String,
    /// The tickets' group.
    pub group_id: Option<GroupId>,
    /// How many.
    pub tickets: i64,
}

/// Custom field definitions and the values tickets have.
#[async_trait]
pub trait CustomFieldStore: Send + Sync {
    /// Saves a new field.
    ///
    /// # Errors
    /// `Conflict` (`custom_fields_key_unique`) when the key is taken.
    async fn create_custom_field(
        &self,
        spec: CustomFieldSpec,
        now: Timestamp,
    ) -> StoreResult<CustomField>;

    /// Replaces a field's definition.
    ///
    /// # Errors
    /// `NotFound`; `Conflict` when the new key is taken.
    async fn save_custom_field(
        &self,
        id: CustomFieldId,
        spec: CustomFieldSpec,
        now: Timestamp,
    ) -> StoreResult<CustomField>;

    /// Deletes a field no ticket has a value of.
    ///
    /// # Errors
    /// `NotFound`; `Conflict` (`State`) when a ticket has a value of it.
    async fn delete_custom_field(&self, id: CustomFieldId) -> StoreResult<()>;

    /// Every field, active or not, by position then id (at most [`MAX_CUSTOM_FIELDS`]).
    ///
    /// # Errors
    /// `Unavailable`.
    async fn list_custom_fields(&self) -> StoreResult<Vec<CustomField>>;

    /// Whether any ticket has a value of the field.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn is_custom_field_used(&self, id: CustomFieldId) -> StoreResult<bool>;

    /// How many tickets created in `[from, to)` have each stored value of the field,
    /// by value and the tickets' group (`None`: in no group), for reports.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn count_custom_values(
        &self,
        field_id: CustomFieldId,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<CustomValueCount>>;

    /// The values of the tickets' custom fields as stored, by ticket then field.
    ///
    /// # Errors
    /// `Unavailable`.
    async fn custom_values(
        &self,
        ticket_ids: &[TicketId],
    ) -> StoreResult<Vec<(TicketId, CustomFieldId, String)>>;
}
