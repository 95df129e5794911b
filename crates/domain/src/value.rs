//! Validated values: once built, they are known to be well-formed.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A value that failed validation, with a message fit to show to the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct InvalidValue {
    /// The field that was wrong, as named in the API.
    pub field: &'static str,
    /// What is wrong with it, lowercase, no trailing period.
    pub message: String,
}

impl InvalidValue {
    /// Builds an error for `field`.
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        InvalidValue {
            field,
            message: message.into(),
        }
    }
}

/// An email address, trimmed and with a lowercase domain.
///
/// The check is deliberately modest (one `@`, a non-empty local part, a domain with a
/// dot, no whitespace or angle brackets): RFC 5322 allows far more than mail servers
/// accept, and the only real test of an address is a message reaching it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmailAddress(String);

impl EmailAddress {
    /// Validates and normalizes an address.
    ///
    /// # Errors
    /// [`InvalidValue`] when the text is not shaped like an address.
    pub fn parse(text: &str) -> Result<Self, InvalidValue> {
        let text = text.trim();
        let invalid = || InvalidValue::new("email", format!("'{text}' is not an email address"));
        if text.len() > 254
            || text
                .chars()
                .any(|c| c.is_whitespace() || "<>,;\"".contains(c))
        {
            return Err(invalid());
        }
        let (local, domain) = text.rsplit_once('@').ok_or_else(invalid)?;
        if local.is_empty()
            || domain.is_empty()
            || !domain.contains('.')
            || domain.starts_with('.')
            || domain.ends_with('.')
            || domain.contains('@')
        {
            return Err(invalid());
        }
        Ok(EmailAddress(format!("{local}@{}", domain.to_lowercase())))
    }

    /// The address as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for EmailAddress {
    type Error = InvalidValue;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        EmailAddress::parse(&value)
    }
}

impl From<EmailAddress> for String {
    fn from(value: EmailAddress) -> Self {
        value.0
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Trimmed text that is neither empty nor longer than a limit.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct NonEmpty(String);

impl NonEmpty {
    /// Trims `text` and checks it holds between 1 and `max_chars` characters.
    ///
    /// # Errors
    /// [`InvalidValue`] naming `field` when the text is blank or too long.
    pub fn parse(field: &'static str, text: &str, max_chars: usize) -> Result<Self, InvalidValue> {
        let text = text.trim();
        if text.is_empty() {
            return Err(InvalidValue::new(field, "must not be empty"));
        }
        let count = text.chars().count();
        if count > max_chars {
            return Err(InvalidValue::new(
                field,
                format!("is {count} characters long; at most {max_chars} are allowed"),
            ));
        }
        Ok(NonEmpty(text.to_owned()))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The text, owned.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for NonEmpty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_domain_is_lowercased_and_whitespace_trimmed() {
        let email = EmailAddress::parse("  Ana.Silva@Example.COM ").unwrap();
        assert_eq!(email.as_str(), "Ana.Silva@example.com");
    }

    #[test]
    fn malformed_emails_are_rejected() {
        for bad in [
            "",
            "no-at",
            "@example.com",
            "a@",
            "a@b",
            "a b@example.com",
            "a@.com",
            "<a@b.c>",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn blank_or_long_text_is_rejected() {
        assert!(NonEmpty::parse("subject", "   ", 10).is_err());
        assert!(NonEmpty::parse("subject", "12345678901", 10).is_err());
        assert_eq!(
            NonEmpty::parse("subject", " ok ", 10).unwrap().as_str(),
            "ok"
        );
    }
}
