//! Who may find what, as clauses inside the tantivy query.
//!
//! The rules mirror the API's exactly, because they are built from the same
//! [`TicketScope`] that [`Actor::can_view`] reads:
//!
//! - **Tickets**: supervisors and admins find every ticket; agents find the tickets of
//!   their groups plus those assigned to or owned by them; customers find the tickets
//!   they requested, and their organization's when it shares tickets.
//! - **Ticket text**: internal notes are searched and shown only for staff. A
//!   customer's query never looks at them, so a word that appears only in an internal
//!   note finds nothing, and snippets never quote one.
//! - **Articles**: staff find every article, internal ones and drafts and archived
//!   ones too (they write and maintain them; the status filter narrows results down);
//!   customers find only public, published articles.
//! - **People**: staff find everyone; customers find no one, not even themselves
//!   (their own profile has its own page, and a directory would leak names).
//! - **Assets**: staff find every asset; customers find only the assets assigned to
//!   them.
//!
//! The scope is part of the search itself, never a pass over a page of results, so
//! pages stay full and totals count only what the actor may see: a clause of the
//! query for customers, and for agents a test of each matched document made while the
//! results are collected ([`AgentTest`]).

use std::sync::Arc;

use ferrodesk_domain::{Actor, TicketScope, UserId, Visibility};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader, Term};

use crate::document::{ArticleStatus, DocKind};
use crate::schema::{
    Fields, Matched, NOT_A_TICKET, SCOPE_ASSIGNEE_FIELD, SCOPE_GROUP_FIELD, SCOPE_OWNER_FIELD,
    visibility_text,
};

/// What one actor may find.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchScope {
    user_id: UserId,
    tickets: TicketScope,
}

impl SearchScope {
    /// The scope of `actor`, following the same rules as [`Actor::can_view`].
    pub fn for_actor(actor: &Actor) -> SearchScope {
        SearchScope {
            user_id: actor.user_id,
            tickets: actor.ticket_scope(),
        }
    }

    /// Whether the actor is staff: staff search internal notes and internal articles.
    pub fn is_staff(&self) -> bool {
        !matches!(self.tickets, TicketScope::Customer { .. })
    }

    /// An agent's scope, tested on each matched document while results are collected.
    pub(crate) fn agent_test(&self) -> Option<AgentTest> {
        match &self.tickets {
            TicketScope::Agent { user_id, group_ids } => Some(AgentTest {
                user_id: user_id.get(),
                group_ids: group_ids.iter().map(|g| g.get()).collect(),
            }),
            TicketScope::All | TicketScope::Customer { .. } => None,
        }
    }

    /// The texts this actor's queries look at.
    pub(crate) fn matched(&self) -> &'static [Matched] {
        if self.is_staff() {
            &Matched::ALL
        } else {
            &Matched::PUBLIC
        }
    }

    /// The clause a document must match to be visible, or `None` when every document
    /// is or when the scope is tested while collecting ([`SearchScope::agent_test`]).
    pub(crate) fn filter(&self, fields: &Fields) -> Option<Box<dyn Query>> {
        match &self.tickets {
            TicketScope::All => None,
            // Tested while collecting instead: see `AgentTest`.
            TicketScope::Agent { .. } => None,
            TicketScope::Customer {
                user_id,
                shared_organization,
            } => {
                let mut theirs = vec![i64_term(fields.requester, user_id.get())];
                if let Some(organization) = shared_organization {
                    theirs.push(i64_term(fields.organization, organization.get()));
                }
                let tickets = all_of(vec![
                    kind_term(fields, DocKind::Ticket),
                    Box::new(BooleanQuery::union(theirs)),
                ]);
                let articles = all_of(vec![
                    kind_term(fields, DocKind::Article),
                    text_term(fields.visibility, visibility_text(Visibility::Public)),
                    text_term(fields.status, ArticleStatus::Published.as_str()),
                ]);
                let assets = all_of(vec![
                    kind_term(fields, DocKind::Asset),
                    i64_term(fields.holder, self.user_id.get()),
                ]);
                Some(Box::new(BooleanQuery::union(vec![
                    tickets, articles, assets,
                ])))
            }
        }
    }
}

impl From<&Actor> for SearchScope {
    fn from(actor: &Actor) -> SearchScope {
        SearchScope::for_actor(actor)
    }
}

/// What an agent may find: every document that is not a ticket, and the tickets of
/// their groups or assigned to or owned by them.
///
/// An agent's groups usually hold most of a desk, so matching the scope as query terms
/// meant walking most of the index for every search, and intersecting it with the
/// words cost more than the words themselves. It is a test of each matched document's
/// own values instead (tantivy's fast fields, a lookup each), made while the results
/// are collected ([`Scoped`]).
#[derive(Debug, Clone)]
pub(crate) struct AgentTest {
    user_id: i64,
    group_ids: Arc<[i64]>,
}

impl AgentTest {
    /// The test for the documents of one segment.
    fn for_segment(&self, segment: &SegmentReader) -> tantivy::Result<SegmentTest> {
        let fast = segment.fast_fields();
        Ok(SegmentTest {
            group: fast.column_opt::<i64>(SCOPE_GROUP_FIELD)?,
            owner: fast.column_opt::<i64>(SCOPE_OWNER_FIELD)?,
            assignee: fast.column_opt::<i64>(SCOPE_ASSIGNEE_FIELD)?,
            test: self.clone(),
            ids: Vec::with_capacity(BATCH),
            groups: Vec::with_capacity(BATCH),
            owners: Vec::with_capacity(BATCH),
            assignees: Vec::with_capacity(BATCH),
        })
    }
}

/// How many matched documents are tested at once: a batch reads each column in one
/// call instead of one call per document.
const BATCH: usize = 64;

