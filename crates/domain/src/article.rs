//! Knowledge-base articles: troubleshooting guides, FAQ entries and training material,
//! public (shown in the portal) or internal (staff only), written in one language,
//! drafted, published and archived, with every version kept.
//!
//! Only a published public article ever reaches a customer ([`Article::is_public`]);
//! staff see every article. The body is Markdown; rendering it to safe HTML is the
//! web layer's job.

use crate::event::Visibility;
use crate::id::{ArticleId, CategoryId, ServiceId, UserId};
use crate::string_enum;
use crate::value::{InvalidValue, NonEmpty};
use jiff::Timestamp;

/// The longest title, in characters.
pub const MAX_TITLE_CHARS: usize = 200;
/// The longest body, in characters (a long training guide fits easily).
pub const MAX_BODY_CHARS: usize = 100_000;
/// The most related services one article names.
pub const MAX_SERVICES: usize = 20;

string_enum!(
    /// What an article is for.
    ArticleKind {
        /// Steps that fix a known problem.
        Troubleshooting = "troubleshooting",
        /// A short answer to a frequent question.
        Faq = "faq",
        /// Training material that teaches users a tool or a procedure.
        Training = "training",
    }
);

string_enum!(
    /// Where an article is in its life.
    ArticleStatus {
        /// Being written; staff only.
        Draft = "draft",
        /// Live: in search, suggestions and (when public) the portal.
        Published = "published",
        /// Withdrawn, kept for the record; staff only.
        Archived = "archived",
    }
);

/// What an author writes: everything a version records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleContent {
    /// Title, trimmed, 1 to [`MAX_TITLE_CHARS`] characters.
    pub title: String,
    /// Markdown body, up to [`MAX_BODY_CHARS`] characters.
    pub body: String,
    /// Troubleshooting, FAQ or training.
    pub kind: ArticleKind,
    /// Draft, published or archived.
    pub status: ArticleStatus,
    /// Public (portal) or internal (staff only).
    pub visibility: Visibility,
    /// A BCP 47 language tag, lowercased: `en`, `pt-br`, `hu`.
    pub language: String,
    /// The category it belongs to, for browsing.
    pub category_id: Option<CategoryId>,
    /// Products or services it is about.
    pub service_ids: Vec<ServiceId>,
}

impl ArticleContent {
    /// Checks and normalizes the content: trims the title, lowercases the language tag,
    /// sorts and de-duplicates the services.
    ///
    /// # Errors
    /// [`InvalidValue`] naming the first field that is wrong.
    pub fn normalized(mut self) -> Result<ArticleContent, InvalidValue> {
        self.title = NonEmpty::parse("title", &self.title, MAX_TITLE_CHARS)?.into_string();
        let body_chars = self.body.chars().count();
        if body_chars > MAX_BODY_CHARS {
            return Err(InvalidValue::new(
                "body",
                format!("is {body_chars} characters long; at most {MAX_BODY_CHARS} are allowed"),
            ));
        }
        self.language = parse_language(&self.language)?;
        self.service_ids.sort();
        self.service_ids.dedup();
        if self.service_ids.len() > MAX_SERVICES {
            return Err(InvalidValue::new(
                "service_ids",
                format!("names more than {MAX_SERVICES} services"),
            ));
        }
        Ok(self)
    }

    /// The names of the fields that differ from `before`, for the version history.
    pub fn changed_fields(&self, before: &ArticleContent) -> Vec<&'static str> {
        let mut changed = Vec::new();
        let mut check = |name, differs: bool| {
            if differs {
                changed.push(name);
            }
        };
        check("title", self.title != before.title);
        check("body", self.body != before.body);
        check("kind", self.kind != before.kind);
        check("status", self.status != before.status);
        check("visibility", self.visibility != before.visibility);
        check("language", self.language != before.language);
        check("category_id", self.category_id != before.category_id);
        check("service_ids", self.service_ids != before.service_ids);
        changed
    }
}

