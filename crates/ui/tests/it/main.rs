//! Integration tests of the browser UI: pages and forms through the router on a real
//! SQLite store, and browser tests that drive Chromium through chromedriver.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod admin;
mod admin_mail;
mod admin_sla;
mod agent;
mod browser;
mod composer;
mod custom_fields;
mod desk;
mod forms;
mod kb_images;
mod kb_links;
mod live;
mod macros;
mod notifications;
mod portal;
mod portal_people;
mod portal_search;
mod presence;
mod queue;
mod queue_columns;
mod reports;
mod robust;
mod screens;
mod search;
mod sign_in;
mod suggestions;
mod support;
mod team;
mod ticket_templates;
mod ticket_view;
mod vendors;
mod wording;
