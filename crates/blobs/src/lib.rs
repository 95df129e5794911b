//! Attachment storage: files kept once per content, addressed by their SHA-256.
//!
//! [`BlobStore`] writes through `object_store` (a local folder under the data directory
//! today; an S3-compatible bucket is a different `ObjectStore` behind the same calls).
//! A blob lives at `ab/cd/abcd…` (the digest's first two bytes as folders, so no folder
//! grows huge). A write goes to a staged file that is linked into place only when
//! complete, so a reader never sees half a file, and a second upload of the same bytes
//! finds the first and writes nothing.
//!
//! This crate knows bytes and digests only: who may read a blob is decided by the event
//! that carries its [`Attachment`](ferrodesk_domain::Attachment), in the service layer.

use bytes::Bytes;
use ferrodesk_domain::Sha256Hex;
use ferrodesk_domain::attachment::clean_media_type;
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt as _, PutMode, PutOptions, PutPayload};
use sha2::{Digest as _, Sha256};
use std::path::Path;
use std::sync::Arc;

/// The default largest file: 25 MB.
pub const DEFAULT_MAX_BYTES: usize = 25 * 1024 * 1024;

/// What can go wrong storing or reading a blob.
#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    /// The file is larger than the configured limit.
    #[error("file is larger than the limit of {limit} bytes")]
    TooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The file is empty.
    #[error("file is empty")]
    Empty,
    /// No blob has this digest.
    #[error("blob {0} not found")]
    NotFound(Sha256Hex),
    /// The storage failed.
    #[error("blob storage unavailable: {0}")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// A blob as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredBlob {
    /// Its address.
    pub sha256: Sha256Hex,
    /// Its size in bytes.
    pub size: usize,
    /// Whether the bytes were already there (deduplicated).
    pub existed: bool,
}

/// Content-addressed file storage; cheap to clone.
#[derive(Clone)]
pub struct BlobStore {
    inner: Arc<dyn ObjectStore>,
    max_bytes: usize,
}

impl std::fmt::Debug for BlobStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlobStore")
            .field("store", &self.inner.to_string())
            .field("max_bytes", &self.max_bytes)
            .finish()
    }
}

fn unavailable(error: impl std::error::Error + Send + Sync + 'static) -> BlobError {
    BlobError::Unavailable(Box::new(error))
}

impl BlobStore {
    /// Blobs in the folder `dir` (created if missing), refusing files over `max_bytes`.
    ///
    /// # Errors
    /// [`BlobError::Unavailable`] when the folder cannot be created.
    pub fn local(dir: &Path, max_bytes: usize) -> Result<BlobStore, BlobError> {
        std::fs::create_dir_all(dir).map_err(unavailable)?;
        let local = LocalFileSystem::new_with_prefix(dir).map_err(unavailable)?;
        Ok(BlobStore::over(Arc::new(local), max_bytes))
    }

    /// Blobs in any `object_store` (an S3-compatible bucket, memory for tests).
    pub fn over(inner: Arc<dyn ObjectStore>, max_bytes: usize) -> BlobStore {
        BlobStore { inner, max_bytes }
    }

    /// The largest file accepted, in bytes.
    pub fn max_bytes(&self) -> usize {
        self.max_bytes
    }

    fn location(sha256: &Sha256Hex) -> ObjectPath {
        let hex = sha256.as_str();
        ObjectPath::from(format!("{}/{}/{hex}", &hex[0..2], &hex[2..4]))
    }

    /// Stores `bytes` under their SHA-256, once: the same bytes stored again are found,
    /// not written twice.
    ///
    /// # Errors
    /// [`BlobError::TooLarge`], [`BlobError::Empty`], or `Unavailable`.
    pub async fn put(&self, bytes: Bytes) -> Result<StoredBlob, BlobError> {
        if bytes.len() > self.max_bytes {
            return Err(BlobError::TooLarge {
                limit: self.max_bytes,
            });
        }
        if bytes.is_empty() {
            return Err(BlobError::Empty);
        }
        let sha256 = digest(&bytes);
        let size = bytes.len();
        let location = Self::location(&sha256);
        let options = PutOptions {
            mode: PutMode::Create,
            ..PutOptions::default()
        };
        let existed = match self
            .inner
            .put_opts(&location, PutPayload::from(bytes), options)
            .await
        {
            Ok(_) => false,
            Err(object_store::Error::AlreadyExists { .. }) => true,
            Err(e) => return Err(unavailable(e)),
        };
        Ok(StoredBlob {
            sha256,
            size,
            existed,
        })
    }

