//! The server's signing key: every event and every checkpoint of the log is signed with it
//! (Ed25519, RFC 8032), so that whoever holds only the database's credentials cannot append an
//! event that `verify` accepts. The key lives outside the database, in a key file; its public
//! half is announced in the log itself, as an event of the `log_key` stream.
//!
//! What is signed, byte for byte, is written in `docs/hash-chain.md` ("Signatures"):
//! - an event: the ASCII bytes `notoneless-event-v1:` followed by the event's `hash` (64
//!   lower-case hex characters);
//! - a checkpoint: the ASCII bytes `notoneless-checkpoint-v1:` followed by the checkpoint's
//!   canonical JSON body.
//!
//! A public key is its 32 bytes (RFC 8032 encoding) in 64 lower-case hex digits; a key id is
//! the first 16 hex digits of the SHA-256 of those 32 bytes; a signature is its 64 bytes in
//! 128 lower-case hex digits. A key file holds the 32-byte secret seed in 64 hex digits and a
//! line end, and nothing else, readable by its owner only.

use std::path::{Path, PathBuf};

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use sha2::{Digest, Sha256};

/// The aggregate type of the stream that announces the log's keys.
pub const KEY_STREAM_TYPE: &str = "log_key";
/// Its one stream.
pub const KEY_STREAM_ID: &str = "log";
/// The event that announces a key (`payload`: `key_id`, `public_key`, `valid_from`,
/// `previous_key_id`).
pub const KEY_ANNOUNCED: &str = "KeyAnnounced";

/// The file name of the key in the data directory, when no other is given.
pub const KEY_FILE_NAME: &str = "signing.key";

const EVENT_CONTEXT: &[u8] = b"notoneless-event-v1:";
const CHECKPOINT_CONTEXT: &[u8] = b"notoneless-checkpoint-v1:";

/// Why a key file cannot be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyFileError {
    #[error("the signing key file {0} does not exist (create one with `notoneless admin keygen`)")]
    Missing(PathBuf),
    #[error("the signing key file {0} exists already: it is never overwritten")]
    Exists(PathBuf),
    #[error(
        "the signing key file {0} may be read by others (mode {1:o}): it must be readable by its owner only (chmod 600)"
    )]
    TooOpen(PathBuf, u32),
    #[error("the signing key file {0} does not hold a key (64 hex digits)")]
    Malformed(PathBuf),
    #[error("cannot use the signing key file {0}: {1}")]
    Io(PathBuf, String),
}

/// The server's signing key.
#[derive(Clone)]
pub struct LogKey {
    key: SigningKey,
    id: String,
}

impl std::fmt::Debug for LogKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the secret.
        f.debug_struct("LogKey").field("id", &self.id).finish()
    }
}

impl LogKey {
    /// A key from its 32-byte secret seed.
    pub fn from_seed(seed: [u8; 32]) -> Self {
        let key = SigningKey::from_bytes(&seed);
        let id = key_id(key.verifying_key().as_bytes());
        Self { key, id }
    }

    /// A new key from the operating system's generator.
    pub fn generate() -> Self {
        use password_hash::rand_core::{OsRng, RngCore};
        let mut seed = [0u8; 32];
        OsRng.fill_bytes(&mut seed);
        Self::from_seed(seed)
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    /// The public key, 64 hex digits.
    pub fn public_hex(&self) -> String {
        hex::encode(self.key.verifying_key().as_bytes())
    }

    /// The signature of an event whose hash is `hash`, 128 hex digits.
    pub fn sign_event(&self, hash: &str) -> String {
        self.sign(&event_message(hash))
    }

    /// The signature of a checkpoint whose canonical body is `body`.
    pub fn sign_checkpoint(&self, body: &str) -> String {
        self.sign(&checkpoint_message(body))
    }

    fn sign(&self, message: &[u8]) -> String {
        hex::encode(self.key.sign(message).to_bytes())
    }

    /// Reads the key file: 64 hex digits, readable by its owner only.
    pub fn read(path: &Path) -> Result<Self, KeyFileError> {
        let io = |e: std::io::Error| KeyFileError::Io(path.to_path_buf(), e.to_string());
        let metadata = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(KeyFileError::Missing(path.to_path_buf()));
            }
            Err(e) => return Err(io(e)),
        };
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = metadata.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                return Err(KeyFileError::TooOpen(path.to_path_buf(), mode));
            }
        }
        #[cfg(not(unix))]
        let _ = metadata;
        let text = std::fs::read_to_string(path).map_err(io)?;
        let seed: [u8; 32] = hex::decode(text.trim())
            .ok()
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or_else(|| KeyFileError::Malformed(path.to_path_buf()))?;
        Ok(Self::from_seed(seed))
    }

    /// Writes a new key to a file that must not exist yet, readable by its owner only.
    pub fn create(path: &Path) -> Result<Self, KeyFileError> {
        let key = Self::generate();
        key.write_new(path)?;
        Ok(key)
    }

    /// Writes this key to a file that must not exist yet, readable by its owner only.
    pub fn write_new(&self, path: &Path) -> Result<(), KeyFileError> {
        use std::io::Write;
        let io = |e: std::io::Error| KeyFileError::Io(path.to_path_buf(), e.to_string());
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                KeyFileError::Exists(path.to_path_buf())
            } else {
                io(e)
            }
        })?;
        file.write_all(format!("{}\n", hex::encode(self.key.to_bytes())).as_bytes())
            .map_err(io)?;
        file.sync_all().map_err(io)
    }

    /// Reads the key file, or creates it when there is none (the first start). Says whether
    /// it was created.
    pub fn read_or_create(path: &Path) -> Result<(Self, bool), KeyFileError> {
        match Self::read(path) {
            Ok(key) => Ok((key, false)),
            Err(KeyFileError::Missing(_)) => Ok((Self::create(path)?, true)),
            Err(other) => Err(other),
        }
    }
}

