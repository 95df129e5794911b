//! Who is asking: API tokens, browser sessions, the actor behind them, sign-in
//! throttling, the security audit log, and the secrets the desk keeps for itself;
//! [`SessionStore`] for the backend.

use crate::sql::convert::{
    get, get_opt_time, get_time, group_ids, micros, opt_micros, page_by_id, stored,
};
use crate::sql::error::{self, Ref};
use crate::sql::fetch;
use crate::{Backend, DbConn};
use async_trait::async_trait;
use ferrodesk_domain::{Actor, OrganizationId, Role, TokenId, UserId};
use ferrodesk_store::{
    ApiToken, AuditEntry, NewAuditEntry, NewSession, NewToken, Page, PageRequest, SessionInfo,
    SessionStore, StoreResult,
};
use jiff::Timestamp;

/// How long failed sign-ins are kept: throttling looks back minutes, not days.
const LOGIN_FAILURE_RETENTION_MICROS: i64 = 24 * 60 * 60 * 1_000_000;

/// The columns an actor is built from, given users `u` and organizations `o`.
macro_rules! actor_columns {
    () => {
        concat!(
            "u.id as user_id, u.role, u.organization_id, ",
            "coalesce(o.shares_tickets, false) as shares_tickets, ",
            "(select ",
            group_ids_agg!("ug.group_id"),
            " from user_groups ug where ug.user_id = u.id) as group_ids"
        )
    };
}

fn actor_from_row(row: &crate::DbRow) -> StoreResult<Actor> {
    let role: String = get(row, "role")?;
    Ok(Actor {
        user_id: UserId(get(row, "user_id")?),
        role: stored(Role::parse(&role))?,
        group_ids: group_ids(get(row, "group_ids")?)?,
        organization_id: get::<Option<i64>>(row, "organization_id")?.map(OrganizationId),
        organization_shares_tickets: get(row, "shares_tickets")?,
    })
}

fn token_from_row(row: &crate::DbRow) -> StoreResult<ApiToken> {
    Ok(ApiToken {
        id: TokenId(get(row, "id")?),
        user_id: UserId(get(row, "user_id")?),
        name: get(row, "name")?,
        expires_at: get_opt_time(row, "expires_at")?,
        revoked_at: get_opt_time(row, "revoked_at")?,
        created_at: get_time(row, "created_at")?,
    })
}

/// Appends an audit entry.
pub(crate) async fn append_audit(conn: &mut DbConn, entry: &NewAuditEntry) -> StoreResult<()> {
    let query = sqlx::query(
        "insert into audit_log (actor_id, action, subject, address, detail, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $6, $6)",
    )
    .bind(entry.actor_id.map(UserId::get))
    .bind(&entry.action)
    .bind(&entry.subject)
    .bind(&entry.address)
    .bind(&entry.detail)
    .bind(micros(entry.now));
    fetch::execute(conn, query).await?;
    Ok(())
}

/// The audit log, newest first.
pub(crate) async fn list_audit(
    conn: &mut DbConn,
    page: &PageRequest,
) -> StoreResult<Page<AuditEntry>> {
    let limit = page.limit.clamp(1, ferrodesk_store::MAX_PAGE_SIZE);
    let before = page.cursor.as_ref().map_or(i64::MAX, |c| c.id);
    let rows = sqlx::query(
        "select id, actor_id, action, subject, address, detail, created_at from audit_log \
         where id < $1 order by id desc limit $2",
    )
    .bind(before)
    .bind(limit + 1)
    .fetch_all(&mut *conn)
    .await
    .map_err(error::plain)?;
    let mut items = Vec::with_capacity(rows.len());
    for row in &rows {
        items.push(AuditEntry {
            id: get(row, "id")?,
            actor_id: get::<Option<i64>>(row, "actor_id")?.map(UserId),
            action: get(row, "action")?,
            subject: get(row, "subject")?,
            address: get(row, "address")?,
            detail: get(row, "detail")?,
            created_at: get_time(row, "created_at")?,
        });
    }
    Ok(page_by_id(items, limit, |e| e.id))
}

