//! Phrases, prefixes, typos, exclusions, identifiers and snippets.

use ferrodesk_search::{Document, SearchRequest, TicketDoc};

use crate::support::{admin, at, found, index_with, search, t, ticket};

fn index_of(tickets: Vec<TicketDoc>) -> ferrodesk_search::SearchIndex {
    index_with(tickets.into_iter().map(Document::from))
}

#[test]
fn a_quoted_phrase_needs_its_words_in_order_while_plain_words_need_them_anywhere() {
    let index = index_of(vec![
        ticket(10001, "Paper jam in tray two", ""),
        ticket(10002, "Jam: the tray has no paper", ""),
    ]);
    assert_eq!(found(&index, &admin(), r#""paper jam""#), vec![t(10001)]);
    let mut both = found(&index, &admin(), "paper jam");
    both.sort();
    assert_eq!(both, vec![t(10001), t(10002)]);
}

#[test]
fn a_quoted_phrase_matches_inflected_and_base_forms_in_its_order() {
    let index = index_of(vec![
        ticket(10001, "Printer jammed again", ""),
        ticket(10002, "Printers jam every morning", ""),
        ticket(10003, "Jammed, so the printer was restarted", ""),
    ]);
    let mut found_in_order = found(&index, &admin(), r#""printers jammed""#);
    found_in_order.sort();
    assert_eq!(found_in_order, vec![t(10001), t(10002)]);
}

#[test]
fn every_plain_word_must_match() {
    let index = index_of(vec![
        ticket(10001, "printer offline", ""),
        ticket(10002, "scanner offline", ""),
    ]);
    assert_eq!(found(&index, &admin(), "printer offline"), vec![t(10001)]);
}

#[test]
fn a_star_makes_a_prefix() {
    let index = index_of(vec![
        ticket(10001, "printer offline", ""),
        ticket(10002, "printing is slow", ""),
        ticket(10003, "sprint planning", ""),
    ]);
    let mut hits = found(&index, &admin(), "print*");
    hits.sort();
    assert_eq!(hits, vec![t(10001), t(10002)]);
}

#[test]
fn the_word_being_typed_matches_as_a_prefix_only_when_asked() {
    let index = index_of(vec![ticket(10001, "printer offline", "")]);
    let typing = SearchRequest {
        is_prefix_last: true,
        ..SearchRequest::new("offline prin")
    };
    assert_eq!(index.search(&admin(), &typing).expect("search").total, 1);
    assert_eq!(search(&index, &admin(), "offline prin").total, 0);
    let done_typing = SearchRequest {
        is_prefix_last: true,
        ..SearchRequest::new("offline prin ")
    };
    assert_eq!(
        index.search(&admin(), &done_typing).expect("search").total,
        0
    );
}

#[test]
fn a_typo_still_finds_the_word_but_ranks_below_the_word_itself() {
    let index = index_of(vec![
        ticket(10001, "pointer disappears", ""),
        ticket(10002, "printer disappears", ""),
    ]);
    assert_eq!(found(&index, &admin(), "pritner"), vec![t(10002)]);
    assert_eq!(found(&index, &admin(), "printer"), vec![t(10002), t(10001)]);
}

#[test]
fn typos_are_looked_for_only_while_the_word_itself_fills_less_than_a_page() {
    let index = index_of(vec![
        ticket(10001, "printer jammed", ""),
        ticket(10002, "printer offline", ""),
        ticket(10003, "pointer lost", ""),
    ]);
    let page_of = |limit: usize| {
        let request = SearchRequest {
            limit,
            ..SearchRequest::new("printer")
        };
        let results = index.search(&admin(), &request).expect("search");
        let mut ids: Vec<_> = results.hits.iter().map(|h| h.key.id).collect();
        ids.sort_unstable();
        (ids, results.total)
    };
    assert_eq!(
        page_of(2),
        (vec![10001, 10002], 2),
        "two real matches fill a page of two: no typo match, nor in the total"
    );
    assert_eq!(
        page_of(20),
        (vec![10001, 10002, 10003], 3),
        "a page of twenty is not filled: the typo match joins, last"
    );
}

#[test]
fn long_words_tolerate_two_typos_and_short_words_none() {
    let index = index_of(vec![
        ticket(10001, "keyboard replacement", ""),
        ticket(10002, "vpn down", ""),
    ]);
    assert_eq!(found(&index, &admin(), "replasemnet"), vec![t(10001)]);
    assert!(found(&index, &admin(), "vpm").is_empty());
}

#[test]
fn quoted_words_are_never_matched_with_typos() {
    let index = index_of(vec![ticket(10001, "printer offline", "")]);
    assert!(found(&index, &admin(), r#""pritner""#).is_empty());
}

#[test]
fn a_dash_excludes_a_word() {
    let index = index_of(vec![
        ticket(10001, "laser printer jammed", ""),
        ticket(10002, "inkjet printer jammed", ""),
    ]);
    assert_eq!(found(&index, &admin(), "printer -laser"), vec![t(10002)]);
}

#[test]
fn ticket_numbers_are_found_as_people_write_them() {
    let index = index_of(vec![ticket(10042, "printer offline", "")]);
    assert_eq!(found(&index, &admin(), "10042"), vec![t(10042)]);
    assert_eq!(found(&index, &admin(), "#10042"), vec![t(10042)]);
}

#[test]
fn snippets_escape_the_indexed_text_and_mark_the_matches() {
    let index = index_of(vec![ticket(
        10001,
        "Printer <b>broken</b>",
        "<script>alert('x')</script> the printer says \"PC LOAD LETTER\" & stops",
    )]);
    let hit = search(&index, &admin(), "printer").hits.remove(0);
    assert_eq!(
        hit.snippet_html,
        "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; the <mark>printer</mark> says \
         &quot;PC LOAD LETTER&quot; &amp; stops"
    );
    assert_eq!(
        hit.title_html,
        "<mark>Printer</mark> &lt;b&gt;broken&lt;/b&gt;"
    );
    assert_eq!(hit.title, "Printer <b>broken</b>");
}

#[test]
fn snippets_mark_inflected_forms_and_typos_too() {
    let index = index_of(vec![ticket(10001, "", "All printers show a pirnter error")]);
    let hit = search(&index, &admin(), "printer").hits.remove(0);
    assert_eq!(
        hit.snippet_html,
        "All <mark>printers</mark> show a <mark>pirnter</mark> error"
    );
}

#[test]
fn a_snippet_quotes_the_reply_that_matches() {
    let mut solved = ticket(10001, "Outlook keeps asking for a password", "");
    solved.public_replies = vec![
        "Thanks, we are looking into it.".into(),
        "Clearing the credential manager entry fixed it.".into(),
    ];
    let index = index_of(vec![solved]);
    let hit = search(&index, &admin(), "credential").hits.remove(0);
    assert_eq!(
        hit.snippet_source,
        ferrodesk_search::SnippetSource::PublicReply
    );
    assert!(hit.snippet_html.contains("<mark>credential</mark>"));
}

#[test]
fn an_empty_query_lists_everything_visible_newest_change_first() {
    let mut older = ticket(10001, "older", "");
    older.updated_at = at("2025-01-01T00:00:00Z");
    let mut newer = ticket(10002, "newer", "");
    newer.updated_at = at("2025-06-01T00:00:00Z");
    let index = index_of(vec![older, newer]);
    let results = search(&index, &admin(), "");
    assert_eq!(results.total, 2);
    assert_eq!(
        results.hits.iter().map(|h| h.key).collect::<Vec<_>>(),
        vec![t(10002), t(10001)]
    );
}

#[test]
fn a_query_of_punctuation_only_is_an_empty_query() {
    let index = index_of(vec![ticket(10001, "printer", "")]);
    assert_eq!(search(&index, &admin(), "?! -- ...").total, 1);
}
