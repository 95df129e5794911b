//! The [`DeskStore`] half of the storage: uploads, watchers, assets and their ticket
//! links, ratings, saved filters, category renames and deletes, and desk secrets.
//!
//! Writes that show on a ticket append their event through
//! [`tickets::append_event`] in the same transaction, which also bumps the ticket's
//! version, so a concurrent edit of the ticket notices.

use crate::Backend;
use crate::sql::access::page_by_id;
use crate::sql::convert::{damaged, get, get_time, micros, stored};
use crate::sql::error;
use crate::sql::tickets;
use crate::{DbConn, DbRow};
use async_trait::async_trait;
use ferrodesk_domain::{
    Asset, AssetId, AssetType, Attachment, Category, CategoryId, Event, GroupId, TicketId, UserId,
};
use ferrodesk_store::Conflict;
use ferrodesk_store::{
    AssetFields, AssetFilter, AssetLinkChange, Created, DeskStore, EventAppend, MAX_PAGE_SIZE,
    NewRating, Page, PageRequest, Rating, RatingGrouping, RatingSummary, SavedFilter, StoreError,
    StoreResult, Upload, Watcher, WatcherChange,
};
use jiff::Timestamp;
use jiff::civil::Date;

async fn append(
    conn: &mut DbConn,
    ticket_id: TicketId,
    event: &ferrodesk_domain::NewEvent,
) -> StoreResult<Event> {
    let append = EventAppend {
        ticket_id,
        event: event.clone(),
        marks_first_response: false,
        idempotency: None,
    };
    match tickets::append_event(conn, &append).await? {
        Created::New(event) | Created::Replayed(event) => Ok(event),
    }
}

// --- uploads ----------------------------------------------------------------------------

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
    let mut uploads = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let mut query = sqlx::QueryBuilder::<crate::Db>::new(
            "select id, uploader_id, sha256, filename, content_type, size, created_at from uploads where id in (",
        );
        let mut list = query.separated(", ");
        for id in chunk {
            list.push_bind(*id);
        }
        query.push(") order by id");
        let rows = query
            .build()
            .fetch_all(&mut *conn)
            .await
            .map_err(error::plain)?;
        for row in &rows {
            uploads.push(upload_from_row(row)?);
        }
    }
    Ok(uploads)
}

// --- watchers ---------------------------------------------------------------------------

async fn add_watcher(conn: &mut DbConn, change: &WatcherChange) -> StoreResult<Option<Event>> {
    let done = sqlx::query(
        "insert into ticket_watchers (ticket_id, user_id, added_by, created_at, updated_at) \
         values ($1, $2, $3, $4, $4) on conflict do nothing",
    )
    .bind(change.ticket_id.get())
    .bind(change.user_id.get())
    .bind(change.event.actor_id.map(UserId::get))
    .bind(micros(change.event.created_at))
    .execute(&mut *conn)
    .await
    .map_err(error::plain)?;
    if done.rows_affected() == 0 {
        return Ok(None);
    }
    append(conn, change.ticket_id, &change.event)
        .await
        .map(Some)
}

async fn remove_watcher(conn: &mut DbConn, change: &WatcherChange) -> StoreResult<Option<Event>> {
    let done = sqlx::query("delete from ticket_watchers where ticket_id = $1 and user_id = $2")
        .bind(change.ticket_id.get())
        .bind(change.user_id.get())
        .execute(&mut *conn)
        .await
        .map_err(error::plain)?;
    if done.rows_affected() == 0 {
        return Ok(None);
    }
    append(conn, change.ticket_id, &change.event)
        .await
        .map(Some)
}

async fn list_watchers(conn: &mut DbConn, ticket: TicketId) -> StoreResult<Vec<Watcher>> {
    let rows = sqlx::query(
        "select ticket_id, user_id, added_by, created_at from ticket_watchers \
         where ticket_id = $1 order by created_at, user_id",
    )
    .bind(ticket.get())
    .fetch_all(&mut *conn)
    .await
    .map_err(error::plain)?;
    rows.iter()
        .map(|row| {
            Ok(Watcher {
                ticket_id: TicketId(get(row, "ticket_id")?),
                user_id: UserId(get(row, "user_id")?),
                added_by: get::<Option<i64>>(row, "added_by")?.map(UserId),
                created_at: get_time(row, "created_at")?,
            })
        })
        .collect()
}

