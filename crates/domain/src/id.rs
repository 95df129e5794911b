//! Typed identifiers, so a ticket id can never be passed where a user id is expected.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl $name {
            /// The raw database value.
            pub fn get(self) -> i64 {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

id_type!(
    /// A canned response (macro).
    MacroId
);
id_type!(
    /// A custom field's definition.
    CustomFieldId
);
id_type!(
    /// A ticket template (a recurring request's prefilled form).
    TicketTemplateId
);
id_type!(
    /// A ticket's id, which is also its number: people say "ticket 10042" on the phone.
    ///
    /// Ids start at 10001 so every number has at least five digits and never looks like
    /// a count or a priority.
    TicketId
);
id_type!(
    /// A person: customer or staff.
    UserId
);
id_type!(
    /// A support group (queue).
    GroupId
);
id_type!(
    /// A customer organization.
    OrganizationId
);
id_type!(
    /// A node in the category tree.
    CategoryId
);
id_type!(
    /// A product or service the desk supports.
    ServiceId
);
id_type!(
    /// A timeline event.
    EventId
);
id_type!(
    /// An asset (device, license).
    AssetId
);
id_type!(
    /// An API token.
    TokenId
);
id_type!(
    /// A knowledge-base article.
    ArticleId
);
id_type!(
    /// An outside vendor the desk hands tickets off to.
    VendorId
);

/// The first ticket number handed out; see [`TicketId`].
pub const FIRST_TICKET_NUMBER: i64 = 10001;

impl TicketId {
    /// Reads a ticket number as people write it: `10042`, `#10042` or `[#10042]`.
    pub fn parse_number(text: &str) -> Option<TicketId> {
        let trimmed = text
            .trim()
            .trim_start_matches('[')
            .trim_end_matches(']')
            .trim_start_matches('#');
        let number: i64 = trimmed.parse().ok()?;
        (number >= FIRST_TICKET_NUMBER).then_some(TicketId(number))
    }

    /// The ticket number as shown to people: `#10042`.
    pub fn display_number(self) -> String {
        format!("#{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticket_numbers_are_read_in_the_forms_people_write() {
        assert_eq!(TicketId::parse_number("10042"), Some(TicketId(10042)));
        assert_eq!(TicketId::parse_number("#10042"), Some(TicketId(10042)));
        assert_eq!(TicketId::parse_number("[#10042]"), Some(TicketId(10042)));
        assert_eq!(TicketId::parse_number("42"), None);
        assert_eq!(TicketId::parse_number("abc"), None);
        assert_eq!(TicketId(10042).display_number(), "#10042");
    }
}
