//! A person's own account: changing their password.
//!
//! The current password must be given (a stolen session alone cannot lock the owner
//! out); the new one is hashed with Argon2id; every other session of the person ends,
//! so a browser left signed in elsewhere is signed out. Both outcomes are audited.

use crate::directory::MIN_PASSWORD_CHARS;
use crate::secret::{hash_password, sha256_hex, verify_password};
use crate::{App, AppError, OrNotFound as _};
use ferrodesk_domain::Actor;
use ferrodesk_store::NewAuditEntry;

/// The longest password accepted (Argon2 works on any length; this bounds the work).
pub const MAX_PASSWORD_CHARS: usize = 1_000;

/// The account service; get one from [`App::account`].
#[derive(Debug, Clone, Copy)]
pub struct Account<'a> {
    app: &'a App,
}

impl<'a> Account<'a> {
    pub(crate) fn new(app: &'a App) -> Self {
        Account { app }
    }

    /// Changes the actor's password and ends their other sessions (all of them when
    /// `keep_session`, the current session's cookie, is `None`). Returns how many
    /// sessions ended.
    ///
    /// # Errors
    /// `Invalid`: `current_password` (wrong, or the account has none),
    /// `new_password` (too short, too long, or unchanged).
    pub async fn change_password(
        &self,
        actor: &Actor,
        current: &str,
        new: &str,
        keep_session: Option<&str>,
        address: Option<&str>,
    ) -> Result<u64, AppError> {
        let db = self.app.db();
        let length = new.chars().count();
        if length < MIN_PASSWORD_CHARS {
            return Err(AppError::invalid(
                "new_password",
                format!("must be at least {MIN_PASSWORD_CHARS} characters long"),
            ));
        }
        if length > MAX_PASSWORD_CHARS {
            return Err(AppError::invalid(
                "new_password",
                format!("must be at most {MAX_PASSWORD_CHARS} characters long"),
            ));
        }
        let stored = db
            .password_hash(actor.user_id)
            .await
            .or_not_found("user", actor.user_id)?;
        let matches = match &stored {
            Some(hash) => verify_password(current, hash).await?,
            None => false,
        };
        let audit = |action: &str, detail: &str| NewAuditEntry {
            actor_id: Some(actor.user_id),
            action: action.to_owned(),
            subject: format!("user {}", actor.user_id),
            address: address.map(str::to_owned),
            detail: detail.to_owned(),
            now: self.app.now(),
        };
        if !matches {
            db.append_audit(audit(
                "password_change_failed",
                "the current password was wrong",
            ))
            .await?;
            return Err(AppError::invalid("current_password", "is not correct"));
        }
        if current == new {
            return Err(AppError::invalid(
                "new_password",
                "must differ from the current password",
            ));
        }
        let hash = hash_password(new).await?;
        db.set_password_hash(actor.user_id, &hash, self.app.now())
            .await
            .or_not_found("user", actor.user_id)?;
        let ended = db
            .end_other_sessions(actor.user_id, keep_session.map(sha256_hex))
            .await?;
        db.append_audit(audit(
            "password_changed",
            &format!("{ended} other session(s) ended"),
        ))
        .await?;
        Ok(ended)
    }
}