/// Stores a token and audits it.
pub(crate) async fn create_token(
    conn: &mut DbConn,
    token: &NewToken,
    audit: &NewAuditEntry,
) -> StoreResult<ApiToken> {
    let inserted = sqlx::query(
        "insert into api_tokens (user_id, name, token_hash, expires_at, revoked_at, created_at, updated_at) \
         values ($1, $2, $3, $4, null, $5, $5) returning id",
    )
    .bind(token.user_id.get())
    .bind(&token.name)
    .bind(&token.token_hash)
    .bind(opt_micros(token.expires_at))
    .bind(micros(token.now))
    .fetch_one(&mut *conn)
    .await;
    let row = match inserted {
        Ok(row) => row,
        Err(e) => {
            let refs = [Ref::new("api_tokens_user_id_fkey", token.user_id.get())];
            return Err(error::write(conn, e, &refs).await);
        }
    };
    append_audit(conn, audit).await?;
    Ok(ApiToken {
        id: TokenId(get(&row, "id")?),
        user_id: token.user_id,
        name: token.name.clone(),
        expires_at: token.expires_at,
        revoked_at: None,
        created_at: token.now,
    })
}

/// The actor behind a live token of an active person.
pub(crate) async fn find_actor_by_token(
    conn: &mut DbConn,
    token_hash: &str,
    now: Timestamp,
) -> StoreResult<Option<(Actor, TokenId)>> {
    let query = sqlx::query(concat!(
        "select t.id as token_id, ",
        actor_columns!(),
        " from api_tokens t join users u on u.id = t.user_id ",
        "left join organizations o on o.id = u.organization_id ",
        "where t.token_hash = $1 and t.revoked_at is null ",
        "and (t.expires_at is null or t.expires_at > $2) and u.is_active = true"
    ))
    .bind(token_hash)
    .bind(micros(now));
    fetch::optional(conn, query, |row| {
        Ok((actor_from_row(row)?, TokenId(get(row, "token_id")?)))
    })
    .await
}

/// Tokens, newest first.
pub(crate) async fn list_tokens(
    conn: &mut DbConn,
    user_id: Option<UserId>,
) -> StoreResult<Vec<ApiToken>> {
    let rows = match user_id {
        Some(user) => {
            sqlx::query(concat!(
                "select id, user_id, name, expires_at, revoked_at, created_at from api_tokens ",
                "where user_id = $1 order by id desc"
            ))
            .bind(user.get())
            .fetch_all(&mut *conn)
            .await
        }
        None => {
            sqlx::query(concat!(
                "select id, user_id, name, expires_at, revoked_at, created_at from api_tokens ",
                "order by id desc"
            ))
            .fetch_all(&mut *conn)
            .await
        }
    }
    .map_err(error::plain)?;
    rows.iter().map(token_from_row).collect()
}

/// One token.
pub(crate) async fn get_token(conn: &mut DbConn, id: TokenId) -> StoreResult<ApiToken> {
    let query = sqlx::query(concat!(
        "select id, user_id, name, expires_at, revoked_at, created_at from api_tokens ",
        "where id = $1"
    ))
    .bind(id.get());
    fetch::one(conn, query, token_from_row, "token", id).await
}

/// Revokes a token (keeping the first revocation time) and audits it.
pub(crate) async fn revoke_token(
    conn: &mut DbConn,
    id: TokenId,
    now: Timestamp,
    audit: &NewAuditEntry,
) -> StoreResult<ApiToken> {
    let row = sqlx::query(concat!(
        "update api_tokens set revoked_at = coalesce(revoked_at, $2), updated_at = $2 ",
        "where id = $1 returning id, user_id, name, expires_at, revoked_at, created_at"
    ))
    .bind(id.get())
    .bind(micros(now))
    .fetch_optional(&mut *conn)
    .await
    .map_err(error::plain)?;
    let Some(row) = row else {
        return Err(fetch::not_found("token", id));
    };
    append_audit(conn, audit).await?;
    token_from_row(&row)
}

