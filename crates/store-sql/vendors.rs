//! The vendor directory and the cases hand-offs open; [`VendorStore`] for the backend.
//!
//! A case follows the timeline: [`follow_event`], called by every single ticket write
//! for each event it appends, opens the case a `vendor_handoff` event names and marks
//! answered the one a `vendor_message` event answers, in the same transaction. Other
//! events cost nothing but the match.

use crate::sql::convert::{get, get_opt_time, get_time, micros, page_by_id, stored};
use crate::sql::error::{self, Ref};
use crate::sql::fetch;
use crate::{Backend, DbConn, DbRow};
use async_trait::async_trait;
use ferrodesk_domain::{
    EmailAddress, Event, EventKind, TicketId, Vendor, VendorCase, VendorFields, VendorId,
};
use ferrodesk_store::{MAX_PAGE_SIZE, Page, PageRequest, StoreResult, VendorStore, VendorThread};
use jiff::Timestamp;

macro_rules! vendor_columns {
    ($prefix:literal) => {
        concat!(
            $prefix,
            "id, ",
            $prefix,
            "name, ",
            $prefix,
            "email, ",
            $prefix,
            "contract_ref, ",
            $prefix,
            "response_hours, ",
            $prefix,
            "notes, ",
            $prefix,
            "is_active, ",
            $prefix,
            "created_at, ",
            $prefix,
            "updated_at"
        )
    };
}

macro_rules! case_select {
    () => {
        "select c.id as case_id, c.ticket_id, c.vendor_id, c.reference, c.opened_at, \
         c.answered_at, c.due_at, "
    };
}

fn vendor_from_row(row: &DbRow) -> StoreResult<Vendor> {
    Ok(Vendor {
        id: VendorId(get(row, "id")?),
        name: get(row, "name")?,
        email: stored(EmailAddress::parse(&get::<String>(row, "email")?))?,
        contract_ref: get(row, "contract_ref")?,
        response_hours: get(row, "response_hours")?,
        notes: get(row, "notes")?,
        is_active: get(row, "is_active")?,
        created_at: get_time(row, "created_at")?,
        updated_at: get_time(row, "updated_at")?,
    })
}

fn case_from_row(row: &DbRow) -> StoreResult<VendorCase> {
    Ok(VendorCase {
        id: get(row, "case_id")?,
        ticket_id: TicketId(get(row, "ticket_id")?),
        vendor_id: VendorId(get(row, "vendor_id")?),
        vendor_name: get(row, "name")?,
        reference: get(row, "reference")?,
        opened_at: get_time(row, "opened_at")?,
        answered_at: get_opt_time(row, "answered_at")?,
        due_at: get_time(row, "due_at")?,
    })
}

fn thread_from_row(row: &DbRow) -> StoreResult<VendorThread> {
    Ok(VendorThread {
        case: case_from_row(row)?,
        vendor: vendor_from_row(row)?,
    })
}

async fn create_vendor(
    conn: &mut DbConn,
    (fields, now): &(VendorFields, Timestamp),
) -> StoreResult<Vendor> {
    let id: i64 = sqlx::query_scalar(
        "insert into vendors (name, email, contract_ref, response_hours, notes, is_active, \
         created_at, updated_at) values ($1, $2, $3, $4, $5, true, $6, $6) returning id",
    )
    .bind(&fields.name)
    .bind(fields.email.as_str())
    .bind(&fields.contract_ref)
    .bind(fields.response_hours)
    .bind(&fields.notes)
    .bind(micros(*now))
    .fetch_one(&mut *conn)
    .await
    .map_err(error::plain)?;
    Ok(vendor(VendorId(id), fields, true, *now, *now))
}

fn vendor(
    id: VendorId,
    fields: &VendorFields,
    is_active: bool,
    created_at: Timestamp,
    updated_at: Timestamp,
) -> Vendor {
    Vendor {
        id,
        name: fields.name.clone(),
        email: fields.email.clone(),
        contract_ref: fields.contract_ref.clone(),
        response_hours: fields.response_hours,
        notes: fields.notes.clone(),
        is_active,
        created_at,
        updated_at,
    }
}

async fn get_vendor(conn: &mut DbConn, id: VendorId) -> StoreResult<Vendor> {
    let query = sqlx::query(concat!(
        "select ",
        vendor_columns!(""),
        " from vendors where id = $1"
    ))
    .bind(id.get());
    fetch::one(conn, query, vendor_from_row, "vendor", id).await
}

async fn save_vendor(
    conn: &mut DbConn,
    (id, fields, is_active, now): &(VendorId, VendorFields, bool, Timestamp),
) -> StoreResult<Vendor> {
    let created: Option<i64> = sqlx::query_scalar(
        "update vendors set name = $2, email = $3, contract_ref = $4, response_hours = $5, \
         notes = $6, is_active = $7, updated_at = $8 where id = $1 returning created_at",
    )
    .bind(id.get())
    .bind(&fields.name)
    .bind(fields.email.as_str())
    .bind(&fields.contract_ref)
    .bind(fields.response_hours)
    .bind(&fields.notes)
    .bind(*is_active)
    .bind(micros(*now))
    .fetch_optional(&mut *conn)
    .await
    .map_err(error::plain)?;
    let created = created.ok_or_else(|| fetch::not_found("vendor", id))?;
    let created_at = crate::sql::convert::timestamp(created)?;
    Ok(vendor(*id, fields, *is_active, created_at, *now))
}

