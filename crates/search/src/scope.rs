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
//! The scope is a filter clause of the query itself, never a pass over a page of
//! results, so pages stay full and totals count only what the actor may see.

use ferrodesk_domain::{Actor, TicketScope, UserId, Visibility};
use tantivy::Term;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};

use crate::document::{ArticleStatus, DocKind};
use crate::schema::{Fields, Part, visibility_text};

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

    /// The text parts this actor's queries look at.
    pub(crate) fn parts(&self) -> &'static [Part] {
        if self.is_staff() {
            &Part::ALL
        } else {
            &Part::PUBLIC
        }
    }

    /// The clause a document must match to be visible, or `None` when every document
    /// is.
    pub(crate) fn filter(&self, fields: &Fields) -> Option<Box<dyn Query>> {
        match &self.tickets {
            TicketScope::All => None,
            TicketScope::Agent { user_id, group_ids } => {
                // Only tickets carry an assignee, an owner or a group (see
                // `schema::Writer::ticket`), so these terms need no "is a ticket" beside
                // them: intersecting with every ticket of a large desk was most of the
                // cost of an agent's filter.
                let mut any: Vec<Box<dyn Query>> = vec![
                    i64_term(fields.assignee, user_id.get()),
                    i64_term(fields.owner, user_id.get()),
                ];
                any.extend(group_ids.iter().map(|g| i64_term(fields.group, g.get())));
                any.extend(
                    [DocKind::Article, DocKind::Person, DocKind::Asset]
                        .into_iter()
                        .map(|kind| kind_term(fields, kind)),
                );
                Some(Box::new(BooleanQuery::union(any)))
            }
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
        assert!(!customer.parts().contains(&Part::Internal));
        let agent = SearchScope::for_actor(&actor(Role::Agent));
        assert!(agent.parts().contains(&Part::Internal));
    }

    #[test]
    fn supervisors_need_no_filter() {
        let (_, fields) = Fields::build();
        assert!(
            SearchScope::for_actor(&actor(Role::Supervisor))
                .filter(&fields)
                .is_none()
        );
        assert!(
            SearchScope::for_actor(&actor(Role::Agent))
                .filter(&fields)
                .is_some()
        );
    }
}
