//! Custom field definitions and tickets' values; [`CustomFieldStore`] for the backend.
//! Options, ticket types and categories are stored as JSON text. Values are written
//! with their ticket by [`write_values`], in the ticket's transaction.

use crate::sql::convert::{from_json, get, get_time, json, micros, stored, timestamp};
use crate::sql::error;
use crate::sql::fetch;
use crate::{Backend, DbConn, DbRow};
use async_trait::async_trait;
use ferrodesk_domain::{
    CategoryId, CustomField, CustomFieldId, CustomFieldSpec, FieldKind, GroupId, TicketId,
    TicketType,
};
use ferrodesk_store::{
    Conflict, CustomFieldStore, CustomValue, CustomValueCount, MAX_CUSTOM_FIELDS, StoreError,
    StoreResult,
};
use jiff::Timestamp;

fn field_from_row(row: &DbRow) -> StoreResult<CustomField> {
    Ok(CustomField {
        id: CustomFieldId(get(row, "id")?),
        spec: CustomFieldSpec {
            key: get(row, "field_key")?,
            label: get(row, "label")?,
            kind: stored(FieldKind::parse(&get::<String>(row, "kind")?))?,
            options: from_json(&get::<String>(row, "options")?)?,
            required: get(row, "required")?,
            customer_visible: get(row, "customer_visible")?,
            ticket_types: from_json::<Vec<TicketType>>(&get::<String>(row, "ticket_types")?)?,
            category_ids: from_json::<Vec<CategoryId>>(&get::<String>(row, "category_ids")?)?,
            position: get(row, "position")?,
            active: get(row, "active")?,
        },
        created_at: get_time(row, "created_at")?,
        updated_at: get_time(row, "updated_at")?,
    })
}

async fn create_field(
    conn: &mut DbConn,
    (spec, now): &(CustomFieldSpec, Timestamp),
) -> StoreResult<CustomField> {
    let query = sqlx::query_scalar(
        "insert into custom_fields (field_key, label, kind, options, required, \
         customer_visible, ticket_types, category_ids, position, active, created_at, \
         updated_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) returning id",
    )
    .bind(&spec.key)
    .bind(&spec.label)
    .bind(spec.kind.as_str())
    .bind(json(&spec.options)?)
    .bind(spec.required)
    .bind(spec.customer_visible)
    .bind(json(&spec.ticket_types)?)
    .bind(json(&spec.category_ids)?)
    .bind(spec.position)
    .bind(spec.active)
    .bind(micros(*now));
    let id = fetch::insert(conn, query, &[]).await?;
    Ok(CustomField {
        id: CustomFieldId(id),
        spec: spec.clone(),
        created_at: *now,
        updated_at: *now,
    })
}

async fn save_field(
    conn: &mut DbConn,
    (id, spec, now): &(CustomFieldId, CustomFieldSpec, Timestamp),
) -> StoreResult<CustomField> {
    let created: Option<i64> = sqlx::query_scalar(
        "update custom_fields set field_key = $2, label = $3, kind = $4, options = $5, \
         required = $6, customer_visible = $7, ticket_types = $8, category_ids = $9, \
         position = $10, active = $11, updated_at = $12 where id = $1 returning created_at",
    )
    .bind(id.get())
    .bind(&spec.key)
    .bind(&spec.label)
    .bind(spec.kind.as_str())
    .bind(json(&spec.options)?)
    .bind(spec.required)
    .bind(spec.customer_visible)
    .bind(json(&spec.ticket_types)?)
    .bind(json(&spec.category_ids)?)
    .bind(spec.position)
    .bind(spec.active)
    .bind(micros(*now))
    .fetch_optional(&mut *conn)
    .await
    .map_err(error::plain)?;
    let created = created.ok_or_else(|| fetch::not_found("custom field", id))?;
    Ok(CustomField {
        id: *id,
        spec: spec.clone(),
        created_at: timestamp(created)?,
        updated_at: *now,
    })
}

async fn is_used(conn: &mut DbConn, id: CustomFieldId) -> StoreResult<bool> {
    let used: Option<i64> = sqlx::query_scalar(
        "select ticket_id from ticket_custom_values where field_id = $1 limit 1",
    )
    .bind(id.get())
    .fetch_optional(&mut *conn)
    .await
    .map_err(error::plain)?;
    Ok(used.is_some())
}

async fn delete_field(conn: &mut DbConn, id: &CustomFieldId) -> StoreResult<()> {
    if is_used(conn, *id).await? {
        return Err(StoreError::conflict(
            Conflict::State,
            "tickets have values of this field",
        ));
    }
    let query = sqlx::query("delete from custom_fields where id = $1").bind(id.get());
    if fetch::execute(conn, query).await? == 0 {
        return Err(fetch::not_found("custom field", id));
    }
    Ok(())
}

