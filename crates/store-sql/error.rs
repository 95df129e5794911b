//! Turns driver errors into [`StoreError`]: named unique constraints become `Conflict`
//! with a sentence a person understands, foreign keys become `NotFound` naming the
//! missing row, everything else is `Unavailable`.
//!
//! PostgreSQL names the violated constraint (and the key in its detail); SQLite names
//! only the columns of a unique constraint and nothing for a foreign key. So a write
//! lists the rows it refers to as [`Ref`]s, and on a foreign-key failure without a
//! constraint name (SQLite, where the transaction is still usable) each is looked up to
//! find the missing one.

use crate::DbConn;
use ferrodesk_store::{Conflict, StoreError};
use sqlx::error::ErrorKind;

/// Unique constraints: name, SQLite's description of it, and what to tell the user.
const UNIQUE: &[(&str, &str, &str)] = &[
    (
        "custom_fields_key_unique",
        "custom_fields.field_key",
        "a custom field with this key already exists",
    ),
    ("users_email_key", "users.email", "email already in use"),
    (
        "organizations_name_key",
        "organizations.name",
        "organization name already in use",
    ),
    (
        "groups_name_key",
        "groups.name",
        "group name already in use",
    ),
    (
        "categories_parent_name_key",
        "index 'categories_parent_name_key'",
        "a category with this name already exists under the same parent",
    ),
    (
        "services_name_key",
        "services.name",
        "service name already in use",
    ),
    (
        "api_tokens_token_hash_key",
        "api_tokens.token_hash",
        "token already exists",
    ),
    (
        "sessions_pkey",
        "sessions.session_hash",
        "session already exists",
    ),
    (
        "user_groups_pkey",
        "user_groups.user_id, user_groups.group_id",
        "person is already in the group",
    ),
    (
        "ticket_links_pkey",
        "ticket_links.source_id, ticket_links.target_id, ticket_links.kind",
        "the tickets are already linked that way",
    ),
    (
        "idempotency_keys_pkey",
        "idempotency_keys.actor_id, idempotency_keys.idempotency_key",
        "idempotency key is being used by another request",
    ),
    ("tickets_pkey", "tickets.id", "ticket number already taken"),
    (
        "vendors_name_key",
        "vendors.name",
        "vendor name already in use",
    ),
    (
        "vendor_cases_reference_key",
        "vendor_cases.reference",
        "a case with this reference already exists",
    ),
];

/// Foreign keys: name, the referenced table, and how to name a missing row.
const FOREIGN: &[(&str, &str, &str)] = &[
    ("kb_articles_category_id_fkey", "categories", "category"),
    ("kb_articles_author_id_fkey", "users", "user"),
    ("kb_article_versions_actor_id_fkey", "users", "user"),
    ("kb_votes_article_id_fkey", "kb_articles", "article"),
    ("kb_votes_user_id_fkey", "users", "user"),
    ("kb_deflections_user_id_fkey", "users", "user"),
    ("kb_deflections_article_id_fkey", "kb_articles", "article"),
    ("groups_escalates_to_fkey", "groups", "group"),
    ("macros_owner_id_fkey", "users", "user"),
    ("queue_columns_user_id_fkey", "users", "user"),
    (
        "ticket_custom_values_field_id_fkey",
        "custom_fields",
        "custom field",
    ),
    ("ticket_custom_values_ticket_id_fkey", "tickets", "ticket"),
    (
        "users_organization_id_fkey",
        "organizations",
        "organization",
    ),
    ("user_groups_user_id_fkey", "users", "user"),
    ("user_groups_group_id_fkey", "groups", "group"),
    ("categories_parent_id_fkey", "categories", "category"),
    ("services_owner_group_id_fkey", "groups", "group"),
    ("api_tokens_user_id_fkey", "users", "user"),
    ("sessions_user_id_fkey", "users", "user"),
    ("tickets_category_id_fkey", "categories", "category"),
    ("tickets_service_id_fkey", "services", "service"),
    ("tickets_requester_id_fkey", "users", "user"),
    (
        "tickets_organization_id_fkey",
        "organizations",
        "organization",
    ),
    ("tickets_group_id_fkey", "groups", "group"),
    ("tickets_owner_id_fkey", "users", "user"),
    ("tickets_assignee_id_fkey", "users", "user"),
    ("tickets_merged_into_fkey", "tickets", "ticket"),
    ("ticket_events_ticket_id_fkey", "tickets", "ticket"),
    ("ticket_events_actor_id_fkey", "users", "user"),
    ("ticket_links_source_id_fkey", "tickets", "ticket"),
    ("ticket_links_target_id_fkey", "tickets", "ticket"),
    ("ticket_links_actor_id_fkey", "users", "user"),
    ("vendor_cases_ticket_id_fkey", "tickets", "ticket"),
    ("vendor_cases_vendor_id_fkey", "vendors", "vendor"),
    ("ticket_presence_ticket_id_fkey", "tickets", "ticket"),
    ("ticket_presence_user_id_fkey", "users", "user"),
];

/// A row a write refers to through a foreign key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Ref {
    /// The foreign key's constraint name.
    pub(crate) constraint: &'static str,
    /// The referenced id.
    pub(crate) id: i64,
}

impl Ref {
    /// A reference through `constraint` to `id`.
    pub(crate) fn new(constraint: &'static str, id: i64) -> Ref {
        Ref { constraint, id }
    }

