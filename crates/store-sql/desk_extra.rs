//! The [`DeskExtraStore`] half of the storage: deleting assets, the tickets a person
//! watches, and ending a person's other sessions.

use crate::Backend;
use crate::DbConn;
use crate::sql::error;
use async_trait::async_trait;
use ferrodesk_domain::{AssetId, TicketId, UserId};
use ferrodesk_store::{DeskExtraStore, StoreError, StoreResult};

async fn delete_asset(conn: &mut DbConn, id: &AssetId) -> StoreResult<()> {
    sqlx::query("delete from ticket_assets where asset_id = $1")
        .bind(id.get())
        .execute(&mut *conn)
        .await
        .map_err(error::plain)?;
    let deleted = sqlx::query("delete from assets where id = $1")
        .bind(id.get())
        .execute(&mut *conn)
        .await
        .map_err(error::plain)?
        .rows_affected();
    if deleted == 0 {
        return Err(StoreError::not_found(format!("asset {id}")));
    }
    Ok(())
}

async fn watched_tickets(
    conn: &mut DbConn,
    user: UserId,
    limit: i64,
) -> StoreResult<Vec<TicketId>> {
    // `ticket_watchers_user (user_id, ticket_id)` serves this; a person watches tens.
    let ids: Vec<i64> = sqlx::query_scalar(
        "select ticket_id from ticket_watchers where user_id = $1 \
         order by created_at desc, ticket_id desc limit $2",
    )
    .bind(user.get())
    .bind(limit.clamp(1, 1000))
    .fetch_all(&mut *conn)
    .await
    .map_err(error::plain)?;
    Ok(ids.into_iter().map(TicketId).collect())
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

#[async_trait]
impl DeskExtraStore for Backend {
    async fn delete_asset(&self, id: AssetId) -> StoreResult<()> {
        self.write(id, |c, id| Box::pin(delete_asset(c, id))).await
    }

    async fn watched_tickets(&self, user_id: UserId, limit: i64) -> StoreResult<Vec<TicketId>> {
        watched_tickets(&mut *self.reader().await?, user_id, limit).await
    }

    async fn end_other_sessions(&self, user_id: UserId, keep: Option<String>) -> StoreResult<u64> {
        self.write((user_id, keep), |c, input| {
            Box::pin(end_other_sessions(c, input))
        })
        .await
    }
}
