//! Reading what a user typed and turning it into a tantivy query.
//!
//! The syntax is what people expect from a search box: words (all must match),
//! `"quoted phrases"`, `prefix*`, and `-excluded` words or phrases. Each word is looked
//! up several ways at once, summed by BM25:
//!
//! - as written (unstemmed, folded), weighted highest, so exact words rank first;
//! - stemmed in each language, so "impressoras" finds "impressora";
//! - in the identifier field (ticket numbers, asset tags, serials, emails);
//! - with typos: one edit for words of 5 to 8 letters, two from 9 letters on (a
//!   swap of two letters counts as one edit), none for words with digits. A typo
//!   match scores a small constant, far below any BM25 score of a real word, so exact
//!   matches rank above it. A search looks for typos only when the words themselves
//!   fill less than a page of results (see `SearchIndex::search`);
//! - as a prefix, for `print*` and for the last word while the user is still typing
//!   (never also with typos, so `print*` does not find "sprint").
//!
//! Quoted phrases match word order, unstemmed or stemmed, never with typos. Nothing
//! here decides who may see what: that is [`crate::scope`].

use std::collections::HashSet;

use tantivy::Term;
use tantivy::query::{BooleanQuery, BoostQuery, FuzzyTermQuery, PhraseQuery, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::Token;

use crate::language::{Analyzers, Language};
use crate::schema::{Fields, Matched};

/// At most this many clauses of a query are used; the rest is ignored.
pub(crate) const MAX_CLAUSES: usize = 32;
/// At most this many bytes of a query are read (a phrase can hold many words).
const MAX_QUERY_BYTES: usize = 1_000;
/// A prefix shorter than this many letters is taken as a whole word: expanding "p"
/// would walk most of the dictionary.
const MIN_PREFIX_CHARS: usize = 2;
/// Extra weight of a word matched as written over its stem.
const EXACT_BOOST: f32 = 1.5;
/// Weight of an identifier match (a ticket number, an asset tag).
const CODE_BOOST: f32 = 3.0;
/// Constant score of a prefix match.
const PREFIX_SCORE: f32 = 0.5;
/// Constant score of a typo match: well below the BM25 score of any real match.
const FUZZY_SCORE: f32 = 0.05;

/// One piece of what the user typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Clause {
    /// A word (which may still cut into several tokens, like "wi-fi").
    Word(String),
    /// A word ending in `*`, or the last word being typed.
    Prefix(String),
    /// The text between double quotes.
    Phrase(String),
    /// A word or phrase after `-`.
    Exclude(String),
}

/// Cuts a query into clauses. With `prefix_last`, a last plain word that is not
/// followed by a space is taken as a prefix (the user is still typing it).
pub(crate) fn parse(text: &str, prefix_last: bool) -> Vec<Clause> {
    let mut cut = text.len().min(MAX_QUERY_BYTES);
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let text = &text[..cut];
    let mut clauses = Vec::new();
    let mut rest = text;
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            break;
        }
        let negated = rest
            .strip_prefix('-')
            .and_then(|after| after.chars().next())
            .is_some_and(|next| !next.is_whitespace());
        if negated {
            rest = &rest[1..];
        }
        if let Some(after_quote) = rest.strip_prefix('"') {
            let end = after_quote.find('"').unwrap_or(after_quote.len());
            let phrase = after_quote[..end].to_owned();
            rest = after_quote.get(end + 1..).unwrap_or_default();
            clauses.push(if negated {
                Clause::Exclude(phrase)
            } else {
                Clause::Phrase(phrase)
            });
            continue;
        }
        let end = rest
            .find(|c: char| c.is_whitespace() || c == '"')
            .unwrap_or(rest.len());
        let word = &rest[..end];
        rest = &rest[end..];
        let stripped = word.trim_end_matches('*');
        clauses.push(if negated {
            Clause::Exclude(stripped.to_owned())
        } else if stripped.len() < word.len() && !stripped.is_empty() {
            Clause::Prefix(stripped.to_owned())
        } else {
            Clause::Word(word.to_owned())
        });
    }
    clauses.truncate(MAX_CLAUSES);
    let still_typing = !text.ends_with(char::is_whitespace);
    if prefix_last
        && still_typing
        && let Some(last) = clauses.last_mut()
        && let Clause::Word(word) = last
    {
        *last = Clause::Prefix(std::mem::take(word));
    }
    clauses
}

/// What a query looked for, so snippets can mark it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Highlight {
    pub(crate) exact: HashSet<String>,
    pub(crate) stems: HashSet<String>,
    pub(crate) prefixes: Vec<String>,
    pub(crate) fuzzy: Vec<(String, u8)>,
}

