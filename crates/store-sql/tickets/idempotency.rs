//! Idempotent retries: a request's key is claimed before it writes and remembers what
//! the request produced.

use crate::DbConn;
use crate::sql::convert;
use crate::sql::convert::{from_json, get, json, micros};
use crate::sql::error;
use crate::sql::fetch;
use ferrodesk_store::{Conflict, Idempotency, StoreError, StoreResult};
use jiff::Timestamp;

/// What an idempotency key says about a request.
pub(crate) enum Claim {
    /// First use (or no key): do the work.
    Fresh,
    /// Seen with the same request: these are the ids it produced.
    Replay(Vec<i64>),
}

/// Claims `key` for this request. On PostgreSQL a concurrent first use of the key waits
/// here until that request commits or rolls back.
pub(crate) async fn claim(
    conn: &mut DbConn,
    key: Option<&Idempotency>,
    operation: &str,
    now: Timestamp,
) -> StoreResult<Claim> {
    let Some(key) = key else {
        return Ok(Claim::Fresh);
    };
    let query = sqlx::query(
        "insert into idempotency_keys (actor_id, idempotency_key, fingerprint, operation, result, \
         created_at, updated_at) values ($1, $2, $3, $4, '[]', $5, $5) \
         on conflict (actor_id, idempotency_key) do nothing",
    )
    .bind(key.actor_id.get())
    .bind(&key.key)
    .bind(&key.fingerprint)
    .bind(operation)
    .bind(micros(now));
    let inserted = fetch::execute(conn, query).await?;
    if inserted == 1 {
        return Ok(Claim::Fresh);
    }
    let row = sqlx::query(
        "select fingerprint, operation, result from idempotency_keys \
         where actor_id = $1 and idempotency_key = $2",
    )
    .bind(key.actor_id.get())
    .bind(&key.key)
    .fetch_one(&mut *conn)
    .await
    .map_err(error::plain)?;
    let fingerprint: String = get(&row, "fingerprint")?;
    let stored_operation: String = get(&row, "operation")?;
    if fingerprint != key.fingerprint || stored_operation != operation {
        return Err(StoreError::conflict(
            Conflict::IdempotencyKeyReused,
            "idempotency key was already used for a different request",
        ));
    }
    let result: String = get(&row, "result")?;
    Ok(Claim::Replay(from_json(&result)?))
}

/// Records what the request produced under its key.
pub(crate) async fn remember(
    conn: &mut DbConn,
    key: Option<&Idempotency>,
    ids: &[i64],
) -> StoreResult<()> {
    let Some(key) = key else {
        return Ok(());
    };
    let query = sqlx::query(
        "update idempotency_keys set result = $3 where actor_id = $1 and idempotency_key = $2",
    )
    .bind(key.actor_id.get())
    .bind(&key.key)
    .bind(json(&ids)?);
    fetch::execute(conn, query).await?;
    Ok(())
}

pub(crate) fn first_id(ids: &[i64]) -> StoreResult<i64> {
    ids.first()
        .copied()
        .ok_or_else(|| convert::damaged("idempotency key without a result"))
}
