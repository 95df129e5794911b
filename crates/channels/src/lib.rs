//! The channels through which requests reach the desk and answers leave it.
//!
//! For now this is the pure email layer ([`email`]): parsing inbound RFC 5322 messages
//! into what the desk needs, classifying them for loop and storm protection, extracting
//! threading keys, folding quoted history, and building outbound messages. It performs
//! no IO: the intake (`mail-gateway`, IMAP polling) reads the bytes, the outbox sends
//! them, and the service layer decides which ticket a message belongs to. Everything
//! here is a plain function over bytes and values, so tests and fuzzers call it directly.

#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod email;
