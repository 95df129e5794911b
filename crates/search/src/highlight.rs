//! Snippets: the passage of a text where the query matched, as HTML.
//!
//! Every character of the indexed text is HTML-escaped; the only markup in the output
//! is the `<mark>` around matched words (and `…` where the passage is cut), so a
//! snippet can be put into a page as is. A word is marked when it is a word of the
//! query as written, shares a stem with one in the document's language, starts with a
//! prefix of the query, or is within the typo distance of a query word: the same
//! rules the query matched by. Stop words of the document's language and of English
//! are never marked.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use crate::language::{Analyzers, Language};
use crate::query::Highlight;

/// A snippet is about this many bytes of text.
const SNIPPET_BYTES: usize = 200;
/// Text kept before the first match of a snippet, so it does not open on the match.
const LEAD_BYTES: usize = 50;

impl Highlight {
    /// The byte ranges of `text` that match, in order.
    pub(crate) fn matches(
        &self,
        analyzers: &mut Analyzers,
        language: Language,
        text: &str,
    ) -> Vec<Range<usize>> {
        if text.is_empty() {
            return Vec::new();
        }
        let stems: HashMap<usize, String> = if self.stems.is_empty() {
            HashMap::new()
        } else {
            analyzers
                .stem_tokens(language, text)
                .into_iter()
                .map(|t| (t.offset_from, t.text))
                .collect()
        };
        // Stop words ("the", "não") are never marked, even when a query matched them.
        let content: HashSet<usize> = analyzers
            .content_words(language, text)
            .into_iter()
            .map(|t| t.offset_from)
            .collect();
        analyzers
            .raw_tokens(text)
            .into_iter()
            .filter(|token| content.contains(&token.offset_from))
            .filter(|token| {
                let word = token.text.as_str();
                self.exact.contains(word)
                    || stems
                        .get(&token.offset_from)
                        .is_some_and(|stem| self.stems.contains(stem))
                    || self.prefixes.iter().any(|p| word.starts_with(p.as_str()))
                    || self
                        .fuzzy
                        .iter()
                        .any(|(query, distance)| is_within(query, word, *distance))
            })
            .map(|token| token.offset_from..token.offset_to)
            .collect()
    }
}

/// All of `text`, escaped, with `matches` marked (for titles).
pub(crate) fn mark_all(text: &str, matches: &[Range<usize>]) -> String {
    render(text, 0..text.len(), matches)
}

/// The passage of `text` with the most matches, escaped and marked; the opening of
/// the text when nothing matches.
pub(crate) fn snippet(text: &str, matches: &[Range<usize>]) -> String {
    let text_end = text.len();
    if text_end <= SNIPPET_BYTES {
        return render(text, 0..text_end, matches);
    }
    // The window of SNIPPET_BYTES that starts at a match and holds the most matches.
    let mut best = (0, 0);
    let mut last = 0;
    for (first, start) in matches.iter().map(|m| m.start).enumerate() {
        last = last.max(first);
        while last + 1 < matches.len() && matches[last + 1].end <= start + SNIPPET_BYTES {
            last += 1;
        }
        let count = last + 1 - first;
        if count > best.1 {
            best = (first, count);
        }
    }
    let (start, end) = match matches.get(best.0) {
        None => (0, floor_boundary(text, SNIPPET_BYTES)),
        Some(first) => {
            let mut start = floor_boundary(text, first.start.saturating_sub(LEAD_BYTES));
            // Open on a whole word when there is a space to open after.
            if start > 0
                && let Some(space) = text[start..first.start].find(char::is_whitespace)
            {
                start += space;
                start = ceil_boundary(text, start + 1);
            }
            let end = floor_boundary(text, (start + SNIPPET_BYTES).min(text_end));
            (start, end)
        }
    };
    // Close on a whole word unless that would drop a match.
    let last_match_end = matches
        .iter()
        .filter(|m| m.start >= start && m.end <= end)
        .map(|m| m.end)
        .max()
        .unwrap_or(start);
    let end = if end < text_end {
        text[last_match_end..end]
            .rfind(char::is_whitespace)
            .map_or(end, |space| last_match_end + space)
    } else {
        end
    };
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    out.push_str(render(text, start..end, matches).trim());
    if end < text_end {
        out.push('…');
    }
    out
}

