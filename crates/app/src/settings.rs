//! The desk's routing settings kept in memory.
//!
//! Creating or changing a ticket routes it by the groups, routing rules, assignment
//! modes, categories and services ([`DeskSettings`]). The server keeps one snapshot of
//! them and reads them again only when a write routed with the snapshot is refused
//! because the settings changed since (by this server, another process on the same
//! file, or another node): the write names the snapshot's version and the store
//! compares it with the counter its triggers keep.

use crate::{App, AppError};
use ferrodesk_store::{DeskSettings, Store};
use std::sync::{Arc, PoisonError, RwLock};

/// How many times a request is routed before a settings change that keeps racing it
/// is reported to the caller.
const ATTEMPTS: u32 = 3;

/// The error code of a write refused because the settings changed under it.
pub(crate) const SETTINGS_CHANGED: &str = "settings_changed";

/// The snapshot, read on first use and dropped when found stale.
#[derive(Debug, Default)]
pub(crate) struct SettingsCache {
    current: RwLock<Option<Arc<DeskSettings>>>,
    /// Held while reading, so concurrent requests wait for one read.
    loading: tokio::sync::Mutex<()>,
}

impl SettingsCache {
    fn peek(&self) -> Option<Arc<DeskSettings>> {
        self.current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    async fn get(&self, db: &dyn Store) -> Result<Arc<DeskSettings>, AppError> {
        if let Some(settings) = self.peek() {
            return Ok(settings);
        }
        let _loading = self.loading.lock().await;
        if let Some(settings) = self.peek() {
            return Ok(settings);
        }
        let fresh = Arc::new(db.desk_settings().await?);
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = Some(Arc::clone(&fresh));
        Ok(fresh)
    }

    /// Drops the snapshot if it is still the one at `version`.
    fn forget(&self, version: i64) {
        let mut current = self.current.write().unwrap_or_else(PoisonError::into_inner);
        if current.as_ref().is_some_and(|s| s.version == version) {
            *current = None;
        }
    }
}

/// Whether `error` is a write refused because the settings changed under it.
pub(crate) fn is_settings_changed(error: &AppError) -> bool {
    matches!(error, AppError::Conflict { code, .. } if *code == SETTINGS_CHANGED)
}

impl App {
    /// The current snapshot of the routing settings (read once, then kept).
    ///
    /// # Errors
    /// `Unavailable`.
    pub(crate) async fn settings(&self) -> Result<Arc<DeskSettings>, AppError> {
        self.settings_cache().get(self.db()).await
    }

    /// The snapshot, read again once when it lacks one of `staff` (a member of staff
    /// added since it was read, by this node or another).
    ///
    /// # Errors
    /// `Unavailable`.
    pub(crate) async fn settings_knowing(
        &self,
        staff: &[ferrodesk_domain::UserId],
    ) -> Result<Arc<DeskSettings>, AppError> {
        let settings = self.settings().await?;
        if staff
            .iter()
            .all(|id| settings.staff.iter().any(|u| u.id == *id))
        {
            return Ok(settings);
        }
        self.settings_cache().forget(settings.version);
        self.settings().await
    }

    /// Runs `attempt` with the routing settings; when its write is refused because
    /// they changed meanwhile, reads them again and runs it again, up to
    /// [`ATTEMPTS`] times.
    ///
    /// # Errors
    /// What `attempt` returns; `Conflict` (`settings_changed`) when the settings kept
    /// changing.
    pub(crate) async fn with_settings<T, Attempt>(
        &self,
        mut attempt: impl FnMut(Arc<DeskSettings>) -> Attempt,
    ) -> Result<T, AppError>
    where
        Attempt: Future<Output = Result<T, AppError>>,
    {
        let mut tries = 0;
        loop {
            tries += 1;
            let settings = self.settings().await?;
            let version = settings.version;
            match attempt(settings).await {
                Err(error) if is_settings_changed(&error) => {
                    self.settings_cache().forget(version);
                    if tries >= ATTEMPTS {
                        return Err(error);
                    }
                }
                other => return other,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // a test reports failure by panicking

    use super::*;
    use crate::{AppConfig, SystemClock};
    use std::sync::atomic::{AtomicU32, Ordering};

    async fn app() -> App {
        let store = ferrodesk_store_sqlite::SqliteStore::open_temporary()
            .await
            .unwrap();
        App::new(Arc::new(store), Arc::new(SystemClock), AppConfig::default())
    }

    fn refused() -> AppError {
        ferrodesk_store::StoreError::settings_changed().into()
    }

    #[tokio::test]
    async fn a_write_refused_for_stale_settings_is_routed_again_with_fresh_ones() {
        let app = app().await;
        let seen = std::sync::Mutex::new(Vec::new());
        let routed = app
            .with_settings(|settings| {
                let seen = &seen;
                async move {
                    let mut seen = seen.lock().unwrap();
                    seen.push(Arc::clone(&settings));
                    if seen.len() == 1 {
                        Err(refused())
                    } else {
                        Ok(settings.version)
                    }
                }
            })
            .await
            .unwrap();
        let seen = seen.into_inner().unwrap();
        assert_eq!(seen.len(), 2, "routed once more");
        assert!(
            !Arc::ptr_eq(&seen[0], &seen[1]),
            "the second try read the settings again"
        );
        assert_eq!(routed, app.settings().await.unwrap().version);
    }

    #[tokio::test]
    async fn a_snapshot_lacking_a_member_of_staff_is_read_again_once() {
        let app = app().await;
        let before = app.settings().await.unwrap();
        let new = ferrodesk_testing::contract::new_user(
            "ola@desk.example",
            "Ola Nordmann",
            ferrodesk_domain::Role::Agent,
        );
        let ola = app.db().create_user(new).await.unwrap();
        // Kept while it lacks nobody asked for.
        assert!(Arc::ptr_eq(
            &before,
            &app.settings_knowing(&[]).await.unwrap()
        ));
        let known = app.settings_knowing(&[ola.id]).await.unwrap();
        assert!(known.staff.iter().any(|u| u.id == ola.id));
        assert!(known.version > before.version);
        // Someone who is not staff at all is simply not there, after one read.
        let stranger = ferrodesk_domain::UserId(99_999);
        let again = app.settings_knowing(&[stranger]).await.unwrap();
        assert!(!again.staff.iter().any(|u| u.id == stranger));
    }

    #[tokio::test]
    async fn settings_that_keep_changing_end_in_a_conflict_after_three_tries() {
        let app = app().await;
        let tries = AtomicU32::new(0);
        let outcome: Result<(), AppError> = app
            .with_settings(|_| {
                tries.fetch_add(1, Ordering::SeqCst);
                async { Err(refused()) }
            })
            .await;
        assert_eq!(tries.load(Ordering::SeqCst), ATTEMPTS);
        let error = outcome.unwrap_err();
        assert!(is_settings_changed(&error), "{error:?}");
    }
}
