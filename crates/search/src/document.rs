//! What the index is fed: one plain input struct per kind of document, and batches of
//! upserts and deletes that end at an event of the timeline.
//!
//! The storage layer fills these structs from the database; this module knows nothing
//! about where they come from. Text fields take plain text (render Markdown to text
//! first), so markup neither matches queries nor shows up in snippets.

use ferrodesk_domain::{
    CategoryId, EventId, GroupId, OrganizationId, Role, Ticket, TicketId, TicketStatus, UserId,
    Visibility,
};
use jiff::Timestamp;
use std::fmt;

use crate::language::Language;

/// The four kinds of document the index holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DocKind {
    /// A ticket.
    Ticket,
    /// A knowledge-base article.
    Article,
    /// A person (customer or staff).
    Person,
    /// An asset (computer, printer, phone...).
    Asset,
}

impl DocKind {
    /// Every kind.
    pub const ALL: [DocKind; 4] = [
        DocKind::Ticket,
        DocKind::Article,
        DocKind::Person,
        DocKind::Asset,
    ];

    /// The stable text of this kind.
    pub fn as_str(self) -> &'static str {
        match self {
            DocKind::Ticket => "ticket",
            DocKind::Article => "article",
            DocKind::Person => "person",
            DocKind::Asset => "asset",
        }
    }

    /// Reads the stable text back.
    pub fn parse(text: &str) -> Option<DocKind> {
        DocKind::ALL.into_iter().find(|kind| kind.as_str() == text)
    }
}

impl fmt::Display for DocKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Names one document: its kind and the id of the record it projects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DocKey {
    /// The kind.
    pub kind: DocKind,
    /// The record's database id (the ticket number for tickets).
    pub id: i64,
}

impl DocKey {
    /// A ticket's key.
    pub fn ticket(id: TicketId) -> DocKey {
        DocKey {
            kind: DocKind::Ticket,
            id: id.get(),
        }
    }

    /// An article's key.
    pub fn article(id: i64) -> DocKey {
        DocKey {
            kind: DocKind::Article,
            id,
        }
    }

    /// A person's key.
    pub fn person(id: UserId) -> DocKey {
        DocKey {
            kind: DocKind::Person,
            id: id.get(),
        }
    }

    /// An asset's key.
    pub fn asset(id: i64) -> DocKey {
        DocKey {
            kind: DocKind::Asset,
            id,
        }
    }
}

impl fmt::Display for DocKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.kind, self.id)
    }
}

/// The kinds and statuses of articles are the domain's.
pub use ferrodesk_domain::{ArticleKind, ArticleStatus};

/// A ticket as the index sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct TicketDoc {
    /// Id, which is also the number (`#10042`); the number is searchable.
    pub id: TicketId,
    /// One line saying what is wrong.
    pub subject: String,
    /// The requester's description.
    pub description: String,
    /// The text of every public reply, oldest first.
    pub public_replies: Vec<String>,
    /// The text of every internal note; only staff search and see it.
    pub internal_notes: Vec<String>,
    /// Where it stands.
    pub status: TicketStatus,
    /// The group working it.
    pub group_id: Option<GroupId>,
    /// Category.
    pub category_id: Option<CategoryId>,
    /// Who asked.
    pub requester_id: UserId,
    /// The requester's organization.
    pub organization_id: Option<OrganizationId>,
    /// Accountable agent; an agent always finds the tickets they own.
    pub owner_id: Option<UserId>,
    /// Working agent; an agent always finds the tickets assigned to them.
    pub assignee_id: Option<UserId>,
    /// When it was reported.
    pub created_at: Timestamp,
    /// Last change of any kind.
    pub updated_at: Timestamp,
    /// The language its text is written in.
    pub language: Language,
}

impl TicketDoc {
    /// The index's view of `ticket`, with the text of its public replies and internal
    /// notes (the caller splits the timeline by [`Visibility`]).
    pub fn from_ticket(
        ticket: &Ticket,
        public_replies: Vec<String>,
        internal_notes: Vec<String>,
        language: Language,
    ) -> TicketDoc {
        TicketDoc {
            id: ticket.id,
            subject: ticket.subject.clone(),
            description: ticket.description.clone(),
            public_replies,
            internal_notes,
            status: ticket.status,
            group_id: ticket.group_id,
            category_id: ticket.category_id,
            requester_id: ticket.requester_id,
            organization_id: ticket.organization_id,
            owner_id: ticket.owner_id,
            assignee_id: ticket.assignee_id,
            created_at: ticket.created_at,
            updated_at: ticket.updated_at,
            language,
        }
    }
}

/// A knowledge-base article as the index sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct ArticleDoc {
    /// The article's database id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// Body as plain text.
    pub body: String,
    /// Troubleshooting guide, FAQ or training material.
    pub kind: ArticleKind,
    /// Public (portal) or internal (staff only).
    pub visibility: Visibility,
    /// Draft, published or archived.
    pub status: ArticleStatus,
    /// Category.
    pub category_id: Option<CategoryId>,
    /// The language it is written in.
    pub language: Language,
    /// When it was first written.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
}

/// A person as the index sees them; only staff find people.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonDoc {
    /// Who.
    pub id: UserId,
    /// Display name.
    pub name: String,
    /// Email address.
    pub email: String,
    /// Role.
    pub role: Role,
    /// Their organization.
    pub organization_id: Option<OrganizationId>,
    /// Their organization's name, so "people at Acme" finds them.
    pub organization_name: Option<String>,
}

