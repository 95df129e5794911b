//! People: users with their group memberships and password hashes; [`PeopleStore`]
//! for the backend.
//!
//! Changes are read-modify-write: the row is read (locked on PostgreSQL through
//! `for_update!()`), the patch applied in Rust, and the whole row written back.

use crate::sql::convert;
use crate::sql::convert::{get, get_time, group_ids, micros, page_by_id, stored};
use crate::sql::error::{self, Ref};
use crate::sql::fetch;
use crate::{Backend, DbConn, DbRow};
use async_trait::async_trait;
use ferrodesk_domain::{EmailAddress, GroupId, OrganizationId, Role, Tier, User, UserId};
use ferrodesk_store::{
    MAX_PAGE_SIZE, NewUser, Page, PageRequest, PeopleStore, StoreResult, UserFilter, UserPatch,
};
use jiff::Timestamp;

macro_rules! user_select {
    () => {
        concat!(
            "select u.id, u.email, u.name, u.role, u.organization_id, u.phone, u.location, ",
            "u.employee_id, u.locale, u.time_zone, u.tier, u.is_active, u.created_at, u.updated_at, ",
            "(select ",
            group_ids_agg!("ug.group_id"),
            " from user_groups ug where ug.user_id = u.id) as group_ids from users u"
        )
    };
}

pub(crate) fn tier(value: Option<i64>) -> StoreResult<Option<Tier>> {
    value.map(|t| stored(Tier::new(t))).transpose()
}

fn user_from_row(row: &DbRow) -> StoreResult<User> {
    let email: String = get(row, "email")?;
    let role: String = get(row, "role")?;
    Ok(User {
        id: UserId(get(row, "id")?),
        email: stored(EmailAddress::parse(&email))?,
        name: get(row, "name")?,
        role: stored(Role::parse(&role))?,
        organization_id: get::<Option<i64>>(row, "organization_id")?.map(OrganizationId),
        phone: get(row, "phone")?,
        location: get(row, "location")?,
        employee_id: get(row, "employee_id")?,
        locale: get(row, "locale")?,
        time_zone: get(row, "time_zone")?,
        tier: tier(get(row, "tier")?)?,
        group_ids: group_ids(get(row, "group_ids")?)?,
        is_active: get(row, "is_active")?,
        created_at: get_time(row, "created_at")?,
        updated_at: get_time(row, "updated_at")?,
    })
}

/// What the people search matches: name and email, lowercased the Unicode way.
fn search_text(name: &str, email: &EmailAddress) -> String {
    format!("{} {}", name, email.as_str()).to_lowercase()
}

fn sorted_groups(ids: &[GroupId]) -> Vec<GroupId> {
    let mut ids = ids.to_vec();
    ids.sort();
    ids.dedup();
    ids
}

async fn insert_memberships(
    conn: &mut DbConn,
    user: UserId,
    groups: &[GroupId],
    now: Timestamp,
) -> StoreResult<()> {
    for group in groups {
        let query = sqlx::query(
            "insert into user_groups (user_id, group_id, created_at, updated_at) values ($1, $2, $3, $3)",
        )
        .bind(user.get())
        .bind(group.get())
        .bind(micros(now));
        let refs = [
            Ref::new("user_groups_group_id_fkey", group.get()),
            Ref::new("user_groups_user_id_fkey", user.get()),
        ];
        fetch::write(conn, query, &refs).await?;
    }
    Ok(())
}

/// Creates a person with their groups.
pub(crate) async fn create_user(conn: &mut DbConn, new: &NewUser) -> StoreResult<User> {
    let inserted = sqlx::query(
        "insert into users (email, name, search_text, role, organization_id, phone, location, \
         employee_id, locale, time_zone, tier, is_active, password_hash, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, true, $12, $13, $13) returning id",
    )
    .bind(new.email.as_str())
    .bind(&new.name)
    .bind(search_text(&new.name, &new.email))
    .bind(new.role.as_str())
    .bind(new.organization_id.map(OrganizationId::get))
    .bind(&new.phone)
    .bind(&new.location)
    .bind(&new.employee_id)
    .bind(&new.locale)
    .bind(&new.time_zone)
    .bind(new.tier.map(Tier::get))
    .bind(&new.password_hash)
    .bind(micros(new.now))
    .fetch_one(&mut *conn)
    .await;
    let row = match inserted {
        Ok(row) => row,
        Err(e) => {
            let refs = Ref::opt(
                "users_organization_id_fkey",
                new.organization_id.map(OrganizationId::get),
            );
            return Err(error::write(conn, e, refs.as_slice()).await);
        }
    };
    let id = UserId(get(&row, "id")?);
    let groups = sorted_groups(&new.group_ids);
    insert_memberships(conn, id, &groups, new.now).await?;
    Ok(User {
        id,
        email: new.email.clone(),
        name: new.name.clone(),
        role: new.role,
        organization_id: new.organization_id,
        phone: new.phone.clone(),
        location: new.location.clone(),
        employee_id: new.employee_id.clone(),
        locale: new.locale.clone(),
        time_zone: new.time_zone.clone(),
        tier: new.tier,
        group_ids: groups,
        is_active: true,
        created_at: new.now,
        updated_at: new.now,
    })
}

