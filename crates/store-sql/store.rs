//! The [`Store`] trait, implemented once for the backend's `Backend` type in terms of
//! its two primitives:
//!
//! - `reader()`: a pooled connection for reads;
//! - `write(input, op)`: runs `op(connection, &input)` inside a transaction and answers
//!   after the commit (the SQLite group-commit writer, or a PostgreSQL transaction). The
//!   input is owned because the SQLite writer runs it on another task, and `op` is a
//!   plain function of it so the writer may run it again (see its module doc).

use crate::sql::{access, people, tickets};
use crate::{Backend, Op};
use async_trait::async_trait;
use ferrodesk_domain::{
    Actor, Category, CategoryId, EmailAddress, Event, EventId, Group, GroupId, NewEvent,
    Organization, OrganizationId, Service, ServiceId, Ticket, TicketId, TicketScope, TokenId, User,
    UserId,
};
use ferrodesk_store::{
    ApiToken, AuditEntry, Created, EventAppend, EventPage, GroupPatch, NewAuditEntry, NewCategory,
    NewGroup, NewOrganization, NewService, NewSession, NewTicket, NewToken, NewUser,
    OrganizationPatch, Page, PageRequest, QueueCounts, ServicePatch, SessionInfo, Store,
    StoreResult, TicketLink, TicketQuery, TicketSplit, TicketWrite, UserFilter, UserPatch,
};
use jiff::Timestamp;

/// Most tickets per bulk transaction: large enough for multi-row inserts to pay off and
/// for each index page a batch changes to take many of its rows (the generator's calls
/// of 5,000 tickets, written in one transaction instead of three of at most 2,000,
/// generated a 300,000-ticket desk a fifth faster), small enough that other writers get
/// their turn between batches (a batch takes a few seconds).
const BULK_BATCH: usize = 10_000;

#[async_trait]
impl Store for Backend {
    async fn ping(&self) -> StoreResult<()> {
        let mut conn = self.reader().await?;
        sqlx::query("select 1")
            .execute(&mut *conn)
            .await
            .map_err(crate::sql::error::plain)?;
        Ok(())
    }

    // --- people ---------------------------------------------------------------------

    async fn create_user(&self, user: NewUser) -> StoreResult<User> {
        self.write(user, |c, user| Box::pin(people::create_user(c, user)))
            .await
    }

    async fn get_user(&self, id: UserId) -> StoreResult<User> {
        people::get_user(&mut *self.reader().await?, id).await
    }

    async fn find_user_by_email(&self, email: &EmailAddress) -> StoreResult<Option<User>> {
        people::find_user_by_email(&mut *self.reader().await?, email).await
    }

    async fn update_user(&self, id: UserId, patch: UserPatch, now: Timestamp) -> StoreResult<User> {
        self.write((id, patch, now), |c, (id, patch, now)| {
            Box::pin(people::update_user(c, *id, patch, *now))
        })
        .await
    }

    async fn list_users(&self, filter: &UserFilter, page: &PageRequest) -> StoreResult<Page<User>> {
        people::list_users(&mut *self.reader().await?, filter, page).await
    }

    async fn count_users(&self) -> StoreResult<i64> {
        people::count_users(&mut *self.reader().await?).await
    }

    async fn password_hash(&self, id: UserId) -> StoreResult<Option<String>> {
        people::password_hash(&mut *self.reader().await?, id).await
    }

    async fn set_password_hash(&self, id: UserId, hash: &str, now: Timestamp) -> StoreResult<()> {
        let hash = hash.to_owned();
        self.write((id, hash, now), |c, (id, hash, now)| {
            Box::pin(people::set_password_hash(c, *id, hash, *now))
        })
        .await
    }

    async fn create_organization(&self, org: NewOrganization) -> StoreResult<Organization> {
        self.write(org, |c, org| Box::pin(people::create_organization(c, org)))
            .await
    }

    async fn get_organization(&self, id: OrganizationId) -> StoreResult<Organization> {
        people::get_organization(&mut *self.reader().await?, id).await
    }

    async fn update_organization(
        &self,
        id: OrganizationId,
        patch: OrganizationPatch,
        now: Timestamp,
    ) -> StoreResult<Organization> {
        self.write((id, patch, now), |c, (id, patch, now)| {
            Box::pin(people::update_organization(c, *id, patch, *now))
        })
        .await
    }

    async fn list_organizations(&self, page: &PageRequest) -> StoreResult<Page<Organization>> {
        people::list_organizations(&mut *self.reader().await?, page).await
    }

