//! Integration tests for the email channel: the real-world corpus, hand-written
//! messages, classification, threading, quote stripping, outbound round trips, and
//! property tests that parsing never panics.
#![allow(clippy::unwrap_used)]

mod classify;
mod corpus;
mod fuzz;
mod inbound;
mod outbound;
mod quote;
mod threading;
