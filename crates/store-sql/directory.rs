//! The desk's structure: organizations, support groups, the category tree and
//! services; [`DirectoryStore`] for the backend.
//!
//! Changes are read-modify-write, as in [`people`](crate::sql::people).

use crate::sql::convert;
use crate::sql::convert::{get, get_time, micros, page_by_id, stored};
use crate::sql::error::{self, Ref};
use crate::sql::fetch;
use crate::{Backend, DbConn, DbRow};
use async_trait::async_trait;
use ferrodesk_domain::{
    Category, CategoryId, Group, GroupId, Organization, OrganizationId, Service, ServiceId,
    TicketId, Tier,
};
use ferrodesk_store::{
    Conflict, DirectoryStore, GroupPatch, MAX_PAGE_SIZE, NewCategory, NewGroup, NewOrganization,
    NewService, OrganizationPatch, Page, PageRequest, ServicePatch, StoreError, StoreResult,
};
use jiff::Timestamp;

macro_rules! organization_select {
    () => {
        "select id, name, shares_tickets, created_at, updated_at from organizations"
    };
}

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
    let query = sqlx::query(concat!(organization_select!(), " where id = $1")).bind(id.get());
    fetch::one(conn, query, organization_from_row, "organization", id).await
}

/// Changes an organization.
pub(crate) async fn update_organization(
    conn: &mut DbConn,
    id: OrganizationId,
    patch: &OrganizationPatch,
    now: Timestamp,
) -> StoreResult<Organization> {
    let query = sqlx::query(concat!(
        organization_select!(),
        " where id = $1",
        for_update!()
    ))
    .bind(id.get());
    let mut org = fetch::one(conn, query, organization_from_row, "organization", id).await?;
    if let Some(name) = &patch.name {
        org.name = name.clone();
    }
    if let Some(shares) = patch.shares_tickets {
        org.shares_tickets = shares;
    }
    org.updated_at = now;
    let update = sqlx::query(
        "update organizations set name = $2, shares_tickets = $3, updated_at = $4 where id = $1",
    )
    .bind(id.get())
    .bind(&org.name)
    .bind(org.shares_tickets)
    .bind(micros(now));
    fetch::execute(conn, update).await?;
    Ok(org)
}

/// Organizations by name, then id; the cursor names the last organization's id.
pub(crate) async fn list_organizations(
    conn: &mut DbConn,
    page: &PageRequest,
) -> StoreResult<Page<Organization>> {
    let limit = page.limit.clamp(1, MAX_PAGE_SIZE);
    let query = match &page.cursor {
        None => sqlx::query(concat!(
            organization_select!(),
            " order by name, id limit $1"
        ))
        .bind(limit + 1),
        Some(cursor) => sqlx::query(concat!(
            organization_select!(),
            " where (name, id) > ((select c.name from organizations c where c.id = $1), $1)",
            " order by name, id limit $2"
        ))
        .bind(cursor.id)
        .bind(limit + 1),
    };
    let orgs = fetch::all(conn, query, organization_from_row).await?;
    Ok(page_by_id(orgs, limit, |o| o.id.get()))
}

macro_rules! group_select {
    () => {
        "select id, name, tier, description, escalates_to, created_at, updated_at from groups"
    };
}

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
    let insert = sqlx::query_scalar(
        "insert into groups (name, tier, description, escalates_to, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $5) returning id",
    )
    .bind(&new.name)
    .bind(new.tier.get())
    .bind(&new.description)
    .bind(new.escalates_to.map(GroupId::get))
    .bind(micros(new.now));
    let id = fetch::insert(
        conn,
        insert,
        Ref::opt(
            "groups_escalates_to_fkey",
            new.escalates_to.map(GroupId::get),
        )
        .as_slice(),
    )
    .await?;
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
    let query = sqlx::query(concat!(group_select!(), " where id = $1")).bind(id.get());
    fetch::one(conn, query, group_from_row, "group", id).await
}