    async fn create_group(&self, group: NewGroup) -> StoreResult<Group> {
        self.write(group, |c, group| Box::pin(people::create_group(c, group)))
            .await
    }

    async fn get_group(&self, id: GroupId) -> StoreResult<Group> {
        people::get_group(&mut *self.reader().await?, id).await
    }

    async fn update_group(
        &self,
        id: GroupId,
        patch: GroupPatch,
        now: Timestamp,
    ) -> StoreResult<Group> {
        self.write((id, patch, now), |c, (id, patch, now)| {
            Box::pin(people::update_group(c, *id, patch, *now))
        })
        .await
    }

    async fn list_groups(&self) -> StoreResult<Vec<Group>> {
        people::list_groups(&mut *self.reader().await?).await
    }

    async fn create_category(&self, category: NewCategory) -> StoreResult<Category> {
        self.write(category, |c, category| {
            Box::pin(people::create_category(c, category))
        })
        .await
    }

    async fn get_category(&self, id: CategoryId) -> StoreResult<Category> {
        people::get_category(&mut *self.reader().await?, id).await
    }

    async fn list_categories(&self) -> StoreResult<Vec<Category>> {
        people::list_categories(&mut *self.reader().await?).await
    }

    async fn create_service(&self, service: NewService) -> StoreResult<Service> {
        self.write(service, |c, service| {
            Box::pin(people::create_service(c, service))
        })
        .await
    }

    async fn get_service(&self, id: ServiceId) -> StoreResult<Service> {
        people::get_service(&mut *self.reader().await?, id).await
    }

    async fn update_service(
        &self,
        id: ServiceId,
        patch: ServicePatch,
        now: Timestamp,
    ) -> StoreResult<Service> {
        self.write((id, patch, now), |c, (id, patch, now)| {
            Box::pin(people::update_service(c, *id, patch, *now))
        })
        .await
    }

    async fn list_services(&self) -> StoreResult<Vec<Service>> {
        people::list_services(&mut *self.reader().await?).await
    }

    // --- access ---------------------------------------------------------------------

    async fn create_token(&self, token: NewToken, audit: NewAuditEntry) -> StoreResult<ApiToken> {
        self.write((token, audit), |c, (token, audit)| {
            Box::pin(access::create_token(c, token, audit))
        })
        .await
    }

    async fn find_actor_by_token(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> StoreResult<Option<(Actor, TokenId)>> {
        access::find_actor_by_token(&mut *self.reader().await?, token_hash, now).await
    }

    async fn list_tokens(&self, user_id: Option<UserId>) -> StoreResult<Vec<ApiToken>> {
        access::list_tokens(&mut *self.reader().await?, user_id).await
    }

    async fn get_token(&self, id: TokenId) -> StoreResult<ApiToken> {
        access::get_token(&mut *self.reader().await?, id).await
    }

    async fn revoke_token(
        &self,
        id: TokenId,
        now: Timestamp,
        audit: NewAuditEntry,
    ) -> StoreResult<ApiToken> {
        self.write((id, now, audit), |c, (id, now, audit)| {
            Box::pin(access::revoke_token(c, *id, *now, audit))
        })
        .await
    }

    async fn create_session(&self, session: NewSession) -> StoreResult<()> {
        self.write(session, |c, session| {
            Box::pin(access::create_session(c, session))
        })
        .await
    }

    async fn find_actor_by_session(
        &self,
        session_hash: &str,
        now: Timestamp,
    ) -> StoreResult<Option<(Actor, SessionInfo)>> {
        access::find_actor_by_session(&mut *self.reader().await?, session_hash, now).await
    }

    async fn delete_session(&self, session_hash: &str) -> StoreResult<()> {
        let hash = session_hash.to_owned();
        self.write(hash, |c, hash| Box::pin(access::delete_session(c, hash)))
            .await
    }

    async fn actor_for_user(&self, id: UserId) -> StoreResult<Actor> {
        access::actor_for_user(&mut *self.reader().await?, id).await
    }

    async fn record_login_failure(&self, keys: &[String], now: Timestamp) -> StoreResult<()> {
        let keys = keys.to_vec();
        self.write((keys, now), |c, (keys, now)| {
            Box::pin(access::record_login_failure(c, keys, *now))
        })
        .await
    }

    async fn count_login_failures(&self, key: &str, since: Timestamp) -> StoreResult<i64> {
        access::count_login_failures(&mut *self.reader().await?, key, since).await
    }

    async fn clear_login_failures(&self, key: &str) -> StoreResult<()> {
        let key = key.to_owned();
        self.write(key, |c, key| Box::pin(access::clear_login_failures(c, key)))
            .await
    }

    async fn append_audit(&self, entry: NewAuditEntry) -> StoreResult<()> {
        self.write(entry, |c, entry| Box::pin(access::append_audit(c, entry)))
            .await
    }

    async fn list_audit(&self, page: &PageRequest) -> StoreResult<Page<AuditEntry>> {
        access::list_audit(&mut *self.reader().await?, page).await
    }

    // --- tickets --------------------------------------------------------------------

    async fn create_ticket(&self, ticket: NewTicket) -> StoreResult<Created<Ticket>> {
        let op: Op<NewTicket, Created<Ticket>> =
            |c, ticket| Box::pin(tickets::create_ticket(c, ticket));
        // A create with an idempotency key or links is checked and written on its own.
        if ticket.idempotency.is_some() || !ticket.links.is_empty() {
            return self.write(ticket, op).await;
        }
        self.write_joinable(ticket, op, |c, tickets| {
            Box::pin(tickets::create_tickets(c, tickets))
        })
        .await
    }

    async fn get_ticket(&self, id: TicketId) -> StoreResult<Ticket> {
        tickets::get_ticket(&mut *self.reader().await?, id).await
    }

    async fn get_tickets(&self, ids: &[TicketId]) -> StoreResult<Vec<Ticket>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        tickets::get_tickets(&mut *self.reader().await?, ids).await
    }

