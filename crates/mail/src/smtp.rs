//! Handing rendered messages to an SMTP server with `lettre` (tokio, rustls).
//!
//! The server is named by one URL, as `lettre` reads it:
//! `smtp://host:25` (plain), `smtp://host:587?tls=required` (STARTTLS, refused when the
//! server does not offer it), `smtp://host:587?tls=opportunistic` (STARTTLS when
//! offered) and `smtps://host:465` (TLS from the first byte). Credentials come from the
//! URL's user info (`smtps://user:pass@host`) or from [`SmtpSettings`]'s own fields.
//! A 5xx answer is a permanent failure; anything else (4xx, refused connection,
//! timeout, TLS failure) is retried by the outbox with backoff.

use async_trait::async_trait;
use ferrodesk_app::mail::{MailTransport, SendError};
use ferrodesk_domain::EmailAddress;
use lettre::address::{Address, Envelope};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::fmt;
use std::time::Duration;

/// How to reach the SMTP server.
#[derive(Clone)]
pub struct SmtpSettings {
    /// `smtp://` or `smtps://` URL (see the module docs).
    pub url: String,
    /// Login, when not in the URL.
    pub username: Option<String>,
    /// Password, when not in the URL.
    pub password: Option<String>,
    /// How long one SMTP command may take.
    pub timeout: Duration,
}

impl fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The URL may hold a password; only its scheme and host are shown.
        f.debug_struct("SmtpSettings")
            .field("server", &redacted(&self.url))
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl SmtpSettings {
    /// Settings for a URL with the default timeout (30 s).
    pub fn new(url: impl Into<String>) -> SmtpSettings {
        SmtpSettings {
            url: url.into(),
            username: None,
            password: None,
            timeout: Duration::from_secs(30),
        }
    }
}

/// The URL without its user info, for logs.
fn redacted(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let host = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
            format!("{scheme}://{host}")
        }
        None => "(not a URL)".to_owned(),
    }
}

/// A configuration the SMTP client cannot use.
#[derive(Debug, thiserror::Error)]
#[error("invalid SMTP settings: {0}")]
pub struct SmtpError(String);

/// An SMTP client; cheap to share.
#[derive(Clone)]
pub struct SmtpTransport {
    inner: AsyncSmtpTransport<Tokio1Executor>,
    server: String,
}

impl fmt::Debug for SmtpTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpTransport")
            .field("server", &self.server)
            .finish()
    }
}

impl SmtpTransport {
    /// Builds a client (it connects on the first send).
    ///
    /// # Errors
    /// [`SmtpError`] for a URL `lettre` does not accept, or a username without a
    /// password.
    pub fn new(settings: &SmtpSettings) -> Result<SmtpTransport, SmtpError> {
        let url = settings.url.trim();
        if !(url.starts_with("smtp://") || url.starts_with("smtps://")) {
            return Err(SmtpError(
                "the SMTP URL must start with smtp:// or smtps://".to_owned(),
            ));
        }
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| SmtpError(e.to_string()))?
            .timeout(Some(settings.timeout));
        match (&settings.username, &settings.password) {
            (Some(user), Some(password)) => {
                builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
            }
            (Some(_), None) => {
                return Err(SmtpError("an SMTP username needs a password".to_owned()));
            }
            _ => {}
        }
        Ok(SmtpTransport {
            inner: builder.build(),
            server: redacted(url),
        })
    }

    /// Whether the server answers (connects, greets, and says hello).
    ///
    /// # Errors
    /// [`SendError`] with what failed.
    pub async fn check(&self) -> Result<(), SendError> {
        match self.inner.test_connection().await {
            Ok(true) => Ok(()),
            Ok(false) => Err(SendError {
                message: format!("{} did not answer", self.server),
                is_permanent: false,
            }),
            Err(error) => Err(send_error(&error)),
        }
    }
}

fn address(email: &EmailAddress) -> Result<Address, SendError> {
    email.as_str().parse::<Address>().map_err(|e| SendError {
        message: format!("address {email} is not usable in SMTP: {e}"),
        is_permanent: true,
    })
}

fn send_error(error: &lettre::transport::smtp::Error) -> SendError {
    SendError {
        message: error.to_string(),
        is_permanent: error.is_permanent(),
    }
}

#[async_trait]
impl MailTransport for SmtpTransport {
    async fn send(
        &self,
        sender: &EmailAddress,
        recipients: &[EmailAddress],
        raw: &[u8],
    ) -> Result<(), SendError> {
        let to = recipients
            .iter()
            .map(address)
            .collect::<Result<Vec<_>, _>>()?;
        let envelope = Envelope::new(Some(address(sender)?), to).map_err(|e| SendError {
            message: format!("no envelope: {e}"),
            is_permanent: true,
        })?;
        self.inner
            .send_raw(&envelope, raw)
            .await
            .map(|_| ())
            .map_err(|e| send_error(&e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logs_never_show_the_password_in_the_url() {
        let settings = SmtpSettings::new("smtps://desk:hunter2@mail.example.com:465");
        let shown = format!("{settings:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("smtps://mail.example.com:465"), "{shown}");
    }

    #[test]
    fn other_schemes_and_a_username_without_password_are_refused() {
        assert!(SmtpTransport::new(&SmtpSettings::new("http://mail.example.com")).is_err());
        let settings = SmtpSettings {
            username: Some("desk".into()),
            ..SmtpSettings::new("smtp://mail.example.com")
        };
        assert!(SmtpTransport::new(&settings).is_err());
        assert!(SmtpTransport::new(&SmtpSettings::new("smtp://127.0.0.1:2525")).is_ok());
    }
}
