//! The demo desk's ticket templates: requests the desk sees every week, prefilled.

use crate::{Directory, SeedError};
use ferrodesk_domain::{Priority, TemplateAudience, TemplateSpec, TicketType};
use ferrodesk_store::Store;
use jiff::Timestamp;
use std::collections::BTreeMap;

/// Name, description, subject, outline, category path, type, priority, audience and
/// custom values (key, stored value) of each sample template.
type Sample = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    TicketType,
    Priority,
    TemplateAudience,
    &'static [(&'static str, &'static str)],
);

const TEMPLATES: &[Sample] = &[
    (
        "New laptop",
        "Order a laptop for a new or current colleague",
        "New laptop for ",
        "**Model:** (standard 14\", developer 16\", or other)\n\
         **For whom:** (name and department)\n\
         **Needed by:** (date)\n\
         **Anything to move from an old device?**",
        Some("Hardware/Laptop"),
        TicketType::ServiceRequest,
        Priority::P3,
        TemplateAudience::Both,
        &[("operating_system", "Windows")],
    ),
    (
        "New employee onboarding",
        "Accounts, laptop and access for someone who starts soon",
        "Onboarding: ",
        "**Name:**\n\
         **Start date:**\n\
         **Department and manager:**\n\
         **Accounts:** email, VPN, HR system\n\
         **Hardware:** laptop, phone, monitor\n\
         **Groups and shared folders:**",
        None,
        TicketType::ServiceRequest,
        Priority::P3,
        TemplateAudience::Staff,
        &[],
    ),
    (
        "Printer problem",
        "Jams, empty toner, prints that never come out",
        "Printer problem: ",
        "**Which printer:** (name on the label, or floor and room)\n\
         **What happens:** (jam, blank pages, error on the display, nothing at all)\n\
         **Since when:**\n\
         **Does it happen for colleagues too?**",
        Some("Hardware/Printer"),
        TicketType::Incident,
        Priority::P4,
        TemplateAudience::Both,
        &[],
    ),
];

/// Creates the sample templates; how many.
///
/// # Errors
/// A store error.
pub(crate) async fn seed_ticket_templates(
    store: &dyn Store,
    directory: &Directory,
    now: Timestamp,
) -> Result<usize, SeedError> {
    for (position, sample) in (0_i64..).zip(TEMPLATES) {
        let (name, description, subject, body, category, ticket_type, priority, audience, custom) =
            *sample;
        let spec = TemplateSpec {
            name: name.to_owned(),
            description: description.to_owned(),
            subject: subject.to_owned(),
            body: body.to_owned(),
            category_id: category.and_then(|path| directory.categories.get(path).copied()),
            ticket_type: Some(ticket_type),
            priority: Some(priority),
            custom_values: custom
                .iter()
                .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
                .collect::<BTreeMap<_, _>>(),
            audience,
            active: true,
            position,
        };
        store.create_ticket_template(spec, now).await?;
    }
    Ok(TEMPLATES.len())
}