    async fn save_tickets(&self, write: TicketWrite) -> StoreResult<Created<Vec<Event>>> {
        self.write(write, |c, write| Box::pin(tickets::save_tickets(c, write)))
            .await
    }

    async fn split_ticket(&self, split: TicketSplit) -> StoreResult<Vec<Ticket>> {
        self.write(split, |c, split| Box::pin(tickets::split_ticket(c, split)))
            .await
    }

    async fn list_tickets(
        &self,
        scope: &TicketScope,
        query: &TicketQuery,
    ) -> StoreResult<Page<Ticket>> {
        tickets::list_tickets(&mut *self.reader().await?, scope, query).await
    }

    async fn queue_counts(&self) -> StoreResult<QueueCounts> {
        tickets::queue_counts(&mut *self.reader().await?).await
    }

    async fn list_events(
        &self,
        ticket_id: TicketId,
        include_internal: bool,
        page: &EventPage,
    ) -> StoreResult<Vec<Event>> {
        tickets::list_events(
            &mut *self.reader().await?,
            ticket_id,
            include_internal,
            page,
        )
        .await
    }

    async fn get_event(&self, id: EventId) -> StoreResult<Event> {
        tickets::get_event(&mut *self.reader().await?, id).await
    }

    async fn list_links(&self, ticket_id: TicketId) -> StoreResult<Vec<TicketLink>> {
        tickets::list_links(&mut *self.reader().await?, ticket_id).await
    }

    async fn open_children(&self, ticket_id: TicketId) -> StoreResult<Vec<TicketId>> {
        tickets::open_children(&mut *self.reader().await?, ticket_id).await
    }

    async fn append_event(&self, append: EventAppend) -> StoreResult<Created<Event>> {
        let op: Op<EventAppend, Created<Event>> =
            |c, append| Box::pin(tickets::append_event(c, append));
        // An append with an idempotency key is checked and written on its own.
        if append.idempotency.is_some() {
            return self.write(append, op).await;
        }
        self.write_joinable(append, op, |c, appends| {
            Box::pin(tickets::append_events(c, appends))
        })
        .await
    }

    async fn bulk_create_tickets(
        &self,
        tickets: Vec<(Ticket, Vec<NewEvent>)>,
    ) -> StoreResult<Vec<TicketId>> {
        // One transaction per batch; batches already written stay written if a later
        // one fails (the bulk path trades atomicity for speed, see the trait).
        let mut ids = Vec::with_capacity(tickets.len());
        let mut rest = tickets;
        while !rest.is_empty() {
            let tail = rest.split_off(rest.len().min(BULK_BATCH));
            let batch = std::mem::replace(&mut rest, tail);
            let written = self
                .write(batch, |c, batch| {
                    Box::pin(tickets::bulk_create_tickets(c, batch))
                })
                .await?;
            ids.extend(written);
        }
        Ok(ids)
    }
}

#[async_trait]
impl ferrodesk_store::ReportStore for Backend {
    async fn report_days(
        &self,
        query: &ferrodesk_store::ReportQuery,
    ) -> StoreResult<Vec<ferrodesk_store::ReportDay>> {
        crate::sql::reports::report_days(&mut *self.reader().await?, query).await
    }
}