// --- assets -----------------------------------------------------------------------------

macro_rules! asset_columns {
    () => {
        "a.id, a.tag, a.serial, a.asset_type, a.manufacturer, a.model, a.location, \
         a.assigned_to, a.purchase_date, a.warranty_end, a.contract, a.created_at, a.updated_at"
    };
}

fn date(row: &DbRow, name: &str) -> StoreResult<Option<Date>> {
    get::<Option<String>>(row, name)?
        .map(|text| {
            text.parse::<Date>()
                .map_err(|e| damaged(format!("{name} '{text}': {e}")))
        })
        .transpose()
}

fn asset_from_row(row: &DbRow) -> StoreResult<Asset> {
    let kind: String = get(row, "asset_type")?;
    Ok(Asset {
        id: AssetId(get(row, "id")?),
        tag: get(row, "tag")?,
        serial: get(row, "serial")?,
        asset_type: stored(AssetType::parse(&kind))?,
        manufacturer: get(row, "manufacturer")?,
        model: get(row, "model")?,
        location: get(row, "location")?,
        assigned_to: get::<Option<i64>>(row, "assigned_to")?.map(UserId),
        purchase_date: date(row, "purchase_date")?,
        warranty_end: date(row, "warranty_end")?,
        contract: get(row, "contract")?,
        created_at: get_time(row, "created_at")?,
        updated_at: get_time(row, "updated_at")?,
    })
}

/// Assets changed after `after`, in change order.
pub(crate) async fn assets_changed_after(
    conn: &mut DbConn,
    after: Option<(Timestamp, AssetId)>,
    limit: i64,
) -> StoreResult<Vec<Asset>> {
    let (time, id) = after.map_or((i64::MIN, 0), |(t, id)| (micros(t), id.get()));
    let rows = sqlx::query(concat!(
        "select ",
        asset_columns!(),
        " from assets a where a.updated_at > $1 or (a.updated_at = $1 and a.id > $2) \
         order by a.updated_at, a.id limit $3"
    ))
    .bind(time)
    .bind(id)
    .bind(limit.clamp(1, 10_000))
    .fetch_all(&mut *conn)
    .await
    .map_err(error::plain)?;
    rows.iter().map(asset_from_row).collect()
}

fn asset_conflict(error: StoreError, tag: &str) -> StoreError {
    match error {
        StoreError::Conflict { .. } => StoreError::conflict(
            Conflict::Unique("assets_tag_key"),
            format!("asset tag '{tag}' already in use"),
        ),
        StoreError::NotFound { .. } => StoreError::not_found("assigned person"),
        other => other,
    }
}

async fn create_asset(
    conn: &mut DbConn,
    (fields, now): &(AssetFields, Timestamp),
) -> StoreResult<Asset> {
    let id: i64 = sqlx::query_scalar(
        "insert into assets (tag, serial, asset_type, manufacturer, model, location, \
         assigned_to, purchase_date, warranty_end, contract, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) returning id",
    )
    .bind(&fields.tag)
    .bind(&fields.serial)
    .bind(fields.asset_type.as_str())
    .bind(&fields.manufacturer)
    .bind(&fields.model)
    .bind(&fields.location)
    .bind(fields.assigned_to.map(UserId::get))
    .bind(fields.purchase_date.map(|d| d.to_string()))
    .bind(fields.warranty_end.map(|d| d.to_string()))
    .bind(&fields.contract)
    .bind(micros(*now))
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| asset_conflict(error::plain(e), &fields.tag))?;
    get_asset(conn, AssetId(id)).await
}

