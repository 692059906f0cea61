//! Conformance with published test vectors (`../shared/vectors`, or
//! `$CREDENCE_VECTORS`): IETF BBS (both ciphersuites), W3C vc-di-bbs and
//! vc-di-eddsa, did:key and Bitstring Status List. One test runs them all
//! and prints how many of each kind passed, listing every vector it does
//! not run with the reason. Run with `-- --nocapture` to see the table.

mod bbs_ietf;
mod di_bbs;
mod di_eddsa;
mod did_key;
mod status_list;
mod support;

#[tokio::test]
async fn published_vectors() {
    let Some(root) = support::vectors() else {
        return;
    };
    let mut report = support::Report::default();
    bbs_ietf::run(&root, &mut report);
    di_eddsa::run(&root, &mut report).await;
    di_bbs::run(&root, &mut report).await;
    did_key::run(&root, &mut report).await;
    status_list::run(&root, &mut report).await;
    let table = report.render();
    println!("{table}");
    assert!(report.all_passed(), "{table}");
    // A vector that stops being found must not pass silently.
    for (kind, expected) in [
        ("IETF BBS BLS12-381-SHA-256", 28),
        ("IETF BBS BLS12-381-SHAKE-256", 28),
        ("W3C vc-di-eddsa eddsa-rdfc-2022", 4),
        ("W3C vc-di-eddsa Ed25519Signature2020", 2),
        ("W3C vc-di-eddsa proof sets", 2),
        ("W3C vc-di-bbs bbs-2023", 9),
        // secp256k1 keys are outside credence-did's set (not run); X25519 keys
        // resolve for keyAgreement only.
        ("did:key (w3c-ccg)", 17),
        ("W3C Bitstring Status List", 13),
    ] {
        assert_eq!(report.passed(kind), expected, "{kind}\n{table}");
    }
}
