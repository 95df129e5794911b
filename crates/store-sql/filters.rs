//! Agents' saved queue filters, private or shared with a group, and each person's
//! queue columns; [`FilterStore`] for the backend.

use crate::sql::convert::{get, get_time, micros};
use crate::sql::error;
use crate::sql::fetch;
use crate::{Backend, DbConn, DbRow};
use async_trait::async_trait;
use ferrodesk_domain::{GroupId, UserId};
use ferrodesk_store::{Conflict, FilterStore, SavedFilter, SharedFilter, StoreError, StoreResult};
use jiff::Timestamp;

async fn create_saved_filter(
    conn: &mut DbConn,
    (user, name, query, now): &(UserId, String, String, Timestamp),
) -> StoreResult<SavedFilter> {
    let id: Option<i64> = sqlx::query_scalar(
        "insert into saved_filters (user_id, name, query, created_at, updated_at) \
         values ($1, $2, $3, $4, $4) on conflict do nothing returning id",
    )
    .bind(user.get())
    .bind(name)
    .bind(query)
    .bind(micros(*now))
    .fetch_optional(&mut *conn)
    .await
    .map_err(error::plain)?;
    let Some(id) = id else {
        return Err(StoreError::conflict(
            Conflict::Unique("saved_filters_name_key"),
            format!("you already have a saved filter named '{name}'"),
        ));
    };
    Ok(SavedFilter {
        id,
        user_id: *user,
        name: name.clone(),
        query: query.clone(),
        created_at: *now,
    })
}

async fn list_saved_filters(conn: &mut DbConn, user: UserId) -> StoreResult<Vec<SavedFilter>> {
    let query = sqlx::query(
        "select id, user_id, name, query, created_at from saved_filters where user_id = $1 \
         order by name, id",
    )
    .bind(user.get());
    fetch::all(conn, query, |row| {
        Ok(SavedFilter {
            id: get(row, "id")?,
            user_id: UserId(get(row, "user_id")?),
            name: get(row, "name")?,
            query: get(row, "query")?,
            created_at: get_time(row, "created_at")?,
        })
    })
    .await
}

async fn delete_saved_filter(conn: &mut DbConn, (user, id): &(UserId, i64)) -> StoreResult<()> {
    let query = sqlx::query("delete from saved_filters where id = $1 and user_id = $2")
        .bind(id)
        .bind(user.get());
    if fetch::execute(conn, query).await? == 0 {
        return Err(fetch::not_found("saved filter", id));
    }
    Ok(())
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
        fetch::push_list(&mut query, groups.iter().map(|group| group.get()));
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

async fn find_queue_columns(conn: &mut DbConn, user: UserId) -> StoreResult<Option<String>> {
    sqlx::query_scalar("select columns from queue_columns where user_id = $1")
        .bind(user.get())
        .fetch_optional(&mut *conn)
        .await
        .map_err(error::plain)
}

async fn save_queue_columns(
    conn: &mut DbConn,
    (user, columns, now): &(UserId, String, Timestamp),
) -> StoreResult<()> {
    let query = sqlx::query(
        "insert into queue_columns (user_id, columns, created_at, updated_at) \
         values ($1, $2, $3, $3) on conflict (user_id) do update \
         set columns = excluded.columns, updated_at = excluded.updated_at",
    )
    .bind(user.get())
    .bind(columns)
    .bind(micros(*now));
    let user_ref = error::Ref::new("queue_columns_user_id_fkey", user.get());
    fetch::write(conn, query, &[user_ref]).await?;
    Ok(())
}

#[async_trait]
impl FilterStore for Backend {
    async fn create_saved_filter(
        &self,
        user_id: UserId,
        name: String,
        query: String,
        now: Timestamp,
    ) -> StoreResult<SavedFilter> {
        self.write((user_id, name, query, now), |c, input| {
            Box::pin(create_saved_filter(c, input))
        })
        .await
    }

    async fn list_saved_filters(&self, user_id: UserId) -> StoreResult<Vec<SavedFilter>> {
        list_saved_filters(&mut *self.reader().await?, user_id).await
    }

    async fn delete_saved_filter(&self, user_id: UserId, id: i64) -> StoreResult<()> {
        self.write((user_id, id), |c, input| {
            Box::pin(delete_saved_filter(c, input))
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

    async fn find_queue_columns(&self, user_id: UserId) -> StoreResult<Option<String>> {
        find_queue_columns(&mut *self.reader().await?, user_id).await
    }

    async fn save_queue_columns(
        &self,
        user_id: UserId,
        columns: String,
        now: Timestamp,
    ) -> StoreResult<()> {
        self.write((user_id, columns, now), |c, input| {
            Box::pin(save_queue_columns(c, input))
        })
        .await
    }
}
