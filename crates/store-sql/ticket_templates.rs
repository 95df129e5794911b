//! Ticket templates; [`TicketTemplateStore`] for the backend. Custom values are
//! stored as a JSON object.

use crate::sql::convert::{from_json, get, get_time, json, micros, stored, timestamp};
use crate::sql::error;
use crate::sql::fetch;
use crate::{Backend, DbConn, DbRow};
use async_trait::async_trait;
use ferrodesk_domain::{
    CategoryId, Priority, TemplateAudience, TemplateSpec, TicketTemplate, TicketTemplateId,
    TicketType,
};
use ferrodesk_store::{MAX_TICKET_TEMPLATES, StoreResult, TicketTemplateStore};
use jiff::Timestamp;

macro_rules! template_select {
    () => {
        "select id, name, description, subject, body, category_id, ticket_type, priority, \
         custom_values, audience, active, position, created_at, updated_at \
         from ticket_templates "
    };
}

fn template_from_row(row: &DbRow) -> StoreResult<TicketTemplate> {
    let ticket_type: Option<String> = get(row, "ticket_type")?;
    let priority: Option<String> = get(row, "priority")?;
    Ok(TicketTemplate {
        id: TicketTemplateId(get(row, "id")?),
        spec: TemplateSpec {
            name: get(row, "name")?,
            description: get(row, "description")?,
            subject: get(row, "subject")?,
            body: get(row, "body")?,
            category_id: get::<Option<i64>>(row, "category_id")?.map(CategoryId),
            ticket_type: ticket_type
                .map(|t| stored(TicketType::parse(&t)))
                .transpose()?,
            priority: priority.map(|p| stored(Priority::parse(&p))).transpose()?,
            custom_values: from_json(&get::<String>(row, "custom_values")?)?,
            audience: stored(TemplateAudience::parse(&get::<String>(row, "audience")?))?,
            active: get(row, "active")?,
            position: get(row, "position")?,
        },
        created_at: get_time(row, "created_at")?,
        updated_at: get_time(row, "updated_at")?,
    })
}

async fn create_template(
    conn: &mut DbConn,
    (spec, now): &(TemplateSpec, Timestamp),
) -> StoreResult<TicketTemplate> {
    let query = sqlx::query_scalar(
        "insert into ticket_templates (name, description, subject, body, category_id, \
         ticket_type, priority, custom_values, audience, active, position, created_at, \
         updated_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) \
         returning id",
    )
    .bind(&spec.name)
    .bind(&spec.description)
    .bind(&spec.subject)
    .bind(&spec.body)
    .bind(spec.category_id.map(CategoryId::get))
    .bind(spec.ticket_type.map(TicketType::as_str))
    .bind(spec.priority.map(Priority::as_str))
    .bind(json(&spec.custom_values)?)
    .bind(spec.audience.as_str())
    .bind(spec.active)
    .bind(spec.position)
    .bind(micros(*now));
    let id = fetch::insert(conn, query, &[]).await?;
    Ok(TicketTemplate {
        id: TicketTemplateId(id),
        spec: spec.clone(),
        created_at: *now,
        updated_at: *now,
    })
}

async fn save_template(
    conn: &mut DbConn,
    (id, spec, now): &(TicketTemplateId, TemplateSpec, Timestamp),
) -> StoreResult<TicketTemplate> {
    let created: Option<i64> = sqlx::query_scalar(
        "update ticket_templates set name = $2, description = $3, subject = $4, body = $5, \
         category_id = $6, ticket_type = $7, priority = $8, custom_values = $9, \
         audience = $10, active = $11, position = $12, updated_at = $13 where id = $1 \
         returning created_at",
    )
    .bind(id.get())
    .bind(&spec.name)
    .bind(&spec.description)
    .bind(&spec.subject)
    .bind(&spec.body)
    .bind(spec.category_id.map(CategoryId::get))
    .bind(spec.ticket_type.map(TicketType::as_str))
    .bind(spec.priority.map(Priority::as_str))
    .bind(json(&spec.custom_values)?)
    .bind(spec.audience.as_str())
    .bind(spec.active)
    .bind(spec.position)
    .bind(micros(*now))
    .fetch_optional(&mut *conn)
    .await
    .map_err(error::plain)?;
    let created = created.ok_or_else(|| fetch::not_found("ticket template", id))?;
    Ok(TicketTemplate {
        id: *id,
        spec: spec.clone(),
        created_at: timestamp(created)?,
        updated_at: *now,
    })
}

async fn delete_template(conn: &mut DbConn, id: &TicketTemplateId) -> StoreResult<()> {
    let query = sqlx::query("delete from ticket_templates where id = $1").bind(id.get());
    if fetch::execute(conn, query).await? == 0 {
        return Err(fetch::not_found("ticket template", id));
    }
    Ok(())
}

async fn list_templates(conn: &mut DbConn) -> StoreResult<Vec<TicketTemplate>> {
    let query = sqlx::query(concat!(
        template_select!(),
        "order by position, id limit $1"
    ))
    .bind(MAX_TICKET_TEMPLATES);
    fetch::all(conn, query, template_from_row).await
}

async fn get_template(conn: &mut DbConn, id: TicketTemplateId) -> StoreResult<TicketTemplate> {
    let query = sqlx::query(concat!(template_select!(), "where id = $1")).bind(id.get());
    fetch::one(conn, query, template_from_row, "ticket template", id).await
}

#[async_trait]
impl TicketTemplateStore for Backend {
    async fn create_ticket_template(
        &self,
        spec: TemplateSpec,
        now: Timestamp,
    ) -> StoreResult<TicketTemplate> {
        self.write((spec, now), |c, input| Box::pin(create_template(c, input)))
            .await
    }

    async fn save_ticket_template(
        &self,
        id: TicketTemplateId,
        spec: TemplateSpec,
        now: Timestamp,
    ) -> StoreResult<TicketTemplate> {
        self.write((id, spec, now), |c, input| {
            Box::pin(save_template(c, input))
        })
        .await
    }

    async fn delete_ticket_template(&self, id: TicketTemplateId) -> StoreResult<()> {
        self.write(id, |c, input| Box::pin(delete_template(c, input)))
            .await
    }

    async fn list_ticket_templates(&self) -> StoreResult<Vec<TicketTemplate>> {
        list_templates(&mut *self.reader().await?).await
    }

    async fn get_ticket_template(&self, id: TicketTemplateId) -> StoreResult<TicketTemplate> {
        get_template(&mut *self.reader().await?, id).await
    }
}