    /// A reference when the id is set.
    pub(crate) fn opt(constraint: &'static str, id: Option<i64>) -> Option<Ref> {
        id.map(|id| Ref::new(constraint, id))
    }
}

/// The storage-unavailable error for any driver failure.
pub(crate) fn unavailable(
    error: impl Into<Box<dyn std::error::Error + Send + Sync>>,
) -> StoreError {
    StoreError::Unavailable(error.into())
}

fn foreign(constraint: &str) -> Option<(&'static str, &'static str)> {
    FOREIGN
        .iter()
        .find(|(name, _, _)| *name == constraint)
        .map(|(_, table, label)| (*table, *label))
}

/// Maps a driver error without foreign-key diagnosis (for statements that reference
/// nothing, or reads).
pub(crate) fn plain(error: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(db) = &error {
        match db.kind() {
            ErrorKind::UniqueViolation => {
                let (name, what) = unique_what(db.as_ref());
                // Two requests with one key at once: the second is refused like a reuse.
                let kind = if name == "idempotency_keys_pkey" {
                    Conflict::IdempotencyKeyReused
                } else {
                    Conflict::Unique(name)
                };
                return StoreError::conflict(kind, what);
            }
            ErrorKind::ForeignKeyViolation => {
                if let Some((_, label)) = db.constraint().and_then(foreign) {
                    return StoreError::missing_reference(label);
                }
                return StoreError::missing_reference("a referenced row");
            }
            _ => {}
        }
        // PostgreSQL: serialization failure and deadlock; the caller may retry.
        if matches!(db.code().as_deref(), Some("40001") | Some("40P01")) {
            return StoreError::conflict(
                Conflict::Stale,
                "a concurrent change got in the way; try again",
            );
        }
    }
    unavailable(error)
}

/// The unique constraint that fired, by its PostgreSQL name (SQLite names only its
/// columns), and what to tell the user. A constraint not in [`UNIQUE`] is `unique`.
fn unique_what(db: &dyn sqlx::error::DatabaseError) -> (&'static str, String) {
    let known = match db.constraint() {
        Some(name) => UNIQUE.iter().find(|(n, _, _)| *n == name),
        None => {
            let described = db
                .message()
                .strip_prefix("UNIQUE constraint failed: ")
                .unwrap_or(db.message());
            UNIQUE.iter().find(|(_, sqlite, _)| *sqlite == described)
        }
    };
    match known {
        Some((name, _, what)) => (name, (*what).to_owned()),
        None => {
            let name = db.constraint().unwrap_or(db.message());
            ("unique", format!("{name} already exists"))
        }
    }
}

/// Maps a driver error from a write that referred to `refs`. A foreign-key failure
/// becomes `NotFound` ([`Missing::Referenced`](ferrodesk_store::Missing)) naming the
/// missing row ("group 7").
pub(crate) async fn write(conn: &mut DbConn, error: sqlx::Error, refs: &[Ref]) -> StoreError {
    let sqlx::Error::Database(db) = &error else {
        return plain(error);
    };
    if db.kind() != ErrorKind::ForeignKeyViolation {
        return plain(error);
    }
    if let Some(constraint) = db.constraint() {
        // PostgreSQL: the constraint is named and the detail reads
        // `Key (group_id)=(7) is not present in table "groups".`
        let label = foreign(constraint).map_or("row", |(_, label)| label);
        let key = detail_key(&error);
        let id = key.or_else(|| {
            refs.iter()
                .find(|r| r.constraint == constraint)
                .map(|r| r.id)
        });
        return match id {
            Some(id) => StoreError::missing_reference(format!("{label} {id}")),
            None => StoreError::missing_reference(label),
        };
    }
    // SQLite: find the missing row; the transaction is still usable here.
    for r in refs {
        let Some((table, label)) = foreign(r.constraint) else {
            continue;
        };
        match exists(conn, table, r.id).await {
            Ok(true) => {}
            Ok(false) => return StoreError::missing_reference(format!("{label} {}", r.id)),
            Err(e) => return unavailable(e),
        }
    }
    StoreError::missing_reference("a referenced row")
}

fn detail_key(error: &sqlx::Error) -> Option<i64> {
    let sqlx::Error::Database(db) = error else {
        return None;
    };
    // Only PostgreSQL has a detail; it is reached through the concrete error type.
    let detail = detail_of(db.as_ref())?;
    let start = detail.find(")=(")? + 3;
    let rest = &detail[start..];
    let end = rest.find(')')?;
    rest[..end].parse().ok()
}

fn detail_of(db: &dyn sqlx::error::DatabaseError) -> Option<String> {
    crate::dialect::error_detail(db)
}

async fn exists(conn: &mut DbConn, table: &str, id: i64) -> Result<bool, sqlx::Error> {
    let sql = match table {
        "users" => "select count(*) from users where id = $1",
        "groups" => "select count(*) from groups where id = $1",
        "organizations" => "select count(*) from organizations where id = $1",
        "categories" => "select count(*) from categories where id = $1",
        "services" => "select count(*) from services where id = $1",
        "tickets" => "select count(*) from tickets where id = $1",
        "vendors" => "select count(*) from vendors where id = $1",
        _ => return Ok(true),
    };
    let count: i64 = sqlx::query_scalar(sql)
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
    Ok(count > 0)
}