pub(crate) async fn list_fields(conn: &mut DbConn) -> StoreResult<Vec<CustomField>> {
    let query = sqlx::query(
        "select id, field_key, label, kind, options, required, customer_visible, \
         ticket_types, category_ids, position, active, created_at, updated_at \
         from custom_fields order by position, id limit $1",
    )
    .bind(MAX_CUSTOM_FIELDS);
    fetch::all(conn, query, field_from_row).await
}

async fn count_values(
    conn: &mut DbConn,
    field_id: CustomFieldId,
    from: Timestamp,
    to: Timestamp,
) -> StoreResult<Vec<CustomValueCount>> {
    let query = sqlx::query(
        "select v.value, t.group_id, count(*) as tickets from ticket_custom_values v \
         join tickets t on t.id = v.ticket_id \
         where v.field_id = $1 and t.created_at >= $2 and t.created_at < $3 \
         group by v.value, t.group_id order by v.value, t.group_id",
    )
    .bind(field_id.get())
    .bind(micros(from))
    .bind(micros(to));
    fetch::all(conn, query, |row| {
        Ok(CustomValueCount {
            value: get(row, "value")?,
            group_id: get::<Option<i64>>(row, "group_id")?.map(GroupId),
            tickets: get(row, "tickets")?,
        })
    })
    .await
}

async fn values(
    conn: &mut DbConn,
    ticket_ids: &[TicketId],
) -> StoreResult<Vec<(TicketId, CustomFieldId, String)>> {
    let ids: Vec<i64> = ticket_ids.iter().map(|id| id.get()).collect();
    fetch::by_ids(
        conn,
        "select ticket_id, field_id, value from ticket_custom_values where ticket_id in (",
        &ids,
        ") order by ticket_id, field_id",
        |row| {
            Ok((
                TicketId(get(row, "ticket_id")?),
                CustomFieldId(get(row, "field_id")?),
                get(row, "value")?,
            ))
        },
    )
    .await
}

/// Writes a ticket's custom values in the caller's transaction: a value replaces the
/// field's earlier one, `None` removes it.
///
/// # Errors
/// `NotFound` for an unknown field.
pub(crate) async fn write_values(
    conn: &mut DbConn,
    ticket_id: TicketId,
    values: &[CustomValue],
) -> StoreResult<()> {
    for value in values {
        let remove =
            sqlx::query("delete from ticket_custom_values where ticket_id = $1 and field_id = $2")
                .bind(ticket_id.get())
                .bind(value.field_id.get());
        fetch::execute(conn, remove).await?;
        let Some(text) = &value.value else {
            continue;
        };
        let insert = sqlx::query(
            "insert into ticket_custom_values (ticket_id, field_id, value) values ($1, $2, $3)",
        )
        .bind(ticket_id.get())
        .bind(value.field_id.get())
        .bind(text);
        let refs = [error::Ref::new(
            "ticket_custom_values_field_id_fkey",
            value.field_id.get(),
        )];
        fetch::write(conn, insert, &refs).await?;
    }
    Ok(())
}

#[async_trait]
impl CustomFieldStore for Backend {
    async fn create_custom_field(
        &self,
        spec: CustomFieldSpec,
        now: Timestamp,
    ) -> StoreResult<CustomField> {
        self.write((spec, now), |c, input| Box::pin(create_field(c, input)))
            .await
    }

    async fn save_custom_field(
        &self,
        id: CustomFieldId,
        spec: CustomFieldSpec,
        now: Timestamp,
    ) -> StoreResult<CustomField> {
        self.write((id, spec, now), |c, input| Box::pin(save_field(c, input)))
            .await
    }

    async fn delete_custom_field(&self, id: CustomFieldId) -> StoreResult<()> {
        self.write(id, |c, input| Box::pin(delete_field(c, input)))
            .await
    }

    async fn list_custom_fields(&self) -> StoreResult<Vec<CustomField>> {
        list_fields(&mut *self.reader().await?).await
    }

    async fn is_custom_field_used(&self, id: CustomFieldId) -> StoreResult<bool> {
        is_used(&mut *self.reader().await?, id).await
    }

    async fn count_custom_values(
        &self,
        field_id: CustomFieldId,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<CustomValueCount>> {
        count_values(&mut *self.reader().await?, field_id, from, to).await
    }

    async fn custom_values(
        &self,
        ticket_ids: &[TicketId],
    ) -> StoreResult<Vec<(TicketId, CustomFieldId, String)>> {
        values(&mut *self.reader().await?, ticket_ids).await
    }
}
