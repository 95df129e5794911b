//! Running a query and reading its rows into domain values: the one place that turns
//! a missing row into `NotFound` and a driver failure into a [`StoreError`], so each
//! aggregate's SQL states only its statement and its `*_from_row` function.

use crate::sql::error::{self, Ref};
use crate::{Db, DbConn, DbRow};
use ferrodesk_store::{StoreError, StoreResult};
use sqlx::QueryBuilder;
use std::fmt::Display;

/// A statement with its bound arguments, as `sqlx::query` builds it.
pub(crate) type DbQuery<'q> = sqlx::query::Query<'q, Db, <Db as sqlx::Database>::Arguments>;

/// Reads the row `query` finds, if any.
pub(crate) async fn optional<T>(
    conn: &mut DbConn,
    query: DbQuery<'_>,
    read: impl Fn(&DbRow) -> StoreResult<T>,
) -> StoreResult<Option<T>> {
    let row = query
        .fetch_optional(&mut *conn)
        .await
        .map_err(error::plain)?;
    row.as_ref().map(read).transpose()
}

/// Reads the row `query` finds; none is `NotFound` naming `kind` and `id`
/// ("group 7").
pub(crate) async fn one<T>(
    conn: &mut DbConn,
    query: DbQuery<'_>,
    read: impl Fn(&DbRow) -> StoreResult<T>,
    kind: &str,
    id: impl Display,
) -> StoreResult<T> {
    match optional(conn, query, read).await? {
        Some(value) => Ok(value),
        None => Err(not_found(kind, id)),
    }
}

/// Reads every row `query` finds.
pub(crate) async fn all<T>(
    conn: &mut DbConn,
    query: DbQuery<'_>,
    read: impl Fn(&DbRow) -> StoreResult<T>,
) -> StoreResult<Vec<T>> {
    let rows = query.fetch_all(&mut *conn).await.map_err(error::plain)?;
    rows.iter().map(read).collect()
}

/// Runs a statement that refers to nothing and returns how many rows it touched.
pub(crate) async fn execute(conn: &mut DbConn, query: DbQuery<'_>) -> StoreResult<u64> {
    let done = query.execute(&mut *conn).await.map_err(error::plain)?;
    Ok(done.rows_affected())
}

/// The `NotFound` error for row `id` of `kind` ("group 7").
pub(crate) fn not_found(kind: &str, id: impl Display) -> StoreError {
    StoreError::not_found(format!("{kind} {id}"))
}

/// A statement that returns one value per row, as `sqlx::query_scalar` builds it.
pub(crate) type DbScalar<'q, T> =
    sqlx::query::QueryScalar<'q, Db, T, <Db as sqlx::Database>::Arguments>;

/// Runs a write that refers to `refs` through foreign keys; a missing referenced row is
/// `NotFound` naming it ([`error::write`]). Returns how many rows it touched.
pub(crate) async fn write(conn: &mut DbConn, query: DbQuery<'_>, refs: &[Ref]) -> StoreResult<u64> {
    match query.execute(&mut *conn).await {
        Ok(done) => Ok(done.rows_affected()),
        Err(e) => Err(error::write(conn, e, refs).await),
    }
}

/// Runs an `insert ... returning id` that refers to `refs`, as [`write`] does, and
/// returns the new id.
pub(crate) async fn insert(
    conn: &mut DbConn,
    query: DbScalar<'_, i64>,
    refs: &[Ref],
) -> StoreResult<i64> {
    match query.fetch_one(&mut *conn).await {
        Ok(id) => Ok(id),
        Err(e) => Err(error::write(conn, e, refs).await),
    }
}

/// Ids per `in (...)` read: well under both backends' limits on bind parameters.
pub(crate) const IDS_PER_QUERY: usize = 500;

/// Pushes `values` as a comma-separated list of bound values.
pub(crate) fn push_list<'t, T>(query: &mut QueryBuilder<Db>, values: impl IntoIterator<Item = T>)
where
    T: sqlx::Encode<'t, Db> + sqlx::Type<Db>,
{
    let mut list = query.separated(", ");
    for value in values {
        list.push_bind(value);
    }
}

/// The rows of `head`, a list of `ids`, then `tail`: one query per [`IDS_PER_QUERY`] ids.
pub(crate) async fn rows_for_ids(
    conn: &mut DbConn,
    head: &str,
    ids: &[i64],
    tail: &str,
) -> StoreResult<Vec<DbRow>> {
    let mut rows = Vec::new();
    for chunk in ids.chunks(IDS_PER_QUERY) {
        let mut query = QueryBuilder::<Db>::new(head);
        push_list(&mut query, chunk.iter().copied());
        query.push(tail);
        rows.extend(
            query
                .build()
                .fetch_all(&mut *conn)
                .await
                .map_err(error::plain)?,
        );
    }
    Ok(rows)
}

/// Reads the rows of `head`, a list of `ids`, then `tail`, as [`rows_for_ids`] does.
pub(crate) async fn by_ids<T>(
    conn: &mut DbConn,
    head: &str,
    ids: &[i64],
    tail: &str,
    read: impl Fn(&DbRow) -> StoreResult<T>,
) -> StoreResult<Vec<T>> {
    rows_for_ids(conn, head, ids, tail)
        .await?
        .iter()
        .map(read)
        .collect()
}