/// The id of a public key: the first 16 hex digits of the SHA-256 of its 32 bytes.
pub fn key_id(public_key: &[u8; 32]) -> String {
    hex::encode(Sha256::digest(public_key))[..16].to_string()
}

/// The bytes signed for an event: `notoneless-event-v1:` and the event's hash in hex.
pub fn event_message(hash: &str) -> Vec<u8> {
    [EVENT_CONTEXT, hash.as_bytes()].concat()
}

/// The bytes signed for a checkpoint: `notoneless-checkpoint-v1:` and its canonical body.
pub fn checkpoint_message(body: &str) -> Vec<u8> {
    [CHECKPOINT_CONTEXT, body.as_bytes()].concat()
}

/// A public key read from its 64 hex digits.
pub fn public_key(hex_key: &str) -> Option<VerifyingKey> {
    let bytes: [u8; 32] = hex::decode(hex_key).ok()?.try_into().ok()?;
    VerifyingKey::from_bytes(&bytes).ok()
}

/// Whether `signature` (128 hex digits) is the signature of `message` by `key`.
pub fn signature_holds(key: &VerifyingKey, message: &[u8], signature: &str) -> bool {
    let Some(bytes) = hex::decode(signature)
        .ok()
        .and_then(|b| <[u8; 64]>::try_from(b).ok())
    else {
        return false;
    };
    key.verify(message, &Signature::from_bytes(&bytes)).is_ok()
}

/// Where the key file is: the one given, else `signing.key` in the data directory.
pub fn key_path(given: Option<&Path>, data_dir: &Path) -> PathBuf {
    given.map_or_else(|| data_dir.join(KEY_FILE_NAME), Path::to_path_buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_holds_for_its_event_only() {
        let key = LogKey::from_seed([7; 32]);
        let public = public_key(&key.public_hex()).unwrap();
        let hash = "ab".repeat(32);
        let signature = key.sign_event(&hash);
        assert!(signature_holds(&public, &event_message(&hash), &signature));
        assert!(!signature_holds(
            &public,
            &event_message(&"cd".repeat(32)),
            &signature
        ));
        assert!(!signature_holds(
            &public,
            &checkpoint_message(&hash),
            &signature
        ));
        assert_eq!(key.id().len(), 16);
    }

    #[test]
    fn a_key_file_is_written_for_its_owner_only_and_never_overwritten() {
        let dir = std::env::temp_dir().join(format!("nol-key-{}", uuid::Uuid::new_v4()));
        let path = dir.join(KEY_FILE_NAME);
        let (created, new) = LogKey::read_or_create(&path).unwrap();
        assert!(new);
        assert_eq!(LogKey::read(&path).unwrap().id(), created.id());
        assert_eq!(
            LogKey::create(&path).unwrap_err(),
            KeyFileError::Exists(path.clone())
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            assert!(matches!(
                LogKey::read(&path),
                Err(KeyFileError::TooOpen(_, 0o644))
            ));
        }
        let _ = std::fs::remove_dir_all(dir);
    }
}
