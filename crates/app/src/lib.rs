//! Ferrodesk's use cases: open a ticket, reply, log a call, resolve, split, merge,
//! manage people and groups, sign in. Every read and write is checked here against
//! the actor's role and groups (docs/ARCHITECTURE.md, principle 5), not in the web layer.
//!
//! Services speak domain types and hold the store as an `Arc<dyn Store>`; they know
//! neither SQL nor HTTP. Build one [`App`] with [`App::new`] and reach the services
//! through it: [`App::tickets`], [`App::directory`], [`App::auth`]. The command line
//! uses [`App::ensure_first_admin`], [`App::add_user_as_system`] and
//! [`App::create_token_as_system`].

#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod account;
pub mod assets;
pub mod attachments;
pub mod auth;
mod automation;
pub mod clock;
pub mod custom_fields;
pub mod directory;
mod error;
mod input;
pub mod jobs;
pub mod kb;
pub mod macros;
pub mod mail;
mod markdown;
mod notifications;
pub mod presence;
pub mod queue_filter;
pub mod ratings;
pub mod reports;
mod routing;
pub mod saved_filters;
pub mod search;
pub mod secret;
mod settings;
pub mod sla;
mod system;
pub mod team;
pub mod ticket;
pub mod ticket_templates;
pub mod time_entries;
pub mod vendors;
pub mod watchers;

pub use account::Account;
pub use assets::{AssetInput, AssetPatch, Assets};
pub use attachments::Attachments;
pub use auth::{Auth, SessionGrant};
pub use automation::EscalationSpec;
pub use clock::{Clock, ManualClock, SystemClock};
pub use custom_fields::{CustomFieldPatch, CustomFields, Removed};
pub use directory::{
    CreateUserInput, Directory, GroupInput, GroupUpdate, OrganizationInput, OrganizationUpdate,
    ServiceInput, ServiceUpdate, UpdateUserInput,
};
pub use error::{AppError, MeanwhileReply, OrNotFound, REPLIED_MEANWHILE, RepliedMeanwhile};
pub use ferrodesk_store::Rating;
pub use ferrodesk_store::SharedFilter;
pub use ferrodesk_store::{AssetFilter, Watcher};
pub use jobs::{Jobs, PassReport, RunnerConfig};
pub use kb::{ArticleImage, ArticleInput, ArticlePatch, ArticleQuery, Kb, image_path};
pub use macros::{Applied, MacroInput, MacroPatch, Macros};
pub use markdown::{
    plain_text as markdown_text, render as render_markdown,
    render_message as render_message_markdown,
};
pub use ratings::{RatingLink, RatingLinkState, Ratings};
pub use reports::{Dashboard, ReportRequest, Reports};
pub use saved_filters::SavedFilters;
pub use search::{CatchUp, Search, SearchEngine, SimilarTicket, SuggestedArticles};
pub use secret::hash_password;
// The ticket pipeline and the job runner take the escalation steps as `crate::escalation`.
use automation::escalation;
pub use presence::{Presences, PresentStaff};
pub use sla::{CalendarSpec, PolicySpec, ServiceLevels, TargetSpec};
pub use system::{FirstAdmin, NewUserInput};
pub use team::{Team, TeamView};
pub use ticket::{
    BulkAction, BulkItem, BulkOutcome, BulkReport, BulkSelection, EscalateInput, HandoffInput,
    IdempotencyKey, InteractionChanges, InteractionInput, LinkRequestKind, MAX_BULK_TICKETS,
    MAX_EXPORT_ROWS, Mentionable, NewTicketInput, RequesterRef, SplitPartInput, TicketExport,
    TicketPatch, Tickets,
};
pub use ticket_templates::{Move, TemplateInput, TemplatePatch, TicketTemplates};
pub use time_entries::{TicketTime, TimeEntries, TimeReport};
pub use vendors::{VendorInput, VendorPatch, Vendors};
pub use watchers::Watchers;

pub use ferrodesk_store::{
    AgentSettings, AssignmentMode, AutomationSettings, RoutingRule, RuleId, SlaState,
    StoredCalendar, StoredTarget, TicketSla,
};
pub use ferrodesk_store::{
    ApiToken, ArticleFilter, AuditEntry, Created, Cursor, DEFAULT_PAGE_SIZE, DeflectionCounts,
    EventPage, MAX_PAGE_SIZE, Page, PageRequest, QueueCounts, SessionInfo, Store, TicketFilter,
    TicketLink, TicketQuery, TicketSort, UserFilter,
};

