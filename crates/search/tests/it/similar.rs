//! Similar resolved tickets and suggested articles.

use ferrodesk_domain::{TicketId, TicketStatus, UserId, Visibility};
use ferrodesk_search::{
    ArticleDoc, ArticleStatus, DocKey, Document, Language, SearchHit, SimilarTo,
};

use crate::support::{admin, agent, article, customer, index_with, requester, t, ticket};

fn keys(hits: Vec<SearchHit>) -> Vec<DocKey> {
    hits.into_iter().map(|hit| hit.key).collect()
}

fn similar_to(subject: &str, description: &str) -> SimilarTo {
    SimilarTo {
        subject: subject.into(),
        description: description.into(),
        language: Language::English,
        exclude: Some(TicketId(10009)),
        limit: 5,
    }
}

fn solved(id: i64, subject: &str, description: &str, status: TicketStatus) -> Document {
    let mut doc = ticket(id, subject, description);
    doc.status = status;
    doc.public_replies = vec!["Reinstalled the printer driver, works now.".into()];
    doc.into()
}

#[test]
fn similar_tickets_are_resolved_or_closed_and_the_closest_come_first() {
    let index = index_with([
        solved(
            10001,
            "Printer offline after update",
            "The office printer shows offline",
            TicketStatus::Resolved,
        ),
        solved(
            10002,
            "Printer offline",
            "The cable was unplugged",
            TicketStatus::Closed,
        ),
        solved(
            10005,
            "Printer toner low",
            "Need a new toner cartridge",
            TicketStatus::Closed,
        ),
        solved(
            10003,
            "Printer offline after update",
            "Same again",
            TicketStatus::Open,
        ),
        solved(
            10004,
            "Outlook crashes",
            "Outlook crashes on start",
            TicketStatus::Resolved,
        ),
        solved(
            10009,
            "Printer offline after update",
            "The printer shows offline",
            TicketStatus::Resolved,
        ),
    ]);
    let hits = index
        .similar_tickets(
            &admin(),
            &similar_to(
                "Printer offline",
                "my printer shows offline since the update",
            ),
        )
        .expect("similar");
    assert_eq!(keys(hits.clone()), vec![t(10001), t(10002)]);
    assert!(hits[0].score > hits[1].score);
}

#[test]
fn similar_tickets_respect_the_scope() {
    let mut someone_elses = ticket(10001, "Printer offline", "printer shows offline");
    someone_elses.status = TicketStatus::Resolved;
    someone_elses.requester_id = UserId(999);
    let index = index_with([Document::from(someone_elses)]);
    let query = similar_to("Printer offline", "printer shows offline");
    assert!(
        index
            .similar_tickets(&requester(), &query)
            .expect("similar")
            .is_empty()
    );
    assert!(
        index
            .similar_tickets(&agent(100, &[2]), &query)
            .expect("similar")
            .is_empty()
    );
    assert_eq!(
        keys(
            index
                .similar_tickets(&agent(100, &[1]), &query)
                .expect("similar")
        ),
        vec![t(10001)]
    );
}

#[test]
fn similar_tickets_stem_in_the_tickets_language() {
    let mut resolved = ticket(10001, "Impressora não imprime", "");
    resolved.language = Language::Portuguese;
    resolved.status = TicketStatus::Resolved;
    let index = index_with([Document::from(resolved)]);
    let query = SimilarTo {
        language: Language::Portuguese,
        ..similar_to("Impressoras", "")
    };
    assert_eq!(
        keys(index.similar_tickets(&admin(), &query).expect("similar")),
        vec![t(10001)]
    );
}

#[test]
fn suggested_articles_are_published_and_public_for_customers() {
    let internal = ArticleDoc {
        visibility: Visibility::Internal,
        ..article(2, "Printer fleet firmware", "")
    };
    let draft = ArticleDoc {
        status: ArticleStatus::Draft,
        ..article(3, "Printer offline draft", "")
    };
    let index = index_with([
        Document::from(article(1, "Printer shows offline", "Turn it off and on")),
        internal.into(),
        draft.into(),
        ticket(10001, "Printer offline", "").into(),
    ]);
    let as_customer = index
        .suggest_articles(
            &customer(500, false),
            "my printer is offl",
            Language::English,
            5,
        )
        .expect("suggest");
    assert_eq!(keys(as_customer), vec![DocKey::article(1)]);
    let mut as_agent = keys(
        index
            .suggest_articles(&agent(100, &[1]), "printer", Language::English, 5)
            .expect("suggest"),
    );
    as_agent.sort();
    assert_eq!(as_agent, vec![DocKey::article(1), DocKey::article(2)]);
}

#[test]
fn suggested_articles_tolerate_typos_in_the_subject() {
    let index = index_with([Document::from(article(1, "Printer shows offline", ""))]);
    let hits = index
        .suggest_articles(&requester(), "pritner broken", Language::English, 5)
        .expect("suggest");
    assert_eq!(keys(hits), vec![DocKey::article(1)]);
}