async fn list_vendors(conn: &mut DbConn, page: &PageRequest) -> StoreResult<Page<Vendor>> {
    let limit = page.limit.clamp(1, MAX_PAGE_SIZE);
    let query = match &page.cursor {
        None => sqlx::query(concat!(
            "select ",
            vendor_columns!(""),
            " from vendors order by name, id limit $1"
        ))
        .bind(limit + 1),
        Some(cursor) => sqlx::query(concat!(
            "select ",
            vendor_columns!(""),
            " from vendors where (name, id) > ((select c.name from vendors c where c.id = $1), $1)",
            " order by name, id limit $2"
        ))
        .bind(cursor.id)
        .bind(limit + 1),
    };
    let vendors = fetch::all(conn, query, vendor_from_row).await?;
    Ok(page_by_id(vendors, limit, |v| v.id.get()))
}

async fn list_vendor_cases(conn: &mut DbConn, ticket: TicketId) -> StoreResult<Vec<VendorCase>> {
    let query = sqlx::query(concat!(
        case_select!(),
        "v.name from vendor_cases c join vendors v on v.id = c.vendor_id \
         where c.ticket_id = $1 order by c.id limit 200"
    ))
    .bind(ticket.get());
    fetch::all(conn, query, case_from_row).await
}

async fn find_vendor_threads(
    conn: &mut DbConn,
    ticket: Option<TicketId>,
    reference: Option<&str>,
) -> StoreResult<Vec<VendorThread>> {
    let query = sqlx::query(concat!(
        case_select!(),
        vendor_columns!("v."),
        " from vendor_cases c join vendors v on v.id = c.vendor_id \
         where c.ticket_id = $1 or c.reference = $2 order by c.id desc limit 50"
    ))
    .bind(ticket.map(TicketId::get))
    .bind(reference);
    fetch::all(conn, query, thread_from_row).await
}

/// Opens the case a hand-off event names, or marks answered the one a vendor's
/// message answers; called for every event a single ticket write appends, in its
/// transaction.
pub(crate) async fn follow_event(conn: &mut DbConn, event: &Event) -> StoreResult<()> {
    match &event.kind {
        EventKind::VendorHandoff {
            vendor_id,
            reference,
            due_at,
            ..
        } => {
            let query = sqlx::query(
                "insert into vendor_cases (ticket_id, vendor_id, reference, opened_at, \
                 answered_at, due_at, created_at, updated_at) \
                 values ($1, $2, $3, $4, null, $5, $4, $4)",
            )
            .bind(event.ticket_id.get())
            .bind(vendor_id.get())
            .bind(reference)
            .bind(micros(event.created_at))
            .bind(micros(*due_at));
            let refs = [Ref::new("vendor_cases_vendor_id_fkey", vendor_id.get())];
            fetch::write(conn, query, &refs).await?;
        }
        EventKind::VendorMessage { reference, .. } => {
            let query = sqlx::query(
                "update vendor_cases set answered_at = $3, updated_at = $3 \
                 where reference = $1 and ticket_id = $2 and answered_at is null",
            )
            .bind(reference)
            .bind(event.ticket_id.get())
            .bind(micros(event.created_at));
            fetch::execute(conn, query).await?;
        }
        _ => {}
    }
    Ok(())
}

#[async_trait]
impl VendorStore for Backend {
    async fn create_vendor(&self, fields: VendorFields, now: Timestamp) -> StoreResult<Vendor> {
        self.write((fields, now), |c, input| Box::pin(create_vendor(c, input)))
            .await
    }

    async fn get_vendor(&self, id: VendorId) -> StoreResult<Vendor> {
        get_vendor(&mut *self.reader().await?, id).await
    }

    async fn save_vendor(
        &self,
        id: VendorId,
        fields: VendorFields,
        is_active: bool,
        now: Timestamp,
    ) -> StoreResult<Vendor> {
        self.write((id, fields, is_active, now), |c, input| {
            Box::pin(save_vendor(c, input))
        })
        .await
    }

    async fn list_vendors(&self, page: &PageRequest) -> StoreResult<Page<Vendor>> {
        list_vendors(&mut *self.reader().await?, page).await
    }

    async fn list_vendor_cases(&self, ticket: TicketId) -> StoreResult<Vec<VendorCase>> {
        list_vendor_cases(&mut *self.reader().await?, ticket).await
    }

    async fn find_vendor_threads(
        &self,
        ticket: Option<TicketId>,
        reference: Option<String>,
    ) -> StoreResult<Vec<VendorThread>> {
        find_vendor_threads(&mut *self.reader().await?, ticket, reference.as_deref()).await
    }
}