/// An [`AgentTest`] on the values of one segment.
struct SegmentTest {
    group: Option<Column<i64>>,
    owner: Option<Column<i64>>,
    assignee: Option<Column<i64>>,
    test: AgentTest,
    /// The documents of a batch and their values.
    ids: Vec<DocId>,
    groups: Vec<Option<i64>>,
    owners: Vec<Option<i64>>,
    assignees: Vec<Option<i64>>,
}

impl SegmentTest {
    /// Calls `keep` with each of `docs` the agent may see, in order.
    fn each_kept(&mut self, docs: &[(DocId, Score)], mut keep: impl FnMut(DocId, Score)) {
        self.ids.clear();
        self.ids.extend(docs.iter().map(|&(doc, _)| doc));
        let ids = &self.ids;
        let read = |column: &Option<Column<i64>>, values: &mut Vec<Option<i64>>| {
            values.clear();
            values.resize(ids.len(), None);
            if let Some(column) = column {
                column.first_vals(ids, values);
            }
        };
        read(&self.group, &mut self.groups);
        read(&self.owner, &mut self.owners);
        read(&self.assignee, &mut self.assignees);
        let test = &self.test;
        let user = Some(test.user_id);
        for (index, &(doc, score)) in docs.iter().enumerate() {
            let is_kept = match self.groups[index] {
                Some(NOT_A_TICKET) => true,
                Some(group) if test.group_ids.contains(&group) => true,
                _ => self.owners[index] == user || self.assignees[index] == user,
            };
            if is_kept {
                keep(doc, score);
            }
        }
    }
}

/// A collector that passes on only the documents an [`AgentTest`] keeps.
pub(crate) struct Scoped<C> {
    pub(crate) test: AgentTest,
    pub(crate) inner: C,
}

impl<C: Collector> Collector for Scoped<C> {
    type Fruit = C::Fruit;
    type Child = ScopedSegment<C::Child>;

    fn for_segment(
        &self,
        segment_ord: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        Ok(ScopedSegment {
            test: self.test.for_segment(segment)?,
            pending: Vec::with_capacity(BATCH),
            inner: self.inner.for_segment(segment_ord, segment)?,
        })
    }

    fn requires_scoring(&self) -> bool {
        self.inner.requires_scoring()
    }

    fn merge_fruits(
        &self,
        fruits: Vec<<Self::Child as SegmentCollector>::Fruit>,
    ) -> tantivy::Result<Self::Fruit> {
        self.inner.merge_fruits(fruits)
    }
}

pub(crate) struct ScopedSegment<S> {
    test: SegmentTest,
    /// Matched documents not tested yet.
    pending: Vec<(DocId, Score)>,
    inner: S,
}

impl<S: SegmentCollector> ScopedSegment<S> {
    fn flush(&mut self) {
        let inner = &mut self.inner;
        self.test
            .each_kept(&self.pending, |doc, score| inner.collect(doc, score));
        self.pending.clear();
    }
}

impl<S: SegmentCollector> SegmentCollector for ScopedSegment<S> {
    type Fruit = S::Fruit;

    fn collect(&mut self, doc: DocId, score: Score) {
        self.pending.push((doc, score));
        if self.pending.len() == BATCH {
            self.flush();
        }
    }

    fn harvest(mut self) -> Self::Fruit {
        self.flush();
        self.inner.harvest()
    }
}

/// Documents of `kind`.
pub(crate) fn kind_term(fields: &Fields, kind: DocKind) -> Box<dyn Query> {
    text_term(fields.kind, kind.as_str())
}

/// Documents whose untokenized `field` is `value`.
pub(crate) fn text_term(field: Field, value: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, value),
        IndexRecordOption::Basic,
    ))
}

/// Documents whose numeric `field` is `value`.
pub(crate) fn i64_term(field: Field, value: i64) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_i64(field, value),
        IndexRecordOption::Basic,
    ))
}

/// Documents matching every clause.
pub(crate) fn all_of(clauses: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(
        clauses.into_iter().map(|q| (Occur::Must, q)).collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferrodesk_domain::{GroupId, OrganizationId, Role};

    fn actor(role: Role) -> Actor {
        Actor {
            user_id: UserId(5),
            role,
            group_ids: vec![GroupId(1)],
            organization_id: Some(OrganizationId(7)),
            organization_shares_tickets: true,
        }
    }

    #[test]
    fn staff_and_customers_are_told_apart_by_their_ticket_scope() {
        assert!(SearchScope::for_actor(&actor(Role::Agent)).is_staff());
        assert!(SearchScope::for_actor(&actor(Role::Admin)).is_staff());
        assert!(!SearchScope::for_actor(&actor(Role::Customer)).is_staff());
    }

    #[test]
    fn customers_never_search_internal_notes() {
        let customer = SearchScope::for_actor(&actor(Role::Customer));
        assert!(!customer.matched().contains(&Matched::Internal));
        let agent = SearchScope::for_actor(&actor(Role::Agent));
        assert!(agent.matched().contains(&Matched::Internal));
    }

    #[test]
    fn supervisors_need_no_filter_agents_a_test_while_collecting_and_customers_a_query_clause() {
        let (_, fields) = Fields::build();
        let supervisor = SearchScope::for_actor(&actor(Role::Supervisor));
        assert!(supervisor.filter(&fields).is_none());
        assert!(supervisor.agent_test().is_none());
        let agent = SearchScope::for_actor(&actor(Role::Agent));
        assert!(agent.filter(&fields).is_none());
        assert!(agent.agent_test().is_some());
        let customer = SearchScope::for_actor(&actor(Role::Customer));
        assert!(customer.filter(&fields).is_some());
        assert!(customer.agent_test().is_none());
    }
}
