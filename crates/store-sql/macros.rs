//! Canned responses (macros); [`MacroStore`] for the backend. Actions and the groups a
//! shared macro is shared with are stored as JSON text.

use crate::sql::convert::{from_json, get, get_time, json, micros, timestamp};
use crate::sql::error::{self, Ref};
use crate::sql::fetch;
use crate::{Backend, DbConn, DbRow};
use async_trait::async_trait;
use ferrodesk_domain::{GroupId, Macro, MacroFields, MacroId, MacroScope, UserId};
use ferrodesk_store::{MAX_MACROS_LISTED, MacroStore, StoreResult};
use jiff::Timestamp;

fn macro_from_row(row: &DbRow) -> StoreResult<Macro> {
    let scope = match get::<Option<i64>>(row, "owner_id")? {
        Some(owner) => MacroScope::Personal {
            owner_id: UserId(owner),
        },
        None => MacroScope::Shared {
            group_ids: from_json::<Vec<GroupId>>(&get::<String>(row, "group_ids")?)?,
        },
    };
    Ok(Macro {
        id: MacroId(get(row, "id")?),
        fields: MacroFields {
            name: get(row, "name")?,
            body: get(row, "body")?,
            internal: get(row, "internal")?,
            actions: from_json(&get::<String>(row, "actions")?)?,
            scope,
        },
        created_at: get_time(row, "created_at")?,
        updated_at: get_time(row, "updated_at")?,
    })
}

/// The owner column and the groups column of a scope.
fn scope_columns(scope: &MacroScope) -> StoreResult<(Option<i64>, String)> {
    Ok(match scope {
        MacroScope::Personal { owner_id } => (Some(owner_id.get()), "[]".to_owned()),
        MacroScope::Shared { group_ids } => (None, json(group_ids)?),
    })
}

async fn create_macro(
    conn: &mut DbConn,
    (fields, now): &(MacroFields, Timestamp),
) -> StoreResult<Macro> {
    let (owner, groups) = scope_columns(&fields.scope)?;
    let query = sqlx::query_scalar(
        "insert into macros (owner_id, name, body, internal, actions, group_ids, created_at, \
         updated_at) values ($1, $2, $3, $4, $5, $6, $7, $7) returning id",
    )
    .bind(owner)
    .bind(&fields.name)
    .bind(&fields.body)
    .bind(fields.internal)
    .bind(json(&fields.actions)?)
    .bind(groups)
    .bind(micros(*now));
    let refs: Vec<Ref> = Ref::opt("macros_owner_id_fkey", owner)
        .into_iter()
        .collect();
    let id = fetch::insert(conn, query, &refs).await?;
    Ok(Macro {
        id: MacroId(id),
        fields: fields.clone(),
        created_at: *now,
        updated_at: *now,
    })
}

async fn get_macro(conn: &mut DbConn, id: MacroId) -> StoreResult<Macro> {
    let query = sqlx::query(
        "select id, owner_id, name, body, internal, actions, group_ids, created_at, \
         updated_at from macros where id = $1",
    )
    .bind(id.get());
    fetch::one(conn, query, macro_from_row, "macro", id).await
}

async fn save_macro(
    conn: &mut DbConn,
    (id, fields, now): &(MacroId, MacroFields, Timestamp),
) -> StoreResult<Macro> {
    let (owner, groups) = scope_columns(&fields.scope)?;
    let created: Option<i64> = sqlx::query_scalar(
        "update macros set owner_id = $2, name = $3, body = $4, internal = $5, actions = $6, \
         group_ids = $7, updated_at = $8 where id = $1 returning created_at",
    )
    .bind(id.get())
    .bind(owner)
    .bind(&fields.name)
    .bind(&fields.body)
    .bind(fields.internal)
    .bind(json(&fields.actions)?)
    .bind(groups)
    .bind(micros(*now))
    .fetch_optional(&mut *conn)
    .await
    .map_err(error::plain)?;
    let created = created.ok_or_else(|| fetch::not_found("macro", id))?;
    Ok(Macro {
        id: *id,
        fields: fields.clone(),
        created_at: timestamp(created)?,
        updated_at: *now,
    })
}

async fn delete_macro(conn: &mut DbConn, id: &MacroId) -> StoreResult<()> {
    let query = sqlx::query("delete from macros where id = $1").bind(id.get());
    if fetch::execute(conn, query).await? == 0 {
        return Err(fetch::not_found("macro", id));
    }
    Ok(())
}

async fn list_macros(conn: &mut DbConn, owner: UserId) -> StoreResult<Vec<Macro>> {
    // `macros_owner_name` serves both halves.
    let query = sqlx::query(
        "select id, owner_id, name, body, internal, actions, group_ids, created_at, \
         updated_at from macros where owner_id = $1 or owner_id is null \
         order by name, id limit $2",
    )
    .bind(owner.get())
    .bind(MAX_MACROS_LISTED);
    fetch::all(conn, query, macro_from_row).await
}

#[async_trait]
impl MacroStore for Backend {
    async fn create_macro(&self, fields: MacroFields, now: Timestamp) -> StoreResult<Macro> {
        self.write((fields, now), |c, input| Box::pin(create_macro(c, input)))
            .await
    }

    async fn get_macro(&self, id: MacroId) -> StoreResult<Macro> {
        get_macro(&mut *self.reader().await?, id).await
    }

    async fn save_macro(
        &self,
        id: MacroId,
        fields: MacroFields,
        now: Timestamp,
    ) -> StoreResult<Macro> {
        self.write((id, fields, now), |c, input| Box::pin(save_macro(c, input)))
            .await
    }

    async fn delete_macro(&self, id: MacroId) -> StoreResult<()> {
        self.write(id, |c, input| Box::pin(delete_macro(c, input)))
            .await
    }

    async fn list_macros(&self, owner: UserId) -> StoreResult<Vec<Macro>> {
        list_macros(&mut *self.reader().await?, owner).await
    }
}
