//! Satisfaction ratings: once a ticket is resolved its requester rates the resolution
//! from 1 to 5, with a comment, once per resolution (a ticket reopened and resolved
//! again may be rated again).
//!
//! Requesters rate from the portal, through the API, or through a signed link in the
//! resolution mail (`/rate/{token}`) that needs no sign-in. The token names the ticket
//! and the resolution and carries an expiry, signed with HMAC-SHA256 under a key the
//! desk generates once and keeps in the database (so every node checks the same way);
//! a changed byte makes it unknown. A rating is a public `rated` timeline event.

use crate::input::body;
use crate::{App, AppError};
use base64::Engine as _;
use ferrodesk_domain::{Actor, Channel, EventKind, NewEvent, Ticket, TicketId, TicketStatus};
use ferrodesk_store::{NewRating, Rating, StoreError};
use hmac::{KeyInit as _, Mac as _};
use jiff::{SignedDuration, Timestamp};

/// How long a rating link works after it was made.
pub const LINK_LIFETIME: SignedDuration = SignedDuration::from_hours(30 * 24);
/// The longest comment.
pub const MAX_COMMENT_CHARS: usize = 2_000;
/// The name of the signing key among the desk's secrets.
const SECRET_NAME: &str = "rating_links";

type HmacSha256 = hmac::Hmac<sha2_hmac::Sha256>;

/// What a valid rating link names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RatingLink {
    /// The ticket.
    pub ticket_id: TicketId,
    /// The resolution (the ticket's `resolved_at` when the link was made).
    pub resolved_at: Timestamp,
}

/// A rating link's page: the ticket it names and its rating, if given.
#[derive(Debug, Clone)]
pub struct RatingLinkState {
    /// Number and subject.
    pub ticket: Ticket,
    /// The rating of this resolution, once given.
    pub rating: Option<Rating>,
}

/// The rating service; get one from [`App::ratings`].
#[derive(Debug, Clone, Copy)]
pub struct Ratings<'a> {
    app: &'a App,
}

fn unknown_link() -> AppError {
    AppError::not_found("rating_link", "given")
}

impl<'a> Ratings<'a> {
    pub(crate) fn new(app: &'a App) -> Self {
        Ratings { app }
    }

    async fn key(&self) -> Result<Vec<u8>, AppError> {
        let secret = self
            .app
            .db()
            .desk_secret(SECRET_NAME, crate::secret::random_secret(), self.app.now())
            .await?;
        Ok(secret.into_bytes())
    }