/// Reads a person.
pub(crate) async fn get_user(conn: &mut DbConn, id: UserId) -> StoreResult<User> {
    let query = sqlx::query(concat!(user_select!(), " where u.id = $1")).bind(id.get());
    fetch::one(conn, query, user_from_row, "user", id).await
}

/// Reads the people of `ids` that exist, in id order.
pub(crate) async fn get_users(conn: &mut DbConn, ids: &[UserId]) -> StoreResult<Vec<User>> {
    let mut ids: Vec<i64> = ids.iter().map(|id| id.get()).collect();
    ids.sort_unstable();
    ids.dedup();
    fetch::by_ids(
        conn,
        concat!(user_select!(), " where u.id in ("),
        &ids,
        ") order by u.id",
        user_from_row,
    )
    .await
}

/// Finds a person by exact (normalized) email.
pub(crate) async fn find_user_by_email(
    conn: &mut DbConn,
    email: &EmailAddress,
) -> StoreResult<Option<User>> {
    let query = sqlx::query(concat!(user_select!(), " where u.email = $1")).bind(email.as_str());
    fetch::optional(conn, query, user_from_row).await
}

/// Applies a patch to a person.
pub(crate) async fn update_user(
    conn: &mut DbConn,
    id: UserId,
    patch: &UserPatch,
    now: Timestamp,
) -> StoreResult<User> {
    let locked = sqlx::query(concat!("select id from users where id = $1", for_update!()))
        .bind(id.get())
        .fetch_optional(&mut *conn)
        .await
        .map_err(error::plain)?;
    if locked.is_none() {
        return Err(fetch::not_found("user", id));
    }
    let mut user = get_user(conn, id).await?;
    let patch = patch.clone();
    if let Some(email) = patch.email {
        user.email = email;
    }
    if let Some(name) = patch.name {
        user.name = name;
    }
    if let Some(role) = patch.role {
        user.role = role;
    }
    if let Some(org) = patch.organization_id {
        user.organization_id = org;
    }
    if let Some(phone) = patch.phone {
        user.phone = phone;
    }
    if let Some(location) = patch.location {
        user.location = location;
    }
    if let Some(employee_id) = patch.employee_id {
        user.employee_id = employee_id;
    }
    if let Some(locale) = patch.locale {
        user.locale = locale;
    }
    if let Some(zone) = patch.time_zone {
        user.time_zone = zone;
    }
    if let Some(tier) = patch.tier {
        user.tier = tier;
    }
    if let Some(active) = patch.is_active {
        user.is_active = active;
    }
    user.updated_at = now;
    let query = sqlx::query(
        "update users set email = $2, name = $3, search_text = $4, role = $5, organization_id = $6, \
         phone = $7, location = $8, employee_id = $9, locale = $10, time_zone = $11, tier = $12, \
         is_active = $13, updated_at = $14 where id = $1",
    )
    .bind(id.get())
    .bind(user.email.as_str())
    .bind(&user.name)
    .bind(search_text(&user.name, &user.email))
    .bind(user.role.as_str())
    .bind(user.organization_id.map(OrganizationId::get))
    .bind(&user.phone)
    .bind(&user.location)
    .bind(&user.employee_id)
    .bind(&user.locale)
    .bind(&user.time_zone)
    .bind(user.tier.map(Tier::get))
    .bind(user.is_active)
    .bind(micros(now));
    let refs = Ref::opt(
        "users_organization_id_fkey",
        user.organization_id.map(OrganizationId::get),
    );
    fetch::write(conn, query, refs.as_slice()).await?;
    if let Some(groups) = patch.group_ids {
        let query = sqlx::query("delete from user_groups where user_id = $1").bind(id.get());
        fetch::execute(conn, query).await?;
        let groups = sorted_groups(&groups);
        insert_memberships(conn, id, &groups, now).await?;
        user.group_ids = groups;
    }
    Ok(user)
}

