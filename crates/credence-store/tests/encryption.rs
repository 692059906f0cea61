//! Encryption at rest: wrong secrets, key files, no plaintext key material on
//! disk, damaged files, schema versions.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use credence_store::{KdfParams, Space, Store, StoreError, Unlock};
use std::path::{Path, PathBuf};

const SECRET_KEY: [u8; 32] = *b"\x9a\x11\xe2\x03\x47\xc8\xd5\x6f\x10\x2b\x88\x91\xaa\x0c\x7e\x33\xf1\x59\x64\xbd\x02\x9e\x4c\xd7\x38\x15\x6a\xe0\x77\xc2\x05\x4b";

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            out.push(path);
        }
    }
    out.sort();
    out
}

fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    files(dir)
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn pass(p: &str) -> Unlock {
    Unlock::passphrase(p)
}

#[test]
fn no_private_key_bytes_on_disk_in_any_encoding() {
    let dir = tempfile::tempdir().unwrap();
    let wallet = dir.path().join("w");
    {
        let store = Store::create(&wallet, &pass("pw"), KdfParams::minimal()).unwrap();
        store.put(Space::Keys, "agent", &SECRET_KEY).unwrap();
        // A JWK-shaped record too, as the wallet stores Ed25519 keys.
        let jwk = format!(
            r#"{{"kty":"OKP","crv":"Ed25519","d":"{}"}}"#,
            URL_SAFE_NO_PAD.encode(SECRET_KEY)
        );
        store.put(Space::Keys, "agent-jwk", jwk.as_bytes()).unwrap();
        let body = format!("{{\"owner\":\"Alice Example\",\"n\":{}}}", "x".repeat(500));
        store
            .put(Space::Credentials, "c1", body.as_bytes())
            .unwrap();
    }
    let encodings: Vec<(&str, Vec<u8>)> = vec![
        ("raw", SECRET_KEY.to_vec()),
        ("raw prefix", SECRET_KEY[..12].to_vec()),
        ("base64", STANDARD.encode(SECRET_KEY).into_bytes()),
        ("base64url", URL_SAFE_NO_PAD.encode(SECRET_KEY).into_bytes()),
        ("hex", hex::encode(SECRET_KEY).into_bytes()),
        (
            "multibase base58btc",
            multibase::encode(multibase::Base::Base58Btc, SECRET_KEY).into_bytes(),
        ),
        (
            "multibase base64url",
            multibase::encode(multibase::Base::Base64Url, SECRET_KEY).into_bytes(),
        ),
        ("credential text", b"Alice Example".to_vec()),
    ];
    let all = files(&wallet);
    assert!(
        all.len() >= 3,
        "expected sled files and the commit record: {all:?}"
    );
    for path in all {
        let bytes = std::fs::read(&path).unwrap();
        for (name, needle) in &encodings {
            assert!(
                !contains(&bytes, needle),
                "{name} found in {}",
                path.display()
            );
        }
    }
    // …while the store itself still reads them back.
    let store = Store::open(&wallet, &pass("pw")).unwrap();
    assert_eq!(
        store.get(Space::Keys, "agent").unwrap().unwrap().as_slice(),
        SECRET_KEY
    );
}

#[test]
fn wrong_passphrase_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let wallet = dir.path().join("w");
    {
        let store = Store::create(&wallet, &pass("right"), KdfParams::minimal()).unwrap();
        store.put(Space::Keys, "agent", &SECRET_KEY).unwrap();
    }
    let before = snapshot(&wallet);
    let err = Store::open(&wallet, &pass("wrong")).unwrap_err();
    assert!(matches!(err, StoreError::WrongSecret), "{err}");
    assert!(err.to_string().contains("wrong passphrase"));
    assert_eq!(
        snapshot(&wallet),
        before,
        "a failed unlock altered the wallet's files"
    );
    let err = Store::open(&wallet, &pass("")).unwrap_err();
    assert!(matches!(err, StoreError::Kdf(_)), "{err}");
    let store = Store::open(&wallet, &pass("right")).unwrap();
    assert_eq!(
        store.get(Space::Keys, "agent").unwrap().unwrap().as_slice(),
        SECRET_KEY
    );
}

