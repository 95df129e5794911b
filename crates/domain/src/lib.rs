//! The help desk's vocabulary and rules: tickets, their status machine and priority
//! matrix, people and roles, timeline events, and who may see what.
//!
//! This crate owns the rules and nothing else: it performs no IO, imports no database,
//! HTTP or async runtime type, and takes the current time as an argument, so every rule
//! is a plain function that tests can call directly.

pub mod access;
pub mod article;
pub mod asset;
pub mod attachment;
pub mod automation;
pub mod calendar;
pub mod custom_fields;
pub mod edit;
pub mod event;
pub mod id;
pub mod macros;
pub mod notify;
pub mod ordering;
pub mod person;
pub mod presence;
pub mod priority;
pub mod queue_columns;
pub mod routing;
pub mod schedule;
pub mod sla;
pub mod ticket;
pub mod ticket_templates;
pub mod time_spent;
pub mod value;
pub mod vendor;

pub use access::{Actor, TicketScope};
pub use article::{Article, ArticleContent, ArticleKind, ArticleStatus, ArticleVersion};
pub use asset::{Asset, AssetType};
pub use attachment::{Attachment, Sha256Hex};
pub use automation::AutomationSettings;
pub use calendar::{BusinessCalendar, BusinessTimeError, OpeningInterval, WeeklyHours};
pub use custom_fields::{
    CustomField, CustomFieldSpec, FieldError, FieldErrors, FieldInput, FieldKind, FieldProblem,
    FieldValue, SpecError,
};
pub use edit::{EditError, FieldChange, TicketEdit, resolve_priority};
pub use event::{CallDirection, EscalationKind, Event, EventKind, NewEvent, Visibility};
pub use id::{
    ArticleId, AssetId, CategoryId, CustomFieldId, EventId, GroupId, MacroId, OrganizationId,
    ServiceId, TicketId, TicketTemplateId, TokenId, UserId, VendorId,
};
pub use macros::{
    Macro, MacroActions, MacroFields, MacroScope, Placeholder, PlaceholderValues,
    UnknownPlaceholder,
};
pub use notify::NotificationKind;
pub use person::{Category, Group, Organization, Role, Service, Tier, User};
pub use presence::{Activity, PRESENCE_TIMEOUT, Presence};
pub use priority::{Impact, Priority, Urgency};
pub use queue_columns::{ColumnsError, QueueColumn, QueueColumns};
pub use routing::{EscalationRule, EscalationTrigger, RuleActions, RuleConditions};
pub use sla::{
    BusinessMinutes, ClockEvent, ClockHistory, ClockPhase, Coverage, PriorityTargets, SlaClock,
    SlaPolicy, SlaTargets, TargetClock, TargetKind, WarningShare,
};
pub use ticket::{Channel, LinkKind, Ticket, TicketStatus, TicketType, TransitionError};
pub use ticket_templates::{TemplateAudience, TemplateError, TemplateSpec, TicketTemplate};
pub use time_spent::{
    MAX_MINUTES_PER_ENTRY, TimeSpentError, check_minutes, format_minutes, parse_time_spent,
};
pub use value::{EmailAddress, InvalidValue, NonEmpty};
pub use vendor::{Vendor, VendorCase, VendorFields, VendorReference};
