//! The index's fields and how each kind of document fills them.
//!
//! Text is indexed twice. The `*_raw` fields hold the words unstemmed (lowercased,
//! folded to ASCII) and keep the original text for snippets; exact words, prefixes and
//! typos are matched there. The `*_stem` fields hold the words stemmed in the
//! document's own language and tagged with it (`pt:impressor`), so one field serves
//! every language while stems of different languages never meet, and BM25 sees one
//! set of statistics per field. A query is stemmed in each language and looks up each
//! tagged stem.
//!
//! Text comes in four parts: title (subject, article title, name, asset tag), body
//! (description, article body, a person's or an asset's details), public replies, and
//! internal notes, which only staff queries look at.

use ferrodesk_domain::Visibility;
use jiff::Timestamp;
use tantivy::TantivyDocument;
use tantivy::schema::{
    Field, INDEXED, IndexRecordOption, NumericOptions, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions,
};
use tantivy::tokenizer::PreTokenizedString;

use crate::document::{ArticleDoc, AssetDoc, Document, PersonDoc, TicketDoc};
use crate::language::{Analyzers, Language, RAW_TOKENIZER};

/// A part of a document's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    Title,
    Body,
    Replies,
    Internal,
}

impl Part {
    /// The parts a customer's query may look at.
    pub(crate) const PUBLIC: [Part; 3] = [Part::Title, Part::Body, Part::Replies];
    /// Every part, for staff.
    pub(crate) const ALL: [Part; 4] = [Part::Title, Part::Body, Part::Replies, Part::Internal];

    /// How much a match in this part weighs: a word in the title says more about what
    /// a document is about than the same word deep in a reply.
    pub(crate) fn boost(self) -> f32 {
        match self {
            Part::Title => 2.0,
            Part::Body => 1.0,
            Part::Replies | Part::Internal => 0.8,
        }
    }
}

/// The two fields of one part of the text.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TextFields {
    pub(crate) raw: Field,
    pub(crate) stem: Field,
}

/// Every field of the schema.
#[derive(Debug, Clone)]
pub(crate) struct Fields {
    pub(crate) kind: Field,
    pub(crate) key: Field,
    pub(crate) id: Field,
    pub(crate) language: Field,
    pub(crate) status: Field,
    pub(crate) visibility: Field,
    pub(crate) article_kind: Field,
    pub(crate) group: Field,
    pub(crate) category: Field,
    pub(crate) requester: Field,
    pub(crate) organization: Field,
    pub(crate) owner: Field,
    pub(crate) assignee: Field,
    pub(crate) holder: Field,
    pub(crate) created: Field,
    pub(crate) updated: Field,
    /// Identifiers people type: ticket numbers, asset tags and serials, emails.
    pub(crate) code: Field,
    title: TextFields,
    body: TextFields,
    replies: TextFields,
    internal: TextFields,
}

/// The name of the fast field empty queries sort on.
pub(crate) const UPDATED_FIELD: &str = "updated";

impl Fields {
    /// Builds the schema and names its fields.
    pub(crate) fn build() -> (Schema, Fields) {
        let mut builder = Schema::builder();
        let raw_text = TextOptions::default()
            .set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(RAW_TOKENIZER)
                    .set_index_option(IndexRecordOption::WithFreqsAndPositions),
            )
            .set_stored();
        let stem_text = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(RAW_TOKENIZER)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        let code_text = stem_text.clone();
        let filter = NumericOptions::default().set_indexed();
        let mut text = |name: &str| TextFields {
            raw: builder.add_text_field(&format!("{name}_raw"), raw_text.clone()),
            stem: builder.add_text_field(&format!("{name}_stem"), stem_text.clone()),
        };
        let title = text("title");
        let body = text("body");
        let replies = text("replies");
        let internal = text("internal");
        let fields = Fields {
            kind: builder.add_text_field("kind", STRING | STORED),
            key: builder.add_text_field("key", STRING),
            id: builder.add_i64_field("id", INDEXED | STORED),
            language: builder.add_text_field("language", STRING | STORED),
            status: builder.add_text_field("status", STRING | STORED),
            visibility: builder.add_text_field("visibility", STRING | STORED),
            article_kind: builder.add_text_field("article_kind", STRING | STORED),
            group: builder.add_i64_field("group", filter.clone()),
            category: builder.add_i64_field("category", filter.clone()),
            requester: builder.add_i64_field("requester", filter.clone()),
            organization: builder.add_i64_field("organization", filter.clone()),
            owner: builder.add_i64_field("owner", filter.clone()),
            assignee: builder.add_i64_field("assignee", filter.clone()),
            holder: builder.add_i64_field("holder", filter),
            created: builder.add_i64_field(
                "created",
                NumericOptions::default()
                    .set_indexed()
                    .set_fast()
                    .set_stored(),
            ),
            updated: builder.add_i64_field(
                UPDATED_FIELD,
                NumericOptions::default().set_fast().set_stored(),
            ),
            code: builder.add_text_field("code", code_text),
            title,
            body,
            replies,
            internal,
        };
        (builder.build(), fields)
    }

    /// The fields of one part of the text.
    pub(crate) fn text(&self, part: Part) -> TextFields {
        match part {
            Part::Title => self.title,
            Part::Body => self.body,
            Part::Replies => self.replies,
            Part::Internal => self.internal,
        }
    }

    /// Turns a document into what tantivy stores.
    pub(crate) fn to_tantivy(&self, doc: &Document, analyzers: &mut Analyzers) -> TantivyDocument {
        let mut out = TantivyDocument::new();
        let key = doc.key();
        out.add_text(self.kind, key.kind.as_str());
        out.add_text(self.key, key.to_string());
        out.add_i64(self.id, key.id);
        let mut writer = Writer {
            fields: self,
            out,
            analyzers,
            language: Language::English,
        };
        match doc {
            Document::Ticket(ticket) => writer.ticket(ticket),
            Document::Article(article) => writer.article(article),
            Document::Person(person) => writer.person(person),
            Document::Asset(asset) => writer.asset(asset),
        }
        let language = writer.language;
        let mut out = writer.out;
        out.add_text(self.language, language.code());
        out
    }
}

