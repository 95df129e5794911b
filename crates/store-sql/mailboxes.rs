//! The desk's mailboxes with their IMAP state, and the quarantine of messages that
//! could not be filed.

use crate::sql::convert;
use crate::sql::convert::{get, get_opt_time, get_time, micros, stored};
use crate::sql::error::{self, Ref};
use crate::sql::fetch;
use crate::{DbConn, DbRow};
use ferrodesk_domain::{CategoryId, EmailAddress, GroupId};
use ferrodesk_store::StoreResult;
use ferrodesk_store::mail::{
    AfterImport, ImapAccount, ImapSecurity, Mailbox, MailboxId, MailboxWrite, NewQuarantine,
    QuarantineId, QuarantinedMail,
};
use jiff::Timestamp;

macro_rules! quarantine_select {
    () => {
        "select id, mailbox_id, code, reason, sender, subject, message_id, \
         cast(length(raw) as bigint) as size, created_at from mail_quarantine"
    };
}

fn quarantined(row: &DbRow) -> StoreResult<QuarantinedMail> {
    Ok(QuarantinedMail {
        id: QuarantineId(get(row, "id")?),
        mailbox_id: get::<Option<i64>>(row, "mailbox_id")?.map(MailboxId),
        code: get(row, "code")?,
        reason: get(row, "reason")?,
        sender: get(row, "sender")?,
        subject: get(row, "subject")?,
        message_id: get(row, "message_id")?,
        size: get::<Option<i64>>(row, "size")?.unwrap_or_default(),
        created_at: get_time(row, "created_at")?,
    })
}

pub(crate) async fn quarantine(
    conn: &mut DbConn,
    mail: &NewQuarantine,
) -> StoreResult<QuarantinedMail> {
    let id: i64 = sqlx::query_scalar(
        "insert into mail_quarantine (mailbox_id, code, reason, sender, subject, message_id, raw, \
         created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $8) returning id",
    )
    .bind(mail.mailbox_id.map(|m| m.0))
    .bind(&mail.code)
    .bind(&mail.reason)
    .bind(&mail.sender)
    .bind(&mail.subject)
    .bind(&mail.message_id)
    .bind(&mail.raw)
    .bind(micros(mail.now))
    .fetch_one(&mut *conn)
    .await
    .map_err(error::plain)?;
    Ok(QuarantinedMail {
        id: QuarantineId(id),
        mailbox_id: mail.mailbox_id,
        code: mail.code.clone(),
        reason: mail.reason.clone(),
        sender: mail.sender.clone(),
        subject: mail.subject.clone(),
        message_id: mail.message_id.clone(),
        size: i64::try_from(mail.raw.len()).unwrap_or(i64::MAX),
        created_at: mail.now,
    })
}

pub(crate) async fn list_quarantine(
    conn: &mut DbConn,
    limit: i64,
) -> StoreResult<Vec<QuarantinedMail>> {
    let query = sqlx::query(concat!(
        quarantine_select!(),
        " order by created_at desc, id desc limit $1"
    ))
    .bind(limit.clamp(1, 1000));
    fetch::all(conn, query, quarantined).await
}

pub(crate) async fn get_quarantined(
    conn: &mut DbConn,
    id: QuarantineId,
) -> StoreResult<(QuarantinedMail, Vec<u8>)> {
    let row = sqlx::query(concat!(quarantine_select!(), " where id = $1"))
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await
        .map_err(error::plain)?
        .ok_or_else(|| fetch::not_found("quarantined message", id.0))?;
    let raw: Vec<u8> = sqlx::query_scalar("select raw from mail_quarantine where id = $1")
        .bind(id.0)
        .fetch_one(&mut *conn)
        .await
        .map_err(error::plain)?;
    Ok((quarantined(&row)?, raw))
}

pub(crate) async fn delete_quarantined(conn: &mut DbConn, id: &QuarantineId) -> StoreResult<()> {
    let query = sqlx::query("delete from mail_quarantine where id = $1").bind(id.0);
    if fetch::execute(conn, query).await? == 0 {
        return Err(fetch::not_found("quarantined message", id.0));
    }
    Ok(())
}

