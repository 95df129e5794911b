//! The demo desk's canned responses: shared with the whole desk, for the answers a
//! service desk gives every day.

use crate::SeedError;
use ferrodesk_domain::{MacroActions, MacroFields, MacroScope, Priority, TicketStatus};
use ferrodesk_store::Store;
use jiff::Timestamp;

/// Name, body, status and tags to add of each sample macro.
const MACROS: &[(&str, &str, Option<TicketStatus>, &[&str])] = &[
    (
        "Password reset instructions",
        "Hello {{requester.name}},\n\nYou can reset your password yourself at \
         https://password.example/reset: choose \"Forgot password\", enter your work \
         address and follow the link we mail you (valid for 30 minutes).\n\nIf that does \
         not work, answer here and we will reset it with you on the phone.\n\n\
         {{agent.name}}, Service Desk",
        None,
        &["password"],
    ),
    (
        "Waiting for your answer",
        "Hello {{requester.name}},\n\nTo go on with ticket {{ticket.number}} we need your \
         answer to our last question. You can reply to this mail or in the portal: \
         {{portal.link}}\n\n{{agent.name}}, Service Desk",
        Some(TicketStatus::PendingCustomer),
        &[],
    ),
    (
        "Printer toner on its way",
        "Hello {{requester.name}},\n\nNew toner for your printer is on its way and should \
         reach you within two working days. The old cartridge goes back in the same box \
         with the return label inside.\n\n{{agent.name}}, Service Desk",
        Some(TicketStatus::PendingScheduled),
        &["printer", "toner"],
    ),
    (
        "Resolved, please confirm",
        "Hello {{requester.name}},\n\nWe believe ticket {{ticket.number}} is solved. If \
         anything still does not work, just reply and the ticket opens again.\n\n\
         {{agent.name}}, Service Desk",
        Some(TicketStatus::Resolved),
        &[],
    ),
];

/// Adds the sample macros; returns how many.
///
/// # Errors
/// [`SeedError::Store`] when a macro cannot be written.
pub async fn seed_macros(store: &dyn Store, now: Timestamp) -> Result<usize, SeedError> {
    for (name, body, status, tags) in MACROS {
        let fields = MacroFields {
            name: (*name).to_owned(),
            body: (*body).to_owned(),
            internal: false,
            actions: MacroActions {
                status: *status,
                add_tags: tags.iter().map(|t| (*t).to_owned()).collect(),
                ..MacroActions::default()
            },
            scope: MacroScope::Shared {
                group_ids: Vec::new(),
            },
        };
        store.create_macro(fields, now).await?;
    }
    store
        .create_macro(
            MacroFields {
                name: "Escalate: outage note".to_owned(),
                body: "Several people report the same fault as {{ticket.number}}; \
                       treating it as an outage."
                    .to_owned(),
                internal: true,
                actions: MacroActions {
                    priority: Some(Priority::P2),
                    add_tags: vec!["outage".to_owned()],
                    ..MacroActions::default()
                },
                scope: MacroScope::Shared {
                    group_ids: Vec::new(),
                },
            },
            now,
        )
        .await?;
    Ok(MACROS.len() + 1)
}