/// `text[window]`, escaped, with the matches inside the window marked.
fn render(text: &str, window: Range<usize>, matches: &[Range<usize>]) -> String {
    let mut out = String::with_capacity(window.len() + 32);
    let mut at = window.start;
    for m in matches {
        if m.start < at || m.end > window.end {
            continue;
        }
        escape_into(&mut out, &text[at..m.start]);
        out.push_str("<mark>");
        escape_into(&mut out, &text[m.clone()]);
        out.push_str("</mark>");
        at = m.end;
    }
    escape_into(&mut out, &text[at..window.end]);
    out
}

/// Escapes text for HTML element content and attribute values.
pub(crate) fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
}

fn floor_boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn ceil_boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at += 1;
    }
    at
}

/// Whether `a` and `b` are at most `distance` edits apart, counting a swap of two
/// neighbouring letters as one edit (the optimal string alignment distance, as the
/// index's typo matching counts).
pub(crate) fn is_within(a: &str, b: &str, distance: u8) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let limit = usize::from(distance);
    if a.len().abs_diff(b.len()) > limit {
        return false;
    }
    // Three rows of the dynamic programme: two back (for swaps), one back, current.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current: Vec<usize> = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        current[0] = i;
        let mut row_min = current[0];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut value = (previous[j] + 1)
                .min(current[j - 1] + 1)
                .min(previous[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                value = value.min(before[j - 2] + 1);
            }
            current[j] = value;
            row_min = row_min.min(value);
        }
        if row_min > limit {
            return false;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()] <= limit
}

#[cfg(test)]
mod tests {
    use super::*;

    fn highlight(words: &[&str]) -> Highlight {
        Highlight {
            exact: words.iter().map(|w| (*w).to_owned()).collect(),
            ..Highlight::default()
        }
    }

    #[test]
    fn everything_but_the_marks_is_escaped() {
        let text = r#"<script>alert("x")</script> & printer's"#;
        let matches =
            highlight(&["printer"]).matches(&mut Analyzers::new(), Language::English, text);
        assert_eq!(
            mark_all(text, &matches),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; <mark>printer</mark>&#39;s"
        );
    }

    #[test]
    fn long_texts_are_cut_around_the_densest_matches() {
        let text = format!(
            "{} the printer is jammed and the printer tray is empty {}",
            "lorem ipsum ".repeat(40),
            "dolor sit ".repeat(40)
        );
        let matches =
            highlight(&["printer"]).matches(&mut Analyzers::new(), Language::English, &text);
        let snippet = snippet(&text, &matches);
        assert!(
            snippet.starts_with('…') && snippet.ends_with('…'),
            "{snippet}"
        );
        assert_eq!(snippet.matches("<mark>printer</mark>").count(), 2);
        assert!(snippet.len() < SNIPPET_BYTES + 60, "{snippet}");
    }

    #[test]
    fn a_text_without_matches_shows_its_opening() {
        let text = "é".repeat(300);
        let snippet = snippet(&text, &[]);
        assert!(snippet.starts_with('é') && snippet.ends_with('…'));
    }

    #[test]
    fn stems_in_the_documents_language_are_marked() {
        let mut analyzers = Analyzers::new();
        let mut highlight = Highlight::default();
        highlight.stems.extend(
            analyzers
                .stem_tokens(Language::Portuguese, "impressoras")
                .into_iter()
                .map(|t| t.text),
        );
        let text = "A impressora não imprime";
        let matches = highlight.matches(&mut analyzers, Language::Portuguese, text);
        assert_eq!(
            mark_all(text, &matches),
            "A <mark>impressora</mark> não imprime"
        );
    }

    #[test]
    fn stop_words_are_never_marked_even_when_the_query_has_them() {
        let text = "A impressora não imprime the page";
        let matches = highlight(&["a", "nao", "impressora", "the"]).matches(
            &mut Analyzers::new(),
            Language::Portuguese,
            text,
        );
        assert_eq!(
            mark_all(text, &matches),
            "A <mark>impressora</mark> não imprime the page"
        );
    }

    #[test]
    fn swaps_count_as_one_edit() {
        assert!(is_within("pritner", "printer", 1));
        assert!(is_within("printer", "printr", 1));
        assert!(!is_within("printer", "pointers", 1));
        assert!(is_within("printer", "pointers", 2));
        assert!(!is_within("vpn", "dns", 1));
    }
}
