//! Passwords as the server handles them: hashed with argon2id (RustCrypto's `argon2`, at
//! its default cost, OWASP's: 19 MiB, 2 passes, 1 lane; the cost is kept in each hash, so it
//! can be raised later without touching the old ones), on blocking threads, at most one for
//! every two cores: each hash takes 19 MiB and tens of milliseconds of a core, and a burst of
//! logins must neither stall the server's other requests (on two cores, a login flood with
//! both busy hashing starved the database's writers past their 10 s wait) nor take all its
//! memory. An import's many one-time passwords, hashed by the command line, use every core.
//! And one-time passwords, to be read off a sheet of paper and typed on a phone.
//!
//! A password is a secret like a token: [`Secret`] keeps it out of every `Debug`, and only
//! its hash is ever stored (`notoneless_domain::PasswordHash`).

use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHasher, PasswordVerifier, SaltString};
use notoneless_domain::PasswordHash;
use tokio::sync::Semaphore;

use crate::error::StoreError;

/// A password or another secret typed by a person, which no `Debug` shows.
#[derive(Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(2, std::num::NonZero::get)
}

/// At most this many hashes of requests are computed at once: one for every two cores.
fn permits() -> &'static Semaphore {
    static PERMITS: OnceLock<Semaphore> = OnceLock::new();
    PERMITS.get_or_init(|| Semaphore::new((cores() / 2).max(1)))
}

fn hash_now(password: &str) -> Result<PasswordHash, StoreError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| PasswordHash::new(hash.to_string()))
        .map_err(|e| StoreError::Database(format!("cannot hash a password: {e}")))
}

/// Runs `work` on a blocking thread once a permit is free.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, StoreError> {
    let _permit = permits()
        .acquire()
        .await
        .map_err(|e| StoreError::Database(format!("the password hashers are closed: {e}")))?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| StoreError::Database(format!("a password hasher failed: {e}")))
}

/// The argon2id hash of a password, with a salt of its own.
pub async fn hash(password: &Secret) -> Result<PasswordHash, StoreError> {
    let password = password.clone();
    blocking(move || hash_now(password.expose())).await?
}

/// The hashes of many passwords (an import's one-time passwords), on every core at once: for
/// the command line, which does nothing else meanwhile.
pub async fn hash_all(passwords: &[Secret]) -> Result<Vec<PasswordHash>, StoreError> {
    let chunk = passwords.len().div_ceil(cores()).max(1);
    let tasks: Vec<_> = passwords
        .chunks(chunk)
        .map(|chunk| {
            let chunk = chunk.to_vec();
            tokio::task::spawn_blocking(move || {
                chunk
                    .iter()
                    .map(|password| hash_now(password.expose()))
                    .collect::<Result<Vec<_>, _>>()
            })
        })
        .collect();
    let mut hashes = Vec::with_capacity(passwords.len());
    for task in tasks {
        hashes.extend(
            task.await
                .map_err(|e| StoreError::Database(format!("a password hasher failed: {e}")))??,
        );
    }
    Ok(hashes)
}

/// A hash no password matches, checked against when there is no user by the name given, so
/// that a wrong user name takes as long to refuse as a wrong password.
fn decoy() -> &'static Option<PasswordHash> {
    static DECOY: OnceLock<Option<PasswordHash>> = OnceLock::new();
    DECOY.get_or_init(|| hash_now(one_time_password().expose()).ok())
}

/// Whether `password` is the one `stored` was made from; `None` (no such user) is checked
/// against a decoy, taking as long, and is never a match.
pub async fn verify(password: &Secret, stored: Option<&PasswordHash>) -> Result<bool, StoreError> {
    let password = password.clone();
    let stored = stored.cloned();
    blocking(move || {
        let real = stored.is_some();
        // The decoy is made (once) here, on the blocking thread, like every hash.
        let Some(stored) = stored.or_else(|| decoy().clone()) else {
            return false;
        };
        let Ok(parsed) = argon2::password_hash::PasswordHash::new(stored.as_str()) else {
            return false;
        };
        let matches = Argon2::default()
            .verify_password(password.expose().as_bytes(), &parsed)
            .is_ok();
        matches && real
    })
    .await
}

/// The characters of a one-time password: Crockford's base 32 (digits and lower-case letters
/// without i, l, o and u), which a person reading it off paper cannot confuse.
const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

/// A one-time password: twelve characters of [`ALPHABET`] (60 random bits) in groups of four,
/// `k7m2-p9xq-4tbw`.
pub fn one_time_password() -> Secret {
    let mut bytes = [0u8; 12];
    OsRng.fill_bytes(&mut bytes);
    let characters: Vec<char> = bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(b & 31)]))
        .collect();
    let groups: Vec<String> = characters
        .chunks(4)
        .map(|group| group.iter().collect())
        .collect();
    Secret(groups.join("-"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_password_verifies_against_its_own_hash_only() {
        let password = Secret::new("柳树下的石头桥");
        let stored = hash(&password).await.unwrap();
        assert!(
            stored
                .as_str()
                .starts_with("$argon2id$v=19$m=19456,t=2,p=1$")
        );
        assert!(verify(&password, Some(&stored)).await.unwrap());
        assert!(
            !verify(&Secret::new("柳树下的石头"), Some(&stored))
                .await
                .unwrap()
        );
        assert!(!verify(&password, None).await.unwrap());
        assert_ne!(hash(&password).await.unwrap(), stored, "a salt of its own");
        assert_eq!(format!("{password:?}"), "Secret(<redacted>)");
    }

    #[test]
    fn one_time_passwords_are_three_groups_of_four_unambiguous_characters() {
        let a = one_time_password();
        let b = one_time_password();
        assert_ne!(a, b);
        let text = a.expose();
        assert_eq!(text.len(), 14, "{text}");
        assert!(text.split('-').all(|g| g.len() == 4), "{text}");
        assert!(
            text.chars()
                .all(|c| c == '-' || ALPHABET.contains(&(c as u8))),
            "{text}"
        );
        assert!(notoneless_domain::check_new_password(text, "x").is_ok());
    }
}
