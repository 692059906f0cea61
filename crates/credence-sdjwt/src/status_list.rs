//! IETF Token Status List (draft-ietf-oauth-status-list): a status list
//! token is a JWT (`typ` `statuslist+jwt`) whose `status_list` holds
//! `bits` (1, 2, 4 or 8 per token) and `lst`, the zlib-compressed byte
//! array, base64url. The status of index `i` sits at bit offset `i·bits`,
//! least significant bits first. Decompression is bounded.

use crate::{jws, SdJwtError};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use flate2::read::ZlibDecoder;
use flate2::write::ZlibEncoder;
use serde_json::{json, Map, Value};
use ssi::JWK;
use std::io::{Read, Write};

/// The `typ` of a status list token.
pub const STATUS_LIST_TYP: &str = "statuslist+jwt";
/// The largest decompressed list accepted (8 Mi one-bit entries).
pub const MAX_LIST_BYTES: usize = 1 << 20;

/// A token's status (the draft's registered values, and the rest).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// 0: valid.
    Valid,
    /// 1: invalid (revoked).
    Invalid,
    /// 2: suspended.
    Suspended,
    /// Any other value (application-specific): not valid.
    Other(u8),
}

impl From<u8> for Status {
    fn from(value: u8) -> Self {
        match value {
            0 => Status::Valid,
            1 => Status::Invalid,
            2 => Status::Suspended,
            v => Status::Other(v),
        }
    }
}

/// A referenced token's `status.status_list`: its index and list URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusReference {
    /// `idx`.
    pub index: u64,
    /// `uri`: where the status list token is served.
    pub uri: String,
}

impl StatusReference {
    /// Reads the `status` claim.
    pub fn from_claim(status: &Value) -> Result<Self, SdJwtError> {
        let list = status
            .get("status_list")
            .ok_or_else(|| SdJwtError::StatusList("status has no status_list".into()))?;
        let index = list
            .get("idx")
            .and_then(Value::as_u64)
            .ok_or_else(|| SdJwtError::StatusList("status_list.idx is not an integer".into()))?;
        let uri = list
            .get("uri")
            .and_then(Value::as_str)
            .ok_or_else(|| SdJwtError::StatusList("status_list.uri is not a string".into()))?;
        Ok(Self {
            index,
            uri: uri.to_owned(),
        })
    }

    /// The `status` claim for this reference.
    pub fn to_claim(&self) -> Value {
        json!({"status_list": {"idx": self.index, "uri": self.uri}})
    }
}

/// A status list: `bits` per entry over a byte array.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusList {
    bits: u8,
    bytes: Vec<u8>,
}

impl StatusList {
    /// A list of `entries` statuses of `bits` each, all valid (0).
    pub fn new(bits: u8, entries: usize) -> Result<Self, SdJwtError> {
        check_bits(bits)?;
        let bytes = (entries * bits as usize).div_ceil(8);
        if bytes > MAX_LIST_BYTES {
            return Err(SdJwtError::StatusList(format!(
                "{entries} entries is too many"
            )));
        }
        Ok(Self {
            bits,
            bytes: vec![0; bytes],
        })
    }

    /// The number of entries.
    pub fn len(&self) -> u64 {
        (self.bytes.len() as u64 * 8) / u64::from(self.bits)
    }

    /// Whether the list has no entries.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The status at `index`.
    pub fn get(&self, index: u64) -> Result<Status, SdJwtError> {
        let (byte, shift, mask) = self.position(index)?;
        Ok(Status::from((self.bytes[byte] >> shift) & mask))
    }

    /// Sets the status at `index` to `value` (which must fit in `bits`).
    pub fn set(&mut self, index: u64, value: u8) -> Result<(), SdJwtError> {
        let (byte, shift, mask) = self.position(index)?;
        if value > mask {
            return Err(SdJwtError::StatusList(format!(
                "{value} does not fit {} bits",
                self.bits
            )));
        }
        self.bytes[byte] = (self.bytes[byte] & !(mask << shift)) | (value << shift);
        Ok(())
    }

    fn position(&self, index: u64) -> Result<(usize, u32, u8), SdJwtError> {
        if index >= self.len() {
            return Err(SdJwtError::StatusIndexOutOfRange(index));
        }
        let bit = index * u64::from(self.bits);
        let mask = ((1u16 << self.bits) - 1) as u8;
        // `index < len` bounds `bit / 8` by the byte count (a usize).
        Ok(((bit / 8) as usize, (bit % 8) as u32, mask))
    }

