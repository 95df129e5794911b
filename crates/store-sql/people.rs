//! People and the desk's structure: users with their group memberships,
//! organizations, support groups, the category tree and services.
//!
//! Changes are read-modify-write: the row is read (locked on PostgreSQL through
//! `for_update!()`), the patch applied in Rust, and the whole row written back.

use crate::sql::access::page_by_id;
use crate::sql::convert::{get, get_time, group_ids, micros, stored};
use crate::sql::error::{self, Ref};
use crate::{DbConn, DbRow};
use ferrodesk_domain::{
    Category, CategoryId, EmailAddress, Group, GroupId, Organization, OrganizationId, Role,
    Service, ServiceId, Tier, User, UserId,
};
use ferrodesk_store::{
    GroupPatch, MAX_PAGE_SIZE, NewCategory, NewGroup, NewOrganization, NewService, NewUser,
    OrganizationPatch, Page, PageRequest, ServicePatch, StoreError, StoreResult, UserFilter,
    UserPatch,
};
use jiff::Timestamp;

// --- users ------------------------------------------------------------------------

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

fn tier(value: Option<i64>) -> StoreResult<Option<Tier>> {
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
        let result = sqlx::query(
            "insert into user_groups (user_id, group_id, created_at, updated_at) values ($1, $2, $3, $3)",
        )
        .bind(user.get())
        .bind(group.get())
        .bind(micros(now))
        .execute(&mut *conn)
        .await;
        if let Err(e) = result {
            let refs = [
                Ref::new("user_groups_group_id_fkey", group.get()),
                Ref::new("user_groups_user_id_fkey", user.get()),
            ];
            return Err(error::write(conn, e, &refs).await);
        }
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
            let refs: Vec<Ref> = Ref::opt(
                "users_organization_id_fkey",
                new.organization_id.map(OrganizationId::get),
            )
            .into_iter()
            .collect();
            return Err(error::write(conn, e, &refs).await);
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
    let row = sqlx::query(concat!(user_select!(), " where u.id = $1"))
        .bind(id.get())
        .fetch_optional(&mut *conn)
        .await
        .map_err(error::plain)?;
    match row {
        Some(row) => user_from_row(&row),
        None => Err(StoreError::not_found(format!("user {id}"))),
    }
}

