//! The demo desk's custom fields: what a service desk asks beyond the built-in fields.

use crate::SeedError;
use ferrodesk_domain::{CustomField, CustomFieldSpec, FieldKind, Ticket, TicketScope, TicketType};
use ferrodesk_store::{
    AssetFilter, CustomValue, PageRequest, Store, TicketChange, TicketQuery, TicketSort,
    TicketWrite,
};
use jiff::{Timestamp, ToSpan};

/// Key, label, kind, options, visible to customers, ticket types of each sample field.
type Sample = (
    &'static str,
    &'static str,
    FieldKind,
    &'static [&'static str],
    bool,
    &'static [TicketType],
);

const FIELDS: &[Sample] = &[
    (
        "affected_users",
        "Affected users",
        FieldKind::Number,
        &[],
        false,
        &[TicketType::Incident],
    ),
    (
        "operating_system",
        "Operating system",
        FieldKind::SingleChoice,
        &["Windows", "macOS", "Linux", "iOS", "Android"],
        true,
        &[],
    ),
    ("asset", "Asset", FieldKind::Asset, &[], false, &[]),
    (
        "needed_by",
        "Needed by",
        FieldKind::Date,
        &[],
        true,
        &[TicketType::ServiceRequest],
    ),
];

/// Defines the sample fields; how many.
///
/// # Errors
/// A store error.
pub(crate) async fn seed_custom_fields(
    store: &dyn Store,
    now: Timestamp,
) -> Result<usize, SeedError> {
    let mut fields = Vec::with_capacity(FIELDS.len());
    for (position, (key, label, kind, options, customer_visible, types)) in
        FIELDS.iter().enumerate()
    {
        let spec = CustomFieldSpec {
            key: (*key).to_owned(),
            label: (*label).to_owned(),
            kind: *kind,
            options: options.iter().map(|o| (*o).to_owned()).collect(),
            required: false,
            customer_visible: *customer_visible,
            ticket_types: types.to_vec(),
            category_ids: Vec::new(),
            position: i64::try_from(position).unwrap_or(i64::MAX),
            active: true,
        };
        fields.push(store.create_custom_field(spec, now).await?);
    }
    seed_values(store, &fields).await?;
    Ok(FIELDS.len())
}

/// How many of the most recently changed tickets get values.
const TICKETS: i64 = 120;

/// Gives most of the recent tickets values of the fields that apply to them (two in
/// three tickets: an operating system, affected users on incidents, a date on
/// service requests, an asset on some).
async fn seed_values(store: &dyn Store, fields: &[CustomField]) -> Result<(), SeedError> {
    let query = TicketQuery {
        sort: TicketSort::UpdatedDesc,
        page: PageRequest::first(TICKETS),
        ..TicketQuery::default()
    };
    let tickets = store.list_tickets(&TicketScope::All, &query).await?.items;
    let assets = store
        .list_assets(&AssetFilter::default(), &PageRequest::first(50))
        .await?
        .items;
    for (n, ticket) in tickets.into_iter().enumerate() {
        if n % 3 == 2 {
            continue;
        }
        let values: Vec<CustomValue> = fields
            .iter()
            .filter(|f| f.spec.applies_to(ticket.ticket_type, ticket.category_id))
            .filter_map(|f| {
                let value = sample_value(f, &ticket, n, &assets)?;
                Some(CustomValue {
                    field_id: f.id,
                    value: Some(value),
                })
            })
            .collect();
        if values.is_empty() {
            continue;
        }
        let mut change = TicketChange::new(ticket.clone(), ticket, vec![]);
        change.custom_values = values;
        store
            .save_tickets(TicketWrite {
                changes: vec![change],
                links: vec![],
                idempotency: None,
                settings_version: None,
            })
            .await?;
    }
    Ok(())
}

/// The `n`th ticket's stored value of one sample field, if it gets one.
fn sample_value(
    field: &CustomField,
    ticket: &Ticket,
    n: usize,
    assets: &[ferrodesk_domain::Asset],
) -> Option<String> {
    match field.spec.key.as_str() {
        "operating_system" => {
            let options = &field.spec.options;
            options.get(n % options.len().max(1)).cloned()
        }
        "affected_users" => Some([1, 3, 12, 1, 40, 2, 150][n % 7].to_string()),
        "needed_by" => {
            let created = ticket.created_at.to_zoned(jiff::tz::TimeZone::UTC).date();
            let days = i64::try_from(n % 14 + 3).unwrap_or(7);
            Some(created.checked_add(days.days()).ok()?.to_string())
        }
        "asset" if n.is_multiple_of(2) => assets
            .get(n % assets.len().max(1))
            .map(|a| a.id.get().to_string()),
        _ => None,
    }
}
