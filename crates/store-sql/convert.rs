//! Conversions between stored values and domain values: times as microseconds, enums as
//! text, id lists as text. A value that does not convert back is reported as
//! `Unavailable` (the data is damaged), never silently replaced.

use crate::{Db, DbRow};
use ferrodesk_domain::{GroupId, InvalidValue};
use ferrodesk_store::{Cursor, Page, StoreError, StoreResult};
use jiff::Timestamp;
use sqlx::Row;

/// A stored value that does not read back as the domain value it should be.
#[derive(Debug, thiserror::Error)]
#[error("stored value is damaged: {0}")]
pub(crate) struct DamagedValue(pub(crate) String);

/// A damaged-value error for `what`.
pub(crate) fn damaged(what: impl Into<String>) -> StoreError {
    StoreError::Unavailable(Box::new(DamagedValue(what.into())))
}

/// A time as stored: microseconds since the Unix epoch.
pub(crate) fn micros(time: Timestamp) -> i64 {
    time.as_microsecond()
}

/// An optional time as stored.
pub(crate) fn opt_micros(time: Option<Timestamp>) -> Option<i64> {
    time.map(micros)
}

/// Reads a stored time back.
pub(crate) fn timestamp(micros: i64) -> StoreResult<Timestamp> {
    Timestamp::from_microsecond(micros).map_err(|e| damaged(format!("time {micros}: {e}")))
}

/// Reads an optional stored time back.
pub(crate) fn opt_timestamp(micros: Option<i64>) -> StoreResult<Option<Timestamp>> {
    micros.map(timestamp).transpose()
}

/// Reads column `name` of `row`.
pub(crate) fn get<'r, T>(row: &'r DbRow, name: &str) -> StoreResult<T>
where
    T: sqlx::Decode<'r, Db> + sqlx::Type<Db>,
{
    row.try_get(name)
        .map_err(|e| damaged(format!("column {name}: {e}")))
}

/// Reads a time column.
pub(crate) fn get_time(row: &DbRow, name: &str) -> StoreResult<Timestamp> {
    timestamp(get(row, name)?)
}

/// Reads an optional time column.
pub(crate) fn get_opt_time(row: &DbRow, name: &str) -> StoreResult<Option<Timestamp>> {
    opt_timestamp(get(row, name)?)
}

/// Turns a failed enum parse of stored text into a damaged-value error.
pub(crate) fn stored<T>(parsed: Result<T, InvalidValue>) -> StoreResult<T> {
    parsed.map_err(|e| damaged(e.to_string()))
}

/// Reads a comma-separated id aggregate (`group_ids_agg!`) into sorted group ids.
pub(crate) fn group_ids(text: Option<String>) -> StoreResult<Vec<GroupId>> {
    let mut ids = Vec::new();
    for part in text.as_deref().unwrap_or("").split(',') {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let id: i64 = part
            .parse()
            .map_err(|_| damaged(format!("group id list '{part}'")))?;
        ids.push(GroupId(id));
    }
    ids.sort();
    ids.dedup();
    Ok(ids)
}

/// A `like` pattern matching `text` anywhere, lowercased; `\` escapes the wildcards, so
/// queries use it with `escape '\'`.
pub(crate) fn contains_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// JSON text of a serializable value.
pub(crate) fn json<T: serde::Serialize>(value: &T) -> StoreResult<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Unavailable(Box::new(e)))
}

/// A value read back from JSON text.
pub(crate) fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> StoreResult<T> {
    serde_json::from_str(text).map_err(|e| damaged(format!("json: {e}")))
}

/// Cuts a fetched `limit + 1` rows to a page ordered by id.
pub(crate) fn page_by_id<T>(mut items: Vec<T>, limit: i64, id: impl Fn(&T) -> i64) -> Page<T> {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let next_cursor = if items.len() > limit {
        items.truncate(limit);
        items.last().map(|last| Cursor {
            key: id(last),
            id: id(last),
        })
    } else {
        None
    };
    Page { items, next_cursor }
}
