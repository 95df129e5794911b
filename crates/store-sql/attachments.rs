//! Uploads waiting to be cited by a ticket or reply; [`AttachmentStore`] for the
//! backend.

use crate::sql::convert::{get, get_time, micros, stored};
use crate::sql::{error, fetch};
use crate::{Backend, DbConn, DbRow};
use async_trait::async_trait;
use ferrodesk_domain::{Attachment, UserId};
use ferrodesk_store::{AttachmentStore, StoreResult, Upload};
use jiff::Timestamp;

fn upload_from_row(row: &DbRow) -> StoreResult<Upload> {
    let sha: String = get(row, "sha256")?;
    Ok(Upload {
        id: get(row, "id")?,
        uploader_id: UserId(get(row, "uploader_id")?),
        attachment: Attachment {
            sha256: stored(ferrodesk_domain::Sha256Hex::parse(&sha))?,
            filename: get(row, "filename")?,
            content_type: get(row, "content_type")?,
            size: get(row, "size")?,
        },
        created_at: get_time(row, "created_at")?,
    })
}

async fn create_upload(
    conn: &mut DbConn,
    (uploader, attachment, now): &(UserId, Attachment, Timestamp),
) -> StoreResult<Upload> {
    let id: i64 = sqlx::query_scalar(
        "insert into uploads (uploader_id, sha256, filename, content_type, size, created_at, \
         updated_at) values ($1, $2, $3, $4, $5, $6, $6) returning id",
    )
    .bind(uploader.get())
    .bind(attachment.sha256.as_str())
    .bind(&attachment.filename)
    .bind(&attachment.content_type)
    .bind(attachment.size)
    .bind(micros(*now))
    .fetch_one(&mut *conn)
    .await
    .map_err(error::plain)?;
    Ok(Upload {
        id,
        uploader_id: *uploader,
        attachment: attachment.clone(),
        created_at: *now,
    })
}

async fn get_uploads(conn: &mut DbConn, ids: &[i64]) -> StoreResult<Vec<Upload>> {
    fetch::by_ids(
        conn,
        "select id, uploader_id, sha256, filename, content_type, size, created_at from uploads where id in (",
        ids,
        ") order by id",
        upload_from_row,
    )
    .await
}

#[async_trait]
impl AttachmentStore for Backend {
    async fn create_upload(
        &self,
        uploader_id: UserId,
        attachment: Attachment,
        now: Timestamp,
    ) -> StoreResult<Upload> {
        self.write((uploader_id, attachment, now), |c, input| {
            Box::pin(create_upload(c, input))
        })
        .await
    }

    async fn get_uploads(&self, ids: &[i64]) -> StoreResult<Vec<Upload>> {
        get_uploads(&mut *self.reader().await?, ids).await
    }
}
