//! A sled node that is damaged but carries a valid checksum passes sled's
//! recovery and makes its decoder panic; the store contains that at its
//! boundary: a typed [`StoreError::Damaged`], no panic, and a handle that
//! met it refuses every later call.

use credence_store::{KdfParams, Space, Store, StoreError, Unlock};

mod support;

fn unlock() -> Unlock {
    Unlock::passphrase("damaged-file test passphrase")
}

#[test]
fn a_damaged_node_with_a_valid_checksum_is_a_typed_error_not_a_panic() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("w");
    let store = Store::create(&dir, &unlock(), KdfParams::minimal()).unwrap();
    store
        .put(Space::Credentials, "victim-record", b"a credential")
        .unwrap();
    drop(store);
    support::wait_unlocked(&dir);
    let damaged = support::damage_record(&dir.join("db"), b"cvictim-record");
    assert!(damaged >= 1, "the record's message was found and damaged");
    assert!(
        plain_sled_panics(&dir),
        "the damage is of the kind that makes sled panic"
    );

    match Store::open(&dir, &unlock()) {
        Err(StoreError::Damaged { path, detail }) => {
            eprintln!("{detail}");
            assert_eq!(path, dir);
            assert!(detail.contains("sled failed while"), "{detail}");
        }
        Err(other) => panic!("expected Damaged, got {other}"),
        Ok(store) => match store.get(Space::Credentials, "victim-record") {
            Err(StoreError::Damaged { .. }) => {
                // The handle that met the damage refuses from now on.
                assert!(matches!(
                    store.get(Space::Settings, "anything"),
                    Err(StoreError::Damaged { .. })
                ));
            }
            other => panic!("expected Damaged, got {other:?}"),
        },
    }
}

/// Whether sled itself, on a copy of the wallet, panics reading it.
fn plain_sled_panics(dir: &std::path::Path) -> bool {
    let copy = copy_of(dir);
    let path = copy.path().to_owned();
    std::panic::catch_unwind(move || {
        let db = sled::open(&path).unwrap();
        let _ = db.get(b"!seq");
        let _ = db.get(b"cvictim-record");
    })
    .is_err()
}

#[test]
fn a_handle_that_met_damage_refuses_every_later_call() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("w");
    let store = Store::create(&dir, &unlock(), KdfParams::minimal()).unwrap();
    // Enough records that sled splits its tree: the victim's leaf is not
    // the one holding the commit counter, so opening still works.
    for i in 0..400 {
        let mut batch = store.batch();
        batch
            .put(Space::Credentials, &format!("r{i:04}"), &[7u8; 200])
            .unwrap();
        store.commit(batch).unwrap();
    }
    drop(store);
    support::wait_unlocked(&dir);
    assert!(support::damage_record(&dir.join("db"), b"cr0390") >= 1);

    let store = Store::open(&dir, &unlock()).expect("the counter's leaf is intact");
    assert!(store.get(Space::Credentials, "r0001").unwrap().is_some());
    match store.list(Space::Credentials) {
        Err(StoreError::Damaged { detail, .. }) => assert!(detail.contains("listing"), "{detail}"),
        other => panic!("expected Damaged, got {:?}", other.map(|l| l.len())),
    }
    for refused in [
        store.get(Space::Credentials, "r0001").map(|_| ()),
        store.ids(Space::Credentials).map(|_| ()),
        store.put(Space::Settings, "x", b"y"),
    ] {
        assert!(
            matches!(refused, Err(StoreError::Damaged { .. })),
            "{refused:?}"
        );
    }
    assert_eq!(
        store.count(Space::Credentials),
        0,
        "count cannot fail: it reports nothing"
    );
    drop(store); // closing a damaged handle does not panic either
}

/// The sled snapshot files in `dir`.
fn snapshots(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("snap."))
        .collect();
    names.sort();
    names
}

/// A copy of the wallet's files, for plain sled to try.
fn copy_of(dir: &std::path::Path) -> tempfile::TempDir {
    let copy = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), copy.path().join(entry.file_name())).unwrap();
        }
    }
    copy
}

#[test]
fn a_torn_unfinished_snapshot_left_by_a_crash_does_not_stop_the_wallet_opening() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("w");
    let store = Store::create(&dir, &unlock(), KdfParams::minimal()).unwrap();
    for i in 0..20 {
        store
            .put(Space::Credentials, &format!("r{i}"), b"a credential")
            .unwrap();
    }
    drop(store);
    drop(Store::open(&dir, &unlock()).unwrap()); // sled writes a snapshot on open
    support::wait_unlocked(&dir);
    let snaps = snapshots(&dir);
    let done = snaps.last().expect("a snapshot").clone();
    let lsn = u64::from_str_radix(done.trim_start_matches("snap."), 16).unwrap();
    let bytes = std::fs::read(dir.join(&done)).unwrap();
    // What a kill in the middle of sled's snapshot write leaves: a torn
    // `.generating` file, at the same stable position or a later one.
    for name in [
        format!("{done}.generating"),
        format!("snap.{:016X}.generating", lsn + 77),
    ] {
        std::fs::write(dir.join(&name), &bytes[..bytes.len() / 2]).unwrap();
        let copy = copy_of(&dir);
        assert!(
            matches!(sled::open(copy.path()), Err(sled::Error::Corruption { .. })),
            "plain sled refuses the database with {name}"
        );
        let store = Store::open(&dir, &unlock()).expect("the wallet opens");
        assert_eq!(store.ids(Space::Credentials).unwrap().len(), 20);
        drop(store);
        support::wait_unlocked(&dir);
        assert!(
            snapshots(&dir).iter().all(|n| !n.ends_with(".generating")),
            "{:?}",
            snapshots(&dir)
        );
    }
}