async fn update_asset(
    conn: &mut DbConn,
    (id, fields, now): &(AssetId, AssetFields, Timestamp),
) -> StoreResult<Asset> {
    let done = sqlx::query(
        "update assets set tag = $2, serial = $3, asset_type = $4, manufacturer = $5, \
         model = $6, location = $7, assigned_to = $8, purchase_date = $9, warranty_end = $10, \
         contract = $11, updated_at = $12 where id = $1",
    )
    .bind(id.get())
    .bind(&fields.tag)
    .bind(&fields.serial)
    .bind(fields.asset_type.as_str())
    .bind(&fields.manufacturer)
    .bind(&fields.model)
    .bind(&fields.location)
    .bind(fields.assigned_to.map(UserId::get))
    .bind(fields.purchase_date.map(|d| d.to_string()))
    .bind(fields.warranty_end.map(|d| d.to_string()))
    .bind(&fields.contract)
    .bind(micros(*now))
    .execute(&mut *conn)
    .await
    .map_err(|e| asset_conflict(error::plain(e), &fields.tag))?;
    if done.rows_affected() == 0 {
        return Err(StoreError::not_found(format!("asset {id}")));
    }
    get_asset(conn, *id).await
}

async fn get_asset(conn: &mut DbConn, id: AssetId) -> StoreResult<Asset> {
    let row = sqlx::query(concat!(
        "select ",
        asset_columns!(),
        " from assets a where a.id = $1"
    ))
    .bind(id.get())
    .fetch_optional(&mut *conn)
    .await
    .map_err(error::plain)?;
    match row {
        Some(row) => asset_from_row(&row),
        None => Err(StoreError::not_found(format!("asset {id}"))),
    }
}

async fn list_assets(
    conn: &mut DbConn,
    filter: &AssetFilter,
    page: &PageRequest,
) -> StoreResult<Page<Asset>> {
    let limit = page.limit.clamp(1, MAX_PAGE_SIZE);
    let mut query = sqlx::QueryBuilder::<crate::Db>::new(concat!(
        "select ",
        asset_columns!(),
        " from assets a"
    ));
    query.push(" where a.id > ");
    query.push_bind(page.cursor.as_ref().map_or(0, |c| c.id));
    if let Some(person) = filter.assigned_to {
        query.push(" and a.assigned_to = ").push_bind(person.get());
    }
    if let Some(kind) = filter.asset_type {
        query.push(" and a.asset_type = ").push_bind(kind.as_str());
    }
    if let Some(tag) = filter
        .tag
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        let mut pattern = String::new();
        for c in tag.to_lowercase().chars() {
            if matches!(c, '%' | '_' | '\\') {
                pattern.push('\\');
            }
            pattern.push(c);
        }
        pattern.push('%');
        query
            .push(" and lower(a.tag) like ")
            .push_bind(pattern)
            .push(" escape '\\'");
    }
    query.push(" order by a.id limit ").push_bind(limit + 1);
    let rows = query
        .build()
        .fetch_all(&mut *conn)
        .await
        .map_err(error::plain)?;
    let assets = rows
        .iter()
        .map(asset_from_row)
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(page_by_id(assets, limit, |a| a.id.get()))
}

async fn link_asset(conn: &mut DbConn, change: &AssetLinkChange) -> StoreResult<Option<Event>> {
    get_asset(conn, change.asset_id).await?;
    let done = sqlx::query(
        "insert into ticket_assets (ticket_id, asset_id, created_at, updated_at) \
         values ($1, $2, $3, $3) on conflict do nothing",
    )
    .bind(change.ticket_id.get())
    .bind(change.asset_id.get())
    .bind(micros(change.event.created_at))
    .execute(&mut *conn)
    .await
    .map_err(|e| match error::plain(e) {
        StoreError::NotFound { .. } => {
            StoreError::not_found(format!("ticket {}", change.ticket_id))
        }
        other => other,
    })?;
    if done.rows_affected() == 0 {
        return Ok(None);
    }
    append(conn, change.ticket_id, &change.event)
        .await
        .map(Some)
}

