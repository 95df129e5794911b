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

fn article_in(language: Language, id: i64, title: &str, body: &str) -> Document {
    ArticleDoc {
        language,
        ..article(id, title, body)
    }
    .into()
}

#[test]
fn articles_for_a_ticket_leave_out_those_that_share_only_a_common_word() {
    let index = index_with([
        Document::from(article(
            1,
            "Printer shows paper jam",
            "Open tray 2 and remove the jammed paper.",
        )),
        article(
            2,
            "Request a new laptop",
            "Fill in the form; the office orders it.",
        )
        .into(),
        article(
            3,
            "Office opening hours",
            "The office is open from 8 to 18.",
        )
        .into(),
    ]);
    let ticket = SimilarTo {
        exclude: None,
        ..similar_to(
            "Printer paper jam in the office",
            "The printer in the office says paper jam",
        )
    };
    let hits = index
        .articles_for_ticket(&agent(100, &[1]), &ticket)
        .expect("suggest");
    assert_eq!(keys(hits), vec![DocKey::article(1)]);
}

#[test]
fn articles_for_a_ticket_come_in_the_tickets_language_first_and_say_their_own() {
    let index = index_with([
        article_in(
            Language::English,
            1,
            "Printer paper jam (papel encravado)",
            "When the impressora says papel encravado, open tray 2 and remove the paper.",
        ),
        article_in(
            Language::Portuguese,
            2,
            "Impressora com papel encravado",
            "Retire o papel da impressora.",
        ),
    ]);
    let ticket = SimilarTo {
        language: Language::Portuguese,
        exclude: None,
        ..similar_to("A impressora não imprime", "Papel encravado na impressora")
    };
    let hits = index
        .articles_for_ticket(&agent(100, &[1]), &ticket)
        .expect("suggest");
    let languages: Vec<Language> = hits.iter().map(|h| h.language).collect();
    assert_eq!(
        keys(hits.clone()),
        vec![DocKey::article(2), DocKey::article(1)]
    );
    assert_eq!(languages, vec![Language::Portuguese, Language::English]);
    assert!(
        hits.iter().all(
            |h| !h.title_html.contains("<mark>A</mark>") && !h.snippet_html.contains("<mark>n")
        ),
        "stop words are not marked: {hits:?}"
    );
}