/// The parts of a query, before they are combined with the filters.
pub(crate) struct Built {
    /// One query per clause that must (or may) match.
    pub(crate) positive: Vec<Box<dyn Query>>,
    /// One query per excluded word or phrase.
    pub(crate) negative: Vec<Box<dyn Query>>,
    /// What to mark in snippets.
    pub(crate) highlight: Highlight,
}

/// Builds queries over the text parts one actor may search.
pub(crate) struct QueryBuilder<'a> {
    fields: &'a Fields,
    analyzers: &'a mut Analyzers,
    parts: &'a [Matched],
    languages: &'a [Language],
    is_fuzzy: bool,
    highlight: Highlight,
}

impl<'a> QueryBuilder<'a> {
    pub(crate) fn new(
        fields: &'a Fields,
        analyzers: &'a mut Analyzers,
        parts: &'a [Matched],
        languages: &'a [Language],
        is_fuzzy: bool,
    ) -> QueryBuilder<'a> {
        QueryBuilder {
            fields,
            analyzers,
            parts,
            languages,
            is_fuzzy,
            highlight: Highlight::default(),
        }
    }

    /// Builds one query per clause.
    pub(crate) fn build(mut self, clauses: &[Clause]) -> Built {
        let mut positive = Vec::new();
        let mut negative = Vec::new();
        for clause in clauses {
            match clause {
                Clause::Word(word) => positive.extend(self.word(word, false, true)),
                Clause::Prefix(word) => positive.extend(self.word(word, true, true)),
                Clause::Phrase(text) => positive.extend(self.phrase(text, true)),
                Clause::Exclude(text) => negative.extend(self.phrase(text, false)),
            }
        }
        Built {
            positive,
            negative,
            highlight: self.highlight,
        }
    }

    /// A word typed without quotes.
    fn word(&mut self, word: &str, is_prefix: bool, record: bool) -> Option<Box<dyn Query>> {
        let tokens = self.analyzers.raw_tokens(word);
        match tokens.as_slice() {
            [] => None,
            // A prefix is not also matched with typos: "print*" must not find "sprint".
            [token] => Some(self.single(
                word,
                &token.text,
                self.is_fuzzy && !is_prefix,
                is_prefix,
                record,
            )),
            [leading @ .., last] if is_prefix => {
                // "wi-fi*": the whole words must match, the last one as a prefix.
                let mut all: Vec<Box<dyn Query>> = leading
                    .iter()
                    .map(|t| {
                        let original = &word[t.offset_from..t.offset_to];
                        self.single(original, &t.text, false, false, record)
                    })
                    .collect();
                let original = &word[last.offset_from..last.offset_to];
                all.push(self.single(original, &last.text, false, true, record));
                Some(Box::new(BooleanQuery::intersection(all)))
            }
            _ => self.phrase(word, record),
        }
    }

    /// One token, looked up every way the module docs list.
    fn single(
        &mut self,
        original: &str,
        raw: &str,
        is_fuzzy: bool,
        is_prefix: bool,
        record: bool,
    ) -> Box<dyn Query> {
        let mut any: Vec<Box<dyn Query>> = Vec::new();
        for &part in self.parts {
            let field = self.fields.text(part).raw;
            any.push(boosted(term(field, raw), part.boost() * EXACT_BOOST));
        }
        any.push(boosted(term(self.fields.code, raw), CODE_BOOST));
        if record {
            self.highlight.exact.insert(raw.to_owned());
        }
        for &language in self.languages {
            let stems = self.analyzers.stem_tokens(language, original);
            let [stem] = stems.as_slice() else { continue };
            for &part in self.parts {
                let field = self.fields.text(part).stem;
                any.push(boosted(term(field, &stem.text), part.boost()));
            }
            if record {
                self.highlight.stems.insert(stem.text.clone());
            }
        }
        let distance = typo_distance(raw);
        if is_fuzzy && distance > 0 {
            for &part in self.parts {
                let field = self.fields.text(part).raw;
                let fuzzy = FuzzyTermQuery::new(Term::from_field_text(field, raw), distance, true);
                any.push(boosted(Box::new(fuzzy), FUZZY_SCORE));
            }
            if record {
                self.highlight.fuzzy.push((raw.to_owned(), distance));
            }
        }
        if is_prefix && raw.chars().count() >= MIN_PREFIX_CHARS {
            let prefix_fields = self.parts.iter().map(|&part| self.fields.text(part).raw);
            for field in prefix_fields.chain([self.fields.code]) {
                let prefix = FuzzyTermQuery::new_prefix(Term::from_field_text(field, raw), 0, true);
                any.push(boosted(Box::new(prefix), PREFIX_SCORE));
            }
            if record {
                self.highlight.prefixes.push(raw.to_owned());
            }
        }
        Box::new(BooleanQuery::union(any))
    }

    /// Words in this order: unstemmed, or stemmed in one of the languages.
    fn phrase(&mut self, text: &str, record: bool) -> Option<Box<dyn Query>> {
        let raw = self.analyzers.raw_tokens(text);
        if let [token] = raw.as_slice() {
            let original = &text[token.offset_from..token.offset_to];
            return Some(self.single(original, &token.text, false, false, record));
        }
        if raw.is_empty() {
            return None;
        }
        let mut any: Vec<Box<dyn Query>> = Vec::new();
        for &part in self.parts {
            let field = self.fields.text(part).raw;
            any.push(boosted(phrase(field, &raw), part.boost() * EXACT_BOOST));
        }
        any.push(boosted(phrase(self.fields.code, &raw), CODE_BOOST));
        if record {
            self.highlight
                .exact
                .extend(raw.iter().map(|t| t.text.clone()));
        }
        for &language in self.languages {
            let stems = self.analyzers.stem_tokens(language, text);
            if stems.len() < 2 {
                continue;
            }
            for &part in self.parts {
                let field = self.fields.text(part).stem;
                any.push(boosted(phrase(field, &stems), part.boost()));
            }
            if record {
                self.highlight
                    .stems
                    .extend(stems.iter().map(|t| t.text.clone()));
            }
        }
        Some(Box::new(BooleanQuery::union(any)))
    }
}