async fn unlink_asset(conn: &mut DbConn, change: &AssetLinkChange) -> StoreResult<Option<Event>> {
    let done = sqlx::query("delete from ticket_assets where ticket_id = $1 and asset_id = $2")
        .bind(change.ticket_id.get())
        .bind(change.asset_id.get())
        .execute(&mut *conn)
        .await
        .map_err(error::plain)?;
    if done.rows_affected() == 0 {
        return Ok(None);
    }
    append(conn, change.ticket_id, &change.event)
        .await
        .map(Some)
}

async fn ticket_assets(conn: &mut DbConn, ticket: TicketId) -> StoreResult<Vec<Asset>> {
    let rows = sqlx::query(concat!(
        "select ",
        asset_columns!(),
        " from ticket_assets ta join assets a on a.id = ta.asset_id \
         where ta.ticket_id = $1 order by a.tag, a.id"
    ))
    .bind(ticket.get())
    .fetch_all(&mut *conn)
    .await
    .map_err(error::plain)?;
    rows.iter().map(asset_from_row).collect()
}

// --- ratings ----------------------------------------------------------------------------

fn rating_from_row(row: &DbRow) -> StoreResult<Rating> {
    Ok(Rating {
        id: get(row, "id")?,
        ticket_id: TicketId(get(row, "ticket_id")?),
        resolved_at: get_time(row, "resolved_at")?,
        requester_id: UserId(get(row, "requester_id")?),
        score: get(row, "score")?,
        comment: get(row, "comment")?,
        group_id: get::<Option<i64>>(row, "group_id")?.map(GroupId),
        agent_id: get::<Option<i64>>(row, "agent_id")?.map(UserId),
        created_at: get_time(row, "created_at")?,
    })
}

async fn create_rating(conn: &mut DbConn, new: &NewRating) -> StoreResult<Rating> {
    let now = new.event.created_at;
    let id: Option<i64> = sqlx::query_scalar(
        "insert into ticket_ratings (ticket_id, resolved_at, requester_id, score, comment, \
         group_id, agent_id, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $8) \
         on conflict do nothing returning id",
    )
    .bind(new.ticket_id.get())
    .bind(micros(new.resolved_at))
    .bind(new.requester_id.get())
    .bind(new.score)
    .bind(&new.comment)
    .bind(new.group_id.map(GroupId::get))
    .bind(new.agent_id.map(UserId::get))
    .bind(micros(now))
    .fetch_optional(&mut *conn)
    .await
    .map_err(error::plain)?;
    let Some(id) = id else {
        return Err(StoreError::conflict(
            Conflict::State,
            "this resolution of the ticket was already rated",
        ));
    };
    append(conn, new.ticket_id, &new.event).await?;
    Ok(Rating {
        id,
        ticket_id: new.ticket_id,
        resolved_at: new.resolved_at,
        requester_id: new.requester_id,
        score: new.score,
        comment: new.comment.clone(),
        group_id: new.group_id,
        agent_id: new.agent_id,
        created_at: now,
    })
}

async fn find_rating(
    conn: &mut DbConn,
    ticket: TicketId,
    resolved_at: Timestamp,
) -> StoreResult<Option<Rating>> {
    let row = sqlx::query(
        "select id, ticket_id, resolved_at, requester_id, score, comment, group_id, agent_id, \
         created_at from ticket_ratings where ticket_id = $1 and resolved_at = $2",
    )
    .bind(ticket.get())
    .bind(micros(resolved_at))
    .fetch_optional(&mut *conn)
    .await
    .map_err(error::plain)?;
    row.as_ref().map(rating_from_row).transpose()
}

