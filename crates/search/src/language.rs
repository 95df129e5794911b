//! Languages the index stems, and the text analysers that go with them.
//!
//! Every text is cut into words by tantivy's `SimpleTokenizer` (runs of letters and
//! digits), lowercased, and then either folded to ASCII (the unstemmed "raw" analysis,
//! used for exact words, prefixes and typo tolerance) or stemmed in one language and
//! then folded (the stemmed analysis). English, Portuguese, Spanish, Norwegian and
//! Hungarian use tantivy's built-in Snowball stemmers; Polish uses the Snowball Polish
//! stemmer from `frostem` (the crate tantivy itself stems with) through a small token
//! filter, because tantivy's `Language` has no Polish.
//!
//! Folding happens after stemming because the Snowball rules for Portuguese, Spanish
//! and Hungarian read accents ("nyomtatót" → "nyomtató"); folding the stem lets a user
//! who types without accents still meet it ("impressao" and "impressão" both give
//! "impressa").

use tantivy::tokenizer::{
    AsciiFoldingFilter, Language as TantivyLanguage, LowerCaser, RemoveLongFilter, SimpleTokenizer,
    Stemmer, StopWordFilter, TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer,
};

/// Words longer than this many bytes are not indexed (hashes, base64, long URLs).
const MAX_WORD_BYTES: usize = 40;

/// A language the index stems.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Language {
    /// English; also the fallback for every language the index does not stem.
    English,
    /// Portuguese (Portugal and Brazil).
    Portuguese,
    /// Spanish.
    Spanish,
    /// Norwegian (Bokmål and Nynorsk share the stemmer).
    Norwegian,
    /// Hungarian.
    Hungarian,
    /// Polish.
    Polish,
}

impl Language {
    /// Every language, English first.
    pub const ALL: [Language; 6] = [
        Language::English,
        Language::Portuguese,
        Language::Spanish,
        Language::Norwegian,
        Language::Hungarian,
        Language::Polish,
    ];

    /// Reads a BCP 47 tag (`pt`, `pt-BR`, `nb_NO`, `hu`); anything unknown is English.
    pub fn from_tag(tag: &str) -> Language {
        let primary = tag
            .trim()
            .split(['-', '_'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        match primary.as_str() {
            "pt" | "por" => Language::Portuguese,
            "es" | "spa" => Language::Spanish,
            "no" | "nb" | "nn" | "nor" | "nob" | "nno" => Language::Norwegian,
            "hu" | "hun" => Language::Hungarian,
            "pl" | "pol" => Language::Polish,
            _ => Language::English,
        }
    }

    /// The two-letter code this index uses for the language (`no` for Norwegian).
    pub fn code(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::Portuguese => "pt",
            Language::Spanish => "es",
            Language::Norwegian => "no",
            Language::Hungarian => "hu",
            Language::Polish => "pl",
        }
    }

    /// Reads back a code written by [`Language::code`]; unknown codes are English.
    pub(crate) fn from_code(code: &str) -> Language {
        Language::from_tag(code)
    }

    /// The language whose stop-word list tantivy has for this one; none for Polish.
    fn stop_word_language(self) -> Option<TantivyLanguage> {
        match self {
            Language::English => None,
            Language::Portuguese => Some(TantivyLanguage::Portuguese),
            Language::Spanish => Some(TantivyLanguage::Spanish),
            Language::Norwegian => Some(TantivyLanguage::Norwegian),
            Language::Hungarian => Some(TantivyLanguage::Hungarian),
            Language::Polish => None,
        }
    }

    fn index(self) -> usize {
        match self {
            Language::English => 0,
            Language::Portuguese => 1,
            Language::Spanish => 2,
            Language::Norwegian => 3,
            Language::Hungarian => 4,
            Language::Polish => 5,
        }
    }
}

/// The name the unstemmed analyser is registered under in the index.
pub(crate) const RAW_TOKENIZER: &str = "ferrodesk_raw";

/// The unstemmed analysis: words, lowercased, folded to ASCII.
pub(crate) fn raw_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_WORD_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// The stemmed analysis for `language`: words, lowercased, stemmed, folded to ASCII.
pub(crate) fn stem_analyzer(language: Language) -> TextAnalyzer {
    let words = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_WORD_BYTES))
        .filter(LowerCaser);
    match language {
        Language::English => words
            .filter(Stemmer::new(TantivyLanguage::English))
            .filter(AsciiFoldingFilter)
            .build(),
        Language::Portuguese => words
            .filter(Stemmer::new(TantivyLanguage::Portuguese))
            .filter(AsciiFoldingFilter)
            .build(),
        Language::Spanish => words
            .filter(Stemmer::new(TantivyLanguage::Spanish))
            .filter(AsciiFoldingFilter)
            .build(),
        Language::Norwegian => words
            .filter(Stemmer::new(TantivyLanguage::Norwegian))
            .filter(Rule::NorwegianAgentNoun)
            .filter(AsciiFoldingFilter)
            .build(),
        Language::Hungarian => words
            .filter(Stemmer::new(TantivyLanguage::Hungarian))
            .filter(AsciiFoldingFilter)
            .build(),
        Language::Polish => words
            .filter(Rule::Snowball(frostem::Stemmer::new(
                frostem::Algorithm::Polish,
            )))
            .filter(AsciiFoldingFilter)
            .build(),
    }
}

