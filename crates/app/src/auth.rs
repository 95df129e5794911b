//! Who is asking: sign-in with a password (browser sessions), API tokens, sign-in
//! throttling, and the security audit log.
//!
//! Secrets are random, shown once, and stored only as SHA-256 digests. Failed sign-ins
//! are counted in the database per account and per client address, so throttling holds
//! across restarts and across nodes. Every sign-in, failure, token change and role
//! change lands in the audit log, which only admins read.

use crate::secret::{new_token_secret, random_secret, sha256_hex, verify_password};
use crate::{App, AppError, OrNotFound as _};
use ferrodesk_domain::{Actor, EmailAddress, TokenId, User, UserId};
use ferrodesk_store::{
    ApiToken, AuditEntry, NewAuditEntry, NewSession, NewToken, Page, PageRequest, SessionInfo,
};
use jiff::Timestamp;

/// A new browser session: the cookie value goes to the browser once and is never
/// stored in the clear.
#[derive(Debug, Clone)]
pub struct SessionGrant {
    /// The cookie value.
    pub cookie_value: String,
    /// The secret that CSRF tokens in forms are derived from.
    pub csrf_secret: String,
    /// When the session ends.
    pub expires_at: Timestamp,
    /// Who signed in.
    pub user: User,
}

/// Sign-in, sessions, tokens and the audit log; get one from [`App::auth`].
#[derive(Debug, Clone, Copy)]
pub struct Auth<'a> {
    app: &'a App,
}

fn account_key(email: &str) -> String {
    format!("account:{}", email.trim().to_lowercase())
}

fn address_key(address: &str) -> String {
    format!("address:{address}")
}

impl<'a> Auth<'a> {
    pub(crate) fn new(app: &'a App) -> Self {
        Auth { app }
    }

    /// Signs in with email and password and opens a session. `address` is the client's
    /// address, for throttling and the audit log.
    ///
    /// # Errors
    /// `Throttled` after too many recent failures for the account or the address;
    /// `Unauthenticated` for a wrong email or password or a deactivated account (one
    /// message for all, so the answer does not tell which accounts exist).
    pub async fn login(
        &self,
        email: &str,
        password: &str,
        address: Option<&str>,
    ) -> Result<SessionGrant, AppError> {
        let db = self.app.db();
        let config = self.app.config();
        let now = self.app.now();
        let since = now
            .checked_sub(config.login_window)
            .map_err(|e| AppError::Internal(format!("login window: {e}")))?;
        let mut keys = vec![account_key(email)];
        if let Some(address) = address {
            keys.push(address_key(address));
        }
        let limits = [
            config.max_failures_per_account,
            config.max_failures_per_address,
        ];
        for (key, limit) in keys.iter().zip(limits) {
            if db.count_login_failures(key, since).await? >= limit {
                self.audit(None, "login_throttled", email, address, key.clone())
                    .await?;
                return Err(AppError::Throttled {
                    retry_after_seconds: config.login_window.as_secs().unsigned_abs(),
                });
            }
        }

        let user = match EmailAddress::parse(email) {
            Ok(parsed) => db.find_user_by_email(&parsed).await?,
            Err(_) => None,
        };
        let hash = match &user {
            Some(user) => db.password_hash(user.id).await?,
            None => None,
        };
        let is_match = match &hash {
            Some(hash) => verify_password(password, hash).await?,
            None => {
                // Spend the same time as a real check, then fail.
                let dummy = self.app.dummy_hash().await?;
                verify_password(password, dummy).await?;
                false
            }
        };
        let user = match user {
            Some(user) if is_match && user.is_active => user,
            other => {
                db.record_login_failure(&keys, now).await?;
                let detail = match other {
                    None => "unknown account",
                    Some(user) if !user.is_active => "account deactivated",
                    Some(_) if hash.is_none() => "account has no password",
                    Some(_) => "wrong password",
                };
                // The person failing is anonymous: whoever typed the password is not
                // known to be the account's owner.
                self.audit(None, "login_failed", email, address, detail.to_owned())
                    .await?;
                return Err(AppError::unauthenticated("email or password is wrong"));
            }
        };
        // Only the account's count is forgiven: one good password must not reset the
        // count of an address that is guessing at other accounts.
        db.clear_login_failures(&keys[0]).await?;

        let cookie_value = random_secret();
        let csrf_secret = random_secret();
        let expires_at = now
            .checked_add(config.session_ttl)
            .map_err(|e| AppError::Internal(format!("session expiry: {e}")))?;
        db.create_session(NewSession {
            session_hash: sha256_hex(&cookie_value),
            user_id: user.id,
            csrf_secret: csrf_secret.clone(),
            expires_at,
            now,
        })
        .await?;
        self.audit(
            Some(user.id),
            "login",
            user.email.as_str(),
            address,
            String::new(),
        )
        .await?;
        Ok(SessionGrant {
            cookie_value,
            csrf_secret,
            expires_at,
            user,
        })
    }

    /// Ends the session behind a cookie value (idempotent).
    ///
    /// # Errors
    /// `Unavailable`.
    pub async fn logout(&self, cookie_value: &str) -> Result<(), AppError> {
        let hash = sha256_hex(cookie_value);
        let now = self.app.now();
        if let Some((actor, _)) = self.app.db().find_actor_by_session(&hash, now).await? {
            self.audit(
                Some(actor.user_id),
                "logout",
                &format!("user {}", actor.user_id),
                None,
                String::new(),
            )
            .await?;
        }
        Ok(self.app.db().delete_session(&hash).await?)
    }

