//! The two kinds of line in the log file.
//!
//! - An entry: the [`AuditEntry`] as JSON, with `"hash"` — the hex SHA-256
//!   of that JSON without the `hash` member — appended as its last member:
//!   `{"seq":7,…,"prev":"<hex>","hash":"<hex>"}`. `prev` is the previous
//!   entry's hash, so the entries form a chain.
//! - A checkpoint: `{"checkpoint":<payload>,"jws":"<compact JWS>"}`, where
//!   the payload is the JWS's own payload (a [`Checkpoint`]) copied out for
//!   readers; the copy must equal what was signed.
//!
//! serde_json escapes control characters inside strings, so a line never
//! holds a raw newline.

use super::{AuditEntry, Checkpoint};
use crate::StoreError;
use sha2::{Digest, Sha256};

/// The `prev` of the first entry.
pub(crate) const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

const HASH_OPEN: &[u8] = b",\"hash\":\"";
const HASH_CLOSE: &[u8] = b"\"}";
/// `,"hash":"` ‖ 64 hex digits ‖ `"}`.
const HASH_TAIL: usize = HASH_OPEN.len() + 64 + HASH_CLOSE.len();
const CHECKPOINT_OPEN: &[u8] = b"{\"checkpoint\":";

/// SHA-256 of `bytes`.
pub(crate) fn sha(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// Hex SHA-256 of `bytes`.
pub(crate) fn digest(bytes: &[u8]) -> String {
    hex::encode(sha(bytes))
}

fn json_err(e: serde_json::Error) -> StoreError {
    StoreError::Audit(format!("encoding an audit line: {e}"))
}

/// The line for `entry` (without its newline) and the entry's hash.
pub(crate) fn entry_line(entry: &AuditEntry) -> Result<(Vec<u8>, String), StoreError> {
    let mut line = serde_json::to_vec(entry).map_err(json_err)?;
    let hash = digest(&line);
    // An `AuditEntry` serializes as a JSON object: its last byte is `}`.
    if line.pop() != Some(b'}') {
        return Err(StoreError::Audit(
            "an audit entry is not a JSON object".into(),
        ));
    }
    line.extend_from_slice(HASH_OPEN);
    line.extend_from_slice(hash.as_bytes());
    line.extend_from_slice(HASH_CLOSE);
    Ok((line, hash))
}

/// The line for a checkpoint whose JWS is `jws` and payload `payload`.
pub(crate) fn checkpoint_line(payload: &str, jws: &str) -> Result<Vec<u8>, StoreError> {
    let jws = serde_json::to_string(jws).map_err(json_err)?;
    Ok(format!("{{\"checkpoint\":{payload},\"jws\":{jws}}}").into_bytes())
}

/// A line as read, its content checked against its own hash or JWS payload
/// (not yet against the lines around it, nor the signature).
#[derive(Debug)]
pub(crate) enum Line {
    /// An entry and its hash.
    Entry(AuditEntry, String),
    /// A checkpoint and its JWS.
    Checkpoint(Checkpoint, String),
}

/// Why a line could not be read: what it claims to be (a sequence number,
/// when one could be read) and what is wrong.
#[derive(Debug)]
pub(crate) struct BadLine {
    pub checkpoint: bool,
    pub seq: Option<u64>,
    pub detail: String,
}

/// Reads one line (without its newline).
pub(crate) fn parse(line: &[u8]) -> Result<Line, BadLine> {
    if line.starts_with(CHECKPOINT_OPEN) {
        parse_checkpoint(line)
    } else {
        parse_entry(line)
    }
}

/// The `seq` a damaged line still shows, for naming it.
fn claimed_seq(line: &[u8]) -> Option<u64> {
    let value: serde_json::Value = serde_json::from_slice(line).ok()?;
    value
        .get("seq")
        .or_else(|| value.get("checkpoint").and_then(|c| c.get("seq")))
        .and_then(serde_json::Value::as_u64)
}

/// The sequence number at the start of an entry line, read cheaply (for
/// telling a reordering from a deletion).
pub(crate) fn leading_seq(line: &[u8]) -> Option<u64> {
    let rest = line.strip_prefix(b"{\"seq\":")?;
    let end = rest.iter().position(|b| !b.is_ascii_digit())?;
    std::str::from_utf8(&rest[..end]).ok()?.parse().ok()
}

fn parse_entry(line: &[u8]) -> Result<Line, BadLine> {
    let bad = |detail: &str| BadLine {
        checkpoint: false,
        seq: claimed_seq(line),
        detail: detail.to_owned(),
    };
    if line.len() < HASH_TAIL + 2 {
        return Err(bad("not an entry line"));
    }
    let (body, tail) = line.split_at(line.len() - HASH_TAIL);
    let hash = &tail[HASH_OPEN.len()..HASH_OPEN.len() + 64];
    let well_formed = tail.starts_with(HASH_OPEN)
        && tail.ends_with(HASH_CLOSE)
        && hash.iter().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    if !well_formed {
        return Err(bad("the line does not end with its hash"));
    }
    let mut original = body.to_vec();
    original.push(b'}');
    let computed = digest(&original);
    if computed.as_bytes() != hash {
        return Err(bad("its content no longer matches its hash"));
    }
    let entry: AuditEntry =
        serde_json::from_slice(&original).map_err(|e| bad(&format!("not an audit entry: {e}")))?;
    Ok(Line::Entry(entry, computed))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckpointLine {
    checkpoint: Checkpoint,
    jws: String,
}

fn parse_checkpoint(line: &[u8]) -> Result<Line, BadLine> {
    let bad = |detail: String| BadLine {
        checkpoint: true,
        seq: claimed_seq(line),
        detail,
    };
    let parsed: CheckpointLine =
        serde_json::from_slice(line).map_err(|e| bad(format!("unreadable checkpoint: {e}")))?;
    let (_, payload) = ssi::claims::jws::decode_unverified(&parsed.jws)
        .map_err(|e| bad(format!("not a JWS: {e}")))?;
    let signed: Checkpoint = serde_json::from_slice(&payload)
        .map_err(|e| bad(format!("unreadable signed checkpoint: {e}")))?;
    if signed != parsed.checkpoint {
        return Err(bad(
            "the checkpoint shown differs from the one signed".into()
        ));
    }
    Ok(Line::Checkpoint(signed, parsed.jws))
}

#[cfg(test)]
mod tests {
    use super::*;
    use credence_core::audit::AuditRecord;

    #[test]
    fn an_entry_line_reads_back_and_any_change_is_refused() {
        let entry = AuditEntry {
            seq: 3,
            time: "2026-01-01T00:00:00.000Z".into(),
            record: AuditRecord::new("did:key:zA", "verify", "allow", "c"),
            prev: GENESIS.into(),
        };
        let (line, hash) = entry_line(&entry).unwrap();
        assert_eq!(leading_seq(&line), Some(3));
        match parse(&line).unwrap() {
            Line::Entry(e, h) => assert_eq!((e, h), (entry, hash)),
            other => panic!("{other:?}"),
        }
        let edited = String::from_utf8(line.clone())
            .unwrap()
            .replace("allow", "deny!");
        let err = parse(edited.as_bytes()).unwrap_err();
        assert_eq!(err.seq, Some(3));
        assert!(err.detail.contains("no longer matches"), "{}", err.detail);
        for cut in [0, 1, line.len() / 2, line.len() - 1] {
            assert!(parse(&line[..cut]).is_err(), "cut at {cut}");
        }
        assert!(parse(b"\xff\xfe garbage").is_err());
    }
}
