//! Filters, pagination and totals.

use std::collections::HashSet;

use ferrodesk_domain::{CategoryId, GroupId, TicketStatus};
use ferrodesk_search::{
    ArticleStatus, DocKind, Document, MAX_LIMIT, SearchError, SearchFilters, SearchRequest,
};

use crate::support::{admin, article, at, index_with, t, ticket};

fn request(text: &str, filters: SearchFilters) -> SearchRequest {
    SearchRequest {
        filters,
        ..SearchRequest::new(text)
    }
}

fn mixed_index() -> ferrodesk_search::SearchIndex {
    let mut resolved = ticket(10002, "printer offline", "");
    resolved.status = TicketStatus::Resolved;
    resolved.group_id = Some(GroupId(2));
    resolved.category_id = Some(CategoryId(30));
    resolved.created_at = at("2025-05-10T12:00:00Z");
    let mut open = ticket(10001, "printer offline", "");
    open.category_id = Some(CategoryId(31));
    let draft = ferrodesk_search::ArticleDoc {
        status: ArticleStatus::Draft,
        category_id: Some(CategoryId(30)),
        ..article(1, "printer offline", "")
    };
    index_with([Document::from(open), resolved.into(), draft.into()])
}

fn keys(
    index: &ferrodesk_search::SearchIndex,
    filters: SearchFilters,
) -> Vec<ferrodesk_search::DocKey> {
    let mut keys: Vec<_> = index
        .search(&admin(), &request("printer", filters))
        .expect("search")
        .hits
        .into_iter()
        .map(|hit| hit.key)
        .collect();
    keys.sort();
    keys
}

#[test]
fn filters_keep_only_documents_with_one_of_the_named_values() {
    let index = mixed_index();
    let article = ferrodesk_search::DocKey::article(1);
    assert_eq!(
        keys(
            &index,
            SearchFilters {
                kinds: vec![DocKind::Article],
                ..Default::default()
            }
        ),
        vec![article]
    );
    assert_eq!(
        keys(
            &index,
            SearchFilters {
                ticket_statuses: vec![TicketStatus::Resolved],
                ..Default::default()
            }
        ),
        vec![t(10002)]
    );
    assert_eq!(
        keys(
            &index,
            SearchFilters {
                ticket_statuses: vec![TicketStatus::Open],
                article_statuses: vec![ArticleStatus::Draft],
                ..Default::default()
            }
        ),
        vec![t(10001), article]
    );
    assert_eq!(
        keys(
            &index,
            SearchFilters {
                group_ids: vec![GroupId(2)],
                ..Default::default()
            }
        ),
        vec![t(10002)]
    );
    assert_eq!(
        keys(
            &index,
            SearchFilters {
                category_ids: vec![CategoryId(30)],
                ..Default::default()
            }
        ),
        vec![t(10002), article]
    );
}

#[test]
fn the_created_range_includes_its_start_and_excludes_its_end() {
    let index = mixed_index();
    let from = |text: &str| SearchFilters {
        created_from: Some(at(text)),
        kinds: vec![DocKind::Ticket],
        ..Default::default()
    };
    assert_eq!(keys(&index, from("2025-05-10T12:00:00Z")), vec![t(10002)]);
    assert_eq!(keys(&index, from("2025-05-10T12:00:01Z")), vec![]);
    let before = SearchFilters {
        created_before: Some(at("2025-05-10T12:00:00Z")),
        kinds: vec![DocKind::Ticket],
        ..Default::default()
    };
    assert_eq!(keys(&index, before), vec![t(10001)]);
}

#[test]
fn pages_are_full_disjoint_and_share_one_total() {
    let index = index_with((0..45).map(|n| Document::from(ticket(10001 + n, "printer", ""))));
    let mut seen = HashSet::new();
    for (offset, expected) in [(0, 20), (20, 20), (40, 5), (60, 0)] {
        let page = index
            .search(
                &admin(),
                &SearchRequest {
                    offset,
                    limit: 20,
                    ..SearchRequest::new("printer")
                },
            )
            .expect("search");
        assert_eq!(page.total, 45);
        assert_eq!(page.hits.len(), expected, "page at {offset}");
        for hit in page.hits {
            assert!(seen.insert(hit.key), "{:?} on two pages", hit.key);
        }
    }
    assert_eq!(seen.len(), 45);
}

#[test]
fn a_page_must_hold_one_to_a_hundred_results() {
    let index = index_with([Document::from(ticket(10001, "printer", ""))]);
    for limit in [0, MAX_LIMIT + 1] {
        let result = index.search(
            &admin(),
            &SearchRequest {
                limit,
                ..SearchRequest::new("printer")
            },
        );
        assert!(
            matches!(result, Err(SearchError::InvalidRequest { .. })),
            "{limit}"
        );
    }
    let full = SearchRequest {
        limit: MAX_LIMIT,
        ..SearchRequest::new("printer")
    };
    assert_eq!(index.search(&admin(), &full).expect("search").total, 1);
}