/// Stores a session.
pub(crate) async fn create_session(conn: &mut DbConn, session: &NewSession) -> StoreResult<()> {
    let query = sqlx::query(
        "insert into sessions (session_hash, user_id, csrf_secret, expires_at, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $5)",
    )
    .bind(&session.session_hash)
    .bind(session.user_id.get())
    .bind(&session.csrf_secret)
    .bind(micros(session.expires_at))
    .bind(micros(session.now));
    let refs = [Ref::new("sessions_user_id_fkey", session.user_id.get())];
    fetch::write(conn, query, &refs).await?;
    Ok(())
}

/// The actor behind a live session of an active person.
pub(crate) async fn find_actor_by_session(
    conn: &mut DbConn,
    session_hash: &str,
    now: Timestamp,
) -> StoreResult<Option<(Actor, SessionInfo)>> {
    let query = sqlx::query(concat!(
        "select s.csrf_secret, s.expires_at, ",
        actor_columns!(),
        " from sessions s join users u on u.id = s.user_id ",
        "left join organizations o on o.id = u.organization_id ",
        "where s.session_hash = $1 and s.expires_at > $2 and u.is_active = true"
    ))
    .bind(session_hash)
    .bind(micros(now));
    fetch::optional(conn, query, |row| {
        Ok((
            actor_from_row(row)?,
            SessionInfo {
                csrf_secret: get(row, "csrf_secret")?,
                expires_at: get_time(row, "expires_at")?,
            },
        ))
    })
    .await
}

/// Ends a session.
pub(crate) async fn delete_session(conn: &mut DbConn, session_hash: &str) -> StoreResult<()> {
    let query = sqlx::query("delete from sessions where session_hash = $1").bind(session_hash);
    fetch::execute(conn, query).await?;
    Ok(())
}

/// The actor for a person, active or not.
pub(crate) async fn actor_for_user(conn: &mut DbConn, id: UserId) -> StoreResult<Actor> {
    let query = sqlx::query(concat!(
        "select ",
        actor_columns!(),
        " from users u left join organizations o on o.id = u.organization_id where u.id = $1"
    ))
    .bind(id.get());
    fetch::one(conn, query, actor_from_row, "user", id).await
}

/// Records one failure per key, forgetting that key's failures older than a day.
pub(crate) async fn record_login_failure(
    conn: &mut DbConn,
    keys: &[String],
    now: Timestamp,
) -> StoreResult<()> {
    for key in keys {
        let query =
            sqlx::query("delete from login_failures where throttle_key = $1 and created_at < $2")
                .bind(key)
                .bind(micros(now) - LOGIN_FAILURE_RETENTION_MICROS);
        fetch::execute(conn, query).await?;
        let query = sqlx::query(
            "insert into login_failures (throttle_key, created_at, updated_at) values ($1, $2, $2)",
        )
        .bind(key)
        .bind(micros(now));
        fetch::execute(conn, query).await?;
    }
    Ok(())
}

/// Failures of `key` at or after `since`.
pub(crate) async fn count_login_failures(
    conn: &mut DbConn,
    key: &str,
    since: Timestamp,
) -> StoreResult<i64> {
    sqlx::query_scalar(
        "select count(*) from login_failures where throttle_key = $1 and created_at >= $2",
    )
    .bind(key)
    .bind(micros(since))
    .fetch_one(&mut *conn)
    .await
    .map_err(error::plain)
}

/// Forgets the failures of `key`.
pub(crate) async fn clear_login_failures(conn: &mut DbConn, key: &str) -> StoreResult<()> {
    let query = sqlx::query("delete from login_failures where throttle_key = $1").bind(key);
    fetch::execute(conn, query).await?;
    Ok(())
}

async fn end_other_sessions(
    conn: &mut DbConn,
    (user, keep): &(UserId, Option<String>),
) -> StoreResult<u64> {
    let ended = sqlx::query(
        "delete from sessions where user_id = $1 and ($2 is null or session_hash <> $2)",
    )
    .bind(user.get())
    .bind(keep.as_deref())
    .execute(&mut *conn)
    .await
    .map_err(error::plain)?
    .rows_affected();
    Ok(ended)
}

