//! Encrypted export and restore of a whole wallet.
//!
//! An export is `MAGIC ‖ u32 header length ‖ header JSON ‖ frames`, each frame
//! `u32 length ‖ ciphertext` of the STREAM construction (XChaCha20-Poly1305,
//! `aead::stream`, big-endian 32-bit counter) with the header as associated
//! data; the last frame is marked as such, so truncation is detected. The
//! frames carry the store's records still sealed under the wallet's data key;
//! the header carries that data key and the stream key sealed under a key
//! derived from the export's own passphrase or key file (fresh salt).

use crate::seal::{open_bytes, seal_bytes};
use crate::store::{Store, SCHEMA_VERSION};
use crate::unlock::{random_key, Kdf, KdfParams, Unlock};
use crate::StoreError;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use chacha20poly1305::aead::stream::{DecryptorBE32, EncryptorBE32};
use chacha20poly1305::aead::{KeyInit, Payload};
use chacha20poly1305::XChaCha20Poly1305;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};
use std::path::Path;
use zeroize::Zeroizing;

const MAGIC: &[u8; 8] = b"CRDEXP01";
const EXPORT_FORMAT: &str = "credence-wallet-export";
const WRAP_AAD: &[u8] = b"credence-export-keys/v1";
const FRAME_TARGET: usize = 256 * 1024;
const MAX_FRAME: usize = 64 * 1024 * 1024;

#[derive(Serialize, Deserialize)]
struct ExportHeader {
    format: String,
    schema_version: u32,
    kdf: Kdf,
    /// Data key ‖ stream key, sealed under the export's key-encryption key.
    wrapped_keys: String,
    /// The STREAM nonce prefix (19 bytes).
    stream_nonce: String,
}

/// What an export or restore moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExportSummary {
    /// Records written or restored.
    pub records: u64,
    /// Bytes of the export file.
    pub bytes: u64,
}

fn bad(msg: impl Into<String>) -> StoreError {
    StoreError::BadExport(msg.into())
}

fn push_entry(buf: &mut Vec<u8>, key: &[u8], value: &[u8]) {
    for part in [key, value] {
        buf.extend_from_slice(&(part.len() as u32).to_be_bytes());
        buf.extend_from_slice(part);
    }
}

fn write_frame(out: &mut impl Write, frame: &[u8]) -> std::io::Result<u64> {
    out.write_all(&(frame.len() as u32).to_be_bytes())?;
    out.write_all(frame)?;
    Ok(4 + frame.len() as u64)
}

impl Store {
    /// Writes an encrypted export of every record to `out`, locked with
    /// `unlock` (which may differ from the wallet's own secret).
    pub fn export(
        &self,
        out: &mut impl Write,
        unlock: &Unlock,
        params: KdfParams,
    ) -> Result<ExportSummary, StoreError> {
        let io = |e: std::io::Error| bad(format!("writing the export: {e}"));
        let kdf = Kdf::new(unlock, params);
        let kek = kdf.derive(unlock)?;
        let stream_key = random_key();
        let mut keys = Zeroizing::new(Vec::with_capacity(64));
        keys.extend_from_slice(self.data_key().as_ref());
        keys.extend_from_slice(stream_key.as_ref());
        let mut nonce = [0u8; 19];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let header = ExportHeader {
            format: EXPORT_FORMAT.into(),
            schema_version: SCHEMA_VERSION,
            kdf,
            wrapped_keys: B64.encode(seal_bytes(&kek, &keys, WRAP_AAD)?),
            stream_nonce: B64.encode(nonce),
        };
        let header = serde_json::to_vec(&header).map_err(|e| bad(e.to_string()))?;
        out.write_all(MAGIC).map_err(io)?;
        let mut bytes = MAGIC.len() as u64 + write_frame(out, &header).map_err(io)?;

        let cipher = XChaCha20Poly1305::new(stream_key.as_ref().into());
        let mut stream = EncryptorBE32::from_aead(cipher, nonce.as_ref().into());
        let mut buf = Zeroizing::new(Vec::with_capacity(FRAME_TARGET + 4096));
        let mut records = 0u64;
        for entry in self.raw_entries() {
            let (k, v) = entry?;
            if k.first() == Some(&b'!') {
                continue; // header and counter: the restore writes its own
            }
            push_entry(&mut buf, &k, &v);
            records += 1;
            if buf.len() >= FRAME_TARGET {
                let frame = stream
                    .encrypt_next(Payload {
                        msg: &buf,
                        aad: &header,
                    })
                    .map_err(|_| bad("encryption failed"))?;
                bytes += write_frame(out, &frame).map_err(io)?;
                buf.clear();
            }
        }
        let last = stream
            .encrypt_last(Payload {
                msg: &buf,
                aad: &header,
            })
            .map_err(|_| bad("encryption failed"))?;
        bytes += write_frame(out, &last).map_err(io)?;
        out.flush().map_err(io)?;
        Ok(ExportSummary { records, bytes })
    }

