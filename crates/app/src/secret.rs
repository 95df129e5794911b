//! Secrets: random tokens, their SHA-256 digests, and Argon2id password hashes.
//!
//! Only digests of tokens and session cookies reach the database, so a copy of the
//! database signs no one in. Tokens are 32 random bytes, which makes a fast hash safe;
//! passwords are guessable, so they get Argon2id on a blocking thread.

use crate::AppError;
use argon2::Argon2;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use base64::Engine as _;
use sha2::{Digest as _, Sha256};

/// The prefix of every API token, so leaked tokens are easy to recognize in logs and
/// by secret scanners.
pub const TOKEN_PREFIX: &str = "fd_";

/// 32 random bytes as URL-safe base64 (43 characters).
pub fn random_secret() -> String {
    let bytes: [u8; 32] = rand::random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A new API token secret: `fd_` and 32 random bytes.
pub fn new_token_secret() -> String {
    format!("{TOKEN_PREFIX}{}", random_secret())
}

/// A password for a generated account: 18 random bytes as 24 URL-safe characters.
pub fn random_password() -> String {
    let bytes: [u8; 18] = rand::random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Lowercase hex SHA-256 of `data`.
pub fn sha256_hex(data: impl AsRef<[u8]>) -> String {
    hex::encode(Sha256::digest(data.as_ref()))
}

/// The fingerprint of a request for idempotency: SHA-256 over its parts (method, path,
/// canonical body), each prefixed by its length so parts cannot run into each other.
pub fn fingerprint(parts: &[&[u8]]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part);
    }
    hex::encode(hasher.finalize())
}

/// Hashes a password with Argon2id (default parameters: 19 MiB, 2 passes) on a
/// blocking thread, returning the PHC string to store.
///
/// # Errors
/// [`AppError::Internal`] if hashing fails.
pub async fn hash_password(password: &str) -> Result<String, AppError> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|hash| hash.to_string())
            .map_err(|error| AppError::Internal(format!("hashing a password: {error}")))
    })
    .await
    .map_err(|error| AppError::Internal(format!("password hashing task: {error}")))?
}

/// Checks a password against a stored PHC string on a blocking thread. A malformed
/// stored hash counts as a mismatch (and is logged), never as a match.
///
/// # Errors
/// [`AppError::Internal`] if the blocking task fails.
pub async fn verify_password(password: &str, phc: &str) -> Result<bool, AppError> {
    let password = password.to_owned();
    let phc = phc.to_owned();
    tokio::task::spawn_blocking(move || match argon2::PasswordHash::new(&phc) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(error) => {
            tracing::error!(%error, "stored password hash is malformed");
            false
        }
    })
    .await
    .map_err(|error| AppError::Internal(format!("password check task: {error}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_secrets_are_prefixed_and_unique() {
        let a = new_token_secret();
        let b = new_token_secret();
        assert!(a.starts_with("fd_"));
        assert_eq!(a.len(), 3 + 43);
        assert_ne!(a, b);
    }

    #[test]
    fn fingerprints_separate_their_parts() {
        assert_ne!(fingerprint(&[b"ab", b"c"]), fingerprint(&[b"a", b"bc"]));
        assert_eq!(sha256_hex("abc").len(), 64);
    }

    #[tokio::test]
    async fn a_hashed_password_verifies_and_a_wrong_one_does_not() {
        let hash = hash_password("correct horse").await.unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &hash).await.unwrap());
        assert!(!verify_password("wrong horse", &hash).await.unwrap());
        assert!(!verify_password("x", "not a hash").await.unwrap());
    }
}