async fn desk_secret(
    conn: &mut DbConn,
    (name, candidate, now): &(String, String, Timestamp),
) -> StoreResult<String> {
    let query = sqlx::query(
        "insert into desk_secrets (name, value, created_at, updated_at) values ($1, $2, $3, $3) \
         on conflict do nothing",
    )
    .bind(name)
    .bind(candidate)
    .bind(micros(*now));
    fetch::execute(conn, query).await?;
    sqlx::query_scalar("select value from desk_secrets where name = $1")
        .bind(name)
        .fetch_one(&mut *conn)
        .await
        .map_err(error::plain)
}

#[async_trait]
impl SessionStore for Backend {
    async fn create_token(&self, token: NewToken, audit: NewAuditEntry) -> StoreResult<ApiToken> {
        self.write((token, audit), |c, (token, audit)| {
            Box::pin(create_token(c, token, audit))
        })
        .await
    }

    async fn find_actor_by_token(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> StoreResult<Option<(Actor, TokenId)>> {
        find_actor_by_token(&mut *self.reader().await?, token_hash, now).await
    }

    async fn list_tokens(&self, user_id: Option<UserId>) -> StoreResult<Vec<ApiToken>> {
        list_tokens(&mut *self.reader().await?, user_id).await
    }

    async fn get_token(&self, id: TokenId) -> StoreResult<ApiToken> {
        get_token(&mut *self.reader().await?, id).await
    }

    async fn revoke_token(
        &self,
        id: TokenId,
        now: Timestamp,
        audit: NewAuditEntry,
    ) -> StoreResult<ApiToken> {
        self.write((id, now, audit), |c, (id, now, audit)| {
            Box::pin(revoke_token(c, *id, *now, audit))
        })
        .await
    }

    async fn create_session(&self, session: NewSession) -> StoreResult<()> {
        self.write(session, |c, session| Box::pin(create_session(c, session)))
            .await
    }

    async fn find_actor_by_session(
        &self,
        session_hash: &str,
        now: Timestamp,
    ) -> StoreResult<Option<(Actor, SessionInfo)>> {
        find_actor_by_session(&mut *self.reader().await?, session_hash, now).await
    }

    async fn delete_session(&self, session_hash: &str) -> StoreResult<()> {
        let hash = session_hash.to_owned();
        self.write(hash, |c, hash| Box::pin(delete_session(c, hash)))
            .await
    }

    async fn end_other_sessions(&self, user_id: UserId, keep: Option<String>) -> StoreResult<u64> {
        self.write((user_id, keep), |c, input| {
            Box::pin(end_other_sessions(c, input))
        })
        .await
    }

    async fn actor_for_user(&self, id: UserId) -> StoreResult<Actor> {
        actor_for_user(&mut *self.reader().await?, id).await
    }

    async fn record_login_failure(&self, keys: &[String], now: Timestamp) -> StoreResult<()> {
        let keys = keys.to_vec();
        self.write((keys, now), |c, (keys, now)| {
            Box::pin(record_login_failure(c, keys, *now))
        })
        .await
    }

    async fn count_login_failures(&self, key: &str, since: Timestamp) -> StoreResult<i64> {
        count_login_failures(&mut *self.reader().await?, key, since).await
    }

    async fn clear_login_failures(&self, key: &str) -> StoreResult<()> {
        let key = key.to_owned();
        self.write(key, |c, key| Box::pin(clear_login_failures(c, key)))
            .await
    }

    async fn append_audit(&self, entry: NewAuditEntry) -> StoreResult<()> {
        self.write(entry, |c, entry| Box::pin(append_audit(c, entry)))
            .await
    }

    async fn list_audit(&self, page: &PageRequest) -> StoreResult<Page<AuditEntry>> {
        list_audit(&mut *self.reader().await?, page).await
    }

    async fn desk_secret(
        &self,
        name: &str,
        candidate: String,
        now: Timestamp,
    ) -> StoreResult<String> {
        self.write((name.to_owned(), candidate, now), |c, input| {
            Box::pin(desk_secret(c, input))
        })
        .await
    }
}
