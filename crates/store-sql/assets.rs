//! The asset inventory and assets' links to tickets; [`AssetStore`] for the backend.
//! Linking and unlinking append their event in the same transaction, as watchers do.

use crate::sql::convert::{damaged, get, get_time, micros, page_by_id, stored};
use crate::sql::error;
use crate::sql::fetch;
use crate::sql::tickets::append;
use crate::{Backend, DbConn, DbRow};
use async_trait::async_trait;
use ferrodesk_domain::{Asset, AssetId, AssetType, Event, TicketId, UserId};
use ferrodesk_store::{
    AssetFields, AssetFilter, AssetLinkChange, AssetStore, Conflict, MAX_PAGE_SIZE, Page,
    PageRequest, StoreError, StoreResult,
};
use jiff::Timestamp;
use jiff::civil::Date;

macro_rules! asset_columns {
    () => {
        "a.id, a.tag, a.serial, a.asset_type, a.manufacturer, a.model, a.location, \
         a.assigned_to, a.purchase_date, a.warranty_end, a.contract, a.created_at, a.updated_at"
    };
}

pub(crate) fn date(row: &DbRow, name: &str) -> StoreResult<Option<Date>> {
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
    let query = sqlx::query(concat!(
        "select ",
        asset_columns!(),
        " from assets a where a.updated_at > $1 or (a.updated_at = $1 and a.id > $2) \
         order by a.updated_at, a.id limit $3"
    ))
    .bind(time)
    .bind(id)
    .bind(limit.clamp(1, 10_000));
    fetch::all(conn, query, asset_from_row).await
}

fn asset_conflict(error: StoreError, tag: &str) -> StoreError {
    match error {
        StoreError::Conflict { .. } => StoreError::conflict(
            Conflict::Unique("assets_tag_key"),
            format!("asset tag '{tag}' already in use"),
        ),
        StoreError::NotFound { .. } => StoreError::missing_reference("assigned person"),
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
        return Err(fetch::not_found("asset", id));
    }
    get_asset(conn, *id).await
}

async fn get_asset(conn: &mut DbConn, id: AssetId) -> StoreResult<Asset> {
    let query = sqlx::query(concat!(
        "select ",
        asset_columns!(),
        " from assets a where a.id = $1"
    ))
    .bind(id.get());
    fetch::one(conn, query, asset_from_row, "asset", id).await
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
            StoreError::missing_reference(format!("ticket {}", change.ticket_id))
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
    let query = sqlx::query("delete from ticket_assets where ticket_id = $1 and asset_id = $2")
        .bind(change.ticket_id.get())
        .bind(change.asset_id.get());
    if fetch::execute(conn, query).await? == 0 {
        return Ok(None);
    }
    append(conn, change.ticket_id, &change.event)
        .await
        .map(Some)
}

async fn ticket_assets(conn: &mut DbConn, ticket: TicketId) -> StoreResult<Vec<Asset>> {
    let query = sqlx::query(concat!(
        "select ",
        asset_columns!(),
        " from ticket_assets ta join assets a on a.id = ta.asset_id \
         where ta.ticket_id = $1 order by a.tag, a.id"
    ))
    .bind(ticket.get());
    fetch::all(conn, query, asset_from_row).await
}

async fn delete_asset(conn: &mut DbConn, id: &AssetId) -> StoreResult<()> {
    let query = sqlx::query("delete from ticket_assets where asset_id = $1").bind(id.get());
    fetch::execute(conn, query).await?;
    let deleted = sqlx::query("delete from assets where id = $1")
        .bind(id.get())
        .execute(&mut *conn)
        .await
        .map_err(error::plain)?
        .rows_affected();
    if deleted == 0 {
        return Err(fetch::not_found("asset", id));
    }
    Ok(())
}

#[async_trait]
impl AssetStore for Backend {
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

    async fn delete_asset(&self, id: AssetId) -> StoreResult<()> {
        self.write(id, |c, id| Box::pin(delete_asset(c, id))).await
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

    async fn assets_changed_after(
        &self,
        after: Option<(Timestamp, AssetId)>,
        limit: i64,
    ) -> StoreResult<Vec<Asset>> {
        assets_changed_after(&mut *self.reader().await?, after, limit).await
    }
}
