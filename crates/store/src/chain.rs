//! The hash chain and the log digest: pure functions, written down in `docs/hash-chain.md` so
//! that an outside auditor can re-implement them.
//!
//! Each event's hash is the SHA-256, in lower-case hex, of the canonical JSON encoding of the
//! object `{aggregate_id, aggregate_type, event_type, event_version, metadata, payload,
//! prev_hash, recorded_at, sequence}`, where `prev_hash` is the hash of the case's previous
//! event (64 zeros for its first) and `recorded_at` is the server time it was recorded, as
//! `YYYY-MM-DDTHH:MM:SS.ffffffZ`. The log digest folds every event hash, in commit order, into
//! one running SHA-256.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, SecondsFormat, Timelike, Utc};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// The `prev_hash` of a case's first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What is hashed for one event.
#[derive(Clone, Copy, Debug)]
pub struct ChainInput<'a> {
    pub aggregate_type: &'a str,
    pub aggregate_id: &'a str,
    pub sequence: i64,
    pub event_type: &'a str,
    pub event_version: &'a str,
    pub payload: &'a Value,
    pub metadata: &'a Value,
    pub recorded_at: DateTime<Utc>,
    pub prev_hash: &'a str,
}

/// The event's hash: lower-case hex SHA-256 of the canonical encoding of its fields.
pub fn event_hash(input: &ChainInput<'_>) -> String {
    let object = serde_json::json!({
        "aggregate_id": input.aggregate_id,
        "aggregate_type": input.aggregate_type,
        "event_type": input.event_type,
        "event_version": input.event_version,
        "metadata": input.metadata,
        "payload": input.payload,
        "prev_hash": input.prev_hash,
        "recorded_at": format_timestamp(input.recorded_at),
        "sequence": input.sequence,
    });
    hex::encode(Sha256::digest(canonical_json(&object).as_bytes()))
}

/// The hash of a cqrs-es serialised event recorded at `recorded_at` after `prev_hash`: what
/// the command path and the bulk writer both store.
pub fn serialized_event_hash(
    event: &cqrs_es::persist::SerializedEvent,
    sequence: i64,
    recorded_at: DateTime<Utc>,
    prev_hash: &str,
) -> String {
    event_hash(&ChainInput {
        aggregate_type: &event.aggregate_type,
        aggregate_id: &event.aggregate_id,
        sequence,
        event_type: &event.event_type,
        event_version: &event.event_version,
        payload: &event.payload,
        metadata: &event.metadata,
        recorded_at,
        prev_hash,
    })
}

/// A timestamp as stored and hashed: UTC, microseconds, `Z`.
pub fn format_timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// The instant as the databases keep it: to the microsecond.
pub fn truncate_to_micros(t: DateTime<Utc>) -> DateTime<Utc> {
    let micros = t.nanosecond() / 1_000 * 1_000;
    t.with_nanosecond(micros).unwrap_or(t)
}

/// JSON with object keys sorted by their UTF-8 bytes, no insignificant white space, strings
/// escaped as JSON requires (`"`, `\` and control characters only; everything else as UTF-8),
/// integers in decimal. The same as Python's
/// `json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False)` for the values
/// events hold.
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push('{');
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                write_canonical(item, out);
            }
            out.push('}');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// A digest of the whole log as it stood: how many events it covers, and the running hash of
/// their hashes in commit order. Written `v1:<count>:<hex>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogDigest {
    pub count: u64,
    pub hash: String,
}

impl fmt::Display for LogDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v1:{}:{}", self.count, self.hash)
    }
}

impl FromStr for LogDigest {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let mut parts = s.trim().split(':');
        let (Some("v1"), Some(count), Some(hash), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err("a digest reads v1:<count>:<64 hex digits>".into());
        };
        let count = count
            .parse()
            .map_err(|_| "the digest's count is not a whole number".to_string())?;
        if hash.len() != 64 || !hash.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err("the digest's hash is not 64 hex digits".into());
        }
        Ok(Self {
            count,
            hash: hash.to_ascii_lowercase(),
        })
    }
}

/// Folds event hashes, in commit order, into a [`LogDigest`].
#[derive(Clone, Debug)]
pub struct DigestBuilder {
    count: u64,
    running: [u8; 32],
}

impl Default for DigestBuilder {
    fn default() -> Self {
        Self {
            count: 0,
            running: Sha256::digest(b"notoneless-log-v1").into(),
        }
    }
}

impl DigestBuilder {
    /// running = SHA-256(running ‖ the event's hash as its 64 ASCII hex characters)
    pub fn push(&mut self, event_hash: &str) {
        let mut hasher = Sha256::new();
        hasher.update(self.running);
        hasher.update(event_hash.as_bytes());
        self.running = hasher.finalize().into();
        self.count += 1;
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    pub fn digest(&self) -> LogDigest {
        LogDigest {
            count: self.count,
            hash: hex::encode(self.running),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_json_sorts_keys_and_drops_white_space() {
        let value: Value =
            serde_json::from_str(r#"{ "b": [1, {"z": null, "a": true}], "a": "王\n" }"#).unwrap();
        assert_eq!(
            canonical_json(&value),
            r#"{"a":"王\n","b":[1,{"a":true,"z":null}]}"#
        );
    }

    #[test]
    fn the_hash_changes_when_any_field_changes() {
        let payload = serde_json::json!({"AbsenceRecorded": {"on": "2023-11-06"}});
        let metadata = serde_json::json!({"actor": "u1"});
        let at = DateTime::parse_from_rfc3339("2023-11-06T08:00:00.123456Z")
            .unwrap()
            .with_timezone(&Utc);
        let input = ChainInput {
            aggregate_type: "student_case",
            aggregate_id: "c1",
            sequence: 2,
            event_type: "AbsenceRecorded",
            event_version: "1",
            payload: &payload,
            metadata: &metadata,
            recorded_at: at,
            prev_hash: GENESIS,
        };
        let base = event_hash(&input);
        let other_payload = serde_json::json!({"AbsenceRecorded": {"on": "2023-11-07"}});
        assert_ne!(
            base,
            event_hash(&ChainInput {
                payload: &other_payload,
                ..input
            })
        );
        assert_ne!(
            base,
            event_hash(&ChainInput {
                sequence: 3,
                ..input
            })
        );
        assert_ne!(
            base,
            event_hash(&ChainInput {
                recorded_at: at + chrono::TimeDelta::microseconds(1),
                ..input
            })
        );
        assert_eq!(base.len(), 64);
    }

    #[test]
    fn a_digest_reads_back_as_written() {
        let mut builder = DigestBuilder::default();
        builder.push(GENESIS);
        let digest = builder.digest();
        assert_eq!(digest.to_string().parse::<LogDigest>(), Ok(digest));
        assert!("v2:1:00".parse::<LogDigest>().is_err());
    }
}
