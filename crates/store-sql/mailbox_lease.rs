//! [`MailboxLeaseStore`] for the backend: one conditional update per lease, so two
//! nodes asking at once get one answer each (the row lock orders them).

use crate::sql::convert::micros;
use crate::sql::error;
use crate::sql::fetch;
use crate::{Backend, DbConn};
use async_trait::async_trait;
use ferrodesk_store::StoreResult;
use ferrodesk_store::mail::MailboxId;
use ferrodesk_store::mailbox_lease::MailboxLeaseStore;
use jiff::Timestamp;

async fn lease(
    conn: &mut DbConn,
    (id, holder, now, until): &(MailboxId, String, Timestamp, Timestamp),
) -> StoreResult<bool> {
    let query = sqlx::query(
        "update mailboxes set lease_holder = $2, lease_until = $4 where id = $1 \
         and (lease_until is null or lease_until <= $3 or lease_holder = $2)",
    )
    .bind(id.0)
    .bind(holder)
    .bind(micros(*now))
    .bind(micros(*until));
    let done = fetch::execute(conn, query).await?;
    if done == 1 {
        return Ok(true);
    }
    let exists: Option<i64> = sqlx::query_scalar("select id from mailboxes where id = $1")
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await
        .map_err(error::plain)?;
    match exists {
        Some(_) => Ok(false),
        None => Err(fetch::not_found("mailbox", id.0)),
    }
}

async fn release(conn: &mut DbConn, (id, holder): &(MailboxId, String)) -> StoreResult<()> {
    let query = sqlx::query(
        "update mailboxes set lease_holder = null, lease_until = null \
         where id = $1 and lease_holder = $2",
    )
    .bind(id.0)
    .bind(holder);
    fetch::execute(conn, query).await?;
    Ok(())
}

#[async_trait]
impl MailboxLeaseStore for Backend {
    async fn lease_mailbox(
        &self,
        id: MailboxId,
        holder: &str,
        now: Timestamp,
        until: Timestamp,
    ) -> StoreResult<bool> {
        self.write((id, holder.to_owned(), now, until), |c, input| {
            Box::pin(lease(c, input))
        })
        .await
    }

    async fn release_mailbox(&self, id: MailboxId, holder: &str) -> StoreResult<()> {
        self.write((id, holder.to_owned()), |c, input| {
            Box::pin(release(c, input))
        })
        .await
    }
}