    /// Restores an export into a new wallet at `dir` (absent or empty),
    /// which will be locked with the same secret as the export. On any
    /// failure the partly written directory is removed.
    pub fn restore(
        input: &mut impl Read,
        dir: impl AsRef<Path>,
        unlock: &Unlock,
    ) -> Result<(Self, ExportSummary), StoreError> {
        let dir = dir.as_ref();
        let existed = dir.exists();
        let result = restore_into(input, dir, unlock);
        if result.is_err() && Store::exists(dir) {
            let _ = std::fs::remove_dir_all(dir);
            if existed {
                let _ = std::fs::create_dir(dir);
            }
        }
        result
    }
}

fn read_frame(input: &mut impl Read, bytes: &mut u64) -> Result<Option<Vec<u8>>, StoreError> {
    let mut len = [0u8; 4];
    match input.read_exact(&mut len) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(bad(format!("reading the export: {e}"))),
    }
    let len = u32::from_be_bytes(len) as usize;
    if len > MAX_FRAME {
        return Err(bad("a frame is larger than any export writes"));
    }
    let mut frame = vec![0u8; len];
    input
        .read_exact(&mut frame)
        .map_err(|_| bad("the export is truncated"))?;
    *bytes += 4 + len as u64;
    Ok(Some(frame))
}

/// Raw `(key, sealed value)` pairs.
type RawEntries = Vec<(Vec<u8>, Vec<u8>)>;

fn parse_entries(plain: &[u8]) -> Result<RawEntries, StoreError> {
    let mut entries = Vec::new();
    let mut rest = plain;
    let take = |rest: &mut &[u8]| -> Result<Vec<u8>, StoreError> {
        if rest.len() < 4 {
            return Err(bad("a frame ends mid-record"));
        }
        let (len, tail) = rest.split_at(4);
        let len = u32::from_be_bytes([len[0], len[1], len[2], len[3]]) as usize;
        if tail.len() < len {
            return Err(bad("a frame ends mid-record"));
        }
        let (part, tail) = tail.split_at(len);
        *rest = tail;
        Ok(part.to_vec())
    };
    while !rest.is_empty() {
        let key = take(&mut rest)?;
        let value = take(&mut rest)?;
        entries.push((key, value));
    }
    Ok(entries)
}

fn restore_into(
    input: &mut impl Read,
    dir: &Path,
    unlock: &Unlock,
) -> Result<(Store, ExportSummary), StoreError> {
    let mut magic = [0u8; 8];
    input
        .read_exact(&mut magic)
        .map_err(|_| bad("too short to be an export"))?;
    if &magic != MAGIC {
        return Err(bad("not a Credence wallet export"));
    }
    let mut bytes = MAGIC.len() as u64;
    let header_bytes = read_frame(input, &mut bytes)?.ok_or_else(|| bad("no header"))?;
    let header: ExportHeader =
        serde_json::from_slice(&header_bytes).map_err(|e| bad(format!("header: {e}")))?;
    if header.format != EXPORT_FORMAT {
        return Err(bad("not a Credence wallet export"));
    }
    if header.schema_version > SCHEMA_VERSION {
        return Err(StoreError::SchemaTooNew {
            found: header.schema_version,
            supported: SCHEMA_VERSION,
        });
    }
    let kek = header.kdf.derive(unlock)?;
    let sealed = B64
        .decode(&header.wrapped_keys)
        .map_err(|_| bad("wrapped keys are not base64"))?;
    let keys = open_bytes(&kek, &sealed, WRAP_AAD).map_err(|()| StoreError::WrongSecret)?;
    if keys.len() != 64 {
        return Err(bad("wrapped keys have the wrong length"));
    }
    let mut dek = Zeroizing::new([0u8; 32]);
    dek.copy_from_slice(&keys[..32]);
    let nonce = B64
        .decode(&header.stream_nonce)
        .map_err(|_| bad("stream nonce is not base64"))?;
    if nonce.len() != 19 {
        return Err(bad("stream nonce has the wrong length"));
    }
    let params = match &header.kdf {
        Kdf::Argon2id { params, .. } => *params,
        Kdf::KeyFileHkdfSha256 { .. } => KdfParams::default(),
    };
    let store = Store::create_with_key(dir, unlock, params, &dek)?;
    let cipher = XChaCha20Poly1305::new(keys[32..].into());
    let mut stream = Some(DecryptorBE32::from_aead(cipher, nonce.as_slice().into()));
    let mut records = 0u64;
    let mut pending = read_frame(input, &mut bytes)?;
    loop {
        let frame = pending.ok_or_else(|| bad("the export is truncated (no final frame)"))?;
        pending = read_frame(input, &mut bytes)?;
        let payload = Payload {
            msg: &frame,
            aad: &header_bytes,
        };
        let is_last = pending.is_none();
        let plain = Zeroizing::new(
            match (is_last, stream.take()) {
                (true, Some(s)) => s.decrypt_last(payload),
                (false, Some(mut s)) => {
                    let plain = s.decrypt_next(payload);
                    stream = Some(s);
                    plain
                }
                (_, None) => return Err(bad("frames after the final frame")),
            }
            .map_err(|_| bad("a frame failed authentication (damaged or truncated export)"))?,
        );
        let entries = parse_entries(&plain)?;
        for (k, v) in &entries {
            if k.first() == Some(&b'!') {
                return Err(bad("the export carries a reserved record"));
            }
            store.check_raw(k, v)?;
        }
        records += entries.len() as u64;
        store.apply_raw(entries)?;
        if is_last {
            return Ok((store, ExportSummary { records, bytes }));
        }
    }
}
