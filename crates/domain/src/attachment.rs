//! Files attached to timeline events: a reference to a content-addressed blob (its
//! SHA-256) with the name and type the file was given.
//!
//! The bytes live in the blob store; an event carries only [`Attachment`]s, so who may
//! download a file is exactly who may see the event that carries it.

use crate::value::InvalidValue;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The longest file name kept (in characters); longer names are cut.
pub const MAX_FILENAME_CHARS: usize = 200;

/// A SHA-256 digest as 64 lowercase hex digits: the address of a blob.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Sha256Hex(String);

impl Sha256Hex {
    /// Checks that `text` is 64 hex digits; uppercase is folded to lowercase.
    ///
    /// # Errors
    /// [`InvalidValue`] for anything else.
    pub fn parse(text: &str) -> Result<Self, InvalidValue> {
        if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
            Ok(Sha256Hex(text.to_ascii_lowercase()))
        } else {
            Err(InvalidValue::new("sha256", "must be 64 hexadecimal digits"))
        }
    }

    /// The hex form of a computed digest.
    pub fn from_digest(digest: &[u8; 32]) -> Self {
        use std::fmt::Write as _;
        let mut hex = String::with_capacity(64);
        for byte in digest {
            // Writing to a String cannot fail.
            let _ = write!(hex, "{byte:02x}");
        }
        Sha256Hex(hex)
    }

    /// The digest as hex text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Sha256Hex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Sha256Hex {
    type Error = InvalidValue;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Sha256Hex::parse(&value)
    }
}

impl From<Sha256Hex> for String {
    fn from(value: Sha256Hex) -> Self {
        value.0
    }
}

/// A file on a timeline event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// The blob's address.
    pub sha256: Sha256Hex,
    /// The file name shown and offered on download (see [`clean_filename`]).
    pub filename: String,
    /// The media type: sniffed from the bytes when recognizable, else the declared one.
    pub content_type: String,
    /// Size in bytes.
    pub size: i64,
}

/// A file name safe to show and to put in a `Content-Disposition` header: the last path
/// component only, control characters and quotes removed, at most
/// [`MAX_FILENAME_CHARS`]; `"attachment"` when nothing is left.
pub fn clean_filename(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | ';'))
        .take(MAX_FILENAME_CHARS)
        .collect();
    let trimmed = cleaned.trim().trim_start_matches('.');
    if trimmed.is_empty() {
        "attachment".to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// A declared media type if it is shaped like `type/subtype` (parameters dropped,
/// lowercased), else `None`.
pub fn clean_media_type(declared: &str) -> Option<String> {
    let essence = declared.split(';').next().unwrap_or("").trim();
    let (kind, sub) = essence.split_once('/')?;
    let token = |s: &str| {
        !s.is_empty()
            && s.len() <= 100
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b))
    };
    (token(kind) && token(sub)).then(|| essence.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_must_be_64_hex_digits_and_are_lowercased() {
        let upper = "A".repeat(64);
        assert_eq!(Sha256Hex::parse(&upper).unwrap().as_str(), "a".repeat(64));
        assert!(Sha256Hex::parse("abc").is_err());
        assert!(Sha256Hex::parse(&"g".repeat(64)).is_err());
        assert!(Sha256Hex::parse(&format!("../{}", "a".repeat(61))).is_err());
    }

    #[test]
    fn file_names_lose_paths_quotes_and_control_characters() {
        assert_eq!(clean_filename("C:\\Users\\me\\report.pdf"), "report.pdf");
        assert_eq!(clean_filename("../../etc/passwd"), "passwd");
        assert_eq!(clean_filename("a\"b;\r\nc.txt"), "abc.txt");
        assert_eq!(clean_filename(".."), "attachment");
        assert_eq!(clean_filename(""), "attachment");
        assert_eq!(
            clean_filename(&"x".repeat(500)).chars().count(),
            MAX_FILENAME_CHARS
        );
    }

    #[test]
    fn media_types_keep_only_their_essence() {
        assert_eq!(
            clean_media_type("Text/Plain; charset=utf-8").as_deref(),
            Some("text/plain")
        );
        assert_eq!(clean_media_type("nonsense"), None);
        assert_eq!(clean_media_type("a/b\r\nX-Evil: 1"), None);
    }
}