#[test]
fn key_file_unlocks_and_other_secrets_do_not() {
    let dir = tempfile::tempdir().unwrap();
    let wallet = dir.path().join("w");
    let key_path = dir.path().join("wallet.key");
    let unlock = Unlock::create_key_file(&key_path).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    {
        let store = Store::create(&wallet, &unlock, KdfParams::default()).unwrap();
        store.put(Space::Settings, "x", b"1").unwrap();
    }
    assert!(Store::open(&wallet, &unlock).is_ok());
    // Another key file, a passphrase, a short file, a missing file.
    let other = Unlock::create_key_file(&dir.path().join("other.key")).unwrap();
    assert!(matches!(
        Store::open(&wallet, &other),
        Err(StoreError::WrongSecret)
    ));
    assert!(matches!(
        Store::open(&wallet, &pass("pw")),
        Err(StoreError::WrongSecret)
    ));
    std::fs::write(dir.path().join("short.key"), b"too short").unwrap();
    let short = Unlock::KeyFile(dir.path().join("short.key"));
    assert!(matches!(
        Store::open(&wallet, &short),
        Err(StoreError::KeyFile { .. })
    ));
    let missing = Unlock::KeyFile(dir.path().join("nope.key"));
    assert!(matches!(
        Store::open(&wallet, &missing),
        Err(StoreError::KeyFile { .. })
    ));
}

#[test]
fn not_a_wallet_and_not_empty() {
    let dir = tempfile::tempdir().unwrap();
    let err = Store::open(dir.path().join("absent"), &pass("pw")).unwrap_err();
    assert!(matches!(err, StoreError::NotAWallet(_)), "{err}");
    assert!(
        !dir.path().join("absent").exists(),
        "open must not create a wallet"
    );
    std::fs::write(dir.path().join("file"), b"x").unwrap();
    let err = Store::create(dir.path(), &pass("pw"), KdfParams::minimal()).unwrap_err();
    assert!(matches!(err, StoreError::AlreadyExists(_)), "{err}");
}

#[test]
fn second_open_is_refused_while_in_use() {
    let dir = tempfile::tempdir().unwrap();
    let wallet = dir.path().join("w");
    let _store = Store::create(&wallet, &pass("pw"), KdfParams::minimal()).unwrap();
    let err = Store::open(&wallet, &pass("pw")).unwrap_err();
    assert!(matches!(err, StoreError::Locked(_)), "{err}");
}

/// Every position at which `needle` occurs in the sled log file.
fn positions(haystack: &[u8], needle: &[u8]) -> Vec<usize> {
    haystack
        .windows(needle.len())
        .enumerate()
        .filter(|(_, w)| *w == needle)
        .map(|(i, _)| i)
        .collect()
}

fn raw_value(wallet: &Path, key: &[u8]) -> Vec<u8> {
    let db = plain_sled(wallet);
    db.get(key).unwrap().unwrap().to_vec()
}

fn read_everything(wallet: &Path) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
    let store = Store::open(wallet, &pass("pw"))?;
    let mut all = Vec::new();
    for space in [Space::Keys, Space::Credentials] {
        for (id, v) in store.list(space)? {
            all.push((id, v.to_vec()));
        }
    }
    Ok(all)
}

fn populated(dir: &Path) -> (PathBuf, Vec<(String, Vec<u8>)>) {
    let wallet = dir.join("w");
    let store = Store::create(&wallet, &pass("pw"), KdfParams::minimal()).unwrap();
    store.put(Space::Keys, "agent", &SECRET_KEY).unwrap();
    for i in 0..20 {
        let body = format!("credential {i} {}", "y".repeat(300));
        store
            .put(Space::Credentials, &format!("c{i:02}"), body.as_bytes())
            .unwrap();
    }
    drop(store);
    let expected = read_everything(&wallet).unwrap();
    (wallet, expected)
}

