//! Documents, actors and helpers shared by the tests.

use ferrodesk_domain::{
    Actor, GroupId, OrganizationId, Role, TicketId, TicketStatus, UserId, Visibility,
};
use ferrodesk_search::{
    ArticleDoc, ArticleKind, ArticleStatus, Batch, DocKey, Document, Language, SearchIndex,
    SearchRequest, SearchResults, SearchScope, TicketDoc,
};
use jiff::Timestamp;

/// The requester of every ticket unless a test says otherwise.
pub const REQUESTER: UserId = UserId(500);
/// The requester's organization.
pub const ORGANIZATION: OrganizationId = OrganizationId(7);
/// The group every ticket is in unless a test says otherwise.
pub const GROUP: GroupId = GroupId(1);

pub fn at(text: &str) -> Timestamp {
    text.parse().expect("a valid timestamp")
}

/// An open English ticket in [`GROUP`], requested by [`REQUESTER`].
pub fn ticket(id: i64, subject: &str, description: &str) -> TicketDoc {
    TicketDoc {
        id: TicketId(id),
        subject: subject.to_owned(),
        description: description.to_owned(),
        public_replies: Vec::new(),
        internal_notes: Vec::new(),
        status: TicketStatus::Open,
        group_id: Some(GROUP),
        category_id: None,
        requester_id: REQUESTER,
        organization_id: Some(ORGANIZATION),
        owner_id: None,
        assignee_id: None,
        created_at: at("2025-03-01T09:00:00Z"),
        updated_at: at("2025-03-01T09:00:00Z"),
        language: Language::English,
    }
}

/// A ticket in another language.
pub fn ticket_in(language: &str, id: i64, subject: &str) -> TicketDoc {
    TicketDoc {
        language: Language::from_tag(language),
        ..ticket(id, subject, "")
    }
}

/// A public, published English FAQ entry.
pub fn article(id: i64, title: &str, body: &str) -> ArticleDoc {
    ArticleDoc {
        id,
        title: title.to_owned(),
        body: body.to_owned(),
        kind: ArticleKind::Faq,
        visibility: Visibility::Public,
        status: ArticleStatus::Published,
        category_id: None,
        language: Language::English,
        created_at: at("2025-01-01T00:00:00Z"),
        updated_at: at("2025-01-01T00:00:00Z"),
    }
}

/// An in-memory index holding `docs`.
pub fn index_with(docs: impl IntoIterator<Item = Document>) -> SearchIndex {
    let index = SearchIndex::in_memory().expect("an in-memory index");
    let mut batch = Batch::new();
    for doc in docs {
        batch.upsert(doc);
    }
    index.apply(batch).expect("the batch applies");
    index
}

pub fn actor(role: Role, user: i64, groups: &[i64]) -> Actor {
    Actor {
        user_id: UserId(user),
        role,
        group_ids: groups.iter().copied().map(GroupId).collect(),
        organization_id: Some(ORGANIZATION),
        organization_shares_tickets: false,
    }
}

pub fn admin() -> SearchScope {
    SearchScope::for_actor(&actor(Role::Admin, 1, &[]))
}

pub fn agent(user: i64, groups: &[i64]) -> SearchScope {
    SearchScope::for_actor(&actor(Role::Agent, user, groups))
}

/// [`REQUESTER`] as a customer.
pub fn requester() -> SearchScope {
    customer(REQUESTER.get(), false)
}

pub fn customer(user: i64, organization_shares: bool) -> SearchScope {
    SearchScope::for_actor(&Actor {
        organization_shares_tickets: organization_shares,
        ..actor(Role::Customer, user, &[])
    })
}

pub fn search(index: &SearchIndex, scope: &SearchScope, text: &str) -> SearchResults {
    index
        .search(scope, &SearchRequest::new(text))
        .expect("the search runs")
}

/// The keys found for `text`, best first.
pub fn found(index: &SearchIndex, scope: &SearchScope, text: &str) -> Vec<DocKey> {
    search(index, scope, text)
        .hits
        .into_iter()
        .map(|hit| hit.key)
        .collect()
}

pub fn t(id: i64) -> DocKey {
    DocKey::ticket(TicketId(id))
}
