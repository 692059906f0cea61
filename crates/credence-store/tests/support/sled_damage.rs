//! Building damaged sled files for tests: a log message whose body is
//! corrupt but whose CRC32 is recomputed, so sled's recovery accepts it and
//! only its decoder meets the damage. Plain std (the CLI tests include this
//! file too).
//!
//! A sled 0.34 message is `crc32 (u32 LE) ‖ kind (u8) ‖ len ‖ segment ‖
//! pid ‖ body[len]` (varints as in sled's `serialization.rs`), and its
//! checksum is `!crc32(body ‖ header[4..])`. Keys and values inside a body
//! are `varint length ‖ bytes`.

#![allow(dead_code)]

use std::path::Path;

/// CRC-32 (IEEE), as sled's `crc32fast` computes it: a checksum, not
/// cryptography, so a bitwise loop does.
fn crc32(parts: &[&[u8]]) -> u32 {
    let mut c = !0u32;
    for part in parts {
        for &b in *part {
            c ^= u32::from(b);
            for _ in 0..8 {
                c = if c & 1 != 0 {
                    (c >> 1) ^ 0xEDB8_8320
                } else {
                    c >> 1
                };
            }
        }
    }
    !c
}

/// Reads one of sled's varints at `at`: `(value, size)`.
fn varint(bytes: &[u8], at: usize) -> Option<(u64, usize)> {
    let first = *bytes.get(at)?;
    Some(match first {
        0..=240 => (u64::from(first), 1),
        241..=248 => {
            let b = u64::from(*bytes.get(at + 1)?);
            (240 + 256 * (u64::from(first) - 241) + b, 2)
        }
        249 => {
            let (a, b) = (
                u64::from(*bytes.get(at + 1)?),
                u64::from(*bytes.get(at + 2)?),
            );
            (2288 + 256 * a + b, 3)
        }
        other => {
            let size = other as usize - 247;
            let mut n = [0u8; 8];
            n[..size].copy_from_slice(bytes.get(at + 1..at + 1 + size)?);
            (u64::from_le_bytes(n), size + 1)
        }
    })
}

fn checksum(header: &[u8], body: &[u8]) -> u32 {
    crc32(&[body, &header[4..]]) ^ 0xFFFF_FFFF
}

/// The message starting at `at`, if its checksum holds: `(header_len, body_len)`.
fn message_at(bytes: &[u8], at: usize) -> Option<(usize, usize)> {
    let crc = u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?);
    let mut pos = at + 5;
    let (len, a) = varint(bytes, pos)?;
    pos += a;
    let (_, b) = varint(bytes, pos)?;
    pos += b;
    let (_, c) = varint(bytes, pos)?;
    pos += c;
    let header_len = pos - at;
    let body_len = usize::try_from(len).ok()?;
    let body = bytes.get(pos..pos.checked_add(body_len)?)?;
    (checksum(&bytes[at..pos], body) == crc).then_some((header_len, body_len))
}

/// Damages, in the sled database file `db`, every valid message holding the
/// key or value `needle` (stored as `varint length ‖ needle`): the length
/// becomes a 9-byte varint of a huge number, and the message's checksum is
/// recomputed. Returns how many messages were damaged.
pub fn damage_record(db: &Path, needle: &[u8]) -> usize {
    let mut bytes = std::fs::read(db).expect("read the sled file");
    let size = varint_size(needle.len() as u64);
    let mut damaged = 0;
    let mut from = 0;
    while let Some(p) = find(&bytes[from..], needle).map(|p| p + from) {
        from = p + 1;
        let Some(len_at) = p.checked_sub(size) else {
            continue;
        };
        if varint(&bytes, len_at) != Some((needle.len() as u64, size)) {
            continue;
        }
        // The message holding it starts at most a few KiB earlier.
        for at in (p.saturating_sub(8192)..len_at).rev() {
            let Some((header_len, body_len)) = message_at(&bytes, at) else {
                continue;
            };
            if len_at < at + header_len || at + header_len + body_len < p + needle.len() {
                continue;
            }
            bytes[len_at] = 0xFF;
            let (header, rest) = bytes[at..].split_at_mut(header_len);
            let crc = checksum(header, &rest[..body_len]);
            header[..4].copy_from_slice(&crc.to_le_bytes());
            damaged += 1;
            break;
        }
    }
    std::fs::write(db, &bytes).expect("write the sled file");
    damaged
}

fn varint_size(n: u64) -> usize {
    match n {
        0..=240 => 1,
        241..=2287 => 2,
        2288..=67823 => 3,
        _ => panic!("needle too long for this helper"),
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
