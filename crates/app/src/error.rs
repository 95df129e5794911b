//! The one error type of the service layer. Each variant says what went wrong in terms
//! the web layer can turn into a status code; none of them knows HTTP.

use ferrodesk_domain::{EditError, EventId, InvalidValue, TransitionError, UserId};
use ferrodesk_store::{Conflict, StoreError};
use jiff::Timestamp;

/// What a use case can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The thing does not exist, or the actor may not see it (a forbidden read looks
    /// exactly like a missing row, so it leaks nothing).
    #[error("{kind} {id} not found")]
    NotFound {
        /// What kind of thing (`ticket`, `user`, `group`...), used in error codes.
        kind: &'static str,
        /// Which one, as the caller named it.
        id: String,
    },
    /// The actor can see the thing but may not do this to it.
    #[error("{message}")]
    Forbidden {
        /// What is not allowed, lowercase.
        message: String,
    },
    /// A value in the request is not acceptable.
    #[error("{field}: {message}")]
    Invalid {
        /// The field, as named in the API.
        field: String,
        /// What is wrong with it.
        message: String,
    },
    /// The status machine refuses the change; the message names the allowed statuses.
    #[error(transparent)]
    InvalidTransition(#[from] TransitionError),
    /// The request collides with the current state (a taken name, a concurrent edit,
    /// an idempotency key reused for another request).
    #[error("{message}")]
    Conflict {
        /// A stable code for clients (`email_taken`, `ticket_changed`...).
        code: &'static str,
        /// What collided.
        message: String,
    },
    /// A reply was written against an older timeline: someone else replied (or the
    /// requester wrote) since, so it was not sent. Carries what the writer needs to
    /// decide: the replies they have not seen and the newest event now, to send anyway
    /// against.
    #[error("{} replied while you were writing; your reply was not sent", .0.authors())]
    RepliedMeanwhile(Box<RepliedMeanwhile>),
    /// No valid credentials were presented.
    #[error("{message}")]
    Unauthenticated {
        /// What is wrong with the credentials.
        message: String,
    },
    /// Too many failed sign-ins; try again later.
    #[error("too many failed sign-ins; try again in {retry_after_seconds} seconds")]
    Throttled {
        /// Seconds to wait before trying again.
        retry_after_seconds: u64,
    },
    /// The database could not be reached or failed.
    #[error("service unavailable")]
    Unavailable(#[source] StoreError),
    /// A file is larger than the configured limit.
    #[error("the file is larger than the limit of {limit} bytes")]
    TooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// A bug or an unexpected failure (hashing, a task that panicked).
    #[error("internal error: {0}")]
    Internal(String),
}

/// The code of [`AppError::RepliedMeanwhile`], for clients.
pub const REPLIED_MEANWHILE: &str = "replied_meanwhile";

/// What a reply would have talked over ([`AppError::RepliedMeanwhile`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepliedMeanwhile {
    /// The public replies added after the event the writer had seen, oldest first.
    pub replies: Vec<MeanwhileReply>,
    /// The newest event of the timeline the writer may see: send again with this as
    /// the seen event to send anyway.
    pub newest_event_id: EventId,
}

impl RepliedMeanwhile {
    /// The authors' names, each once, joined for a sentence.
    pub fn authors(&self) -> String {
        let mut names: Vec<&str> = Vec::new();
        for reply in &self.replies {
            if !names.contains(&reply.author.as_str()) {
                names.push(&reply.author);
            }
        }
        match names.as_slice() {
            [] => "someone".to_owned(),
            [one] => (*one).to_owned(),
            [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
        }
    }
}

/// One reply that came in while another was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeanwhileReply {
    /// Its timeline event.
    pub event_id: EventId,
    /// Who wrote it (`None` for the desk itself).
    pub author_id: Option<UserId>,
    /// Their name.
    pub author: String,
    /// When.
    pub created_at: Timestamp,
    /// What it says.
    pub body: String,
}

impl AppError {
    /// A not-found error for `kind` `id`.
    pub fn not_found(kind: &'static str, id: impl std::fmt::Display) -> Self {
        AppError::NotFound {
            kind,
            id: id.to_string(),
        }
    }

    /// A forbidden error.
    pub fn forbidden(message: impl Into<String>) -> Self {
        AppError::Forbidden {
            message: message.into(),
        }
    }

    /// An invalid-value error for `field`.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        AppError::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }

    /// A conflict with a stable `code`.
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        AppError::Conflict {
            code,
            message: message.into(),
        }
    }

    /// An unauthenticated error.
    pub fn unauthenticated(message: impl Into<String>) -> Self {
        AppError::Unauthenticated {
            message: message.into(),
        }
    }
}

impl From<InvalidValue> for AppError {
    fn from(value: InvalidValue) -> Self {
        AppError::Invalid {
            field: value.field.to_owned(),
            message: value.message,
        }
    }
}

impl From<EditError> for AppError {
    fn from(error: EditError) -> Self {
        match error {
            EditError::Closed(transition) => AppError::InvalidTransition(transition),
            other => AppError::invalid(other.field(), other.to_string()),
        }
    }
}

impl From<StoreError> for AppError {
    /// The generic mapping; services that know what was looked up map `NotFound`
    /// themselves with [`OrNotFound`] so the error names the right kind.
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound { what, .. } => AppError::NotFound {
                kind: "resource",
                id: what,
            },
            StoreError::Conflict {
                kind: Conflict::SettingsChanged,
                ..
            } => AppError::Conflict {
                code: crate::settings::SETTINGS_CHANGED,
                message:
                    "the desk's routing settings changed while this request was handled; try again"
                        .into(),
            },
            StoreError::Conflict { what, .. } => AppError::Conflict {
                code: "conflict",
                message: what,
            },
            unavailable @ StoreError::Unavailable(_) => AppError::Unavailable(unavailable),
        }
    }
}

/// Maps a store `NotFound` to an [`AppError::NotFound`] naming the kind and id.
pub trait OrNotFound<T> {
    /// Names what was looked up.
    ///
    /// # Errors
    /// The mapped error.
    fn or_not_found(self, kind: &'static str, id: impl std::fmt::Display) -> Result<T, AppError>;
}

impl<T> OrNotFound<T> for Result<T, StoreError> {
    fn or_not_found(self, kind: &'static str, id: impl std::fmt::Display) -> Result<T, AppError> {
        self.map_err(|error| match error {
            StoreError::NotFound { .. } => AppError::not_found(kind, id),
            other => other.into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(author: &str) -> MeanwhileReply {
        MeanwhileReply {
            event_id: EventId(1),
            author_id: None,
            author: author.into(),
            created_at: Timestamp::UNIX_EPOCH,
            body: String::new(),
        }
    }

    #[test]
    fn the_warning_names_each_author_once() {
        let meanwhile = |authors: &[&str]| RepliedMeanwhile {
            replies: authors.iter().map(|a| reply(a)).collect(),
            newest_event_id: EventId(9),
        };
        assert_eq!(meanwhile(&["Ola"]).authors(), "Ola");
        assert_eq!(meanwhile(&["Ola", "Kari", "Ola"]).authors(), "Ola and Kari");
        assert_eq!(
            meanwhile(&["Ola", "Kari", "Ana"]).authors(),
            "Ola, Kari and Ana"
        );
        let error = AppError::RepliedMeanwhile(Box::new(meanwhile(&["Kari"])));
        assert_eq!(
            error.to_string(),
            "Kari replied while you were writing; your reply was not sent"
        );
    }
}
