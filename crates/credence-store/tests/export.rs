//! Encrypted export and restore.

use credence_store::{KdfParams, Space, Store, StoreError, Unlock};

fn pass(p: &str) -> Unlock {
    Unlock::passphrase(p)
}

fn sample(dir: &std::path::Path, n: usize) -> Store {
    let store = Store::create(dir.join("src"), &pass("wallet pw"), KdfParams::minimal()).unwrap();
    store.put(Space::Keys, "agent", b"key material").unwrap();
    for i in 0..n {
        let mut batch = store.batch();
        let id = format!("cred-{i:05}");
        batch
            .put(
                Space::Credentials,
                &id,
                format!("body {i} {}", "z".repeat(900)).as_bytes(),
            )
            .unwrap();
        batch
            .index(if i % 3 == 0 { "type:A" } else { "type:B" }, &id)
            .unwrap();
        store.commit(batch).unwrap();
    }
    store
}

fn export_bytes(store: &Store, unlock: &Unlock) -> Vec<u8> {
    let mut out = Vec::new();
    let summary = store
        .export(&mut out, unlock, KdfParams::minimal())
        .unwrap();
    assert_eq!(summary.bytes as usize, out.len());
    out
}

#[test]
fn export_restores_everything_with_the_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    // Enough records for several stream frames.
    let store = sample(dir.path(), 600);
    let bytes = export_bytes(&store, &pass("export pw"));
    assert!(
        !bytes.windows(4).any(|w| w == b"body"),
        "plaintext in the export"
    );
    let (restored, summary) = Store::restore(
        &mut bytes.as_slice(),
        dir.path().join("dst"),
        &pass("export pw"),
    )
    .unwrap();
    assert_eq!(summary.records, 1 + 600 + 600);
    for space in [Space::Keys, Space::Credentials] {
        let a: Vec<_> = store
            .list(space)
            .unwrap()
            .into_iter()
            .map(|(i, v)| (i, v.to_vec()))
            .collect();
        let b: Vec<_> = restored
            .list(space)
            .unwrap()
            .into_iter()
            .map(|(i, v)| (i, v.to_vec()))
            .collect();
        assert_eq!(a, b);
    }
    assert_eq!(
        restored.indexed("type:A").unwrap(),
        store.indexed("type:A").unwrap()
    );
    assert_eq!(restored.indexed("type:A").unwrap().len(), 200);
    // The restored wallet opens with the export's passphrase after a restart.
    drop(restored);
    let reopened = Store::open(dir.path().join("dst"), &pass("export pw")).unwrap();
    assert_eq!(reopened.count(Space::Credentials), 600);
    assert!(matches!(
        Store::open(dir.path().join("dst"), &pass("wallet pw")),
        Err(StoreError::WrongSecret)
    ));
}

#[test]
fn wrong_passphrase_truncation_and_tampering_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = sample(dir.path(), 400);
    let bytes = export_bytes(&store, &pass("export pw"));
    let dst = dir.path().join("dst");

    let err = Store::restore(&mut bytes.as_slice(), &dst, &pass("nope")).unwrap_err();
    assert!(matches!(err, StoreError::WrongSecret), "{err}");
    assert!(!dst.exists(), "a refused restore left files behind");

    let cut = &bytes[..bytes.len() - 100];
    let err = Store::restore(&mut &cut[..], &dst, &pass("export pw")).unwrap_err();
    assert!(matches!(err, StoreError::BadExport(_)), "{err}");
    assert!(!dst.exists(), "a failed restore left files behind");

    // Dropping the final frame entirely is detected too.
    let mut frames = Vec::new();
    let mut pos = 8;
    while pos < bytes.len() {
        let len = u32::from_be_bytes(bytes[pos..pos + 4].try_into().unwrap()) as usize;
        frames.push(pos);
        pos += 4 + len;
    }
    assert!(frames.len() >= 3, "expected header + several frames");
    let without_last = &bytes[..*frames.last().unwrap()];
    let err = Store::restore(&mut &without_last[..], &dst, &pass("export pw")).unwrap_err();
    assert!(matches!(err, StoreError::BadExport(_)), "{err}");

    let mut flipped = bytes.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 1;
    let err = Store::restore(&mut flipped.as_slice(), &dst, &pass("export pw")).unwrap_err();
    assert!(matches!(err, StoreError::BadExport(_)), "{err}");
    assert!(!dst.exists());

    let err = Store::restore(&mut &b"not an export"[..], &dst, &pass("export pw")).unwrap_err();
    assert!(matches!(err, StoreError::BadExport(_)), "{err}");
}
