//! The API test suite: black-box requests through the real router, on a fresh store
//! with a manual clock. Every test runs on SQLite and on PostgreSQL (skipped loudly
//! when no PostgreSQL is available; `CI=true` makes that a failure).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

/// Instantiates each listed `async fn(TestApp)` once per backend.
macro_rules! backend_tests {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::support::TestApp::sqlite().await).await;
                }
            )+
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(app) = $crate::support::TestApp::postgres().await else {
                        eprintln!("SKIPPED {}: PostgreSQL is not available", stringify!($name));
                        return;
                    };
                    super::$name(app).await;
                }
            )+
        }
    };
}

mod account;
mod api_snapshots;
mod assets;
mod attachments;
mod auth;
mod bulk;
mod custom_fields;
mod directory;
mod errors;
mod events;
mod export;
mod kb;
mod kb_links;
mod macros;
mod mail;
mod mail_outbox;
mod notification_preferences;
mod openapi;
mod openapi_wire;
mod presence;
mod queue_columns;
mod queue_filters;
mod ratings;
mod reports;
mod saved_filters;
mod sla;
mod support;
mod team;
mod ticket_templates;
mod tickets;
mod time_entries;
mod vendors;
mod watchers;