/// An asset as the index sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct AssetDoc {
    /// The asset's database id.
    pub id: i64,
    /// Inventory tag (`PC-00123`).
    pub tag: String,
    /// Serial number.
    pub serial: Option<String>,
    /// Type: computer, printer, phone...
    pub asset_type: String,
    /// Manufacturer and model.
    pub model: Option<String>,
    /// Where it is.
    pub location: Option<String>,
    /// Who it is assigned to; a customer finds the assets assigned to them.
    pub assigned_to: Option<UserId>,
    /// That person's name, so searching a name finds their devices.
    pub assigned_name: Option<String>,
}

/// Any document the index holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Document {
    /// A ticket.
    Ticket(TicketDoc),
    /// An article.
    Article(ArticleDoc),
    /// A person.
    Person(PersonDoc),
    /// An asset.
    Asset(AssetDoc),
}

impl Document {
    /// The document's key.
    pub fn key(&self) -> DocKey {
        match self {
            Document::Ticket(doc) => DocKey::ticket(doc.id),
            Document::Article(doc) => DocKey::article(doc.id),
            Document::Person(doc) => DocKey::person(doc.id),
            Document::Asset(doc) => DocKey::asset(doc.id),
        }
    }
}

impl From<TicketDoc> for Document {
    fn from(doc: TicketDoc) -> Document {
        Document::Ticket(doc)
    }
}

impl From<ArticleDoc> for Document {
    fn from(doc: ArticleDoc) -> Document {
        Document::Article(doc)
    }
}

impl From<PersonDoc> for Document {
    fn from(doc: PersonDoc) -> Document {
        Document::Person(doc)
    }
}

impl From<AssetDoc> for Document {
    fn from(doc: AssetDoc) -> Document {
        Document::Asset(doc)
    }
}

/// One change in a [`Batch`].
#[derive(Debug, Clone, PartialEq)]
pub enum Operation {
    /// Add the document, replacing any document with the same key.
    Upsert(Box<Document>),
    /// Remove the document with this key, if any.
    Delete(DocKey),
}

/// Changes committed together, optionally recording the last event they reflect.
///
/// The index applies a batch in one commit: after a crash either the whole batch and
/// its checkpoint are there, or neither is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Batch {
    operations: Vec<Operation>,
    last_event_id: Option<EventId>,
    cursors: Option<FeedCursors>,
}

/// Where the index stands in the feeds besides the timeline: article versions, people
/// and assets (by `(updated_at microseconds, id)`). Stored with the checkpoint; a
/// checkpoint written before a feed existed starts that feed from the beginning.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct FeedCursors {
    /// The last article version applied.
    pub article_version: Option<i64>,
    /// The last person applied, as `(updated_at in microseconds, id)`.
    pub person: Option<(i64, i64)>,
    /// The last asset applied, as `(updated_at in microseconds, id)`.
    pub asset: Option<(i64, i64)>,
}

impl Batch {
    /// An empty batch.
    pub fn new() -> Batch {
        Batch::default()
    }

    /// Adds `doc`, replacing the document with the same kind and id.
    pub fn upsert(&mut self, doc: impl Into<Document>) -> &mut Batch {
        self.operations
            .push(Operation::Upsert(Box::new(doc.into())));
        self
    }

    /// Removes the document with `key`.
    pub fn delete(&mut self, key: DocKey) -> &mut Batch {
        self.operations.push(Operation::Delete(key));
        self
    }

    /// Records that the batch reflects the timeline up to and including `event`.
    pub fn up_to(&mut self, event: EventId) -> &mut Batch {
        self.last_event_id = Some(event);
        self
    }

    /// The changes, in order.
    pub fn operations(&self) -> &[Operation] {
        &self.operations
    }

    /// The checkpoint this batch records, if any.
    pub fn last_event_id(&self) -> Option<EventId> {
        self.last_event_id
    }

    /// How many changes the batch holds.
    pub fn len(&self) -> usize {
        self.operations.len()
    }

    /// Whether the batch holds no change (it may still record a checkpoint).
    pub fn is_empty(&self) -> bool {
        self.operations.is_empty()
    }

    /// Records the other feeds' positions this batch reaches.
    pub fn with_cursors(&mut self, cursors: FeedCursors) -> &mut Batch {
        self.cursors = Some(cursors);
        self
    }

    pub(crate) fn into_parts(self) -> (Vec<Operation>, Option<EventId>, Option<FeedCursors>) {
        (self.operations, self.last_event_id, self.cursors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_read_as_kind_and_id() {
        assert_eq!(DocKey::ticket(TicketId(10042)).to_string(), "ticket:10042");
        assert_eq!(DocKey::asset(7).to_string(), "asset:7");
    }

    #[test]
    fn kinds_and_article_statuses_round_trip_through_their_text() {
        for kind in DocKind::ALL {
            assert_eq!(DocKind::parse(kind.as_str()), Some(kind));
        }
        for status in ArticleStatus::ALL {
            assert_eq!(ArticleStatus::parse(status.as_str()).ok(), Some(*status));
        }
        assert_eq!(DocKind::parse("invoice"), None);
    }
}