/// The words of a text that say what it is about: stop words of the language and of
/// English ("the", "não", "és") left out. Only the words chosen to describe a ticket
/// for similar tickets and suggestions go through this; indexing keeps every word, so
/// phrases with stop words still match.
fn content_analyzer(language: Language) -> TextAnalyzer {
    let mut builder = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_WORD_BYTES))
        .filter(LowerCaser)
        .dynamic();
    let lists = [
        language.stop_word_language(),
        Some(TantivyLanguage::English),
    ];
    for list in lists.into_iter().flatten().filter_map(StopWordFilter::new) {
        builder = builder.filter_dynamic(list);
    }
    builder.build()
}

/// The analysers a query or a highlighter needs, one set per caller (analysing needs
/// `&mut`, so each search clones its own).
#[derive(Clone)]
pub(crate) struct Analyzers {
    raw: TextAnalyzer,
    stems: [TextAnalyzer; 6],
    content: [TextAnalyzer; 6],
}

impl Analyzers {
    pub(crate) fn new() -> Analyzers {
        Analyzers {
            raw: raw_analyzer(),
            stems: Language::ALL.map(stem_analyzer),
            content: Language::ALL.map(content_analyzer),
        }
    }

    /// The words of `text` that are not stop words in `language` or English, with
    /// offsets into `text`.
    pub(crate) fn content_words(&mut self, language: Language, text: &str) -> Vec<Token> {
        collect(&mut self.content[language.index()], text)
    }

    /// The unstemmed words of `text`, with their positions and offsets.
    pub(crate) fn raw_tokens(&mut self, text: &str) -> Vec<Token> {
        collect(&mut self.raw, text)
    }

    /// The stems of `text` in `language`, each tagged with the language (`pt:impressor`)
    /// so stems of different languages never meet in the shared stemmed field.
    pub(crate) fn stem_tokens(&mut self, language: Language, text: &str) -> Vec<Token> {
        let mut tokens = collect(&mut self.stems[language.index()], text);
        for token in &mut tokens {
            token.text = tag_stem(language, &token.text);
        }
        tokens
    }
}

/// A stem as it is stored in the stemmed fields.
pub(crate) fn tag_stem(language: Language, stem: &str) -> String {
    format!("{}:{stem}", language.code())
}

fn collect(analyzer: &mut TextAnalyzer, text: &str) -> Vec<Token> {
    let mut stream = analyzer.token_stream(text);
    let mut tokens = Vec::new();
    while stream.advance() {
        tokens.push(stream.token().clone());
    }
    tokens
}

/// A stemming step tantivy does not ship.
#[derive(Clone, Copy)]
enum Rule {
    /// A Snowball algorithm from `frostem` that tantivy's `Language` lacks (Polish).
    Snowball(frostem::Stemmer),
    /// Snowball's Norwegian algorithm leaves the forms of agent nouns in "-er" on
    /// different stems: "skriver" → "skriv", "skriveren" → "skriver",
    /// "skriverne" → "skrivern". Stripping one more final "-ern" or "-er" from a stem
    /// puts all of them on "skriv", like Lucene's light Norwegian stemmer does.
    NorwegianAgentNoun,
}