/// Changes a group.
pub(crate) async fn update_group(
    conn: &mut DbConn,
    id: GroupId,
    patch: &GroupPatch,
    now: Timestamp,
) -> StoreResult<Group> {
    let query =
        sqlx::query(concat!(group_select!(), " where id = $1", for_update!())).bind(id.get());
    let mut group = fetch::one(conn, query, group_from_row, "group", id).await?;
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
    let update = sqlx::query(
        "update groups set name = $2, tier = $3, description = $4, escalates_to = $5, updated_at = $6 \
         where id = $1",
    )
    .bind(id.get())
    .bind(&group.name)
    .bind(group.tier.get())
    .bind(&group.description)
    .bind(group.escalates_to.map(GroupId::get))
    .bind(micros(now));
    fetch::write(
        conn,
        update,
        Ref::opt(
            "groups_escalates_to_fkey",
            group.escalates_to.map(GroupId::get),
        )
        .as_slice(),
    )
    .await?;
    Ok(group)
}

/// Every group by tier, then name.
pub(crate) async fn list_groups(conn: &mut DbConn) -> StoreResult<Vec<Group>> {
    let query = sqlx::query(concat!(group_select!(), " order by tier, name, id"));
    fetch::all(conn, query, group_from_row).await
}

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
    let insert = sqlx::query_scalar(
        "insert into categories (name, parent_id, created_at, updated_at) values ($1, $2, $3, $3) \
         returning id",
    )
    .bind(&new.name)
    .bind(new.parent_id.map(CategoryId::get))
    .bind(micros(new.now));
    let id = fetch::insert(
        conn,
        insert,
        Ref::opt(
            "categories_parent_id_fkey",
            new.parent_id.map(CategoryId::get),
        )
        .as_slice(),
    )
    .await?;
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
    let query = sqlx::query(
        "select id, name, parent_id, created_at, updated_at from categories where id = $1",
    )
    .bind(id.get());
    fetch::one(conn, query, category_from_row, "category", id).await
}

/// Every category by name.
pub(crate) async fn list_categories(conn: &mut DbConn) -> StoreResult<Vec<Category>> {
    let query = sqlx::query(
        "select id, name, parent_id, created_at, updated_at from categories order by name, id",
    );
    fetch::all(conn, query, category_from_row).await
}

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
                .map_err(|e| convert::damaged(format!("date '{text}': {e}")))?,
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
    let insert = sqlx::query_scalar(
        "insert into services (name, description, owner_group_id, support_hours, is_supported, \
         end_of_support, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $7) returning id",
    )
    .bind(&new.name)
    .bind(&new.description)
    .bind(new.owner_group_id.map(GroupId::get))
    .bind(&new.support_hours)
    .bind(new.is_supported)
    .bind(new.end_of_support.map(|d| d.to_string()))
    .bind(micros(new.now));
    let id = fetch::insert(
        conn,
        insert,
        Ref::opt(
            "services_owner_group_id_fkey",
            new.owner_group_id.map(GroupId::get),
        )
        .as_slice(),
    )
    .await?;
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
    let query = sqlx::query(concat!(service_select!(), " where id = $1")).bind(id.get());
    fetch::one(conn, query, service_from_row, "service", id).await
}