use jiff::{SignedDuration, Timestamp};
use std::sync::Arc;

/// Settings of the service layer. The defaults are the production values.
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// How long a browser session lasts after sign-in.
    pub session_ttl: SignedDuration,
    /// The window in which failed sign-ins are counted.
    pub login_window: SignedDuration,
    /// Failed sign-ins per account within the window before sign-in is refused.
    pub max_failures_per_account: i64,
    /// Failed sign-ins per client address within the window before sign-in is refused.
    pub max_failures_per_address: i64,
    /// The sign-in of the admin created on first start.
    pub first_admin_email: String,
    /// The email channel.
    pub mail: mail::MailConfig,
    /// The folder that holds attachment blobs (`<data>/blobs` for `serve`); `None`
    /// keeps them in a temporary folder removed with the [`App`] (tests, throwaway
    /// demos).
    pub blob_dir: Option<std::path::PathBuf>,
    /// The largest attachment accepted, in bytes (a larger one is refused with
    /// [`AppError::TooLarge`]).
    pub max_attachment_bytes: usize,
}

impl Default for AppConfig {
    fn default() -> Self {
        AppConfig {
            session_ttl: SignedDuration::from_hours(12),
            login_window: SignedDuration::from_mins(15),
            max_failures_per_account: 5,
            max_failures_per_address: 20,
            first_admin_email: "admin@ferrodesk.localhost".to_owned(),
            mail: mail::MailConfig::default(),
            blob_dir: None,
            max_attachment_bytes: ferrodesk_blobs::DEFAULT_MAX_BYTES,
        }
    }
}

/// The service layer: cheap to clone, shared by every request.
#[derive(Clone)]
pub struct App {
    inner: Arc<Inner>,
}

struct Inner {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    config: AppConfig,
    /// A real Argon2id hash to verify against when an account does not exist, so a
    /// failed sign-in takes as long for a missing account as for a wrong password.
    dummy_hash: tokio::sync::OnceCell<String>,
    /// The search index and its projection, made on first use or attached on start.
    search: std::sync::OnceLock<Arc<SearchEngine>>,
    /// The attachment storage, opened on first use (with its temporary folder when the
    /// config names none).
    blobs: tokio::sync::OnceCell<(ferrodesk_blobs::BlobStore, Option<tempfile::TempDir>)>,
    /// The routing settings, kept between requests.
    settings: settings::SettingsCache,
}