async fn rating_summary(
    conn: &mut DbConn,
    from: Timestamp,
    to: Timestamp,
    grouping: RatingGrouping,
) -> StoreResult<Vec<RatingSummary>> {
    macro_rules! summary {
        ($key:literal) => {
            concat!(
                "select ",
                $key,
                " as group_key, count(*) as ratings, \
                 avg(cast(score as double precision)) as average from ticket_ratings \
                 where created_at >= $1 and created_at < $2 group by ",
                $key,
                " order by ",
                $key
            )
        };
    }
    let sql = match grouping {
        RatingGrouping::Desk => {
            "select cast(null as bigint) as group_key, count(*) as ratings, \
             avg(cast(score as double precision)) as average from ticket_ratings \
             where created_at >= $1 and created_at < $2"
        }
        RatingGrouping::Group => summary!("group_id"),
        RatingGrouping::Agent => summary!("agent_id"),
    };
    let rows = sqlx::query(sql)
        .bind(micros(from))
        .bind(micros(to))
        .fetch_all(&mut *conn)
        .await
        .map_err(error::plain)?;
    let mut summary = Vec::with_capacity(rows.len());
    for row in &rows {
        let count: i64 = get(row, "ratings")?;
        if count == 0 {
            continue;
        }
        summary.push(RatingSummary {
            key: get(row, "group_key")?,
            count,
            average: get::<Option<f64>>(row, "average")?.unwrap_or(0.0),
        });
    }
    Ok(summary)
}

// --- saved filters ----------------------------------------------------------------------

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
    let rows = sqlx::query(
        "select id, user_id, name, query, created_at from saved_filters where user_id = $1 \
         order by name, id",
    )
    .bind(user.get())
    .fetch_all(&mut *conn)
    .await
    .map_err(error::plain)?;
    rows.iter()
        .map(|row| {
            Ok(SavedFilter {
                id: get(row, "id")?,
                user_id: UserId(get(row, "user_id")?),
                name: get(row, "name")?,
                query: get(row, "query")?,
                created_at: get_time(row, "created_at")?,
            })
        })
        .collect()
}

async fn delete_saved_filter(conn: &mut DbConn, (user, id): &(UserId, i64)) -> StoreResult<()> {
    let done = sqlx::query("delete from saved_filters where id = $1 and user_id = $2")
        .bind(id)
        .bind(user.get())
        .execute(&mut *conn)
        .await
        .map_err(error::plain)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::not_found(format!("saved filter {id}")));
    }
    Ok(())
}

// --- categories -------------------------------------------------------------------------

async fn rename_category(
    conn: &mut DbConn,
    (id, name, now): &(CategoryId, String, Timestamp),
) -> StoreResult<Category> {
    let done = sqlx::query("update categories set name = $2, updated_at = $3 where id = $1")
        .bind(id.get())
        .bind(name)
        .bind(micros(*now))
        .execute(&mut *conn)
        .await
        .map_err(error::plain)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::not_found(format!("category {id}")));
    }
    crate::sql::people::get_category(conn, *id).await
}

async fn delete_category(conn: &mut DbConn, id: &CategoryId) -> StoreResult<()> {
    crate::sql::people::get_category(conn, *id).await?;
    let child: Option<i64> =
        sqlx::query_scalar("select id from categories where parent_id = $1 limit 1")
            .bind(id.get())
            .fetch_optional(&mut *conn)
            .await
            .map_err(error::plain)?;
    if child.is_some() {
        return Err(StoreError::conflict(
            Conflict::State,
            "the category has subcategories; delete or move them first",
        ));
    }
    // `tickets_category` makes this one index probe.
    let ticket: Option<i64> =
        sqlx::query_scalar("select id from tickets where category_id = $1 limit 1")
            .bind(id.get())
            .fetch_optional(&mut *conn)
            .await
            .map_err(error::plain)?;
    if let Some(ticket) = ticket {
        return Err(StoreError::conflict(
            Conflict::State,
            format!(
                "the category is used by tickets (for example {})",
                TicketId(ticket).display_number()
            ),
        ));
    }
    sqlx::query("delete from categories where id = $1")
        .bind(id.get())
        .execute(&mut *conn)
        .await
        .map_err(error::plain)?;
    Ok(())
}

// --- secrets ----------------------------------------------------------------------------