    /// The actor behind an API token secret.
    ///
    /// # Errors
    /// `Unauthenticated` for an unknown, revoked or expired token or a deactivated
    /// person.
    pub async fn authenticate_token(&self, secret: &str) -> Result<Actor, AppError> {
        let now = self.app.now();
        let found = self
            .app
            .db()
            .find_actor_by_token(&sha256_hex(secret.trim()), now)
            .await?;
        match found {
            // The store finds only active people (its contract): deactivation takes
            // effect at once without a second read.
            Some((actor, _)) => Ok(actor),
            None => Err(AppError::unauthenticated(
                "the API token is unknown, revoked or expired",
            )),
        }
    }

    /// The actor and session details behind a session cookie value.
    ///
    /// # Errors
    /// `Unauthenticated` for an unknown or expired session or a deactivated person.
    pub async fn authenticate_session(
        &self,
        cookie_value: &str,
    ) -> Result<(Actor, SessionInfo), AppError> {
        let now = self.app.now();
        let found = self
            .app
            .db()
            .find_actor_by_session(&sha256_hex(cookie_value), now)
            .await?;
        match found {
            Some((actor, info)) => Ok((actor, info)),
            None => Err(AppError::unauthenticated(
                "the session has ended; sign in again",
            )),
        }
    }

    /// Creates an API token acting as `user_id` (admins). Returns the record and the
    /// secret, which is shown this once.
    ///
    /// # Errors
    /// `Forbidden`, `NotFound` for an unknown person, `Invalid` for a blank name or an
    /// expiry in the past.
    pub async fn create_token(
        &self,
        actor: &Actor,
        user_id: UserId,
        name: &str,
        expires_at: Option<Timestamp>,
    ) -> Result<(ApiToken, String), AppError> {
        if !actor.is_admin() {
            return Err(AppError::forbidden("only admins may create API tokens"));
        }
        self.create_token_unchecked(Some(actor.user_id), user_id, name, expires_at)
            .await
    }

    pub(crate) async fn create_token_unchecked(
        &self,
        actor_id: Option<UserId>,
        user_id: UserId,
        name: &str,
        expires_at: Option<Timestamp>,
    ) -> Result<(ApiToken, String), AppError> {
        let name = crate::input::required("name", name, 100)?;
        let now = self.app.now();
        if expires_at.is_some_and(|at| at <= now) {
            return Err(AppError::invalid("expires_at", "must be in the future"));
        }
        let user = self
            .app
            .db()
            .get_user(user_id)
            .await
            .or_not_found("user", user_id)?;
        let secret = new_token_secret();
        let token = self
            .app
            .db()
            .create_token(
                NewToken {
                    user_id,
                    name: name.clone(),
                    token_hash: sha256_hex(&secret),
                    expires_at,
                    now,
                },
                NewAuditEntry {
                    actor_id,
                    action: "token_created".into(),
                    subject: format!("user {} {}", user.id, user.email),
                    address: None,
                    detail: format!("token '{name}'"),
                    now,
                },
            )
            .await
            .or_not_found("user", user_id)?;
        Ok((token, secret))
    }

    /// Lists API tokens, only `user_id`'s when given (admins).
    ///
    /// # Errors
    /// `Forbidden`.
    pub async fn list_tokens(
        &self,
        actor: &Actor,
        user_id: Option<UserId>,
    ) -> Result<Vec<ApiToken>, AppError> {
        if !actor.is_admin() {
            return Err(AppError::forbidden("only admins may list API tokens"));
        }
        Ok(self.app.db().list_tokens(user_id).await?)
    }

    /// Revokes an API token (admins; idempotent).
    ///
    /// # Errors
    /// `Forbidden`, `NotFound`.
    pub async fn revoke_token(&self, actor: &Actor, id: TokenId) -> Result<ApiToken, AppError> {
        if !actor.is_admin() {
            return Err(AppError::forbidden("only admins may revoke API tokens"));
        }
        let token = self
            .app
            .db()
            .get_token(id)
            .await
            .or_not_found("token", id)?;
        let now = self.app.now();
        self.app
            .db()
            .revoke_token(
                id,
                now,
                NewAuditEntry {
                    actor_id: Some(actor.user_id),
                    action: "token_revoked".into(),
                    subject: format!("user {}", token.user_id),
                    address: None,
                    detail: format!("token {} '{}'", token.id, token.name),
                    now,
                },
            )
            .await
            .or_not_found("token", id)
    }

    /// Reads the security audit log, newest first (admins).
    ///
    /// # Errors
    /// `Forbidden`.
    pub async fn list_audit(
        &self,
        actor: &Actor,
        page: &PageRequest,
    ) -> Result<Page<AuditEntry>, AppError> {
        if !actor.is_admin() {
            return Err(AppError::forbidden("only admins may read the audit log"));
        }
        Ok(self.app.db().list_audit(page).await?)
    }

    async fn audit(
        &self,
        actor_id: Option<UserId>,
        action: &str,
        subject: &str,
        address: Option<&str>,
        detail: String,
    ) -> Result<(), AppError> {
        Ok(self
            .app
            .db()
            .append_audit(NewAuditEntry {
                actor_id,
                action: action.to_owned(),
                subject: subject.chars().take(300).collect(),
                address: address.map(str::to_owned),
                detail,
                now: self.app.now(),
            })
            .await?)
    }
}
