//! The token-signing key set of a verifier directory, shared by its
//! replicas: `token-key.jwk` (the first key, also the audit checkpoint
//! signer) and one file per rotation in `token-keys/`
//! (`{"activates_at": …, "jwk": …}`, owner-only). [`rotate_token_key`]
//! adds a key that is published at once and signs from `activates_at`;
//! [`watch_keys`] reloads a running service's ring when the directory
//! changes, so every replica picks the rotation up within seconds.

use crate::verifier_dir::{key_file, TOKEN_KEY_FILE};
use credence_store::{fsutil, StoreError};
use credence_verify::{KeyRing, TokenIssuer, TokenKey};
use serde::{Deserialize, Serialize};
use ssi::JWK;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use zeroize::Zeroizing;

/// The rotations' directory inside a verifier directory.
pub const TOKEN_KEYS_DIR: &str = "token-keys";

#[derive(Serialize, Deserialize)]
struct KeyFile {
    activates_at: i64,
    jwk: JWK,
}

fn bad(path: &Path, e: impl ToString) -> StoreError {
    StoreError::File {
        path: path.to_owned(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string()),
    }
}

/// The rotation files, sorted by name.
fn rotation_files(dir: &Path) -> Result<Vec<PathBuf>, StoreError> {
    let keys = dir.join(TOKEN_KEYS_DIR);
    // Absent: no rotation yet. Unreadable: an error, never "no rotation"
    // (that would bring the first key back).
    let entries = match std::fs::read_dir(&keys) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(StoreError::file(&keys)(e)),
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    Ok(files)
}

fn read_rotation(path: &Path) -> Result<TokenKey, StoreError> {
    let text = Zeroizing::new(std::fs::read_to_string(path).map_err(StoreError::file(path))?);
    let file: KeyFile = serde_json::from_str(&text).map_err(|e| bad(path, e))?;
    if file.jwk.is_public() {
        return Err(bad(path, "the key has no private part"));
    }
    Ok(TokenKey::new(file.jwk, file.activates_at))
}

/// The key ring of the verifier directory `dir` (creating its first key
/// when missing).
pub fn load_key_ring(dir: &Path) -> Result<KeyRing, StoreError> {
    let first = key_file(&dir.join(TOKEN_KEY_FILE))?;
    let mut keys = vec![TokenKey::new(first, i64::MIN)];
    for path in rotation_files(dir)? {
        keys.push(read_rotation(&path)?);
    }
    // `keys` holds the first key, so the ring is never empty.
    KeyRing::new(keys).ok_or_else(|| bad(dir, "no token key"))
}

/// What a rotation did.
#[derive(Debug, Clone, Serialize)]
pub struct Rotation {
    /// The new key's `kid`.
    pub kid: String,
    /// When it starts signing (it is published now).
    pub activates_at: i64,
    /// Rotation files removed because their keys had retired.
    pub removed: usize,
}

/// Adds a fresh Ed25519 key to `dir`, signing from `now + ahead` (published
/// at once so resource servers can fetch it first); the key it replaces
/// retires [`credence_verify::KEY_RETIREMENT_SECS`] after that. Rotation
/// files of keys retired by now are removed.
pub fn rotate_token_key(dir: &Path, now: i64, ahead: i64) -> Result<Rotation, StoreError> {
    let ring = load_key_ring(dir)?;
    let live: Vec<String> = ring.live(now).iter().map(|k| k.kid()).collect();
    let mut removed = 0;
    for path in rotation_files(dir)? {
        if !live.contains(&read_rotation(&path)?.kid()) {
            std::fs::remove_file(&path).map_err(StoreError::file(&path))?;
            removed += 1;
        }
    }
    let jwk = JWK::generate_ed25519().map_err(|e| bad(dir, e))?;
    let key = TokenKey::new(jwk, now.saturating_add(ahead.max(0)));
    let keys = dir.join(TOKEN_KEYS_DIR);
    std::fs::create_dir_all(&keys).map_err(StoreError::file(&keys))?;
    let path = keys.join(format!("{}-{}.json", key.activates_at, key.kid()));
    let file = KeyFile {
        activates_at: key.activates_at,
        jwk: key.jwk.clone(),
    };
    let text = Zeroizing::new(serde_json::to_vec(&file).map_err(|e| bad(&path, e))?);
    // Written whole under another name, then renamed: a watcher never
    // reads a half-written key.
    let partial = keys.join(format!(".{}-{}.partial", key.activates_at, key.kid()));
    fsutil::write_private_new(&partial, &text)?;
    std::fs::rename(&partial, &path).map_err(StoreError::file(&path))?;
    fsutil::sync_parent(&path)?;
    Ok(Rotation {
        kid: key.kid(),
        activates_at: key.activates_at,
        removed,
    })
}

/// What the key directory holds now, to notice a change (an unreadable
/// directory is `None`, a change, so the load reports it).
fn listing(dir: &Path) -> Option<Vec<PathBuf>> {
    rotation_files(dir).ok()
}

/// Reloads `tokens`' key ring from `dir` whenever its rotation files
/// change (checked every `every`). A ring that fails to load is reported
/// and the one in force stays. Runs until the task is aborted.
pub fn watch_keys(
    tokens: Arc<TokenIssuer>,
    dir: PathBuf,
    every: Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut last = listing(&dir);
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            let now = listing(&dir);
            if now == last {
                continue;
            }
            // `last` moves only once a load succeeds: a failed one is
            // retried at the next tick.
            match load_key_ring(&dir) {
                Ok(ring) => match tokens.set_keys(ring) {
                    Ok(()) => {
                        tracing::info!(dir = %dir.display(), "token keys reloaded");
                        last = now;
                    }
                    Err(e) => tracing::error!(error = %e, "token key reload refused"),
                },
                Err(e) => {
                    tracing::error!(error = %e, "token key reload failed; keeping the keys in force")
                }
            }
        }
    })
}
