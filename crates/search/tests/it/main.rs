//! Integration tests of the search index, through its public API only.

mod filters;
mod language;
mod lifecycle;
mod permissions;
mod query;
mod similar;
mod support;