#[test]
fn flipped_byte_in_a_ciphertext_is_an_integrity_error() {
    let dir = tempfile::tempdir().unwrap();
    let (wallet, _) = populated(dir.path());
    let sealed = raw_value(&wallet, b"cc07");
    let db_path = wallet.join("db");
    let mut bytes = std::fs::read(&db_path).unwrap();
    let found = positions(&bytes, &sealed);
    assert!(!found.is_empty(), "the sealed value is not in the log file");
    // Flip a byte in the middle of the ciphertext wherever it was written.
    for pos in &found {
        bytes[pos + sealed.len() / 2] ^= 0x40;
    }
    std::fs::write(&db_path, &bytes).unwrap();
    let err = read_everything(&wallet).unwrap_err();
    assert!(
        matches!(err, StoreError::Integrity(_) | StoreError::Truncated { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("integrity check failed"), "{err}");
}

#[test]
fn any_single_flipped_byte_errors_or_reads_back_intact_never_garbage() {
    let dir = tempfile::tempdir().unwrap();
    let (wallet, expected) = populated(dir.path());
    let pristine = dir.path().join("pristine");
    std::fs::create_dir(&pristine).unwrap();
    for f in files(&wallet) {
        std::fs::copy(&f, pristine.join(f.file_name().unwrap())).unwrap();
    }
    // sled preallocates its segment; only the written prefix matters.
    let log = std::fs::read(wallet.join("db")).unwrap();
    let used = log.iter().rposition(|b| *b != 0).unwrap() + 1;
    let (mut errors, mut intact) = (0, 0);
    for pos in (0..used).step_by((used / 300).max(1)) {
        for f in files(&pristine) {
            std::fs::copy(&f, wallet.join(f.file_name().unwrap())).unwrap();
        }
        let mut bytes = std::fs::read(wallet.join("db")).unwrap();
        bytes[pos] ^= 0x01;
        std::fs::write(wallet.join("db"), &bytes).unwrap();
        match read_everything(&wallet) {
            Ok(all) => {
                assert_eq!(all, expected, "garbage read back after flipping byte {pos}");
                intact += 1;
            }
            Err(_) => errors += 1,
        }
    }
    eprintln!(
        "flipped {} positions: {errors} errors, {intact} intact",
        errors + intact
    );
    assert!(errors > 0);
}

#[test]
fn newer_schema_is_refused_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let wallet = dir.path().join("w");
    drop(Store::create(&wallet, &pass("pw"), KdfParams::minimal()).unwrap());
    let path = wallet.join(credence_store::HEADER_FILE);
    let mut json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    json["schema_version"] = 7.into();
    std::fs::write(&path, serde_json::to_vec(&json).unwrap()).unwrap();
    let err = Store::open(&wallet, &pass("pw")).unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::SchemaTooNew {
                found: 7,
                supported: 1
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("upgrade Credence"));
}

#[test]
fn moved_record_fails_authentication() {
    let dir = tempfile::tempdir().unwrap();
    let wallet = dir.path().join("w");
    {
        let store = Store::create(&wallet, &pass("pw"), KdfParams::minimal()).unwrap();
        store.put(Space::Credentials, "a", b"alpha").unwrap();
        store.put(Space::Credentials, "b", b"beta").unwrap();
    }
    {
        // Swap the sealed values: each is bound to its own name.
        let db = plain_sled(&wallet);
        let a = db.get(b"ca").unwrap().unwrap();
        let b = db.get(b"cb").unwrap().unwrap();
        db.insert(b"ca", b).unwrap();
        db.insert(b"cb", a).unwrap();
        db.flush().unwrap();
    }
    let store = Store::open(&wallet, &pass("pw")).unwrap();
    let err = store.get(Space::Credentials, "a").unwrap_err();
    assert!(matches!(err, StoreError::Integrity(_)), "{err}");
}

#[test]
fn a_database_behind_its_commit_record_is_reported_truncated() {
    let dir = tempfile::tempdir().unwrap();
    let (wallet, _) = populated(dir.path());
    // Keep sled's files as they are now, write more, then put the old ones
    // back: exactly what sled's silent log truncation leaves behind.
    let old = dir.path().join("old");
    std::fs::create_dir(&old).unwrap();
    for f in files(&wallet) {
        std::fs::copy(&f, old.join(f.file_name().unwrap())).unwrap();
    }
    {
        let store = Store::open(&wallet, &pass("pw")).unwrap();
        store
            .put(Space::Credentials, "late", b"acknowledged")
            .unwrap();
    }
    for f in files(&old) {
        if f.file_name().unwrap() != credence_store::COMMIT_FILE {
            std::fs::copy(&f, wallet.join(f.file_name().unwrap())).unwrap();
        }
    }
    let err = Store::open(&wallet, &pass("pw")).unwrap_err();
    assert!(
        matches!(err, StoreError::Truncated { expected, found } if expected == found + 1),
        "{err:?}"
    );
}

/// The wallet's sled database opened directly, as an attacker with the
/// files would: a just-dropped store's background threads may hold sled's
/// lock for a moment, so wait for it (bounded).
fn plain_sled(path: impl AsRef<std::path::Path>) -> sled::Db {
    let started = std::time::Instant::now();
    loop {
        match sled::open(path.as_ref()) {
            Ok(db) => return db,
            Err(e) if started.elapsed() < std::time::Duration::from_secs(5) => {
                assert!(e.to_string().contains("lock"), "{e}");
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Err(e) => panic!("sled stayed locked: {e}"),
        }
    }
}
