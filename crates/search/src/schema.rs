//! The index's fields and how each kind of document fills them.
//!
//! Text comes in four parts: title (subject, article title, name, asset tag), body
//! (description, article body, a person's or an asset's details), public replies, and
//! internal notes, which only staff queries look at. Each part is stored as written,
//! for titles and snippets.
//!
//! Words are matched in two texts ([`Matched`]): the public one (title, body and
//! replies together; the title twice, since a word there says more about what a
//! document is about) and the internal notes. Each is indexed twice. The `*_raw`
//! fields hold the words unstemmed (lowercased, folded to ASCII); exact words, prefixes
//! and typos are matched there. The `*_stem` fields hold the words stemmed in the
//! document's own language and tagged with it (`pt:impressor`), so one field serves
//! every language while stems of different languages never meet, and BM25 sees one
//! set of statistics per field. A query is stemmed in each language and looks up each
//! tagged stem.
//!
//! One public text rather than a field per part keeps a word to one posting per
//! document and analysis: on a large desk the same common word ("printer") sits in
//! the subject, the description and the replies of a hundred thousand tickets, and a
//! search walks every posting it looks up.

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
    /// The text this part's words are matched in.
    fn matched(self) -> Matched {
        match self {
            Part::Title | Part::Body | Part::Replies => Matched::Public,
            Part::Internal => Matched::Internal,
        }
    }
}

/// A text words are matched in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Matched {
    /// Title, body and public replies.
    Public,
    /// Internal notes.
    Internal,
}

impl Matched {
    /// What a customer's query may look at.
    pub(crate) const PUBLIC: [Matched; 1] = [Matched::Public];
    /// Everything, for staff.
    pub(crate) const ALL: [Matched; 2] = [Matched::Public, Matched::Internal];

    /// How much a match in this text weighs.
    pub(crate) fn boost(self) -> f32 {
        match self {
            Matched::Public => 1.0,
            Matched::Internal => 0.8,
        }
    }
}

/// The two fields of one matched text.
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
    /// What an agent's scope is tested on, in every document (see `scope::AgentTest`):
    /// a ticket's group ([`NOT_A_TICKET`] for other documents), owner and assignee
    /// ([`NOBODY`] when there is none).
    pub(crate) scope_group: Field,
    pub(crate) scope_owner: Field,
    pub(crate) scope_assignee: Field,
    pub(crate) category: Field,
    pub(crate) requester: Field,
    pub(crate) organization: Field,
    pub(crate) holder: Field,
    pub(crate) created: Field,
    pub(crate) updated: Field,
    /// Identifiers people type: ticket numbers, asset tags and serials, emails.
    pub(crate) code: Field,
    title: Field,
    body: Field,
    replies: Field,
    internal: Field,
    public_text: TextFields,
    internal_text: TextFields,
}

/// The name of the fast field empty queries sort on.
pub(crate) const UPDATED_FIELD: &str = "updated";
/// The fast fields an agent's scope is tested on (see `scope::AgentTest`). Every
/// document has a value in each, so a lookup is a plain read.
pub(crate) const SCOPE_GROUP_FIELD: &str = "scope_group";
pub(crate) const SCOPE_OWNER_FIELD: &str = "scope_owner";
pub(crate) const SCOPE_ASSIGNEE_FIELD: &str = "scope_assignee";
/// A ticket's `scope_group` when it is in no group, and its `scope_owner` or
/// `scope_assignee` when it has none (ids start at 1).
pub(crate) const NOBODY: i64 = 0;
/// `scope_group` of a document that is not a ticket.
pub(crate) const NOT_A_TICKET: i64 = -1;

impl Fields {
    /// Builds the schema and names its fields.
    pub(crate) fn build() -> (Schema, Fields) {
        let mut builder = Schema::builder();
        let indexed_text = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(RAW_TOKENIZER)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        let stored_text = TextOptions::default().set_stored();
        let filter = NumericOptions::default().set_indexed();
        let scope = NumericOptions::default().set_fast();
        let mut text = |name: &str| TextFields {
            raw: builder.add_text_field(&format!("{name}_raw"), indexed_text.clone()),
            stem: builder.add_text_field(&format!("{name}_stem"), indexed_text.clone()),
        };
        let public_text = text("public");
        let internal_text = text("internal");
        let title = builder.add_text_field("title", stored_text.clone());
        let body = builder.add_text_field("body", stored_text.clone());
        let replies = builder.add_text_field("replies", stored_text.clone());
        let internal = builder.add_text_field("internal", stored_text);
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
            scope_group: builder.add_i64_field(SCOPE_GROUP_FIELD, scope.clone()),
            scope_owner: builder.add_i64_field(SCOPE_OWNER_FIELD, scope.clone()),
            scope_assignee: builder.add_i64_field(SCOPE_ASSIGNEE_FIELD, scope),
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
            code: builder.add_text_field("code", indexed_text),
            title,
            body,
            replies,
            internal,
            public_text,
            internal_text,
        };
        (builder.build(), fields)
    }

    /// The field one part of the text is stored in, as written.
    pub(crate) fn stored(&self, part: Part) -> Field {
        match part {
            Part::Title => self.title,
            Part::Body => self.body,
            Part::Replies => self.replies,
            Part::Internal => self.internal,
        }
    }

    /// The fields a text's words are matched in.
    pub(crate) fn text(&self, matched: Matched) -> TextFields {
        match matched {
            Matched::Public => self.public_text,
            Matched::Internal => self.internal_text,
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
        let id = |id: Option<i64>| id.unwrap_or(NOBODY);
        let (scope_group, scope_owner, scope_assignee) = match doc {
            Document::Ticket(ticket) => (
                id(ticket.group_id.map(|g| g.get())),
                id(ticket.owner_id.map(|u| u.get())),
                id(ticket.assignee_id.map(|u| u.get())),
            ),
            Document::Article(_) | Document::Person(_) | Document::Asset(_) => {
                (NOT_A_TICKET, NOBODY, NOBODY)
            }
        };
        let language = writer.language;
        let mut out = writer.out;
        out.add_i64(self.scope_group, scope_group);
        out.add_i64(self.scope_owner, scope_owner);
        out.add_i64(self.scope_assignee, scope_assignee);
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

    /// Stores one value of a text part and indexes its words, unstemmed and stemmed in
    /// the document's language; a title's words count twice.
    fn text(&mut self, part: Part, text: &str) {
        self.out.add_text(self.fields.stored(part), text);
        let fields = self.fields.text(part.matched());
        let tokens = self.analyzers.stem_tokens(self.language, text);
        let times = if part == Part::Title { 2 } else { 1 };
        for _ in 0..times {
            self.out.add_text(fields.raw, text);
            self.out.add_pre_tokenized_text(
                fields.stem,
                PreTokenizedString {
                    text: text.to_owned(),
                    tokens: tokens.clone(),
                },
            );
        }
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