/// Lists people by id.
pub(crate) async fn list_users(
    conn: &mut DbConn,
    filter: &UserFilter,
    page: &PageRequest,
) -> StoreResult<Page<User>> {
    let limit = page.limit.clamp(1, MAX_PAGE_SIZE);
    let mut query = sqlx::QueryBuilder::<crate::Db>::new(user_select!());
    query.push(" where u.id > ");
    query.push_bind(page.cursor.as_ref().map_or(0, |c| c.id));
    if let Some(role) = filter.role {
        query.push(" and u.role = ").push_bind(role.as_str());
    }
    if let Some(org) = filter.organization_id {
        query.push(" and u.organization_id = ").push_bind(org.get());
    }
    if let Some(group) = filter.group_id {
        query
            // Driven by the group's index, not a scan of every person.
            .push(" and u.id in (select fg.user_id from user_groups fg where fg.group_id = ")
            .push_bind(group.get())
            .push(")");
    }
    if let Some(text) = filter.text.as_deref().filter(|t| !t.trim().is_empty()) {
        query
            .push(" and u.search_text like ")
            .push_bind(convert::contains_pattern(text.trim()))
            .push(" escape '\\'");
    }
    query.push(" order by u.id limit ").push_bind(limit + 1);
    let rows = query
        .build()
        .fetch_all(&mut *conn)
        .await
        .map_err(error::plain)?;
    let users = rows
        .iter()
        .map(user_from_row)
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(page_by_id(users, limit, |u| u.id.get()))
}

/// Every staff member, by id.
pub(crate) async fn list_staff(conn: &mut DbConn) -> StoreResult<Vec<User>> {
    let query = sqlx::query(concat!(
        user_select!(),
        " where u.role <> 'customer' order by u.id"
    ));
    fetch::all(conn, query, user_from_row).await
}

/// People changed after `(updated_at, id)`, in that order (the search index's feed).
pub(crate) async fn users_changed_after(
    conn: &mut DbConn,
    after: Option<(Timestamp, UserId)>,
    limit: i64,
) -> StoreResult<Vec<User>> {
    let (time, id) = after.map_or((i64::MIN, 0), |(t, id)| (micros(t), id.get()));
    let query = sqlx::query(concat!(
        user_select!(),
        " where u.updated_at > $1 or (u.updated_at = $1 and u.id > $2) \
         order by u.updated_at, u.id limit $3"
    ))
    .bind(time)
    .bind(id)
    .bind(limit.clamp(1, 10_000));
    fetch::all(conn, query, user_from_row).await
}

/// How many people exist.
pub(crate) async fn count_users(conn: &mut DbConn) -> StoreResult<i64> {
    sqlx::query_scalar("select count(*) from users")
        .fetch_one(&mut *conn)
        .await
        .map_err(error::plain)
}

/// A person's password hash.
pub(crate) async fn password_hash(conn: &mut DbConn, id: UserId) -> StoreResult<Option<String>> {
    let hash: Option<Option<String>> =
        sqlx::query_scalar("select password_hash from users where id = $1")
            .bind(id.get())
            .fetch_optional(&mut *conn)
            .await
            .map_err(error::plain)?;
    hash.ok_or_else(|| fetch::not_found("user", id))
}

/// Replaces a person's password hash.
pub(crate) async fn set_password_hash(
    conn: &mut DbConn,
    id: UserId,
    hash: &str,
    now: Timestamp,
) -> StoreResult<()> {
    let query = sqlx::query("update users set password_hash = $2, updated_at = $3 where id = $1")
        .bind(id.get())
        .bind(hash)
        .bind(micros(now));
    if fetch::execute(conn, query).await? == 0 {
        return Err(fetch::not_found("user", id));
    }
    Ok(())
}

#[async_trait]
impl PeopleStore for Backend {
    async fn create_user(&self, user: NewUser) -> StoreResult<User> {
        self.write(user, |c, user| Box::pin(create_user(c, user)))
            .await
    }

    async fn get_user(&self, id: UserId) -> StoreResult<User> {
        get_user(&mut *self.reader().await?, id).await
    }

    async fn get_users(&self, ids: &[UserId]) -> StoreResult<Vec<User>> {
        get_users(&mut *self.reader().await?, ids).await
    }

    async fn find_user_by_email(&self, email: &EmailAddress) -> StoreResult<Option<User>> {
        find_user_by_email(&mut *self.reader().await?, email).await
    }

    async fn update_user(&self, id: UserId, patch: UserPatch, now: Timestamp) -> StoreResult<User> {
        self.write((id, patch, now), |c, (id, patch, now)| {
            Box::pin(update_user(c, *id, patch, *now))
        })
        .await
    }

    async fn list_users(&self, filter: &UserFilter, page: &PageRequest) -> StoreResult<Page<User>> {
        list_users(&mut *self.reader().await?, filter, page).await
    }

    async fn count_users(&self) -> StoreResult<i64> {
        count_users(&mut *self.reader().await?).await
    }

    async fn password_hash(&self, id: UserId) -> StoreResult<Option<String>> {
        password_hash(&mut *self.reader().await?, id).await
    }

    async fn set_password_hash(&self, id: UserId, hash: &str, now: Timestamp) -> StoreResult<()> {
        let hash = hash.to_owned();
        self.write((id, hash, now), |c, (id, hash, now)| {
            Box::pin(set_password_hash(c, *id, hash, *now))
        })
        .await
    }
}