    /// Reads a blob.
    ///
    /// # Errors
    /// [`BlobError::NotFound`], or `Unavailable`.
    pub async fn get(&self, sha256: &Sha256Hex) -> Result<Bytes, BlobError> {
        let result = match self.inner.get(&Self::location(sha256)).await {
            Ok(result) => result,
            Err(object_store::Error::NotFound { .. }) => {
                return Err(BlobError::NotFound(sha256.clone()));
            }
            Err(e) => return Err(unavailable(e)),
        };
        result.bytes().await.map_err(unavailable)
    }

    /// Whether a blob with this digest is stored.
    ///
    /// # Errors
    /// `Unavailable`.
    pub async fn contains(&self, sha256: &Sha256Hex) -> Result<bool, BlobError> {
        match self.inner.head(&Self::location(sha256)).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(unavailable(e)),
        }
    }
}

/// The SHA-256 of `bytes`.
pub fn digest(bytes: &[u8]) -> Sha256Hex {
    Sha256Hex::from_digest(&Sha256::digest(bytes).into())
}

/// The media type to record for a file: what its bytes are when `infer` recognizes
/// them (a declared `text/plain` that is really a PE executable is recorded as one),
/// else the declared type when it is well-formed, else `application/octet-stream`.
pub fn media_type(bytes: &[u8], declared: Option<&str>) -> String {
    if let Some(kind) = infer::get(bytes) {
        return kind.mime_type().to_owned();
    }
    declared
        .and_then(clean_media_type)
        .unwrap_or_else(|| "application/octet-stream".to_owned())
}

/// Whether a browser could run script from a file of this type if it rendered it
/// (HTML, SVG, XML, JavaScript): such files are always served as
/// `application/octet-stream`.
pub fn is_active_content(content_type: &str) -> bool {
    let t = content_type.to_ascii_lowercase();
    t.contains("html")
        || t.contains("svg")
        || t.contains("xml")
        || t.contains("javascript")
        || t.contains("ecmascript")
        || t == "text/css"
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn store(dir: &Path, max: usize) -> BlobStore {
        BlobStore::local(dir, max).unwrap()
    }

    #[tokio::test]
    async fn the_same_bytes_are_stored_once_under_their_sha256() {
        let dir = tempfile::tempdir().unwrap();
        let blobs = store(dir.path(), 1024);
        let first = blobs.put(Bytes::from_static(b"hello")).await.unwrap();
        assert_eq!(
            first.sha256.as_str(),
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
        );
        assert!(!first.existed);
        let second = blobs.put(Bytes::from_static(b"hello")).await.unwrap();
        assert!(second.existed);
        assert_eq!(second.sha256, first.sha256);
        let on_disk = dir
            .path()
            .join("2c/f2/2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
        assert_eq!(std::fs::read(on_disk).unwrap(), b"hello");
        assert_eq!(&blobs.get(&first.sha256).await.unwrap()[..], b"hello");
        assert!(blobs.contains(&first.sha256).await.unwrap());
    }

    #[tokio::test]
    async fn oversized_and_empty_files_are_refused_and_nothing_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let blobs = store(dir.path(), 4);
        assert!(matches!(
            blobs.put(Bytes::from_static(b"12345")).await,
            Err(BlobError::TooLarge { limit: 4 })
        ));
        assert!(matches!(
            blobs.put(Bytes::new()).await,
            Err(BlobError::Empty)
        ));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        assert!(blobs.put(Bytes::from_static(b"1234")).await.is_ok());
    }

    #[tokio::test]
    async fn a_missing_blob_is_not_found() {
        let dir = tempfile::tempdir().unwrap();
        let blobs = store(dir.path(), 4);
        let missing = digest(b"never stored");
        assert!(matches!(
            blobs.get(&missing).await,
            Err(BlobError::NotFound(_))
        ));
        assert!(!blobs.contains(&missing).await.unwrap());
    }

    #[test]
    fn media_types_come_from_the_bytes_before_the_declaration() {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
        assert_eq!(media_type(png, Some("text/html")), "image/png");
        assert_eq!(media_type(b"plain words", Some("text/plain")), "text/plain");
        assert_eq!(
            media_type(b"plain words", Some("junk")),
            "application/octet-stream"
        );
        assert_eq!(media_type(b"plain words", None), "application/octet-stream");
    }

    #[test]
    fn script_capable_types_are_active_content() {
        for t in [
            "text/html",
            "image/svg+xml",
            "application/xhtml+xml",
            "text/javascript",
        ] {
            assert!(is_active_content(t), "{t}");
        }
        for t in ["image/png", "application/pdf", "text/plain"] {
            assert!(!is_active_content(t), "{t}");
        }
    }
}
