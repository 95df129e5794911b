//! Storage of canned responses (macros).

use crate::StoreResult;
use async_trait::async_trait;
use ferrodesk_domain::{Macro, MacroFields, MacroId, UserId};
use jiff::Timestamp;

/// The most macros one person can list: their own and every shared one.
pub const MAX_MACROS_LISTED: i64 = 500;

/// Canned responses, personal or shared.
#[async_trait]
pub trait MacroStore: Send + Sync {
    /// Saves a new macro.
    ///
    /// # Errors
    /// `NotFound` for an unknown owner.
    async fn create_macro(&self, fields: MacroFields, now: Timestamp) -> StoreResult<Macro>;

    /// Reads a macro.
    ///
    /// # Errors
    /// `NotFound`.
    async fn get_macro(&self, id: MacroId) -> StoreResult<Macro>;

    /// Replaces a macro's fields.
    ///
    /// # Errors
    /// `NotFound`.
    async fn save_macro(
        &self,
        id: MacroId,
        fields: MacroFields,
        now: Timestamp,
    ) -> StoreResult<Macro>;

    /// Deletes a macro.
    ///
    /// # Errors
    /// `NotFound`.
    async fn delete_macro(&self, id: MacroId) -> StoreResult<()>;

    /// `owner`'s personal macros and every shared one, by name (at most
    /// [`MAX_MACROS_LISTED`]).
    ///
    /// # Errors
    /// `Unavailable`.
    async fn list_macros(&self, owner: UserId) -> StoreResult<Vec<Macro>>;
}
