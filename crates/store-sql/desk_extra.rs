//! The [`DeskExtraStore`] half of the storage: deleting assets, the tickets a person
//! watches, and ending a person's other sessions.

use crate::sql::convert::{get, get_time, micros};
use crate::sql::error;
use crate::{Backend, DbConn, DbRow};
use async_trait::async_trait;
use ferrodesk_domain::{Asset, AssetId, GroupId, TicketId, UserId};
use ferrodesk_store::Conflict;
use ferrodesk_store::{DeskExtraStore, SavedFilter, SharedFilter, StoreError, StoreResult};
use jiff::Timestamp;

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

type NewFilter = (UserId, String, String, Option<GroupId>, Timestamp);

async fn create_filter(
    conn: &mut DbConn,
    (user, name, query, group, now): &NewFilter,
) -> StoreResult<SharedFilter> {
    let id: Option<i64> = sqlx::query_scalar(
        "insert into saved_filters (user_id, name, query, group_id, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $5) on conflict do nothing returning id",
    )
    .bind(user.get())
    .bind(name)
    .bind(query)
    .bind(group.map(GroupId::get))
    .bind(micros(*now))
    .fetch_optional(&mut *conn)
    .await
    .map_err(error::plain)?;
    let Some(id) = id else {
        return Err(StoreError::conflict(
            Conflict::Unique("shared_filters_name_key"),
            format!("you already have a saved filter named '{name}'"),
        ));
    };
    Ok(SharedFilter {
        filter: SavedFilter {
            id,
            user_id: *user,
            name: name.clone(),
            query: query.clone(),
            created_at: *now,
        },
        group_id: *group,
    })
}

fn filter_from_row(row: &DbRow) -> StoreResult<SharedFilter> {
    Ok(SharedFilter {
        filter: SavedFilter {
            id: get(row, "id")?,
            user_id: UserId(get(row, "user_id")?),
            name: get(row, "name")?,
            query: get(row, "query")?,
            created_at: get_time(row, "created_at")?,
        },
        group_id: get::<Option<i64>>(row, "group_id")?.map(GroupId),
    })
}

async fn list_filters(
    conn: &mut DbConn,
    user: UserId,
    groups: &[GroupId],
) -> StoreResult<Vec<SharedFilter>> {
    // `saved_filters_user_name_key` and `saved_filters_group` serve both halves.
    let mut query = sqlx::QueryBuilder::<crate::Db>::new(
        "select id, user_id, name, query, group_id, created_at from saved_filters \
         where user_id = ",
    );
    query.push_bind(user.get());
    if !groups.is_empty() {
        query.push(" or group_id in (");
        let mut list = query.separated(", ");
        for group in groups {
            list.push_bind(group.get());
        }
        query.push(")");
    }
    query.push(" order by name, id limit 500");
    let rows = query
        .build()
        .fetch_all(&mut *conn)
        .await
        .map_err(error::plain)?;
    rows.iter().map(filter_from_row).collect()
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

    async fn create_filter(
        &self,
        user_id: UserId,
        name: String,
        query: String,
        group_id: Option<GroupId>,
        now: Timestamp,
    ) -> StoreResult<SharedFilter> {
        self.write((user_id, name, query, group_id, now), |c, input| {
            Box::pin(create_filter(c, input))
        })
        .await
    }

    async fn list_filters(
        &self,
        user_id: UserId,
        group_ids: &[GroupId],
    ) -> StoreResult<Vec<SharedFilter>> {
        list_filters(&mut *self.reader().await?, user_id, group_ids).await
    }

    async fn assets_changed_after(
        &self,
        after: Option<(Timestamp, AssetId)>,
        limit: i64,
    ) -> StoreResult<Vec<Asset>> {
        crate::sql::desk::assets_changed_after(&mut *self.reader().await?, after, limit).await
    }
}