/// How many edits a word may have and still match: more for longer words, none for
/// words with digits (a host name or an error code one digit off is another one).
pub(crate) fn typo_distance(word: &str) -> u8 {
    if word.chars().any(char::is_numeric) {
        return 0;
    }
    match word.chars().count() {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    }
}

fn term(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    ))
}

/// Two or more tokens at their relative positions.
fn phrase(field: Field, tokens: &[Token]) -> Box<dyn Query> {
    let first = tokens.first().map_or(0, |t| t.position);
    let terms = tokens
        .iter()
        .map(|t| (t.position - first, Term::from_field_text(field, &t.text)))
        .collect();
    Box::new(PhraseQuery::new_with_offset(terms))
}

fn boosted(query: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
    Box::new(BoostQuery::new(query, boost))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(text: &str) -> Clause {
        Clause::Word(text.into())
    }

    #[test]
    fn words_phrases_prefixes_and_exclusions_are_told_apart() {
        assert_eq!(
            parse(r#"printer "paper jam" toner* -laser -"color ink""#, false),
            vec![
                word("printer"),
                Clause::Phrase("paper jam".into()),
                Clause::Prefix("toner".into()),
                Clause::Exclude("laser".into()),
                Clause::Exclude("color ink".into()),
            ]
        );
    }

    #[test]
    fn an_unclosed_quote_runs_to_the_end() {
        assert_eq!(
            parse(r#"vpn "cannot connect"#, false),
            vec![word("vpn"), Clause::Phrase("cannot connect".into())]
        );
    }

    #[test]
    fn the_last_word_is_a_prefix_only_while_it_is_being_typed() {
        assert_eq!(
            parse("printer off", true),
            vec![word("printer"), Clause::Prefix("off".into())]
        );
        assert_eq!(
            parse("printer off ", true),
            vec![word("printer"), word("off")]
        );
        assert_eq!(parse("printer off", false).last(), Some(&word("off")));
    }

    #[test]
    fn a_lone_dash_or_star_is_a_plain_word() {
        assert_eq!(parse("- *", false), vec![word("-"), word("*")]);
    }

    #[test]
    fn long_queries_are_cut_to_the_clause_limit() {
        let text = "word ".repeat(MAX_CLAUSES + 10);
        assert_eq!(parse(&text, false).len(), MAX_CLAUSES);
    }

    #[test]
    fn very_long_queries_are_cut_on_a_character_boundary() {
        let text = format!("\"{}", "é".repeat(MAX_QUERY_BYTES));
        let clauses = parse(&text, false);
        let [Clause::Phrase(phrase)] = clauses.as_slice() else {
            panic!("one phrase expected, got {clauses:?}");
        };
        assert!(phrase.len() < MAX_QUERY_BYTES);
    }

    #[test]
    fn typo_tolerance_grows_with_word_length() {
        assert_eq!(typo_distance("vpn"), 0);
        assert_eq!(typo_distance("mouse"), 1);
        assert_eq!(typo_distance("printers"), 1);
        assert_eq!(typo_distance("impressora"), 2);
        assert_eq!(typo_distance("host01234"), 0);
    }
}