pub(crate) fn mailbox(row: &DbRow) -> StoreResult<Mailbox> {
    let address: String = get(row, "address")?;
    let host: Option<String> = get(row, "imap_host")?;
    let imap = match host {
        Some(host) => {
            let security: String = get(row, "imap_security")?;
            let after: String = get(row, "after_import")?;
            let port: Option<i64> = get(row, "imap_port")?;
            Some(ImapAccount {
                host,
                port: u16::try_from(port.unwrap_or(993))
                    .map_err(|e| convert::damaged(e.to_string()))?,
                security: ImapSecurity::parse(&security)
                    .ok_or_else(|| convert::damaged(format!("imap security {security}")))?,
                user: get::<Option<String>>(row, "imap_user")?.unwrap_or_default(),
                password: get::<Option<String>>(row, "imap_password")?.unwrap_or_default(),
                folder: get(row, "imap_folder")?,
                after_import: AfterImport::parse(&after)
                    .ok_or_else(|| convert::damaged(format!("after import {after}")))?,
                move_to: get(row, "move_to")?,
            })
        }
        None => None,
    };
    let policy: String = get(row, "unknown_senders")?;
    Ok(Mailbox {
        id: MailboxId(get(row, "id")?),
        name: get(row, "name")?,
        address: stored(EmailAddress::parse(&address))?,
        is_default: get(row, "is_default")?,
        group_id: get::<Option<i64>>(row, "group_id")?.map(GroupId),
        category_id: get::<Option<i64>>(row, "category_id")?.map(CategoryId),
        allows_unknown_senders: policy == "allow",
        imap,
        is_enabled: get(row, "is_enabled")?,
        uid_validity: get::<Option<i64>>(row, "uid_validity")?.and_then(|v| u32::try_from(v).ok()),
        last_uid: u32::try_from(get::<i64>(row, "last_uid")?).unwrap_or_default(),
        failure_count: get(row, "failure_count")?,
        last_error: get(row, "last_error")?,
        last_error_at: get_opt_time(row, "last_error_at")?,
        last_success_at: get_opt_time(row, "last_success_at")?,
        created_at: get_time(row, "created_at")?,
        updated_at: get_time(row, "updated_at")?,
    })
}

pub(crate) async fn get_mailbox(conn: &mut DbConn, id: MailboxId) -> StoreResult<Mailbox> {
    let row = sqlx::query("select * from mailboxes where id = $1")
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await
        .map_err(error::plain)?
        .ok_or_else(|| fetch::not_found("mailbox", id.0))?;
    mailbox(&row)
}

pub(crate) async fn list_mailboxes(conn: &mut DbConn) -> StoreResult<Vec<Mailbox>> {
    let query = sqlx::query("select * from mailboxes order by name, id limit 1000");
    fetch::all(conn, query, mailbox).await
}

fn mailbox_refs(write: &MailboxWrite) -> Vec<Ref> {
    [
        Ref::opt("mailboxes_group_id_fkey", write.group_id.map(GroupId::get)),
        Ref::opt(
            "mailboxes_category_id_fkey",
            write.category_id.map(CategoryId::get),
        ),
    ]
    .into_iter()
    .flatten()
    .collect()
}

async fn clear_default(conn: &mut DbConn, write: &MailboxWrite, keep: i64) -> StoreResult<()> {
    if write.is_default {
        let query = sqlx::query("update mailboxes set is_default = false, updated_at = $2 where id <> $1 and is_default")
            .bind(keep)
            .bind(micros(write.now));
        fetch::execute(conn, query).await?;
    }
    Ok(())
}

pub(crate) async fn create_mailbox(
    conn: &mut DbConn,
    write: &MailboxWrite,
) -> StoreResult<Mailbox> {
    let imap = write.imap.as_ref();
    let inserted = sqlx::query_scalar::<_, i64>(
        "insert into mailboxes (name, address, is_default, group_id, category_id, unknown_senders, \
         imap_host, imap_port, imap_security, imap_user, imap_password, imap_folder, after_import, \
         move_to, is_enabled, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16) returning id",
    )
    .bind(&write.name)
    .bind(write.address.as_str())
    .bind(write.is_default)
    .bind(write.group_id.map(GroupId::get))
    .bind(write.category_id.map(CategoryId::get))
    .bind(if write.allows_unknown_senders { "allow" } else { "hold" })
    .bind(imap.map(|i| i.host.clone()))
    .bind(imap.map(|i| i64::from(i.port)))
    .bind(imap.map_or("tls", |i| i.security.as_str()))
    .bind(imap.map(|i| i.user.clone()))
    .bind(imap.map(|i| i.password.clone()))
    .bind(imap.map_or_else(|| "INBOX".to_owned(), |i| i.folder.clone()))
    .bind(imap.map_or("flag", |i| i.after_import.as_str()))
    .bind(imap.and_then(|i| i.move_to.clone()))
    .bind(write.is_enabled)
    .bind(micros(write.now))
    .fetch_one(&mut *conn)
    .await;
    let id = match inserted {
        Ok(id) => id,
        Err(e) => return Err(error::write(conn, e, &mailbox_refs(write)).await),
    };
    clear_default(conn, write, id).await?;
    get_mailbox(conn, MailboxId(id)).await
}