impl App {
    /// Builds the services over a store and a clock.
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, config: AppConfig) -> App {
        App {
            inner: Arc::new(Inner {
                store,
                clock,
                config,
                dummy_hash: tokio::sync::OnceCell::new(),
                search: std::sync::OnceLock::new(),
                blobs: tokio::sync::OnceCell::new(),
                settings: settings::SettingsCache::default(),
            }),
        }
    }

    /// The store, for wiring (demo data, bench tool). Services never hand it to users.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.inner.store
    }

    /// The current time by the app's clock.
    pub fn now(&self) -> Timestamp {
        self.inner.clock.now()
    }

    /// The settings.
    pub fn config(&self) -> &AppConfig {
        &self.inner.config
    }

    /// Tickets and their timelines.
    pub fn tickets(&self) -> Tickets<'_> {
        Tickets::new(self)
    }

    /// People, organizations, groups, categories and services.
    pub fn directory(&self) -> Directory<'_> {
        Directory::new(self)
    }

    /// Files on tickets: store, upload, cite and download attachments.
    pub fn attachments(&self) -> Attachments<'_> {
        Attachments::new(self)
    }

    /// Assets and their links to tickets.
    pub fn assets(&self) -> Assets<'_> {
        Assets::new(self)
    }

    /// The vendor directory and a ticket's cases with vendors.
    pub fn vendors(&self) -> Vendors<'_> {
        Vendors::new(self)
    }

    /// Who else has a ticket open, and what they are doing on it.
    pub fn presence(&self) -> Presences<'_> {
        Presences::new(self)
    }

    /// Canned responses: managing them, previewing and applying one to a ticket.
    pub fn macros(&self) -> Macros<'_> {
        Macros::new(self)
    }

    /// Time tracking.
    pub fn time_entries(&self) -> TimeEntries<'_> {
        TimeEntries::new(self)
    }

    /// Custom field definitions and tickets' values.
    pub fn custom_fields(&self) -> CustomFields<'_> {
        CustomFields::new(self)
    }

    /// Ticket templates: prefilled forms for recurring requests.
    pub fn ticket_templates(&self) -> TicketTemplates<'_> {
        TicketTemplates::new(self)
    }

    /// Who follows which ticket.
    pub fn watchers(&self) -> Watchers<'_> {
        Watchers::new(self)
    }

    /// Satisfaction ratings and their signed links.
    pub fn ratings(&self) -> Ratings<'_> {
        Ratings::new(self)
    }

    /// Agents' saved queue filters.
    pub fn saved_filters(&self) -> SavedFilters<'_> {
        SavedFilters::new(self)
    }

    /// The signed-in person's own account.
    pub fn account(&self) -> Account<'_> {
        Account::new(self)
    }

    /// Sign-in, sessions, API tokens and the security audit log.
    pub fn auth(&self) -> Auth<'_> {
        Auth::new(self)
    }

    /// Volume, response and resolution times, trends and backlog.
    pub fn reports(&self) -> Reports<'_> {
        Reports::new(self)
    }

    /// Calendars, SLA policies, rules, automation settings and notifications.
    pub fn service_levels(&self) -> ServiceLevels<'_> {
        ServiceLevels::new(self)
    }

    /// The supervisor's team view: their groups' queues, load per agent, breaching soon.
    pub fn team(&self) -> Team<'_> {
        Team::new(self)
    }

    /// The job runner (SLA timers, escalation, automations); `serve` starts it.
    pub fn jobs(&self, config: RunnerConfig) -> Jobs {
        Jobs::new(self.clone(), config)
    }

    /// The knowledge base.
    pub fn kb(&self) -> Kb<'_> {
        Kb::new(self)
    }

    /// Search over tickets, articles and people, and the index's projection.
    pub fn search(&self) -> Search<'_> {
        Search::new(self)
    }

    /// Uses `index` (on disk, under the data directory) as the search index instead
    /// of an in-memory one. Call before the first search.
    ///
    /// # Errors
    /// `Internal` when an index is already in use.
    pub fn attach_search_index(
        &self,
        index: ferrodesk_search::SearchIndex,
    ) -> Result<(), AppError> {
        self.inner
            .search
            .set(Arc::new(SearchEngine::new(index)))
            .map_err(|_| AppError::Internal("a search index is already attached".into()))
    }

    pub(crate) fn search_slot(&self) -> &std::sync::OnceLock<Arc<SearchEngine>> {
        &self.inner.search
    }

    /// Checks that the database answers.
    ///
    /// # Errors
    /// [`AppError::Unavailable`] when it does not.
    pub async fn ping(&self) -> Result<(), AppError> {
        self.inner.store.ping().await.map_err(AppError::Unavailable)
    }

    pub(crate) fn settings_cache(&self) -> &settings::SettingsCache {
        &self.inner.settings
    }

    pub(crate) fn db(&self) -> &dyn Store {
        self.inner.store.as_ref()
    }

    pub(crate) async fn blob_store(&self) -> Result<&ferrodesk_blobs::BlobStore, AppError> {
        let config = &self.inner.config;
        let (store, _) = self
            .inner
            .blobs
            .get_or_try_init(|| async {
                let (dir, temporary) = match &config.blob_dir {
                    Some(dir) => (dir.clone(), None),
                    None => {
                        let temporary = tempfile::Builder::new()
                            .prefix("ferrodesk-blobs-")
                            .tempdir()
                            .map_err(|e| AppError::Internal(format!("blob folder: {e}")))?;
                        (temporary.path().to_owned(), Some(temporary))
                    }
                };
                let store = ferrodesk_blobs::BlobStore::local(&dir, config.max_attachment_bytes)?;
                Ok::<_, AppError>((store, temporary))
            })
            .await?;
        Ok(store)
    }

    pub(crate) async fn dummy_hash(&self) -> Result<&str, AppError> {
        self.inner
            .dummy_hash
            .get_or_try_init(|| hash_password("ferrodesk timing equalizer"))
            .await
            .map(String::as_str)
    }
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}
