//! The demo desk's custom fields: what a service desk asks beyond the built-in fields.

use crate::SeedError;
use ferrodesk_domain::{CustomFieldSpec, FieldKind, TicketType};
use ferrodesk_store::Store;
use jiff::Timestamp;

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
        store.create_custom_field(spec, now).await?;
    }
    Ok(FIELDS.len())
}