/// Fills one tantivy document.
struct Writer<'a> {
    fields: &'a Fields,
    out: TantivyDocument,
    analyzers: &'a mut Analyzers,
    language: Language,
}

impl Writer<'_> {
    fn ticket(&mut self, ticket: &TicketDoc) {
        let f = self.fields;
        self.language = ticket.language;
        self.text(Part::Title, &ticket.subject);
        self.text(Part::Body, &ticket.description);
        for reply in &ticket.public_replies {
            self.text(Part::Replies, reply);
        }
        for note in &ticket.internal_notes {
            self.text(Part::Internal, note);
        }
        self.out.add_text(f.code, ticket.id.get().to_string());
        self.out.add_text(f.status, ticket.status.as_str());
        self.optional(f.group, ticket.group_id.map(|id| id.get()));
        self.optional(f.category, ticket.category_id.map(|id| id.get()));
        self.out.add_i64(f.requester, ticket.requester_id.get());
        self.optional(f.organization, ticket.organization_id.map(|id| id.get()));
        self.optional(f.owner, ticket.owner_id.map(|id| id.get()));
        self.optional(f.assignee, ticket.assignee_id.map(|id| id.get()));
        self.times(ticket.created_at, ticket.updated_at);
    }

    fn article(&mut self, article: &ArticleDoc) {
        let f = self.fields;
        self.language = article.language;
        self.text(Part::Title, &article.title);
        self.text(Part::Body, &article.body);
        self.out.add_text(f.status, article.status.as_str());
        self.out
            .add_text(f.visibility, visibility_text(article.visibility));
        self.out.add_text(f.article_kind, article.kind.as_str());
        self.optional(f.category, article.category_id.map(|id| id.get()));
        self.times(article.created_at, article.updated_at);
    }

    fn person(&mut self, person: &PersonDoc) {
        let f = self.fields;
        self.text(Part::Title, &person.name);
        let details = join_present([
            Some(person.email.as_str()),
            Some(person.role.as_str()),
            person.organization_name.as_deref(),
        ]);
        self.text(Part::Body, &details);
        self.out.add_text(f.code, &person.email);
        self.optional(f.organization, person.organization_id.map(|id| id.get()));
    }

    fn asset(&mut self, asset: &AssetDoc) {
        let f = self.fields;
        self.text(Part::Title, &asset.tag);
        let details = join_present([
            Some(asset.asset_type.as_str()),
            asset.model.as_deref(),
            asset.serial.as_deref(),
            asset.location.as_deref(),
            asset.assigned_name.as_deref(),
        ]);
        self.text(Part::Body, &details);
        self.out.add_text(f.code, &asset.tag);
        if let Some(serial) = &asset.serial {
            self.out.add_text(f.code, serial);
        }
        self.optional(f.holder, asset.assigned_to.map(|id| id.get()));
    }

    /// Indexes one value of a text part: as written (stored, unstemmed) and stemmed in
    /// the document's language.
    fn text(&mut self, part: Part, text: &str) {
        let fields = self.fields.text(part);
        self.out.add_text(fields.raw, text);
        let tokens = self.analyzers.stem_tokens(self.language, text);
        self.out.add_pre_tokenized_text(
            fields.stem,
            PreTokenizedString {
                text: text.to_owned(),
                tokens,
            },
        );
    }

    fn optional(&mut self, field: Field, value: Option<i64>) {
        if let Some(value) = value {
            self.out.add_i64(field, value);
        }
    }

    fn times(&mut self, created: Timestamp, updated: Timestamp) {
        self.out
            .add_i64(self.fields.created, created.as_microsecond());
        self.out
            .add_i64(self.fields.updated, updated.as_microsecond());
    }
}

/// The stored text of an article's visibility.
pub(crate) fn visibility_text(visibility: Visibility) -> &'static str {
    visibility.as_str()
}

fn join_present<const N: usize>(parts: [Option<&str>; N]) -> String {
    parts
        .into_iter()
        .flatten()
        .filter(|part| !part.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" · ")
}