/// Changes a service.
pub(crate) async fn update_service(
    conn: &mut DbConn,
    id: ServiceId,
    patch: &ServicePatch,
    now: Timestamp,
) -> StoreResult<Service> {
    let query =
        sqlx::query(concat!(service_select!(), " where id = $1", for_update!())).bind(id.get());
    let mut service = fetch::one(conn, query, service_from_row, "service", id).await?;
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
    let update = sqlx::query(
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
    .bind(micros(now));
    fetch::write(
        conn,
        update,
        Ref::opt(
            "services_owner_group_id_fkey",
            service.owner_group_id.map(GroupId::get),
        )
        .as_slice(),
    )
    .await?;
    Ok(service)
}

/// Every service by name.
pub(crate) async fn list_services(conn: &mut DbConn) -> StoreResult<Vec<Service>> {
    let query = sqlx::query(concat!(service_select!(), " order by name, id"));
    fetch::all(conn, query, service_from_row).await
}

async fn rename_category(
    conn: &mut DbConn,
    (id, name, now): &(CategoryId, String, Timestamp),
) -> StoreResult<Category> {
    let update = sqlx::query("update categories set name = $2, updated_at = $3 where id = $1")
        .bind(id.get())
        .bind(name)
        .bind(micros(*now));
    if fetch::execute(conn, update).await? == 0 {
        return Err(fetch::not_found("category", id));
    }
    get_category(conn, *id).await
}

async fn delete_category(conn: &mut DbConn, id: &CategoryId) -> StoreResult<()> {
    get_category(conn, *id).await?;
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
    let query = sqlx::query("delete from categories where id = $1").bind(id.get());
    fetch::execute(conn, query).await?;
    Ok(())
}

#[async_trait]
impl DirectoryStore for Backend {
    async fn create_organization(&self, org: NewOrganization) -> StoreResult<Organization> {
        self.write(org, |c, org| Box::pin(create_organization(c, org)))
            .await
    }

    async fn get_organization(&self, id: OrganizationId) -> StoreResult<Organization> {
        get_organization(&mut *self.reader().await?, id).await
    }

    async fn update_organization(
        &self,
        id: OrganizationId,
        patch: OrganizationPatch,
        now: Timestamp,
    ) -> StoreResult<Organization> {
        self.write((id, patch, now), |c, (id, patch, now)| {
            Box::pin(update_organization(c, *id, patch, *now))
        })
        .await
    }

    async fn list_organizations(&self, page: &PageRequest) -> StoreResult<Page<Organization>> {
        list_organizations(&mut *self.reader().await?, page).await
    }

    async fn create_group(&self, group: NewGroup) -> StoreResult<Group> {
        self.write(group, |c, group| Box::pin(create_group(c, group)))
            .await
    }

    async fn get_group(&self, id: GroupId) -> StoreResult<Group> {
        get_group(&mut *self.reader().await?, id).await
    }

    async fn update_group(
        &self,
        id: GroupId,
        patch: GroupPatch,
        now: Timestamp,
    ) -> StoreResult<Group> {
        self.write((id, patch, now), |c, (id, patch, now)| {
            Box::pin(update_group(c, *id, patch, *now))
        })
        .await
    }

    async fn list_groups(&self) -> StoreResult<Vec<Group>> {
        list_groups(&mut *self.reader().await?).await
    }

    async fn create_category(&self, category: NewCategory) -> StoreResult<Category> {
        self.write(category, |c, category| {
            Box::pin(create_category(c, category))
        })
        .await
    }

    async fn get_category(&self, id: CategoryId) -> StoreResult<Category> {
        get_category(&mut *self.reader().await?, id).await
    }

    async fn list_categories(&self) -> StoreResult<Vec<Category>> {
        list_categories(&mut *self.reader().await?).await
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

    async fn create_service(&self, service: NewService) -> StoreResult<Service> {
        self.write(service, |c, service| Box::pin(create_service(c, service)))
            .await
    }

    async fn get_service(&self, id: ServiceId) -> StoreResult<Service> {
        get_service(&mut *self.reader().await?, id).await
    }

    async fn update_service(
        &self,
        id: ServiceId,
        patch: ServicePatch,
        now: Timestamp,
    ) -> StoreResult<Service> {
        self.write((id, patch, now), |c, (id, patch, now)| {
            Box::pin(update_service(c, *id, patch, *now))
        })
        .await
    }

    async fn list_services(&self) -> StoreResult<Vec<Service>> {
        list_services(&mut *self.reader().await?).await
    }
}
