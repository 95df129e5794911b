//! A query finds the inflected forms of its words in each stemmed language.

use ferrodesk_search::Document;

use crate::support::{admin, found, index_with, t, ticket, ticket_in};

fn finds(language: &str, indexed: &str, query: &str) {
    let index = index_with([
        Document::from(ticket_in(language, 10001, indexed)),
        ticket_in(language, 10002, "something else entirely").into(),
    ]);
    assert_eq!(
        found(&index, &admin(), query),
        vec![t(10001)],
        "{language}: {query:?} should find {indexed:?}"
    );
}

#[test]
fn portuguese_plural_finds_the_singular() {
    finds("pt-BR", "A impressora não imprime", "impressoras");
}

#[test]
fn norwegian_definite_plural_finds_the_definite_singular() {
    finds("nb", "Skriveren skriver ikke ut", "skriverne");
}

#[test]
fn hungarian_accusative_finds_the_nominative() {
    finds("hu", "A nyomtató nem nyomtat", "nyomtatót");
}

#[test]
fn spanish_plural_finds_the_singular() {
    finds("es", "La impresora no imprime", "impresoras");
}

#[test]
fn english_plural_finds_the_singular() {
    finds("en", "The printer does not print", "printers");
}

#[test]
fn polish_inflections_find_each_other() {
    finds("pl", "Drukarka nie drukuje", "drukarki");
    finds("pl", "Nie widzę drukarki w sieci", "drukarka");
}

#[test]
fn an_unknown_language_is_stemmed_as_english() {
    finds("de", "Printer in room 4", "printers");
}

#[test]
fn words_typed_without_accents_find_accented_ones() {
    finds("pt", "Falha na impressão", "impressao");
}

#[test]
fn the_form_typed_ranks_above_other_forms_of_the_word() {
    let index = index_with([
        Document::from(ticket(10001, "printer offline", "")),
        ticket(10002, "printers offline", "").into(),
    ]);
    assert_eq!(
        found(&index, &admin(), "printers"),
        vec![t(10002), t(10001)]
    );
    assert_eq!(found(&index, &admin(), "printer"), vec![t(10001), t(10002)]);
}

#[test]
fn the_same_search_finds_documents_in_several_languages() {
    let index = index_with([
        Document::from(ticket_in("pt", 10001, "impressora travada")),
        ticket_in("es", 10002, "impresora atascada").into(),
        ticket_in("en", 10003, "printer jammed").into(),
    ]);
    // The Spanish and Portuguese words are also two typos apart, so each finds the
    // other language's ticket too, below its own.
    assert_eq!(found(&index, &admin(), "impressoras")[0], t(10001));
    assert_eq!(found(&index, &admin(), "impresoras")[0], t(10002));
    assert_eq!(found(&index, &admin(), "printers"), vec![t(10003)]);
}