async fn desk_secret(
    conn: &mut DbConn,
    (name, candidate, now): &(String, String, Timestamp),
) -> StoreResult<String> {
    sqlx::query(
        "insert into desk_secrets (name, value, created_at, updated_at) values ($1, $2, $3, $3) \
         on conflict do nothing",
    )
    .bind(name)
    .bind(candidate)
    .bind(micros(*now))
    .execute(&mut *conn)
    .await
    .map_err(error::plain)?;
    sqlx::query_scalar("select value from desk_secrets where name = $1")
        .bind(name)
        .fetch_one(&mut *conn)
        .await
        .map_err(error::plain)
}

#[async_trait]
impl DeskStore for Backend {
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

    async fn add_watcher(&self, change: WatcherChange) -> StoreResult<Option<Event>> {
        self.write(change, |c, change| Box::pin(add_watcher(c, change)))
            .await
    }

    async fn remove_watcher(&self, change: WatcherChange) -> StoreResult<Option<Event>> {
        self.write(change, |c, change| Box::pin(remove_watcher(c, change)))
            .await
    }

    async fn list_watchers(&self, ticket_id: TicketId) -> StoreResult<Vec<Watcher>> {
        list_watchers(&mut *self.reader().await?, ticket_id).await
    }

    async fn create_asset(&self, fields: AssetFields, now: Timestamp) -> StoreResult<Asset> {
        self.write((fields, now), |c, input| Box::pin(create_asset(c, input)))
            .await
    }

    async fn get_asset(&self, id: AssetId) -> StoreResult<Asset> {
        get_asset(&mut *self.reader().await?, id).await
    }

    async fn update_asset(
        &self,
        id: AssetId,
        fields: AssetFields,
        now: Timestamp,
    ) -> StoreResult<Asset> {
        self.write((id, fields, now), |c, input| {
            Box::pin(update_asset(c, input))
        })
        .await
    }

    async fn list_assets(
        &self,
        filter: &AssetFilter,
        page: &PageRequest,
    ) -> StoreResult<Page<Asset>> {
        list_assets(&mut *self.reader().await?, filter, page).await
    }

    async fn link_asset(&self, change: AssetLinkChange) -> StoreResult<Option<Event>> {
        self.write(change, |c, change| Box::pin(link_asset(c, change)))
            .await
    }

    async fn unlink_asset(&self, change: AssetLinkChange) -> StoreResult<Option<Event>> {
        self.write(change, |c, change| Box::pin(unlink_asset(c, change)))
            .await
    }

    async fn ticket_assets(&self, ticket_id: TicketId) -> StoreResult<Vec<Asset>> {
        ticket_assets(&mut *self.reader().await?, ticket_id).await
    }

    async fn create_rating(&self, rating: NewRating) -> StoreResult<Rating> {
        self.write(rating, |c, rating| Box::pin(create_rating(c, rating)))
            .await
    }

    async fn find_rating(
        &self,
        ticket_id: TicketId,
        resolved_at: Timestamp,
    ) -> StoreResult<Option<Rating>> {
        find_rating(&mut *self.reader().await?, ticket_id, resolved_at).await
    }

    async fn rating_summary(
        &self,
        from: Timestamp,
        to: Timestamp,
        grouping: RatingGrouping,
    ) -> StoreResult<Vec<RatingSummary>> {
        rating_summary(&mut *self.reader().await?, from, to, grouping).await
    }

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

    async fn rename_category(
        &self,
        id: CategoryId,
        name: String,
        now: Timestamp,
    ) -> StoreResult<Category> {
        self.write((id, name, now), |c, input| {
            Box::pin(rename_category(c, input))
        })
        .await
    }

    async fn delete_category(&self, id: CategoryId) -> StoreResult<()> {
        self.write(id, |c, id| Box::pin(delete_category(c, id)))
            .await
    }

    async fn desk_secret(
        &self,
        name: &str,
        candidate: String,
        now: Timestamp,
    ) -> StoreResult<String> {
        self.write((name.to_owned(), candidate, now), |c, input| {
            Box::pin(desk_secret(c, input))
        })
        .await
    }
}