    /// The `status_list` claim: `bits` and the zlib-compressed `lst`.
    pub fn to_claim(&self) -> Result<Value, SdJwtError> {
        let mut encoder = ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        encoder
            .write_all(&self.bytes)
            .and_then(|_| encoder.finish())
            .map(|compressed| json!({"bits": self.bits, "lst": URL_SAFE_NO_PAD.encode(compressed)}))
            .map_err(|e| SdJwtError::StatusList(e.to_string()))
    }

    /// Reads a `status_list` claim, decompressing at most
    /// [`MAX_LIST_BYTES`].
    pub fn from_claim(claim: &Value) -> Result<Self, SdJwtError> {
        let bits = claim
            .get("bits")
            .and_then(Value::as_u64)
            .and_then(|b| u8::try_from(b).ok())
            .ok_or_else(|| SdJwtError::StatusList("bits is not 1, 2, 4 or 8".into()))?;
        check_bits(bits)?;
        let lst = claim
            .get("lst")
            .and_then(Value::as_str)
            .ok_or_else(|| SdJwtError::StatusList("no lst".into()))?;
        let compressed = URL_SAFE_NO_PAD
            .decode(lst)
            .map_err(|_| SdJwtError::StatusList("lst is not base64url".into()))?;
        let mut bytes = Vec::new();
        ZlibDecoder::new(compressed.as_slice())
            .take(MAX_LIST_BYTES as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| SdJwtError::StatusList(format!("lst is not zlib: {e}")))?;
        if bytes.len() > MAX_LIST_BYTES {
            return Err(SdJwtError::DecompressionLimit(MAX_LIST_BYTES));
        }
        Ok(Self { bits, bytes })
    }
}

fn check_bits(bits: u8) -> Result<(), SdJwtError> {
    match bits {
        1 | 2 | 4 | 8 => Ok(()),
        other => Err(SdJwtError::StatusList(format!(
            "bits {other}: not 1, 2, 4 or 8"
        ))),
    }
}

/// A status list token for `list`, served at `uri`, by `key` (`kid`).
pub fn status_list_token(
    list: &StatusList,
    uri: &str,
    iat: i64,
    ttl: i64,
    key: &JWK,
    kid: Option<&str>,
) -> Result<String, SdJwtError> {
    let mut claims = Map::new();
    claims.insert("sub".into(), uri.into());
    claims.insert("iat".into(), iat.into());
    claims.insert("exp".into(), iat.saturating_add(ttl).into());
    claims.insert("ttl".into(), ttl.into());
    claims.insert("status_list".into(), list.to_claim()?);
    jws::sign(&claims, key, STATUS_LIST_TYP, kid)
}

/// A verified status list token: the list, and until when it may be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedStatusList {
    /// The list.
    pub list: StatusList,
    /// The token's `exp`: the list must not be used at or after it.
    pub expires_at: i64,
}

/// Verifies a status list token fetched from `uri`, signed by `key`, at
/// `now`: its `typ`, signature, `sub` = `uri`, `iat` present and `exp`
/// present and ahead (a token without `exp` would be usable forever,
/// pre-revocation copies included); returns the list.
pub fn verify_status_list_token(
    token: &str,
    key: &JWK,
    uri: &str,
    now: i64,
) -> Result<VerifiedStatusList, SdJwtError> {
    let (_, claims) = jws::verify(
        token,
        key,
        &[STATUS_LIST_TYP],
        SdJwtError::StatusListSignature,
    )?;
    if claims.get("sub").and_then(Value::as_str) != Some(uri) {
        return Err(SdJwtError::StatusList(format!("sub is not {uri}")));
    }
    for required in ["iat", "exp"] {
        if !claims.get(required).is_some_and(Value::is_i64) {
            return Err(SdJwtError::StatusList(format!("no {required}")));
        }
    }
    crate::verify::check_times(&claims, now, 60)?;
    let expires_at = claims.get("exp").and_then(Value::as_i64).unwrap_or(now);
    let list = claims
        .get("status_list")
        .ok_or_else(|| SdJwtError::StatusList("no status_list".into()))?;
    Ok(VerifiedStatusList {
        list: StatusList::from_claim(list)?,
        expires_at,
    })
}
