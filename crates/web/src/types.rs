//! Wire types shared by several resources: the API's enums (mirrors of the domain's,
//! with conversions that fail to compile if the two drift apart) and list pages.

use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

/// Declares an API enum mirroring a domain enum, with conversions both ways.
///
/// The wire text is taken as a token tree, not a `literal` fragment: a `literal`
/// reaches the derives wrapped in an invisible group, which serde reads but utoipa's
/// `ToSchema` silently ignores, so the document would name the Rust variants (`WalkIn`)
/// instead of what serde reads and writes (`walk_in`).
macro_rules! api_enum {
    ($(#[$doc:meta])* $name:ident <=> $domain:path { $($variant:ident = $text:tt),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
        pub enum $name {
            $(#[doc = $text] #[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
        }

        impl From<$domain> for $name {
            fn from(value: $domain) -> Self {
                use $domain as D;
                match value { $(D::$variant => $name::$variant),+ }
            }
        }

        impl From<$name> for $domain {
            fn from(value: $name) -> Self {
                use $domain as D;
                match value { $($name::$variant => D::$variant),+ }
            }
        }
    };
}

api_enum!(
    /// Where a ticket stands: `new → open → pending_* → resolved → closed`.
    Status <=> ferrodesk_domain::TicketStatus {
        New = "new",
        Open = "open",
        PendingCustomer = "pending_customer",
        PendingVendor = "pending_vendor",
        PendingScheduled = "pending_scheduled",
        Resolved = "resolved",
        Closed = "closed",
    }
);

api_enum!(
    /// What kind of request a ticket is.
    TicketKind <=> ferrodesk_domain::TicketType {
        Incident = "incident",
        ServiceRequest = "service_request",
        Question = "question",
        Complaint = "complaint",
        Problem = "problem",
    }
);

api_enum!(
    /// How a request reached the desk.
    Channel <=> ferrodesk_domain::Channel {
        Email = "email",
        Portal = "portal",
        Chat = "chat",
        Phone = "phone",
        WalkIn = "walk_in",
        Agent = "agent",
        Api = "api",
    }
);

api_enum!(
    /// How widely a problem reaches.
    Impact <=> ferrodesk_domain::Impact {
        Organization = "organization",
        Department = "department",
        Individual = "individual",
    }
);

api_enum!(
    /// How soon a problem hurts.
    Urgency <=> ferrodesk_domain::Urgency {
        High = "high",
        Medium = "medium",
        Low = "low",
    }
);

api_enum!(
    /// Priority, `p1` (critical) to `p4` (low).
    Priority <=> ferrodesk_domain::Priority {
        P1 = "p1",
        P2 = "p2",
        P3 = "p3",
        P4 = "p4",
    }
);

api_enum!(
    /// What a person may do at the desk.
    Role <=> ferrodesk_domain::Role {
        Customer = "customer",
        Agent = "agent",
        Supervisor = "supervisor",
        Admin = "admin",
    }
);

api_enum!(
    /// Who may see a timeline event.
    Visibility <=> ferrodesk_domain::Visibility {
        Public = "public",
        Internal = "internal",
    }
);

api_enum!(
    /// Which way a phone call went.
    CallDirection <=> ferrodesk_domain::CallDirection {
        Inbound = "inbound",
        Outbound = "outbound",
    }
);

api_enum!(
    /// How two tickets relate, read from the stored source.
    LinkKind <=> ferrodesk_domain::LinkKind {
        DuplicateOf = "duplicate_of",
        Related = "related",
        ParentOf = "parent_of",
        SplitFrom = "split_from",
        FollowUpOf = "follow_up_of",
        CausedBy = "caused_by",
    }
);

api_enum!(
    /// How to link a ticket to another, read from the ticket in the path.
    NewLinkKind <=> ferrodesk_app::LinkRequestKind {
        DuplicateOf = "duplicate_of",
        Related = "related",
        ParentOf = "parent_of",
        ChildOf = "child_of",
        CausedBy = "caused_by",
    }
);

api_enum!(
    /// The kind of an escalation.
    EscalationKind <=> ferrodesk_domain::EscalationKind {
        Functional = "functional",
        Hierarchical = "hierarchical",
        External = "external",
    }
);

api_enum!(
    /// What a knowledge-base article is for.
    ArticleKind <=> ferrodesk_domain::ArticleKind {
        Troubleshooting = "troubleshooting",
        Faq = "faq",
        Training = "training",
    }
);

api_enum!(
    /// Where an article is in its life; customers only ever see published ones.
    ArticleStatus <=> ferrodesk_domain::ArticleStatus {
        Draft = "draft",
        Published = "published",
        Archived = "archived",
    }
);

api_enum!(
    /// What kind of thing an asset is.
    AssetKind <=> ferrodesk_domain::AssetType {
        Computer = "computer",
        Monitor = "monitor",
        Printer = "printer",
        Phone = "phone",
        Tablet = "tablet",
        Server = "server",
        Network = "network",
        Software = "software",
        Other = "other",
    }
);

api_enum!(
    /// Why a person was notified.
    NotificationKind <=> ferrodesk_domain::NotificationKind {
        CustomerReplied = "customer_replied",
        Assigned = "assigned",
        GroupQueued = "group_queued",
        Mentioned = "mentioned",
        Reopened = "reopened",
        Escalated = "escalated",
        VendorAnswered = "vendor_answered",
        SlaWarning = "sla_warning",
        SlaBreached = "sla_breached",
        WatchedChanged = "watched_changed",
        Rule = "rule",
    }
);

api_enum!(
    /// How often a digest gathers a person's mailed notifications (`off`: each is
    /// mailed at once).
    Digest <=> ferrodesk_domain::notify::Digest {
        Off = "off",
        Hourly = "hourly",
        Daily = "daily",
    }
);

/// Reads a field that may be absent (leave alone), `null` (clear) or a value (set):
/// `Option<Option<T>>` with `#[serde(default, deserialize_with = "nullable")]`.
pub(crate) fn nullable<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// A page of a listing.
#[derive(Debug, Serialize, ToSchema)]
pub struct PageResponse<T: ToSchema> {
    /// The rows.
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

impl<T: ToSchema> PageResponse<T> {
    /// Converts a store page.
    pub(crate) fn from_page<U>(page: ferrodesk_app::Page<U>, convert: impl FnMut(U) -> T) -> Self {
        PageResponse {
            items: page.items.into_iter().map(convert).collect(),
            next_cursor: page.next_cursor.map(|c| c.encode()),
        }
    }
}

/// Reads `cursor` and `limit` query parameters into a page request.
pub(crate) fn page_request(
    cursor: Option<&str>,
    limit: Option<i64>,
) -> Result<ferrodesk_app::PageRequest, crate::error::ApiError> {
    let limit = match limit {
        None => ferrodesk_app::DEFAULT_PAGE_SIZE,
        Some(limit) if (1..=ferrodesk_app::MAX_PAGE_SIZE).contains(&limit) => limit,
        Some(other) => {
            return Err(crate::error::ApiError::InvalidQuery(format!(
                "limit must be between 1 and {}, not {other}",
                ferrodesk_app::MAX_PAGE_SIZE
            )));
        }
    };
    let cursor = match cursor {
        None | Some("") => None,
        Some(text) => Some(ferrodesk_app::Cursor::decode(text).ok_or_else(|| {
            crate::error::ApiError::InvalidQuery(
                "cursor is not valid; pass the next_cursor of the previous page".into(),
            )
        })?),
    };
    Ok(ferrodesk_app::PageRequest { cursor, limit })
}