/// Reads a language tag: two or three letters, optionally followed by `-` and a region
/// or script of 2 to 8 letters or digits; returned lowercased with `-`.
///
/// # Errors
/// [`InvalidValue`] for anything else.
pub fn parse_language(tag: &str) -> Result<String, InvalidValue> {
    let tag = tag.trim().replace('_', "-").to_ascii_lowercase();
    let mut parts = tag.split('-');
    let primary = parts.next().unwrap_or_default();
    let is_primary =
        (2..=3).contains(&primary.len()) && primary.chars().all(|c| c.is_ascii_lowercase());
    let is_rest =
        parts.all(|p| (2..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()));
    if is_primary && is_rest {
        Ok(tag)
    } else {
        Err(InvalidValue::new(
            "language",
            format!("'{tag}' is not a language tag like en, pt-BR or hu"),
        ))
    }
}

/// An article as it is now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Article {
    /// Id.
    pub id: ArticleId,
    /// The current content.
    pub content: ArticleContent,
    /// The current version number, 1 for a new article; every change adds one.
    pub version: i64,
    /// Who wrote the first version.
    pub author_id: Option<UserId>,
    /// "Was this helpful?" yes votes.
    pub helpful_votes: i64,
    /// "Was this helpful?" no votes.
    pub unhelpful_votes: i64,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
}

impl Article {
    /// Whether customers may read it: published and public.
    pub fn is_public(&self) -> bool {
        self.content.status == ArticleStatus::Published
            && self.content.visibility == Visibility::Public
    }
}

/// One kept version of an article: its content then, who saved it and what changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleVersion {
    /// Id of the version row; increases with time across all articles.
    pub id: i64,
    /// The article.
    pub article_id: ArticleId,
    /// Its version number.
    pub version: i64,
    /// The content as saved.
    pub content: ArticleContent,
    /// Who saved it.
    pub actor_id: Option<UserId>,
    /// The fields this version changed (every field for the first version).
    pub changed_fields: Vec<String>,
    /// When it was saved.
    pub created_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content() -> ArticleContent {
        ArticleContent {
            title: "  Reset your password ".into(),
            body: "Open **Settings**".into(),
            kind: ArticleKind::Faq,
            status: ArticleStatus::Draft,
            visibility: Visibility::Public,
            language: "pt_BR".into(),
            category_id: None,
            service_ids: vec![ServiceId(3), ServiceId(1), ServiceId(3)],
        }
    }

    #[test]
    fn content_is_trimmed_and_normalized() {
        let normalized = content().normalized().unwrap();
        assert_eq!(normalized.title, "Reset your password");
        assert_eq!(normalized.language, "pt-br");
        assert_eq!(normalized.service_ids, vec![ServiceId(1), ServiceId(3)]);
    }

    #[test]
    fn blank_titles_long_bodies_and_bad_languages_are_refused() {
        let blank = ArticleContent {
            title: "  ".into(),
            ..content()
        };
        assert_eq!(blank.normalized().unwrap_err().field, "title");
        let long = ArticleContent {
            body: "x".repeat(MAX_BODY_CHARS + 1),
            ..content()
        };
        assert_eq!(long.normalized().unwrap_err().field, "body");
        for bad in ["", "english", "e", "en-", "12"] {
            assert!(parse_language(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_language("nb-NO").unwrap(), "nb-no");
    }

    #[test]
    fn changed_fields_name_what_differs() {
        let before = content().normalized().unwrap();
        let after = ArticleContent {
            status: ArticleStatus::Published,
            body: "new".into(),
            ..before.clone()
        };
        assert_eq!(after.changed_fields(&before), vec!["body", "status"]);
    }

    #[test]
    fn only_published_public_articles_are_public() {
        let mut article = Article {
            id: ArticleId(1),
            content: content().normalized().unwrap(),
            version: 1,
            author_id: None,
            helpful_votes: 0,
            unhelpful_votes: 0,
            created_at: Timestamp::UNIX_EPOCH,
            updated_at: Timestamp::UNIX_EPOCH,
        };
        assert!(!article.is_public());
        article.content.status = ArticleStatus::Published;
        assert!(article.is_public());
        article.content.visibility = Visibility::Internal;
        assert!(!article.is_public());
    }
}