impl Rule {
    fn apply(self, word: &str) -> Option<String> {
        match self {
            Rule::Snowball(stemmer) => Some(stemmer.stem(word).into_owned()),
            Rule::NorwegianAgentNoun => {
                let length = word.chars().count();
                if length >= 6 && word.ends_with("ern") {
                    Some(word[..word.len() - 3].to_owned())
                } else if length >= 5 && word.ends_with("er") {
                    Some(word[..word.len() - 2].to_owned())
                } else {
                    None
                }
            }
        }
    }
}

impl TokenFilter for Rule {
    type Tokenizer<T: Tokenizer> = RuleTokenizer<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> RuleTokenizer<T> {
        RuleTokenizer {
            inner: tokenizer,
            rule: self,
        }
    }
}

/// A tokenizer followed by a [`Rule`].
#[derive(Clone)]
pub(crate) struct RuleTokenizer<T> {
    inner: T,
    rule: Rule,
}

impl<T: Tokenizer> Tokenizer for RuleTokenizer<T> {
    type TokenStream<'a> = RuleTokenStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        RuleTokenStream {
            tail: self.inner.token_stream(text),
            rule: self.rule,
        }
    }
}

/// The token stream of a [`RuleTokenizer`].
pub(crate) struct RuleTokenStream<S> {
    tail: S,
    rule: Rule,
}

impl<S: TokenStream> TokenStream for RuleTokenStream<S> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        if let Some(stem) = self.rule.apply(&token.text) {
            token.text = stem;
        }
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stems(language: Language, text: &str) -> Vec<String> {
        Analyzers::new()
            .stem_tokens(language, text)
            .into_iter()
            .map(|t| t.text)
            .collect()
    }

    fn same_stem(language: Language, a: &str, b: &str) -> bool {
        stems(language, a) == stems(language, b)
    }

    #[test]
    fn tags_are_read_by_their_primary_subtag_and_unknown_ones_fall_back_to_english() {
        assert_eq!(Language::from_tag("pt-BR"), Language::Portuguese);
        assert_eq!(Language::from_tag("nb_NO"), Language::Norwegian);
        assert_eq!(Language::from_tag("nn"), Language::Norwegian);
        assert_eq!(Language::from_tag("no"), Language::Norwegian);
        assert_eq!(Language::from_tag("HU"), Language::Hungarian);
        assert_eq!(Language::from_tag("pl"), Language::Polish);
        assert_eq!(Language::from_tag("es-419"), Language::Spanish);
        assert_eq!(Language::from_tag("de"), Language::English);
        assert_eq!(Language::from_tag(""), Language::English);
    }

    #[test]
    fn inflected_forms_share_a_stem_in_every_language() {
        assert!(same_stem(Language::English, "printers", "printer"));
        assert!(same_stem(Language::Portuguese, "impressoras", "impressora"));
        assert!(same_stem(Language::Spanish, "impresoras", "impresora"));
        assert!(same_stem(Language::Hungarian, "nyomtatót", "nyomtató"));
        assert!(same_stem(Language::Polish, "drukarki", "drukarka"));
        assert!(same_stem(Language::Polish, "drukarkę", "drukarkami"));
    }

    #[test]
    fn norwegian_agent_nouns_share_a_stem_in_all_four_forms() {
        for form in ["skriveren", "skrivere", "skriverne"] {
            assert!(same_stem(Language::Norwegian, form, "skriver"), "{form}");
        }
    }

    #[test]
    fn stems_are_folded_so_missing_accents_still_match() {
        assert!(same_stem(Language::Portuguese, "impressão", "impressao"));
    }

    #[test]
    fn stems_carry_their_language_so_languages_never_mix() {
        assert_eq!(stems(Language::Portuguese, "impressoras"), ["pt:impressor"]);
    }

    #[test]
    fn content_words_leave_out_stop_words_of_the_language_and_of_english() {
        let words: Vec<String> = Analyzers::new()
            .content_words(Language::Portuguese, "A impressora não imprime the page")
            .into_iter()
            .map(|t| t.text)
            .collect();
        assert_eq!(words, ["impressora", "imprime", "page"]);
    }

    #[test]
    fn raw_words_are_lowercased_and_folded_but_not_stemmed() {
        let words: Vec<String> = Analyzers::new()
            .raw_tokens("Impressões PC-00123")
            .into_iter()
            .map(|t| t.text)
            .collect();
        assert_eq!(words, ["impressoes", "pc", "00123"]);
    }
}