/// Finds a person by exact (normalized) email.
pub(crate) async fn find_user_by_email(
    conn: &mut DbConn,
    email: &EmailAddress,
) -> StoreResult<Option<User>> {
    let row = sqlx::query(concat!(user_select!(), " where u.email = $1"))
        .bind(email.as_str())
        .fetch_optional(&mut *conn)
        .await
        .map_err(error::plain)?;
    row.as_ref().map(user_from_row).transpose()
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
        return Err(StoreError::not_found(format!("user {id}")));
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
    let result = sqlx::query(
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
    .bind(micros(now))
    .execute(&mut *conn)
    .await;
    if let Err(e) = result {
        let refs: Vec<Ref> = Ref::opt(
            "users_organization_id_fkey",
            user.organization_id.map(OrganizationId::get),
        )
        .into_iter()
        .collect();
        return Err(error::write(conn, e, &refs).await);
    }
    if let Some(groups) = patch.group_ids {
        sqlx::query("delete from user_groups where user_id = $1")
            .bind(id.get())
            .execute(&mut *conn)
            .await
            .map_err(error::plain)?;
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
            .push(" and exists (select 1 from user_groups fg where fg.user_id = u.id and fg.group_id = ")
            .push_bind(group.get())
            .push(")");
    }
    if let Some(text) = filter.text.as_deref().filter(|t| !t.trim().is_empty()) {
        query
            .push(" and u.search_text like ")
            .push_bind(crate::sql::convert::contains_pattern(text.trim()))
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

/// People changed after `(updated_at, id)`, in that order (the search index's feed).
pub(crate) async fn users_changed_after(
    conn: &mut DbConn,
    after: Option<(Timestamp, UserId)>,
    limit: i64,
) -> StoreResult<Vec<User>> {
    let (time, id) = after.map_or((i64::MIN, 0), |(t, id)| (micros(t), id.get()));
    let rows = sqlx::query(concat!(
        user_select!(),
        " where u.updated_at > $1 or (u.updated_at = $1 and u.id > $2) \
         order by u.updated_at, u.id limit $3"
    ))
    .bind(time)
    .bind(id)
    .bind(limit.clamp(1, 10_000))
    .fetch_all(&mut *conn)
    .await
    .map_err(error::plain)?;
    rows.iter().map(user_from_row).collect()
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
    hash.ok_or_else(|| StoreError::not_found(format!("user {id}")))
}

/// Replaces a person's password hash.
pub(crate) async fn set_password_hash(
    conn: &mut DbConn,
    id: UserId,
    hash: &str,
    now: Timestamp,
) -> StoreResult<()> {
    let done = sqlx::query("update users set password_hash = $2, updated_at = $3 where id = $1")
        .bind(id.get())
        .bind(hash)
        .bind(micros(now))
        .execute(&mut *conn)
        .await
        .map_err(error::plain)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::not_found(format!("user {id}")));
    }
    Ok(())
}

// --- organizations --------------------------------------------------------------------

fn organization_from_row(row: &DbRow) -> StoreResult<Organization> {
    Ok(Organization {
        id: OrganizationId(get(row, "id")?),
        name: get(row, "name")?,
        shares_tickets: get(row, "shares_tickets")?,
        created_at: get_time(row, "created_at")?,
        updated_at: get_time(row, "updated_at")?,
    })
}

/// Creates an organization.
pub(crate) async fn create_organization(
    conn: &mut DbConn,
    new: &NewOrganization,
) -> StoreResult<Organization> {
    let id: i64 = sqlx::query_scalar(
        "insert into organizations (name, shares_tickets, created_at, updated_at) \
         values ($1, $2, $3, $3) returning id",
    )
    .bind(&new.name)
    .bind(new.shares_tickets)
    .bind(micros(new.now))
    .fetch_one(&mut *conn)
    .await
    .map_err(error::plain)?;
    Ok(Organization {
        id: OrganizationId(id),
        name: new.name.clone(),
        shares_tickets: new.shares_tickets,
        created_at: new.now,
        updated_at: new.now,
    })
}

/// Reads an organization.
pub(crate) async fn get_organization(
    conn: &mut DbConn,
    id: OrganizationId,
) -> StoreResult<Organization> {
    let row = sqlx::query(
        "select id, name, shares_tickets, created_at, updated_at from organizations where id = $1",
    )
    .bind(id.get())
    .fetch_optional(&mut *conn)
    .await
    .map_err(error::plain)?;
    match row {
        Some(row) => organization_from_row(&row),
        None => Err(StoreError::not_found(format!("organization {id}"))),
    }
}

/// Changes an organization.
pub(crate) async fn update_organization(
    conn: &mut DbConn,
    id: OrganizationId,
    patch: &OrganizationPatch,
    now: Timestamp,
) -> StoreResult<Organization> {
    let row = sqlx::query(concat!(
        "select id, name, shares_tickets, created_at, updated_at from organizations where id = $1",
        for_update!()
    ))
    .bind(id.get())
    .fetch_optional(&mut *conn)
    .await
    .map_err(error::plain)?;
    let Some(row) = row else {
        return Err(StoreError::not_found(format!("organization {id}")));
    };
    let mut org = organization_from_row(&row)?;
    if let Some(name) = &patch.name {
        org.name = name.clone();
    }
    if let Some(shares) = patch.shares_tickets {
        org.shares_tickets = shares;
    }
    org.updated_at = now;
    sqlx::query(
        "update organizations set name = $2, shares_tickets = $3, updated_at = $4 where id = $1",
    )
    .bind(id.get())
    .bind(&org.name)
    .bind(org.shares_tickets)
    .bind(micros(now))
    .execute(&mut *conn)
    .await
    .map_err(error::plain)?;
    Ok(org)
}

/// Organizations by name, then id; the cursor names the last organization's id.
pub(crate) async fn list_organizations(
    conn: &mut DbConn,
    page: &PageRequest,
) -> StoreResult<Page<Organization>> {
    let limit = page.limit.clamp(1, MAX_PAGE_SIZE);
    let rows = match &page.cursor {
        None => {
            sqlx::query(
                "select id, name, shares_tickets, created_at, updated_at from organizations \
             order by name, id limit $1",
            )
            .bind(limit + 1)
            .fetch_all(&mut *conn)
            .await
        }
        Some(cursor) => {
            sqlx::query(
                "select id, name, shares_tickets, created_at, updated_at from organizations \
             where (name, id) > ((select c.name from organizations c where c.id = $1), $1) \
             order by name, id limit $2",
            )
            .bind(cursor.id)
            .bind(limit + 1)
            .fetch_all(&mut *conn)
            .await
        }
    }
    .map_err(error::plain)?;
    let orgs = rows
        .iter()
        .map(organization_from_row)
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(page_by_id(orgs, limit, |o| o.id.get()))
}

// --- groups -----------------------------------------------------------------------------

fn group_from_row(row: &DbRow) -> StoreResult<Group> {
    Ok(Group {
        id: GroupId(get(row, "id")?),
        name: get(row, "name")?,
        tier: stored(Tier::new(get(row, "tier")?))?,
        description: get(row, "description")?,
        escalates_to: get::<Option<i64>>(row, "escalates_to")?.map(GroupId),
        created_at: get_time(row, "created_at")?,
        updated_at: get_time(row, "updated_at")?,
    })
}

/// Creates a group.
pub(crate) async fn create_group(conn: &mut DbConn, new: &NewGroup) -> StoreResult<Group> {
    let inserted = sqlx::query_scalar(
        "insert into groups (name, tier, description, escalates_to, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $5) returning id",
    )
    .bind(&new.name)
    .bind(new.tier.get())
    .bind(&new.description)
    .bind(new.escalates_to.map(GroupId::get))
    .bind(micros(new.now))
    .fetch_one(&mut *conn)
    .await;
    let id: i64 = match inserted {
        Ok(id) => id,
        Err(e) => {
            let refs: Vec<Ref> = Ref::opt(
                "groups_escalates_to_fkey",
                new.escalates_to.map(GroupId::get),
            )
            .into_iter()
            .collect();
            return Err(error::write(conn, e, &refs).await);
        }
    };
    Ok(Group {
        id: GroupId(id),
        name: new.name.clone(),
        tier: new.tier,
        description: new.description.clone(),
        escalates_to: new.escalates_to,
        created_at: new.now,
        updated_at: new.now,
    })
}

/// Reads a group.
pub(crate) async fn get_group(conn: &mut DbConn, id: GroupId) -> StoreResult<Group> {
    let row = sqlx::query(concat!(
        "select id, name, tier, description, escalates_to, created_at, updated_at from groups",
        " where id = $1"
    ))
    .bind(id.get())
    .fetch_optional(&mut *conn)
    .await
    .map_err(error::plain)?;
    match row {
        Some(row) => group_from_row(&row),
        None => Err(StoreError::not_found(format!("group {id}"))),
    }
}

/// Changes a group.
pub(crate) async fn update_group(
    conn: &mut DbConn,
    id: GroupId,
    patch: &GroupPatch,
    now: Timestamp,
) -> StoreResult<Group> {
    let row = sqlx::query(concat!(
        "select id, name, tier, description, escalates_to, created_at, updated_at from groups",
        " where id = $1",
        for_update!()
    ))
    .bind(id.get())
    .fetch_optional(&mut *conn)
    .await
    .map_err(error::plain)?;
    let Some(row) = row else {
        return Err(StoreError::not_found(format!("group {id}")));
    };
    let mut group = group_from_row(&row)?;
    if let Some(name) = &patch.name {
        group.name = name.clone();
    }
    if let Some(tier) = patch.tier {
        group.tier = tier;
    }
    if let Some(description) = &patch.description {
        group.description = description.clone();
    }
    if let Some(target) = patch.escalates_to {
        group.escalates_to = target;
    }
    group.updated_at = now;
    let result = sqlx::query(
        "update groups set name = $2, tier = $3, description = $4, escalates_to = $5, updated_at = $6 \
         where id = $1",
    )
    .bind(id.get())
    .bind(&group.name)
    .bind(group.tier.get())
    .bind(&group.description)
    .bind(group.escalates_to.map(GroupId::get))
    .bind(micros(now))
    .execute(&mut *conn)
    .await;
    if let Err(e) = result {
        let refs: Vec<Ref> = Ref::opt(
            "groups_escalates_to_fkey",
            group.escalates_to.map(GroupId::get),
        )
        .into_iter()
        .collect();
        return Err(error::write(conn, e, &refs).await);
    }
    Ok(group)
}

/// Every group by tier, then name.
pub(crate) async fn list_groups(conn: &mut DbConn) -> StoreResult<Vec<Group>> {
    let rows = sqlx::query(concat!(
        "select id, name, tier, description, escalates_to, created_at, updated_at from groups",
        " order by tier, name, id"
    ))
    .fetch_all(&mut *conn)
    .await
    .map_err(error::plain)?;
    rows.iter().map(group_from_row).collect()
}

// --- categories -------------------------------------------------------------------------

fn category_from_row(row: &DbRow) -> StoreResult<Category> {
    Ok(Category {
        id: CategoryId(get(row, "id")?),
        name: get(row, "name")?,
        parent_id: get::<Option<i64>>(row, "parent_id")?.map(CategoryId),
        created_at: get_time(row, "created_at")?,
        updated_at: get_time(row, "updated_at")?,
    })
}

/// Creates a category.
pub(crate) async fn create_category(conn: &mut DbConn, new: &NewCategory) -> StoreResult<Category> {
    let inserted = sqlx::query_scalar(
        "insert into categories (name, parent_id, created_at, updated_at) values ($1, $2, $3, $3) \
         returning id",
    )
    .bind(&new.name)
    .bind(new.parent_id.map(CategoryId::get))
    .bind(micros(new.now))
    .fetch_one(&mut *conn)
    .await;
    let id: i64 = match inserted {
        Ok(id) => id,
        Err(e) => {
            let refs: Vec<Ref> = Ref::opt(
                "categories_parent_id_fkey",
                new.parent_id.map(CategoryId::get),
            )
            .into_iter()
            .collect();
            return Err(error::write(conn, e, &refs).await);
        }
    };
    Ok(Category {
        id: CategoryId(id),
        name: new.name.clone(),
        parent_id: new.parent_id,
        created_at: new.now,
        updated_at: new.now,
    })
}

/// Reads a category.
pub(crate) async fn get_category(conn: &mut DbConn, id: CategoryId) -> StoreResult<Category> {
    let row = sqlx::query(
        "select id, name, parent_id, created_at, updated_at from categories where id = $1",
    )
    .bind(id.get())
    .fetch_optional(&mut *conn)
    .await
    .map_err(error::plain)?;
    match row {
        Some(row) => category_from_row(&row),
        None => Err(StoreError::not_found(format!("category {id}"))),
    }
}

/// Every category by name.
pub(crate) async fn list_categories(conn: &mut DbConn) -> StoreResult<Vec<Category>> {
    let rows = sqlx::query(
        "select id, name, parent_id, created_at, updated_at from categories order by name, id",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(error::plain)?;
    rows.iter().map(category_from_row).collect()
}

// --- services ---------------------------------------------------------------------------

macro_rules! service_select {
    () => {
        concat!(
            "select id, name, description, owner_group_id, support_hours, is_supported, ",
            "end_of_support, created_at, updated_at from services"
        )
    };
}

fn service_from_row(row: &DbRow) -> StoreResult<Service> {
    let end: Option<String> = get(row, "end_of_support")?;
    let end_of_support = match end {
        Some(text) => Some(
            text.parse::<jiff::civil::Date>()
                .map_err(|e| crate::sql::convert::damaged(format!("date '{text}': {e}")))?,
        ),
        None => None,
    };
    Ok(Service {
        id: ServiceId(get(row, "id")?),
        name: get(row, "name")?,
        description: get(row, "description")?,
        owner_group_id: get::<Option<i64>>(row, "owner_group_id")?.map(GroupId),
        support_hours: get(row, "support_hours")?,
        is_supported: get(row, "is_supported")?,
        end_of_support,
        created_at: get_time(row, "created_at")?,
        updated_at: get_time(row, "updated_at")?,
    })
}

/// Creates a service.
pub(crate) async fn create_service(conn: &mut DbConn, new: &NewService) -> StoreResult<Service> {
    let inserted = sqlx::query_scalar(
        "insert into services (name, description, owner_group_id, support_hours, is_supported, \
         end_of_support, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $7) returning id",
    )
    .bind(&new.name)
    .bind(&new.description)
    .bind(new.owner_group_id.map(GroupId::get))
    .bind(&new.support_hours)
    .bind(new.is_supported)
    .bind(new.end_of_support.map(|d| d.to_string()))
    .bind(micros(new.now))
    .fetch_one(&mut *conn)
    .await;
    let id: i64 = match inserted {
        Ok(id) => id,
        Err(e) => {
            let refs: Vec<Ref> = Ref::opt(
                "services_owner_group_id_fkey",
                new.owner_group_id.map(GroupId::get),
            )
            .into_iter()
            .collect();
            return Err(error::write(conn, e, &refs).await);
        }
    };
    Ok(Service {
        id: ServiceId(id),
        name: new.name.clone(),
        description: new.description.clone(),
        owner_group_id: new.owner_group_id,
        support_hours: new.support_hours.clone(),
        is_supported: new.is_supported,
        end_of_support: new.end_of_support,
        created_at: new.now,
        updated_at: new.now,
    })
}

/// Reads a service.
pub(crate) async fn get_service(conn: &mut DbConn, id: ServiceId) -> StoreResult<Service> {
    let row = sqlx::query(concat!(service_select!(), " where id = $1"))
        .bind(id.get())
        .fetch_optional(&mut *conn)
        .await
        .map_err(error::plain)?;
    match row {
        Some(row) => service_from_row(&row),
        None => Err(StoreError::not_found(format!("service {id}"))),
    }
}

/// Changes a service.
pub(crate) async fn update_service(
    conn: &mut DbConn,
    id: ServiceId,
    patch: &ServicePatch,
    now: Timestamp,
) -> StoreResult<Service> {
    let row = sqlx::query(concat!(service_select!(), " where id = $1", for_update!()))
        .bind(id.get())
        .fetch_optional(&mut *conn)
        .await
        .map_err(error::plain)?;
    let Some(row) = row else {
        return Err(StoreError::not_found(format!("service {id}")));
    };
    let mut service = service_from_row(&row)?;
    let patch = patch.clone();
    if let Some(name) = patch.name {
        service.name = name;
    }
    if let Some(description) = patch.description {
        service.description = description;
    }
    if let Some(owner) = patch.owner_group_id {
        service.owner_group_id = owner;
    }
    if let Some(hours) = patch.support_hours {
        service.support_hours = hours;
    }
    if let Some(supported) = patch.is_supported {
        service.is_supported = supported;
    }
    if let Some(end) = patch.end_of_support {
        service.end_of_support = end;
    }
    service.updated_at = now;
    let result = sqlx::query(
        "update services set name = $2, description = $3, owner_group_id = $4, support_hours = $5, \
         is_supported = $6, end_of_support = $7, updated_at = $8 where id = $1",
    )
    .bind(id.get())
    .bind(&service.name)
    .bind(&service.description)
    .bind(service.owner_group_id.map(GroupId::get))
    .bind(&service.support_hours)
    .bind(service.is_supported)
    .bind(service.end_of_support.map(|d| d.to_string()))
    .bind(micros(now))
    .execute(&mut *conn)
    .await;
    if let Err(e) = result {
        let refs: Vec<Ref> = Ref::opt(
            "services_owner_group_id_fkey",
            service.owner_group_id.map(GroupId::get),
        )
        .into_iter()
        .collect();
        return Err(error::write(conn, e, &refs).await);
    }
    Ok(service)
}

/// Every service by name.
pub(crate) async fn list_services(conn: &mut DbConn) -> StoreResult<Vec<Service>> {
    let rows = sqlx::query(concat!(service_select!(), " order by name, id"))
        .fetch_all(&mut *conn)
        .await
        .map_err(error::plain)?;
    rows.iter().map(service_from_row).collect()
}