    async fn sign(&self, payload: &str) -> Result<String, AppError> {
        let mut mac = HmacSha256::new_from_slice(&self.key().await?)
            .map_err(|e| AppError::Internal(format!("rating link key: {e}")))?;
        mac.update(payload.as_bytes());
        Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()))
    }

    /// A signed token for rating the ticket's current resolution, valid for
    /// [`LINK_LIFETIME`]; `None` when the ticket is not resolved.
    ///
    /// # Errors
    /// `Unavailable`, `Internal`.
    pub async fn link_token(&self, ticket: &Ticket) -> Result<Option<String>, AppError> {
        let Some(resolved_at) = ticket.resolved_at.filter(|_| is_rateable(ticket)) else {
            return Ok(None);
        };
        let expires = (self.app.now() + LINK_LIFETIME).as_second();
        let payload = format!(
            "{}.{}.{expires}",
            ticket.id.get(),
            resolved_at.as_microsecond()
        );
        let signature = self.sign(&payload).await?;
        Ok(Some(format!("{payload}.{signature}")))
    }

    /// Checks a token: its signature, then its expiry.
    ///
    /// # Errors
    /// `NotFound` (`rating_link`) for a malformed or tampered token; `Invalid`
    /// (`token`) for an expired one.
    pub async fn verify(&self, token: &str) -> Result<RatingLink, AppError> {
        let mut parts = token.trim().splitn(4, '.');
        let (Some(ticket), Some(resolved), Some(expires), Some(signature)) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(unknown_link());
        };
        let (Ok(ticket), Ok(resolved), Ok(expires)) = (
            ticket.parse::<i64>(),
            resolved.parse::<i64>(),
            expires.parse::<i64>(),
        ) else {
            return Err(unknown_link());
        };
        let Ok(signature) = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(signature)
        else {
            return Err(unknown_link());
        };
        let mut mac = HmacSha256::new_from_slice(&self.key().await?)
            .map_err(|e| AppError::Internal(format!("rating link key: {e}")))?;
        mac.update(format!("{ticket}.{resolved}.{expires}").as_bytes());
        // Constant-time comparison.
        mac.verify_slice(&signature).map_err(|_| unknown_link())?;
        if self.app.now().as_second() >= expires {
            return Err(AppError::invalid(
                "token",
                "this rating link has expired; rate the request in the portal instead",
            ));
        }
        let resolved_at = Timestamp::from_microsecond(resolved).map_err(|_| unknown_link())?;
        Ok(RatingLink {
            ticket_id: TicketId(ticket),
            resolved_at,
        })
    }

    /// What a rating link's page shows.
    ///
    /// # Errors
    /// As [`Ratings::verify`]; `NotFound` when the ticket is gone.
    pub async fn link_state(&self, token: &str) -> Result<RatingLinkState, AppError> {
        let link = self.verify(token).await?;
        let db = self.app.db();
        let ticket = db.get_ticket(link.ticket_id).await.map_err(|e| match e {
            StoreError::NotFound { .. } => unknown_link(),
            other => other.into(),
        })?;
        let rating = db.find_rating(ticket.id, link.resolved_at).await?;
        Ok(RatingLinkState { ticket, rating })
    }

    /// Rates through a link, as the ticket's requester.
    ///
    /// # Errors
    /// As [`Ratings::verify`]; `Conflict`: `resolution_changed` when the ticket was
    /// reopened since the link was made, `already_rated`; `Invalid` (`score`,
    /// `comment`).
    pub async fn rate_with_link(
        &self,
        token: &str,
        score: i64,
        comment: Option<&str>,
    ) -> Result<Rating, AppError> {
        let link = self.verify(token).await?;
        let ticket = self
            .app
            .db()
            .get_ticket(link.ticket_id)
            .await
            .map_err(|e| match e {
                StoreError::NotFound { .. } => unknown_link(),
                other => other.into(),
            })?;
        if ticket.resolved_at != Some(link.resolved_at) || !is_rateable(&ticket) {
            return Err(AppError::conflict(
                "resolution_changed",
                format!(
                    "ticket {} was reopened after this link was sent; it can be rated when it is resolved again",
                    ticket.id.display_number()
                ),
            ));
        }
        let channel = Channel::Email;
        self.record(&ticket, score, comment, channel).await
    }

    /// Rates a ticket's current resolution as its requester.
    ///
    /// # Errors
    /// `NotFound` for a ticket the actor may not see; `Forbidden` for anyone but the
    /// requester; `Conflict`: `not_resolved`, `already_rated`; `Invalid` (`score`,
    /// `comment`).
    pub async fn rate(
        &self,
        actor: &Actor,
        id: TicketId,
        score: i64,
        comment: Option<&str>,
        channel: Channel,
    ) -> Result<Rating, AppError> {
        let ticket = self.app.tickets().visible(actor, id).await?;
        if ticket.requester_id != actor.user_id {
            return Err(AppError::forbidden(format!(
                "only the requester may rate ticket {}",
                id.display_number()
            )));
        }
        self.record(&ticket, score, comment, channel).await
    }

    /// The rating of the ticket's current resolution, if given.
    ///
    /// # Errors
    /// `NotFound` for a ticket the actor may not see.
    pub async fn current(&self, actor: &Actor, id: TicketId) -> Result<Option<Rating>, AppError> {
        let ticket = self.app.tickets().visible(actor, id).await?;
        match ticket.resolved_at {
            Some(resolved_at) => Ok(self.app.db().find_rating(id, resolved_at).await?),
            None => Ok(None),
        }
    }

    async fn record(
        &self,
        ticket: &Ticket,
        score: i64,
        comment: Option<&str>,
        channel: Channel,
    ) -> Result<Rating, AppError> {
        if !(1..=5).contains(&score) {
            return Err(AppError::invalid(
                "score",
                format!("must be from 1 to 5, not {score}"),
            ));
        }
        let comment = comment
            .map(|c| body("comment", c, MAX_COMMENT_CHARS))
            .transpose()?
            .filter(|c| !c.is_empty());
        let resolved_at = match ticket.resolved_at {
            Some(at) if is_rateable(ticket) => at,
            _ => {
                return Err(AppError::conflict(
                    "not_resolved",
                    format!(
                        "ticket {} is {}; it can be rated once it is resolved",
                        ticket.id.display_number(),
                        ticket.status.as_str().replace('_', " ")
                    ),
                ));
            }
        };
        let requester = ticket.requester_id;
        let now = self.app.now();
        let rating = NewRating {
            ticket_id: ticket.id,
            resolved_at,
            requester_id: requester,
            score,
            comment: comment.clone(),
            group_id: ticket.group_id,
            agent_id: ticket.assignee_id.or(ticket.owner_id),
            event: NewEvent::new(
                EventKind::Rated { score, comment },
                Some(requester),
                channel,
                now,
            ),
        };
        self.app
            .db()
            .create_rating(rating)
            .await
            .map_err(|e| match e {
                StoreError::Conflict { .. } => AppError::conflict(
                    "already_rated",
                    format!(
                        "this resolution of ticket {} was already rated",
                        ticket.id.display_number()
                    ),
                ),
                StoreError::NotFound { .. } => AppError::not_found("ticket", ticket.id),
                other => other.into(),
            })
    }
}

/// Whether a ticket stands resolved (or was closed after being resolved).
fn is_rateable(ticket: &Ticket) -> bool {
    matches!(ticket.status, TicketStatus::Resolved | TicketStatus::Closed)
        && ticket.resolved_at.is_some()
}
