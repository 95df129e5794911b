//! Suggested articles: while a request is being typed (deflection), and for a ticket
//! (the agent's knowledge panel).

use tantivy::query::{BooleanQuery, Query};

use super::{
    Page, SearchIndex, assemble, check_page, describing_words, with_english, without_stop_words,
};
use crate::document::{ArticleStatus, DocKind};
use crate::error::SearchError;
use crate::language::Language;
use crate::query::{QueryBuilder, parse};
use crate::request::{SearchHit, SimilarTo};
use crate::scope::{SearchScope, kind_term, text_term};

/// A suggestion for a ticket scores at least this share of the best one's score: an
/// article that shares one common word with the ticket is not worth an agent's look.
const RELATIVE_SCORE_FLOOR: f32 = 0.4;

impl SearchIndex {
    /// Published articles that may answer a request while its subject is being typed
    /// (deflection), most relevant first: any word but stop words may match, the last
    /// one as a prefix, the others with typo tolerance. Customers get public articles
    /// only (through `scope`); staff get internal ones too.
    ///
    /// # Errors
    /// [`SearchError::InvalidRequest`] for a limit outside 1 to
    /// [`MAX_LIMIT`](crate::MAX_LIMIT); [`SearchError::Unavailable`] when the index
    /// cannot be read.
    pub fn suggest_articles(
        &self,
        scope: &SearchScope,
        text: &str,
        language: Language,
        limit: usize,
    ) -> Result<Vec<SearchHit>, SearchError> {
        check_page(0, limit)?;
        let mut analyzers = self.analyzers.clone();
        let clauses = without_stop_words(parse(text, true), language, &mut analyzers);
        let languages = with_english(language);
        let built = QueryBuilder::new(
            &self.fields,
            &mut analyzers,
            scope.matched(),
            &languages,
            true,
        )
        .build(&clauses);
        if built.positive.is_empty() {
            return Ok(Vec::new());
        }
        let positive: Box<dyn Query> = Box::new(BooleanQuery::union(built.positive));
        let mut filters = vec![
            kind_term(&self.fields, DocKind::Article),
            text_term(self.fields.status, ArticleStatus::Published.as_str()),
        ];
        filters.extend(scope.filter(&self.fields));
        let query = assemble(Some(positive), built.negative, filters);
        let page = Page {
            offset: 0,
            limit,
            is_ranked: true,
        };
        let results = self.run(
            scope,
            query.as_ref(),
            page,
            &built.highlight,
            &mut analyzers,
        )?;
        Ok(results.hits)
    }

    /// Published articles that answer a ticket, for the agent's knowledge panel: only
    /// those that match well, in the ticket's language first.
    ///
    /// The ticket is described by its distinct words, stop words left out, as for
    /// [`SearchIndex::similar_tickets`]; an article must match two of three or more of
    /// them (three of eight or more), and score at least 40% of the best article.
    /// Words as written, stemmed in the ticket's language and in English; no typo
    /// matching (a ticket's text is finished, and a near miss is mostly another word).
    /// Articles in the ticket's language come first, each part best first.
    ///
    /// # Errors
    /// [`SearchError::InvalidRequest`] for a limit outside 1 to
    /// [`MAX_LIMIT`](crate::MAX_LIMIT); [`SearchError::Unavailable`] when the index
    /// cannot be read.
    pub fn articles_for_ticket(
        &self,
        scope: &SearchScope,
        ticket: &SimilarTo,
    ) -> Result<Vec<SearchHit>, SearchError> {
        check_page(0, ticket.limit)?;
        let mut analyzers = self.analyzers.clone();
        let clauses = describing_words(&mut analyzers, ticket);
        let languages = with_english(ticket.language);
        let built = QueryBuilder::new(
            &self.fields,
            &mut analyzers,
            scope.matched(),
            &languages,
            false,
        )
        .build(&clauses);
        let required = match built.positive.len() {
            0 => return Ok(Vec::new()),
            1 | 2 => 1,
            3..8 => 2,
            _ => 3,
        };
        let positive: Box<dyn Query> = Box::new(BooleanQuery::union_with_minimum_required_clauses(
            built.positive,
            required,
        ));
        let mut filters = vec![
            kind_term(&self.fields, DocKind::Article),
            text_term(self.fields.status, ArticleStatus::Published.as_str()),
        ];
        filters.extend(scope.filter(&self.fields));
        let query = assemble(Some(positive), built.negative, filters);
        let page = Page {
            offset: 0,
            limit: ticket.limit,
            is_ranked: true,
        };
        let results = self.run(
            scope,
            query.as_ref(),
            page,
            &built.highlight,
            &mut analyzers,
        )?;
        Ok(rank_for_reader(results.hits, ticket.language))
    }
}

/// The hits that score near the best one, those in `language` first.
fn rank_for_reader(hits: Vec<SearchHit>, language: Language) -> Vec<SearchHit> {
    let best = hits.iter().map(|h| h.score).fold(0.0_f32, f32::max);
    let mut kept: Vec<SearchHit> = hits
        .into_iter()
        .filter(|h| h.score >= best * RELATIVE_SCORE_FLOOR)
        .collect();
    // A stable sort keeps each language's hits best first.
    kept.sort_by_key(|h| h.language != language);
    kept
}
