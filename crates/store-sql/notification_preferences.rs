//! Staff members' notification preferences, and the digests the outbox carries for
//! them (`crates/domain/src/notify/preferences.rs` says what they mean). The next
//! digest's due time is kept on the person's row, read through the partial
//! `notification_preferences_digest_due` index.

use crate::sql::convert::{get, get_opt_time, micros, opt_micros, stored};
use crate::sql::error::Ref;
use crate::sql::fetch;
use crate::{DbConn, DbRow};
use ferrodesk_domain::UserId;
use ferrodesk_domain::notify::Preferences;
use ferrodesk_store::StoreResult;
use jiff::Timestamp;

/// Digests queued per call at most: the rest are due still and queued by the next.
const DIGESTS_PER_CALL: i64 = 200;

fn preferences_from_row(row: &DbRow) -> StoreResult<Preferences> {
    stored(Preferences::parse(
        &get::<String>(row, "email_kinds")?,
        &get::<String>(row, "digest")?,
    ))
}

/// Every stored choice, by person (the settings snapshot's `preferences`).
pub(crate) async fn list_preferences(conn: &mut DbConn) -> StoreResult<Vec<(UserId, Preferences)>> {
    let query = sqlx::query(
        "select user_id, email_kinds, digest from notification_preferences order by user_id",
    );
    fetch::all(conn, query, |row| {
        Ok((UserId(get(row, "user_id")?), preferences_from_row(row)?))
    })
    .await
}

/// One person's stored choice.
pub(crate) async fn find_preferences(
    conn: &mut DbConn,
    user: UserId,
) -> StoreResult<Option<Preferences>> {
    let query =
        sqlx::query("select email_kinds, digest from notification_preferences where user_id = $1")
            .bind(user.get());
    fetch::optional(conn, query, preferences_from_row).await
}

/// Stores a person's choice. A digest newly chosen (or of another period) starts
/// covering from `now`; keeping the same digest keeps its due time.
pub(crate) async fn set_preferences(
    conn: &mut DbConn,
    (user, preferences, first_due, now): &(UserId, Preferences, Option<Timestamp>, Timestamp),
) -> StoreResult<()> {
    let period = preferences
        .digest
        .period()
        .map_or(0, |p| i64::try_from(p.as_micros()).unwrap_or(i64::MAX));
    let query = sqlx::query(
        "insert into notification_preferences (user_id, email_kinds, digest, \
         digest_period_micros, digest_due_at, digest_since, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $6, $6, $6) \
         on conflict (user_id) do update set email_kinds = excluded.email_kinds, \
         digest_due_at = case when notification_preferences.digest = excluded.digest \
             then notification_preferences.digest_due_at else excluded.digest_due_at end, \
         digest_since = case when notification_preferences.digest = excluded.digest \
             then notification_preferences.digest_since else excluded.digest_since end, \
         digest = excluded.digest, digest_period_micros = excluded.digest_period_micros, \
         updated_at = excluded.updated_at",
    )
    .bind(user.get())
    .bind(preferences.email_text())
    .bind(preferences.digest.as_str())
    .bind(period)
    .bind(opt_micros(*first_due))
    .bind(micros(*now));
    fetch::write(
        conn,
        query,
        &[Ref::new(
            "notification_preferences_user_id_fkey",
            user.get(),
        )],
    )
    .await?;
    Ok(())
}

/// Whether some digest is due at `now`.
pub(crate) async fn any_digest_due(conn: &mut DbConn, now: Timestamp) -> StoreResult<bool> {
    let query = sqlx::query(
        "select user_id from notification_preferences where digest_due_at <= $1 limit 1",
    )
    .bind(micros(now));
    Ok(
        fetch::optional(conn, query, |row| get::<i64>(row, "user_id"))
            .await?
            .is_some(),
    )
}

/// Queues the digests due at `now` and moves each one period on.
pub(crate) async fn queue_digests(conn: &mut DbConn, now: &Timestamp) -> StoreResult<u64> {
    let now = micros(*now);
    let due = sqlx::query(
        "select user_id, digest_since from notification_preferences \
         where digest_due_at <= $1 order by digest_due_at limit $2",
    )
    .bind(now)
    .bind(DIGESTS_PER_CALL);
    let due = fetch::all(conn, due, |row| {
        Ok((
            get::<i64>(row, "user_id")?,
            get_opt_time(row, "digest_since")?,
        ))
    })
    .await?;
    let mut queued = 0;
    for (user, since) in due {
        // Claimed by moving the due time under the same condition: of two nodes, the
        // second finds the row no longer due (PostgreSQL checks it again after the lock).
        let claim = sqlx::query(
            "update notification_preferences set digest_since = $1, \
             digest_due_at = $1 + digest_period_micros, updated_at = $1 \
             where user_id = $2 and digest_due_at <= $1",
        )
        .bind(now)
        .bind(user);
        if fetch::execute(conn, claim).await? == 0 {
            continue;
        }
        let query = sqlx::query(
            "insert into mail_outbox (digest_user_id, digest_since, digest_until, state, \
             attempts, next_attempt_at, created_at, updated_at) \
             values ($1, $2, $3, 'pending', 0, $3, $3, $3)",
        )
        .bind(user)
        .bind(opt_micros(since))
        .bind(now);
        fetch::execute(conn, query).await?;
        queued += 1;
    }
    Ok(queued)
}