pub(crate) async fn update_mailbox(
    conn: &mut DbConn,
    (id, write): &(MailboxId, MailboxWrite),
) -> StoreResult<Mailbox> {
    let imap = write.imap.as_ref();
    // An empty password keeps the stored one: the API never shows it, so a form that
    // leaves it blank means "unchanged".
    let password = imap.map(|i| i.password.clone()).filter(|p| !p.is_empty());
    let done = sqlx::query(
        "update mailboxes set name = $2, address = $3, is_default = $4, group_id = $5, \
         category_id = $6, unknown_senders = $7, imap_host = $8, imap_port = $9, imap_security = $10, \
         imap_user = $11, imap_password = case when $8 is null then null else coalesce($12, imap_password) end, \
         imap_folder = $13, after_import = $14, move_to = $15, is_enabled = $16, updated_at = $17, \
         failure_count = 0, last_error = null where id = $1",
    )
    .bind(id.0)
    .bind(&write.name)
    .bind(write.address.as_str())
    .bind(write.is_default)
    .bind(write.group_id.map(GroupId::get))
    .bind(write.category_id.map(CategoryId::get))
    .bind(if write.allows_unknown_senders { "allow" } else { "hold" })
    .bind(imap.map(|i| i.host.clone()))
    .bind(imap.map(|i| i64::from(i.port)))
    .bind(imap.map_or("tls", |i| i.security.as_str()))
    .bind(imap.map(|i| i.user.clone()))
    .bind(password)
    .bind(imap.map_or_else(|| "INBOX".to_owned(), |i| i.folder.clone()))
    .bind(imap.map_or("flag", |i| i.after_import.as_str()))
    .bind(imap.and_then(|i| i.move_to.clone()))
    .bind(write.is_enabled)
    .bind(micros(write.now))
    .execute(&mut *conn)
    .await;
    match done {
        Ok(done) if done.rows_affected() == 0 => {
            return Err(fetch::not_found("mailbox", id.0));
        }
        Ok(_) => {}
        Err(e) => return Err(error::write(conn, e, &mailbox_refs(write)).await),
    }
    clear_default(conn, write, id.0).await?;
    get_mailbox(conn, *id).await
}

pub(crate) async fn delete_mailbox(conn: &mut DbConn, id: &MailboxId) -> StoreResult<()> {
    let query = sqlx::query("delete from mailboxes where id = $1").bind(id.0);
    if fetch::execute(conn, query).await? == 0 {
        return Err(fetch::not_found("mailbox", id.0));
    }
    Ok(())
}

pub(crate) async fn record_mailbox_progress(
    conn: &mut DbConn,
    (id, uid_validity, last_uid, now): &(MailboxId, u32, u32, Timestamp),
) -> StoreResult<()> {
    let query = sqlx::query(
        "update mailboxes set uid_validity = $2, last_uid = $3, failure_count = 0, \
         last_success_at = $4, updated_at = $4 where id = $1",
    )
    .bind(id.0)
    .bind(i64::from(*uid_validity))
    .bind(i64::from(*last_uid))
    .bind(micros(*now));
    if fetch::execute(conn, query).await? == 0 {
        return Err(fetch::not_found("mailbox", id.0));
    }
    Ok(())
}

pub(crate) async fn record_mailbox_failure(
    conn: &mut DbConn,
    (id, message, now): &(MailboxId, String, Timestamp),
) -> StoreResult<()> {
    let query = sqlx::query(
        "update mailboxes set failure_count = failure_count + 1, last_error = $2, \
         last_error_at = $3, updated_at = $3 where id = $1",
    )
    .bind(id.0)
    .bind(message)
    .bind(micros(*now));
    if fetch::execute(conn, query).await? == 0 {
        return Err(fetch::not_found("mailbox", id.0));
    }
    Ok(())
}
